// SPDX-License-Identifier: Apache-2.0
#include "s3/error.hpp"

#include <pugixml.hpp>

namespace pindeck::s3 {
namespace {

std::string code_for_status(int status) {
  switch (status) {
    case 301: return "PermanentRedirect";
    case 400: return "BadRequest";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 411: return "MissingContentLength";
    case 412: return "PreconditionFailed";
    case 416: return "InvalidRange";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 501: return "NotImplemented";
    case 503: return "ServiceUnavailable";
    default: return "HTTP" + std::to_string(status);
  }
}

// Server messages end up in our exceptions: keep them to one readable line.
std::string one_line(std::string_view text, std::size_t limit = 300) {
  std::string out;
  for (char c : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out;
}

std::string build_message(std::string_view operation, const ErrorDetails& d, int attempts) {
  std::string m = "S3 " + std::string(operation) + " failed: HTTP " +
                  std::to_string(d.http_status) + " " + d.code;
  if (!d.message.empty()) m += ": " + d.message;
  if (!d.request_id.empty()) m += " (request id " + d.request_id + ")";
  if (attempts > 1) m += " after " + std::to_string(attempts) + " attempts";
  return m;
}

}  // namespace

bool is_error_document(std::string_view body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return false;
  return std::string_view(doc.document_element().name()) == "Error";
}

ErrorDetails parse_error(int http_status, std::string_view body,
                         std::string_view request_id_header) {
  ErrorDetails d;
  d.http_status = http_status;
  pugi::xml_document doc;
  if (!body.empty() && doc.load_buffer(body.data(), body.size())) {
    pugi::xml_node error = doc.child("Error");
    if (error) {
      // Deliberately only these fields: an AWS SignatureDoesNotMatch answer also echoes the
      // string to sign and the signature provided, which must never reach a message or a log.
      d.code = one_line(error.child_value("Code"), 100);
      d.message = one_line(error.child_value("Message"));
      d.request_id = one_line(error.child_value("RequestId"), 100);
      d.resource = one_line(error.child_value("Resource"));
    }
  }
  if (d.code.empty()) d.code = code_for_status(http_status);
  if (d.request_id.empty()) d.request_id = one_line(request_id_header, 100);
  return d;
}

S3Error::S3Error(std::string_view operation, ErrorDetails details, int attempts)
    : Error(Errc::s3, build_message(operation, details, attempts)), details_(std::move(details)) {}

}  // namespace pindeck::s3
