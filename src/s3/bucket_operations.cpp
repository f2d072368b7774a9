// SPDX-License-Identifier: Apache-2.0
// CreateBucket and HeadBucket, for any bucket (not only the configured one).
#include "model/storage_names.hpp"
#include "s3/client_internal.hpp"
#include "s3/validation.hpp"
#include "s3/xml.hpp"

namespace pindeck::s3 {

void Client::start_create_bucket(std::string bucket, Handler<void> handler) {
  start_one_request<void>(
      *engine_, std::move(handler),
      [&] {
        model::validate_bucket_name(bucket);
        auto request = RequestEngine::make("CreateBucket", "PUT", bucket, "");
        std::string body = xml::create_bucket_body(config_.region);
        if (!body.empty()) request->headers = {{"Content-Type", "application/xml"}};
        request->body =
            BodySource::from_buffer(std::make_shared<const std::string>(std::move(body)));
        return request;
      },
      read_nothing);
}

void Client::create_bucket(std::string bucket) {
  run_blocking<void>("CreateBucket", &Client::start_create_bucket, std::move(bucket));
}

void Client::start_head_bucket(std::string bucket, Handler<void> handler) {
  start_one_request<void>(
      *engine_, std::move(handler),
      [&] {
        model::validate_bucket_name(bucket);
        return RequestEngine::make("HeadBucket", "HEAD", bucket, "");
      },
      read_nothing);
}

void Client::head_bucket(std::string bucket) {
  run_blocking<void>("HeadBucket", &Client::start_head_bucket, std::move(bucket));
}

}  // namespace pindeck::s3
