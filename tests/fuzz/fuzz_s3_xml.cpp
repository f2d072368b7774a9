// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the S3 answers we read: any body given to the ListObjectsV2,
// CreateMultipartUpload, CompleteMultipartUpload and DeleteObjects parsers ends in a result or
// Error(Errc::s3), and the <Error> reader never throws and keeps what it takes from the server to
// one short line of valid UTF-8. What is accepted must be what the document says (a listed size is
// its <Size>).
#include <pugixml.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "s3/error.hpp"
#include "s3/xml.hpp"

namespace {

using pindeck::Errc;
using pindeck::fuzz::require;
namespace s3 = pindeck::s3;

template <typename Parse>
void parse_or_refuse(Parse parse, const char* parser) {
  try {
    parse();
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::s3, parser);
  }
}

// Strict UTF-8: no overlong forms, surrogates or code points above U+10FFFF.
bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
      code = byte & 0x1F;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      code = byte & 0x0F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      code = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000) || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool is_one_line(std::string_view text, std::size_t limit) {
  return text.size() <= limit + 3 && text.find_first_of("\r\n\t") == std::string_view::npos;
}

// Each listed object's size is the decimal number in its <Size>, read here independently.
void require_sizes_as_written(std::string_view body, const s3::ListPage& page) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  std::size_t i = 0;
  for (pugi::xml_node c : doc.child("ListBucketResult").children("Contents")) {
    const std::string_view text = c.child_value("Size");
    std::uint64_t size = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
    require(!text.empty() && error == std::errc() && end == text.data() + text.size(),
            "a listing is accepted only when every <Size> is a decimal number");
    require(i < page.objects.size() && page.objects[i].size == size,
            "a listed object's size is the number in its <Size>");
    ++i;
  }
  require(i == page.objects.size(), "a listing has one object per <Contents>");
}

void check_error_document(int status, std::string_view body, std::string_view request_id) {
  const s3::ErrorDetails details = s3::parse_error(status, body, request_id);
  require(!details.code.empty(), "an S3 error always has a code");
  require(is_one_line(details.code, 100) && is_one_line(details.request_id, 100) &&
              is_one_line(details.message, 300) && is_one_line(details.resource, 300),
          "what an S3 error takes from the server is one short line");
  const s3::S3Error error("PutObject pindeck/media/a.jpg", details);
  require(error.code() == Errc::s3, "an S3 error has code Errc::s3");
  // The message ends up in the record's storagePersistError, which is stored as JSON.
  require(is_utf8(error.what()), "an S3 error message is valid UTF-8");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  parse_or_refuse(
      [&] {
        const s3::ListPage page = s3::xml::parse_list_page(body);
        require(!page.truncated || !page.next_continuation_token.empty(),
                "a truncated listing has a continuation token");
        require_sizes_as_written(body, page);
      },
      "parse_list_page");
  parse_or_refuse(
      [&] {
        require(!s3::xml::parse_upload_id(body).empty(), "an accepted upload id is not empty");
      },
      "parse_upload_id");
  parse_or_refuse([&] { s3::xml::parse_completed_etag(body); }, "parse_completed_etag");
  parse_or_refuse([&] { s3::xml::parse_delete_result(body); }, "parse_delete_result");
  s3::is_error_document(body);
  check_error_document(403, body, "");
  check_error_document(200, body, "tx000-request-id");
  return 0;
}
