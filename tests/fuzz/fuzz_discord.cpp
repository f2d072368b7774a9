// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the Discord source: any text read as a Discord message gives its images or
// Error(Errc::invalid), never a crash or another exception. What it gives is what the bot would
// import: cleaned, importable http(s) images, one per canonical key, best first, at most
// max_images of them, each with the externalId of its own URL; keeping one image keeps the best.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "fuzz_web_url.hpp"
#include "sources/discord_message.hpp"

namespace {

using pindeck::Errc;
using pindeck::fuzz::require;
namespace sources = pindeck::sources;

constexpr std::string_view owner = "fuzz-owner";

// The images of the message, or nullopt when discord_items refuses it as it may.
std::optional<std::vector<sources::SourceItem>> items_of(std::string_view text, int max_images) {
  sources::DiscordOptions options;
  options.owner = owner;
  options.max_images = max_images;
  options.now_ms = 1700000000000;
  try {
    return sources::discord_items(text, options);
  } catch (const pindeck::Error& e) {
    pindeck::fuzz::require_code(e, Errc::invalid, "discord_items");
    return std::nullopt;
  }
}

// The hash of the canonical key that ends an externalId.
std::string_view key_hash(std::string_view external_id) {
  return external_id.substr(external_id.rfind(':') + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto accepted = items_of(text, 10);
  if (!accepted) return 0;
  const std::vector<sources::SourceItem>& all = *accepted;
  require(all.size() <= 10, "at most max_images images");
  const std::string id_prefix = "discord:url:" + std::string(owner) + ":";
  std::set<std::string> keys;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& item = all[i];
    const std::string& url = item.image_url;
    require(pindeck::fuzz::has_web_scheme(url), "an image is http(s)");
    require(sources::discord_clean_url(url) == url, "an image URL is already cleaned");
    require(sources::discord_is_importable_image(url), "an image is importable");
    require(keys.insert(sources::discord_canonical_key(url)).second,
            "no two images share a canonical key");
    require(i == 0 || sources::discord_image_score(all[i - 1].image_url) >=
                          sources::discord_image_score(url),
            "images come best first");
    const auto& record = item.metadata;
    require(record.source_type == pindeck::SourceType::discord, "sourceType is discord");
    require(record.status == pindeck::RecordStatus::pending, "status is pending");
    require(record.uploaded_by == std::string(owner), "uploadedBy is the owner");
    require(
        record.external_id && record.external_id->starts_with(id_prefix) &&
            key_hash(*record.external_id) == key_hash(sources::discord_external_id(owner, "", url)),
        "the externalId is the owner's and hashes the image's canonical key");
  }

  const auto kept = items_of(text, 1);
  require(kept.has_value(), "a message accepted with max_images 10 is accepted with 1");
  const std::vector<sources::SourceItem>& best = *kept;
  require(best.size() == std::min<std::size_t>(all.size(), 1), "max_images 1 keeps one image");
  require(best.empty() || (best[0].image_url == all[0].image_url &&
                           best[0].metadata.external_id == all[0].metadata.external_id),
          "max_images 1 keeps the best image");
  return 0;
}
