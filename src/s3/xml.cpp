// SPDX-License-Identifier: Apache-2.0
#include "s3/xml.hpp"

#include <charconv>
#include <pugixml.hpp>
#include <sstream>

#include "pindeck/error.hpp"

namespace pindeck::s3::xml {
namespace {

constexpr const char* kNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";

pugi::xml_node load_root(pugi::xml_document& doc, std::string_view body, const char* root) {
  // ws_pcdata: a key of spaces is still a key.
  pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  if (!parsed) {
    throw Error(Errc::s3, std::string("S3 answer is not XML where a <") + root +
                              "> document was expected: " + parsed.description());
  }
  pugi::xml_node node = doc.child(root);
  if (!node) {
    throw Error(Errc::s3, std::string("S3 answer has <") + doc.document_element().name() +
                              "> where <" + root + "> was expected");
  }
  return node;
}

// The whole text, decimal digits only: std::stoull would read "-1" as 2^64 - 1 and "12abc" as 12.
std::uint64_t to_size(std::string_view text) {
  std::uint64_t size = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw Error(Errc::s3,
                "S3 listing has a size that is not a number: '" + std::string(text) + "'");
  }
  return size;
}

std::string to_string(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

}  // namespace

ListPage parse_list_page(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_node root = load_root(doc, body, "ListBucketResult");
  ListPage page;
  for (pugi::xml_node c : root.children("Contents")) {
    page.objects.push_back({c.child_value("Key"), to_size(c.child_value("Size")),
                            c.child_value("ETag"), c.child_value("LastModified")});
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) {
    page.common_prefixes.emplace_back(p.child_value("Prefix"));
  }
  page.truncated = std::string_view(root.child_value("IsTruncated")) == "true";
  page.next_continuation_token = root.child_value("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    throw Error(Errc::s3, "S3 listing is truncated but has no NextContinuationToken");
  }
  return page;
}

std::string parse_upload_id(std::string_view body) {
  pugi::xml_document doc;
  std::string id = load_root(doc, body, "InitiateMultipartUploadResult").child_value("UploadId");
  if (id.empty()) throw Error(Errc::s3, "S3 CreateMultipartUpload answer has no UploadId");
  return id;
}

std::string parse_completed_etag(std::string_view body) {
  pugi::xml_document doc;
  return load_root(doc, body, "CompleteMultipartUploadResult").child_value("ETag");
}

DeleteResult parse_delete_result(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_node root = load_root(doc, body, "DeleteResult");
  DeleteResult result;
  for (pugi::xml_node d : root.children("Deleted"))
    result.deleted.emplace_back(d.child_value("Key"));
  for (pugi::xml_node e : root.children("Error")) {
    result.failed.push_back(
        {e.child_value("Key"), e.child_value("Code"), e.child_value("Message")});
  }
  return result;
}

std::string complete_multipart_body(const std::vector<std::string>& etags) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = kNamespace;
  for (std::size_t i = 0; i < etags.size(); ++i) {
    pugi::xml_node part = root.append_child("Part");
    part.append_child("PartNumber").text() = static_cast<unsigned>(i + 1);
    part.append_child("ETag").text() = etags[i].c_str();
  }
  return to_string(doc);
}

std::string delete_objects_body(const std::vector<std::string>& keys) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("Delete");
  root.append_attribute("xmlns") = kNamespace;
  for (const std::string& key : keys) {
    root.append_child("Object").append_child("Key").text() = key.c_str();
  }
  return to_string(doc);
}

std::string create_bucket_body(const std::string& region) {
  if (region.empty() || region == "us-east-1") return {};
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CreateBucketConfiguration");
  root.append_attribute("xmlns") = kNamespace;
  root.append_child("LocationConstraint").text() = region.c_str();
  return to_string(doc);
}

}  // namespace pindeck::s3::xml
