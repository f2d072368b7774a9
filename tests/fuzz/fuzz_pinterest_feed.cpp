// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the Pinterest feed reader: any text read as a board's RSS feed gives its
// pins or Error(Errc::invalid), never a crash or another exception. Every <item> either makes a
// record or is listed as skipped; each record is a pending Pinterest record of one pin, once, whose
// externalId and tags name the board, a slug; a board given in the options reads the same items.
#include <pugixml.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "fuzz_web_url.hpp"
#include "sources/pinterest_feed.hpp"

namespace {

using pindeck::Errc;
using pindeck::fuzz::require;
namespace sources = pindeck::sources;

std::optional<sources::PinterestFeed> feed_of(std::string_view text, const char* board) {
  try {
    return sources::pinterest_feed_items(text, {board});
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::invalid, "pinterest_feed_items");
    return std::nullopt;
  }
}

bool is_slug(std::string_view slug) {
  if (slug.empty() || slug.front() == '-' || slug.back() == '-') return false;
  if (slug.find("--") != std::string_view::npos) return false;
  for (const char c : slug) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool has_tag(const pindeck::Record& record, std::string_view tag) {
  for (const auto& t : record.tags) {
    if (t == tag) return true;
  }
  return false;
}

// The <item>s of the channel, counted as the reader walks them.
std::size_t item_count(std::string_view text) {
  pugi::xml_document doc;
  if (!doc.load_buffer(text.data(), text.size())) return 0;
  std::size_t count = 0;
  for ([[maybe_unused]] pugi::xml_node item :
       doc.document_element().child("channel").children("item")) {
    ++count;
  }
  return count;
}

void require_feed(const sources::PinterestFeed& feed, std::size_t items) {
  require(is_slug(feed.board), "the board is a slug");
  require(feed.items.size() + feed.skipped.size() == items,
          "every item makes a record or is skipped");
  const std::string id_prefix = "pinterest:" + feed.board + ":";
  std::set<std::string> pins;
  for (const auto& item : feed.items) {
    const auto& r = item.metadata;
    require(pindeck::fuzz::has_web_scheme(item.image_url), "an image is http(s)");
    require(r.source_type == pindeck::SourceType::pinterest, "sourceType is pinterest");
    require(r.status == pindeck::RecordStatus::pending, "status is pending");
    require(r.source == "Pinterest", "source is Pinterest");
    require(!r.title.empty(), "every pin has a title");
    require(r.external_id && r.external_id->starts_with(id_prefix),
            "the externalId names the board");
    const std::string pin = r.external_id->substr(id_prefix.size());
    require(!pin.empty() && pin.find_first_not_of("0123456789") == std::string::npos,
            "the externalId ends with the pin id");
    require(pins.insert(pin).second, "each pin once");
    require(has_tag(r, "pinterest") && has_tag(r, feed.board) && has_tag(r, "original"),
            "tagged pinterest, the board and original");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t items = item_count(text);
  const auto named = feed_of(text, "");
  if (named) require_feed(*named, items);
  const auto given = feed_of(text, "Fuzz Board");
  require(!named || given, "a feed read with its own board is read with a given one");
  if (given) {
    require(given->board == "fuzz-board", "a given board is slugged");
    require_feed(*given, items);
  }
  return 0;
}
