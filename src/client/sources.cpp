// SPDX-License-Identifier: Apache-2.0
// Client's sources (DESIGN §7): each turns what the host gives into SourceItems and sends them
// down the one durable path of sources/url_ingest.hpp.
#include <map>
#include <string>
#include <utility>

#include "client/client_impl.hpp"
#include "pindeck/error.hpp"
#include "sources/discord_message.hpp"
#include "sources/moderation.hpp"
#include "sources/pindeck_export.hpp"
#include "sources/pinterest_feed.hpp"
#include "sources/url_ingest.hpp"
#include "sources/variation.hpp"
#include "util/clock.hpp"

namespace pindeck {

namespace {

// A feed is text of a few hundred kilobytes; more than this is not one.
constexpr std::uint64_t max_feed_bytes = std::uint64_t{8} << 20;

ImportResult import_one(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                        sources::SourceItem item, const sources::FetchOptions& options) {
  ImportResult result;
  result.image_url = item.image_url;
  try {
    auto created = sources::ingest_item(persistence, catalog, std::move(item), options);
    result.record = std::move(created.record);
    result.created = created.created;
  } catch (const Error& e) {
    result.error_code = e.code();
    result.error = e.what();
  }
  return result;
}

std::vector<ImportResult> import_all(pipeline::Persistence& persistence, catalog::Catalog& catalog,
                                     std::vector<sources::SourceItem> items,
                                     const sources::FetchOptions& options,
                                     const ImportProgress& progress) {
  std::vector<ImportResult> results;
  results.reserve(items.size());
  for (auto& item : items) {
    results.push_back(import_one(persistence, catalog, std::move(item), options));
    if (progress) progress(results.size(), items.size());
  }
  return results;
}

}  // namespace

void Client::set_fetch_settings(const FetchSettings& settings) {
  if (settings.max_bytes <= 0) {
    throw Error(Errc::invalid,
                "fetch max_bytes must be positive, not " + std::to_string(settings.max_bytes));
  }
  if (settings.connect_timeout.count() <= 0 || settings.total_timeout.count() <= 0) {
    throw Error(Errc::invalid, "fetch timeouts must be positive");
  }
  std::lock_guard lock(impl_->fetch_mutex);
  impl_->fetch.allow_private_network = settings.allow_private_network;
  impl_->fetch.max_bytes = static_cast<std::uint64_t>(settings.max_bytes);
  impl_->fetch.connect_timeout = settings.connect_timeout;
  impl_->fetch.total_timeout = settings.total_timeout;
}

CreateResult Client::ingest_url(std::string_view url, const Record& metadata) {
  return sources::ingest_url(impl_->persistence.get(), *impl_->catalog, url, metadata,
                             impl_->fetch_options());
}

std::vector<ImportResult> Client::ingest_discord_message(std::string_view message_json,
                                                         const DiscordImportOptions& options,
                                                         const ImportProgress& progress) {
  sources::DiscordOptions discord;
  discord.owner = options.owner;
  discord.default_tags = options.default_tags;
  discord.max_images = options.max_images;
  discord.now_ms = util::system_now_ms();
  auto items = sources::discord_items(message_json, discord);
  return import_all(impl_->persistence.get(), *impl_->catalog, std::move(items),
                    impl_->fetch_options(), progress);
}

CreateResult Client::ingest_pinterest_pin(const PinterestPin& pin) {
  sources::PinterestPin in;
  in.page_url = pin.page_url;
  in.image_url = pin.image_url;
  in.title = pin.title;
  in.description = pin.description;
  in.board = pin.board;
  return sources::ingest_item(impl_->persistence.get(), *impl_->catalog,
                              sources::pinterest_item(in), impl_->fetch_options());
}

std::vector<ImportResult> Client::ingest_pinterest_feed(std::string_view rss_xml,
                                                        std::string_view board,
                                                        const ImportProgress& progress) {
  sources::PinterestFeedOptions options;
  options.board = std::string(board);
  auto feed = sources::pinterest_feed_items(rss_xml, options);
  auto results = import_all(impl_->persistence.get(), *impl_->catalog, std::move(feed.items),
                            impl_->fetch_options(), progress);
  for (auto& skipped : feed.skipped) {
    ImportResult result;
    result.image_url = skipped.link;
    result.error_code = Errc::invalid;
    result.error = "feed item " + skipped.link + " skipped: " + skipped.reason;
    results.push_back(std::move(result));
  }
  return results;
}

std::vector<ImportResult> Client::ingest_pinterest_feed_url(std::string_view feed_url,
                                                            std::string_view board,
                                                            const ImportProgress& progress) {
  auto options = impl_->fetch_options();
  options.max_bytes = std::min(options.max_bytes, max_feed_bytes);
  std::string xml;
  sources::fetch(feed_url, options, [&xml](std::span<const std::byte> chunk) {
    xml.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  });
  return ingest_pinterest_feed(xml, board, progress);
}

ExportImportReport Client::import_pindeck_export(const std::filesystem::path& dir_or_zip,
                                                 const ExportImportOptions& options,
                                                 const ImportProgress& progress) {
  auto exported = sources::read_pindeck_export(dir_or_zip);
  ExportImportReport report;
  for (auto& problem : exported.problems) {
    report.problems.push_back({problem.line, std::move(problem.old_id), std::move(problem.reason)});
  }
  auto& persistence = impl_->persistence.get();
  const auto fetch = impl_->fetch_options();
  std::map<std::string, std::string> new_ids;  // a document's _id -> its record's id
  const std::size_t total = exported.items.size();
  for (std::size_t i = 0; i < total; ++i) {
    auto& item = exported.items[i];
    const auto& origin = exported.origins[i];
    if (options.dry_run) {
      ImportResult result;
      result.image_url = item.image_url;
      auto stored =
          item.metadata.external_id
              ? impl_->catalog->find_by(catalog::RecordKey::external_id, *item.metadata.external_id)
              : std::nullopt;
      result.created = !stored;
      result.record = stored ? std::move(*stored) : std::move(item.metadata);
      report.results.push_back(std::move(result));
    } else if (const auto& old_parent = origin.old_parent_id;
               old_parent && !new_ids.contains(*old_parent)) {
      ImportResult result;
      result.image_url = item.image_url;
      result.error_code = Errc::not_found;
      result.error = "document " + origin.old_id + " (line " + std::to_string(origin.line) +
                     ") is a variation of " + *old_parent + ", which was not imported";
      report.results.push_back(std::move(result));
    } else {
      if (old_parent) item.metadata.parent_image_id = new_ids.at(*old_parent);
      report.results.push_back(import_one(persistence, *impl_->catalog, std::move(item), fetch));
      if (const auto& record = report.results.back().record) new_ids[origin.old_id] = record->id;
    }
    if (progress) progress(i + 1, total);
  }
  return report;
}

CreateResult Client::register_variation(std::string_view parent_id,
                                        const std::filesystem::path& file, const Record& metadata) {
  sources::VariationImage image;
  image.upload.path = file;
  return sources::register_variation(impl_->persistence.get(), *impl_->catalog, parent_id, image,
                                     metadata, impl_->fetch_options());
}

CreateResult Client::register_variation_bytes(std::string_view parent_id,
                                              std::span<const std::byte> bytes,
                                              const Record& metadata) {
  sources::VariationImage image;
  image.upload.bytes = bytes;
  return sources::register_variation(impl_->persistence.get(), *impl_->catalog, parent_id, image,
                                     metadata, impl_->fetch_options());
}

CreateResult Client::register_variation_url(std::string_view parent_id, std::string_view url,
                                            const Record& metadata) {
  sources::VariationImage image;
  image.url = std::string(url);
  return sources::register_variation(impl_->persistence.get(), *impl_->catalog, parent_id, image,
                                     metadata, impl_->fetch_options());
}

std::vector<Record> Client::approve(const std::vector<std::string>& ids) {
  return sources::approve(*impl_->catalog, ids);
}

DeleteReport Client::reject(const std::vector<std::string>& ids) {
  return remove(ids);
}

}  // namespace pindeck
