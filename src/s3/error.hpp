// SPDX-License-Identifier: Apache-2.0
// How the object store's refusals reach C++ callers: a pindeck::Error with code Errc::s3 that
// also carries what S3 said (its error code, message, request id and the HTTP status).
#pragma once

#include <string>
#include <string_view>

#include "pindeck/error.hpp"

namespace pindeck::s3 {

// What an S3 error answer says. `code` is S3's ("NoSuchKey", "SignatureDoesNotMatch", ...);
// answers without a body (HEAD) get a code derived from the HTTP status ("NotFound", ...).
struct ErrorDetails {
  int http_status = 0;
  std::string code;
  std::string message;
  std::string request_id;
  std::string resource;
};

// Parses an S3 <Error> document with pugixml. A body that is empty or not an <Error> document
// yields details from the status alone; request_id_header fills request_id when the body has none.
ErrorDetails parse_error(int http_status, std::string_view body,
                         std::string_view request_id_header = {});

// True when body is an S3 <Error> document (CompleteMultipartUpload can fail with HTTP 200).
bool is_error_document(std::string_view body);

class S3Error : public pindeck::Error {
 public:
  // `operation` names what was attempted, e.g. "PutObject pindeck/media/a.jpg".
  S3Error(std::string_view operation, ErrorDetails details, int attempts = 1);

  const ErrorDetails& details() const noexcept { return details_; }
  int http_status() const noexcept { return details_.http_status; }
  const std::string& s3_code() const noexcept { return details_.code; }
  const std::string& request_id() const noexcept { return details_.request_id; }

 private:
  ErrorDetails details_;
};

}  // namespace pindeck::s3
