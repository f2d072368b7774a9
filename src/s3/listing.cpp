// SPDX-License-Identifier: Apache-2.0
// ListObjectsV2: one page, or every page by following continuation tokens.
#include "s3/client_internal.hpp"
#include "s3/validation.hpp"
#include "s3/xml.hpp"

namespace pindeck::s3 {
namespace {

std::shared_ptr<Request> list_request(const std::string& bucket, const ListOptions& options) {
  auto request = RequestEngine::make("ListObjectsV2", "GET", bucket, "");
  request->query = {{"list-type", "2"}};
  auto& query = request->query;
  if (!options.prefix.empty()) query.emplace_back("prefix", options.prefix);
  if (!options.delimiter.empty()) query.emplace_back("delimiter", options.delimiter);
  if (!options.start_after.empty()) query.emplace_back("start-after", options.start_after);
  if (!options.continuation_token.empty()) {
    query.emplace_back("continuation-token", options.continuation_token);
  }
  if (options.max_keys > 0) query.emplace_back("max-keys", std::to_string(options.max_keys));
  return request;
}

ListPage read_page(const HttpResponse& response) {
  return xml::parse_list_page(response.body);
}

// Every page so far of a list_all_objects; touched only on the I/O thread.
struct ListAll {
  RequestEngine& engine;
  std::string bucket;
  ListOptions options;  // continuation_token: of the next page
  ListPage all;
  Handler<ListPage> handler;
};

void send_next_page(const std::shared_ptr<ListAll>& state) {
  auto request = list_request(state->bucket, state->options);
  request->done = [state](std::exception_ptr error, HttpResponse response) {
    ListPage page;
    if (!error) {
      try {
        page = read_page(response);
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error) return complete(state->engine.io(), std::move(state->handler), error, ListPage{});
    for (auto& object : page.objects) state->all.objects.push_back(std::move(object));
    for (auto& prefix : page.common_prefixes) {
      state->all.common_prefixes.push_back(std::move(prefix));
    }
    if (!page.truncated) {
      return complete(state->engine.io(), std::move(state->handler), nullptr,
                      std::move(state->all));
    }
    state->options.continuation_token = page.next_continuation_token;
    send_next_page(state);
  };
  state->engine.send(request);
}

}  // namespace

void Client::start_list_objects(ListOptions options, Handler<ListPage> handler) {
  start_one_request<ListPage>(
      *engine_, std::move(handler),
      [&] {
        validate_list_options(options);
        return list_request(config_.bucket, options);
      },
      read_page);
}

ListPage Client::list_objects(ListOptions options) {
  return run_blocking<ListPage>("ListObjectsV2", &Client::start_list_objects, std::move(options));
}

void Client::start_list_all_objects(ListOptions options, Handler<ListPage> handler) {
  try {
    validate_list_options(options);
  } catch (...) {
    return fail<ListPage>(io_, std::move(handler), std::current_exception());
  }
  auto state = std::make_shared<ListAll>(
      ListAll{*engine_, config_.bucket, std::move(options), {}, std::move(handler)});
  boost::asio::post(io_, [state] { send_next_page(state); });
}

ListPage Client::list_all_objects(ListOptions options) {
  return run_blocking<ListPage>("ListObjectsV2", &Client::start_list_all_objects,
                                std::move(options));
}

}  // namespace pindeck::s3
