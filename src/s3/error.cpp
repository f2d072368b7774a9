// SPDX-License-Identifier: Apache-2.0
#include "s3/error.hpp"

#include <cstdint>
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

// The length of the valid UTF-8 character at the start of `text`, or 0 when it does not start
// with one (a stray byte, an overlong form, a surrogate, past U+10FFFF, cut short).
std::size_t utf8_length(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if ((next & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (next & 0x3Fu);
  }
  const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
  if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// Server messages end up in our exceptions and in records' storagePersistError (stored as JSON):
// keep them to one readable line of valid UTF-8, at most `limit` bytes before "...". Control
// characters become spaces, a byte that is not UTF-8 becomes U+FFFD, and a character is never
// cut in two.
std::string one_line(std::string_view text, std::size_t limit = 300) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  while (!text.empty()) {
    const std::size_t length = utf8_length(text);
    const auto first = static_cast<unsigned char>(text[0]);
    std::string_view piece = text.substr(0, length);
    if (length == 0) {
      piece = kReplacement;
    } else if (first < 0x20 || first == 0x7F) {
      piece = " ";
    }
    if (out.size() + piece.size() > limit) {
      out += "...";
      break;
    }
    out += piece;
    text.remove_prefix(length == 0 ? 1 : length);
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
