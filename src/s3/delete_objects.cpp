// SPDX-License-Identifier: Apache-2.0
// DeleteObjects: many keys of the configured bucket, in batches of S3's largest request, one
// batch after another.
#include <algorithm>

#include "s3/body.hpp"
#include "s3/client_internal.hpp"
#include "s3/limits.hpp"
#include "s3/validation.hpp"
#include "s3/xml.hpp"

namespace pindeck::s3 {
namespace {

// Touched only on the I/O thread.
struct DeleteBatches {
  RequestEngine& engine;
  std::string bucket;
  std::vector<std::string> keys;
  std::size_t next = 0;
  DeleteResult result;
  Handler<DeleteResult> handler;
};

void send_next_batch(const std::shared_ptr<DeleteBatches>& state) {
  if (state->next >= state->keys.size()) {
    return complete(state->engine.io(), std::move(state->handler), nullptr,
                    std::move(state->result));
  }
  const std::size_t end = std::min(state->keys.size(), state->next + kMaxKeysPerDeleteRequest);
  std::vector<std::string> batch(state->keys.begin() + static_cast<std::ptrdiff_t>(state->next),
                                 state->keys.begin() + static_cast<std::ptrdiff_t>(end));
  state->next = end;
  auto request = RequestEngine::make("DeleteObjects", "POST", state->bucket, "");
  request->operation += " (" + std::to_string(batch.size()) + " keys)";
  request->query = {{"delete", ""}};
  std::string body = xml::delete_objects_body(batch);
  request->headers = {{"Content-Type", "application/xml"}, {"Content-MD5", md5_base64(body)}};
  request->body = BodySource::from_buffer(std::make_shared<const std::string>(std::move(body)));
  request->done = [state](std::exception_ptr error, HttpResponse response) {
    if (!error) {
      try {
        DeleteResult page = xml::parse_delete_result(response.body);
        for (auto& key : page.deleted) state->result.deleted.push_back(std::move(key));
        for (auto& failure : page.failed) state->result.failed.push_back(std::move(failure));
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error)
      return complete(state->engine.io(), std::move(state->handler), error, DeleteResult{});
    send_next_batch(state);
  };
  state->engine.send(request);
}

}  // namespace

void Client::start_delete_objects(std::vector<std::string> keys, Handler<DeleteResult> handler) {
  try {
    for (const std::string& key : keys) validate_object(config_.bucket, key);
  } catch (...) {
    return fail<DeleteResult>(io_, std::move(handler), std::current_exception());
  }
  auto state = std::make_shared<DeleteBatches>(
      DeleteBatches{*engine_, config_.bucket, std::move(keys), 0, {}, std::move(handler)});
  boost::asio::post(io_, [state] { send_next_batch(state); });
}

DeleteResult Client::delete_objects(std::vector<std::string> keys) {
  return run_blocking<DeleteResult>("DeleteObjects", &Client::start_delete_objects,
                                    std::move(keys));
}

}  // namespace pindeck::s3
