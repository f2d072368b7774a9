// SPDX-License-Identifier: Apache-2.0
#include "s3/multipart_upload.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "s3/client_internal.hpp"
#include "s3/limits.hpp"
#include "s3/request.hpp"
#include "s3/xml.hpp"

namespace pindeck::s3 {
namespace {

constexpr std::uint64_t kMiB = 1u << 20;

// Touched only on the I/O thread.
class MultipartUpload : public std::enable_shared_from_this<MultipartUpload> {
 public:
  MultipartUpload(RequestEngine& engine, const Config& config, std::string key, BodySource body,
                  PutOptions options, Handler<PutResult> handler)
      : engine_(engine),
        config_(config),
        key_(std::move(key)),
        body_(std::move(body)),
        options_(std::move(options)),
        handler_(std::move(handler)) {}

  void start();

 private:
  void send_next_parts();
  void complete_upload();
  void abort();
  void fetch_etag(PutResult result);
  std::shared_ptr<Request> make(const std::string& operation, std::string method) const {
    return RequestEngine::make(operation, std::move(method), config_.bucket, key_);
  }

  RequestEngine& engine_;
  const Config& config_;
  std::string key_;
  BodySource body_;
  PutOptions options_;
  Handler<PutResult> handler_;

  std::uint64_t part_size_ = 0;
  int part_count_ = 0;
  std::string upload_id_;
  std::vector<std::string> etags_;  // etags_[i] for part i + 1
  int next_part_ = 1;
  int in_flight_ = 0;
  int uploaded_ = 0;
  std::exception_ptr first_error_;
};

void MultipartUpload::start() {
  const std::uint64_t size = body_.size();
  std::uint64_t part_size = config_.part_size;
  if ((size + part_size - 1) / part_size > kMaxPartCount) {
    // Grow the parts (to whole MiB) rather than fail.
    part_size = ((size + kMaxPartCount - 1) / kMaxPartCount + kMiB - 1) / kMiB * kMiB;
  }
  part_size_ = part_size;
  part_count_ = static_cast<int>((size + part_size - 1) / part_size);
  etags_.resize(static_cast<std::size_t>(part_count_));

  auto request = make("CreateMultipartUpload", "POST");
  request->query = {{"uploads", ""}};
  request->headers = put_headers(options_);
  request->idempotent = false;  // a repeat would start a second upload
  request->done = [self = shared_from_this()](std::exception_ptr error, HttpResponse response) {
    if (!error) {
      try {
        self->upload_id_ = xml::parse_upload_id(response.body);
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error) return complete(self->engine_.io(), std::move(self->handler_), error, PutResult{});
    self->engine_.log(LogLevel::info, "multipart upload of " + self->config_.bucket + "/" +
                                          self->key_ + ": " + std::to_string(self->part_count_) +
                                          " parts of " + std::to_string(self->part_size_) +
                                          " bytes");
    self->send_next_parts();
  };
  engine_.send(request);
}

void MultipartUpload::send_next_parts() {
  while (!first_error_ && in_flight_ < config_.max_parallel_parts && next_part_ <= part_count_) {
    const int number = next_part_++;
    const std::uint64_t offset = static_cast<std::uint64_t>(number - 1) * part_size_;
    const std::uint64_t length = std::min(part_size_, body_.size() - offset);
    auto request = make("UploadPart", "PUT");
    request->operation +=
        " (part " + std::to_string(number) + " of " + std::to_string(part_count_) + ")";
    request->query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}};
    request->body = body_.slice(offset, length);
    ++in_flight_;
    request->done = [self = shared_from_this(), number](std::exception_ptr error,
                                                        HttpResponse response) {
      --self->in_flight_;
      if (!error) {
        std::string etag = response.header("etag");
        if (etag.empty()) {
          error = std::make_exception_ptr(
              Error(Errc::s3, "S3 UploadPart " + std::to_string(number) + " answer has no ETag"));
        } else {
          self->etags_[static_cast<std::size_t>(number - 1)] = std::move(etag);
          ++self->uploaded_;
        }
      }
      if (error && !self->first_error_) self->first_error_ = error;
      if (self->first_error_) {
        if (self->in_flight_ == 0) self->abort();
        return;
      }
      if (self->uploaded_ == self->part_count_) return self->complete_upload();
      self->send_next_parts();
    };
    engine_.send(request);
  }
}

void MultipartUpload::complete_upload() {
  auto request = make("CompleteMultipartUpload", "POST");
  request->query = {{"uploadId", upload_id_}};
  request->headers = {{"Content-Type", "application/xml"}};
  request->body = BodySource::from_buffer(
      std::make_shared<const std::string>(xml::complete_multipart_body(etags_)));
  request->error_possible_in_200 = true;
  request->done = [self = shared_from_this()](std::exception_ptr error, HttpResponse response) {
    PutResult result;
    if (!error) {
      try {
        result = {xml::parse_completed_etag(response.body), self->body_.size(), true,
                  self->part_count_};
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error) {
      self->first_error_ = error;
      return self->abort();
    }
    if (result.etag.empty()) return self->fetch_etag(std::move(result));
    complete(self->engine_.io(), std::move(self->handler_), nullptr, std::move(result));
  };
  engine_.send(request);
}

// radosgw answers CompleteMultipartUpload with an empty <ETag>; the object's own ETag is then
// asked for, so callers always get one. The upload itself has succeeded either way.
void MultipartUpload::fetch_etag(PutResult result) {
  auto request = make("HeadObject", "HEAD");
  request->done = [self = shared_from_this(), result](std::exception_ptr error,
                                                      HttpResponse response) mutable {
    if (!error) result.etag = response.header("etag");
    complete(self->engine_.io(), std::move(self->handler_), error, std::move(result));
  };
  engine_.send(request);
}

void MultipartUpload::abort() {
  auto request = make("AbortMultipartUpload", "DELETE");
  request->query = {{"uploadId", upload_id_}};
  request->done = [self = shared_from_this()](std::exception_ptr error, HttpResponse) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        self->engine_.log(LogLevel::warning,
                          std::string("could not abort a failed multipart upload: ") + e.what());
      }
    }
    complete(self->engine_.io(), std::move(self->handler_), self->first_error_, PutResult{});
  };
  engine_.send(request);
}

}  // namespace

void start_multipart_upload(RequestEngine& engine, const Config& config, std::string key,
                            BodySource body, PutOptions options, Handler<PutResult> handler) {
  auto upload = std::make_shared<MultipartUpload>(engine, config, std::move(key), std::move(body),
                                                  std::move(options), std::move(handler));
  boost::asio::post(engine.io(), [upload] { upload->start(); });
}

}  // namespace pindeck::s3
