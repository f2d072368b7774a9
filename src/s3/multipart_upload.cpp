// Multipart upload: CreateMultipartUpload, then the parts (at most max_parallel_parts at a time,
// each retried on its own), then CompleteMultipartUpload; AbortMultipartUpload when anything
// fails, so no orphaned parts are left behind.
#include "s3/client_internal.hpp"
#include "s3/xml.hpp"

namespace pindeck::s3 {
namespace {

constexpr std::uint64_t kMaxParts = 10000;
constexpr std::uint64_t kMiB = 1u << 20;

}  // namespace

void Client::start_multipart(std::shared_ptr<MultipartUpload> upload) {
  const std::uint64_t size = upload->body.size();
  std::uint64_t part_size = config_.part_size;
  if ((size + part_size - 1) / part_size > kMaxParts) {
    // S3 allows 10000 parts: grow the parts (to whole MiB) rather than fail.
    part_size = ((size + kMaxParts - 1) / kMaxParts + kMiB - 1) / kMiB * kMiB;
  }
  upload->part_size = part_size;
  upload->part_count = static_cast<int>((size + part_size - 1) / part_size);
  upload->etags.resize(static_cast<std::size_t>(upload->part_count));

  auto call = make_call("CreateMultipartUpload", "POST", config_.bucket, upload->key);
  call->query = {{"uploads", ""}};
  call->headers = put_headers(upload->options);
  call->idempotent = false;  // a repeat would start a second upload
  call->done = [this, upload](std::exception_ptr error, HttpResponse response) {
    if (!error) {
      try {
        upload->upload_id = xml::parse_upload_id(response.body);
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error) return complete(io_, std::move(upload->handler), error, PutResult{});
    log(LogLevel::info, "multipart upload of " + config_.bucket + "/" + upload->key + ": " +
                            std::to_string(upload->part_count) + " parts of " +
                            std::to_string(upload->part_size) + " bytes");
    send_next_parts(upload);
  };
  send(call);
}

void Client::send_next_parts(const std::shared_ptr<MultipartUpload>& upload) {
  while (!upload->first_error && upload->in_flight < config_.max_parallel_parts &&
         upload->next_part <= upload->part_count) {
    const int number = upload->next_part++;
    const std::uint64_t offset = static_cast<std::uint64_t>(number - 1) * upload->part_size;
    const std::uint64_t length = std::min(upload->part_size, upload->body.size() - offset);
    auto call = make_call("UploadPart", "PUT", config_.bucket, upload->key);
    call->operation +=
        " (part " + std::to_string(number) + " of " + std::to_string(upload->part_count) + ")";
    call->query = {{"partNumber", std::to_string(number)}, {"uploadId", upload->upload_id}};
    call->body = upload->body.slice(offset, length);
    ++upload->in_flight;
    call->done = [this, upload, number](std::exception_ptr error, HttpResponse response) {
      --upload->in_flight;
      if (!error) {
        std::string etag = response.header("etag");
        if (etag.empty()) {
          error = std::make_exception_ptr(
              Error(Errc::s3, "S3 UploadPart " + std::to_string(number) + " answer has no ETag"));
        } else {
          upload->etags[static_cast<std::size_t>(number - 1)] = std::move(etag);
          ++upload->uploaded;
        }
      }
      if (error && !upload->first_error) upload->first_error = error;
      if (upload->first_error) {
        if (upload->in_flight == 0) abort_multipart(upload);
        return;
      }
      if (upload->uploaded == upload->part_count) return complete_multipart(upload);
      send_next_parts(upload);
    };
    send(call);
  }
}

void Client::complete_multipart(const std::shared_ptr<MultipartUpload>& upload) {
  auto call = make_call("CompleteMultipartUpload", "POST", config_.bucket, upload->key);
  call->query = {{"uploadId", upload->upload_id}};
  call->headers = {{"Content-Type", "application/xml"}};
  call->body = BodySource::from_buffer(
      std::make_shared<const std::string>(xml::complete_multipart_body(upload->etags)));
  call->error_possible_in_200 = true;
  call->done = [this, upload](std::exception_ptr error, HttpResponse response) {
    PutResult result;
    if (!error) {
      try {
        result = {xml::parse_completed_etag(response.body), upload->body.size(), true,
                  upload->part_count};
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (error) {
      upload->first_error = error;
      return abort_multipart(upload);
    }
    if (result.etag.empty()) return fetch_multipart_etag(upload, std::move(result));
    complete(io_, std::move(upload->handler), nullptr, std::move(result));
  };
  send(call);
}

// radosgw answers CompleteMultipartUpload with an empty <ETag>; the object's own ETag is then
// asked for, so callers always get one. The upload itself has succeeded either way.
void Client::fetch_multipart_etag(const std::shared_ptr<MultipartUpload>& upload,
                                  PutResult result) {
  auto call = make_call("HeadObject", "HEAD", config_.bucket, upload->key);
  call->done = [this, upload, result](std::exception_ptr error, HttpResponse response) mutable {
    if (!error) result.etag = response.header("etag");
    complete(io_, std::move(upload->handler), error, std::move(result));
  };
  send(call);
}

void Client::abort_multipart(const std::shared_ptr<MultipartUpload>& upload) {
  auto call = make_call("AbortMultipartUpload", "DELETE", config_.bucket, upload->key);
  call->query = {{"uploadId", upload->upload_id}};
  call->done = [this, upload](std::exception_ptr error, HttpResponse) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log(LogLevel::warning,
            std::string("could not abort a failed multipart upload: ") + e.what());
      }
    }
    complete(io_, std::move(upload->handler), upload->first_error, PutResult{});
  };
  send(call);
}

}  // namespace pindeck::s3
