// SPDX-License-Identifier: Apache-2.0
#include "source_commands.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "delete_command.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pindeck/sources.hpp"
#include "progress_bar.hpp"

namespace pindeck_cli {

namespace {

using pindeck::ImportResult;
using pindeck::PersistStatus;
using pindeck::Record;

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw pindeck::Error(pindeck::Errc::not_found, "cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const char* persist_status(const Record& record) {
  if (!record.storage_persist_status) return "-";
  switch (*record.storage_persist_status) {
    case PersistStatus::pending: return "pending";
    case PersistStatus::succeeded: return "succeeded";
    case PersistStatus::failed: return "failed";
  }
  return "-";
}

// With --wait, each new or stored record is followed until it has settled.
void settle(pindeck::Client& client, std::vector<ImportResult>& results) {
  ProgressBar bar("persisting", results.size());
  std::size_t done = 0;
  for (auto& result : results) {
    if (result.record) {
      while (result.record->storage_persist_status == PersistStatus::pending) {
        result.record = client.wait_persisted(result.record->id, std::chrono::milliseconds(500));
      }
    }
    bar.update(++done);
  }
}

nlohmann::json result_json(const ImportResult& result) {
  nlohmann::json entry = {{"imageUrl", result.image_url}};
  if (result.record) {
    entry["created"] = result.created;
    entry["record"] = nlohmann::json::parse(pindeck::record_to_json(*result.record));
  } else {
    entry["error"] = {
        {"status",
         pd_status_name(static_cast<int>(result.error_code.value_or(pindeck::Errc::internal)))},
        {"message", result.error}};
  }
  return entry;
}

// Prints the results; returns 1 when an image failed (or, with --wait, did not persist).
int report(const std::vector<ImportResult>& results, bool json, bool waited) {
  int status = 0;
  nlohmann::json array = nlohmann::json::array();
  for (const auto& result : results) {
    if (!result.record ||
        (waited && result.record->storage_persist_status != PersistStatus::succeeded)) {
      status = 1;
    }
    if (json) {
      array.push_back(result_json(result));
    } else if (result.record) {
      std::cout << result.record->id << "  " << (result.created ? "created" : "exists ") << "  "
                << persist_status(*result.record) << "  " << result.record->title << '\n';
    } else {
      std::cerr << "pindeck import: " << result.image_url << ": " << result.error << '\n';
    }
  }
  if (json) std::cout << array.dump(2) << '\n';
  return status;
}

ImportResult as_result(const std::string& url, const pindeck::CreateResult& created) {
  ImportResult result;
  result.image_url = url;
  result.record = created.record;
  result.created = created.created;
  return result;
}

int run_import(pindeck::Client& client, const SourceCommands& args, bool json) {
  std::vector<ImportResult> results;
  {
    ProgressBar bar("importing", 0);
    const auto progress = [&bar](std::size_t done, std::size_t total) {
      bar.set_total(total);
      bar.update(done);
    };
    if (args.discord_file) {
      pindeck::DiscordImportOptions options;
      options.owner = args.owner;
      options.max_images = args.max_images;
      results =
          client.ingest_discord_message(read_text_file(*args.discord_file), options, progress);
      if (results.empty()) std::cerr << "pindeck import: the message holds no image\n";
    } else if (args.pinterest_feed) {
      const std::string& feed = *args.pinterest_feed;
      results = feed.starts_with("http://") || feed.starts_with("https://")
                    ? client.ingest_pinterest_feed_url(feed, args.board, progress)
                    : client.ingest_pinterest_feed(read_text_file(feed), args.board, progress);
    } else if (args.pindeck_export) {
      pindeck::ExportImportOptions options;
      options.dry_run = args.dry_run;
      auto imported = client.import_pindeck_export(*args.pindeck_export, options, progress);
      for (const auto& problem : imported.problems) {
        std::cerr << "pindeck import: line " << problem.line
                  << (problem.old_id.empty() ? "" : " (" + problem.old_id + ")")
                  << " cannot be imported: " << problem.reason << '\n';
      }
      results = std::move(imported.results);
      if (args.dry_run) {
        bar.finish();
        return report(results, json, false) == 0 && imported.problems.empty() ? 0 : 1;
      }
    } else {
      const Record metadata = metadata_from(args.record);
      bar.set_total(args.urls.size());
      for (const auto& url : args.urls) {
        try {
          results.push_back(as_result(url, client.ingest_url(url, metadata)));
        } catch (const pindeck::Error& e) {
          ImportResult failed;
          failed.image_url = url;
          failed.error_code = e.code();
          failed.error = e.what();
          results.push_back(std::move(failed));
        }
        bar.update(results.size());
      }
    }
  }
  if (args.wait) settle(client, results);
  return report(results, json, args.wait);
}

int run_variation(pindeck::Client& client, const SourceCommands& args, bool json) {
  Record metadata;
  metadata.generation_artifact_key = args.artifact_key;
  const bool is_url = args.image.starts_with("http://") || args.image.starts_with("https://");
  const auto created = is_url ? client.register_variation_url(args.parent_id, args.image, metadata)
                              : client.register_variation(args.parent_id, args.image, metadata);
  std::vector<ImportResult> results{as_result(args.image, created)};
  if (args.wait) settle(client, results);
  return report(results, json, args.wait);
}

}  // namespace

void add_source_commands(CLI::App& app, SourceCommands& commands, bool& json_out) {
  auto* import = app.add_subcommand(
      "import", "fetch images from URLs, a Discord message, a Pinterest feed or a Pindeck export");
  commands.import = import;
  auto* urls = import->add_option("URL", commands.urls, "image URLs");
  auto* discord = import
                      ->add_option("--discord", commands.discord_file,
                                   "a Discord message (Discord's JSON) whose images to import")
                      ->check(CLI::ExistingFile);
  import->add_option("--owner", commands.owner, "with --discord: the records' uploadedBy");
  import->add_option("--max-images", commands.max_images, "with --discord: at most this many")
      ->check(CLI::Range(1, 10));
  auto* feed = import->add_option("--pinterest-feed", commands.pinterest_feed,
                                  "a Pinterest board's RSS feed: a file, or its URL");
  import->add_option("--board", commands.board, "with --pinterest-feed: the board's name");
  auto* pindeck_export = import->add_option("--pindeck-export", commands.pindeck_export,
                                            "a Pindeck (Convex) export: its directory or .zip");
  import->add_flag("--dry-run", commands.dry_run,
                   "with --pindeck-export: list what would be imported and what cannot be");
  add_record_options(*import, commands.record);
  import->add_flag("--wait", commands.wait, "wait until every record is persisted or failed");
  import->add_flag("--json", json_out, "print the results as a JSON array");
  import->add_flag("--allow-private-network", commands.allow_private_network,
                   "let URLs reach loopback and private networks (refused by default)");
  urls->excludes(discord)->excludes(feed)->excludes(pindeck_export);
  discord->excludes(feed)->excludes(pindeck_export);
  feed->excludes(pindeck_export);

  commands.variation = app.add_subcommand(
      "variation", "register a generated image as a variation of a record (AI lineage)");
  commands.variation->add_option("PARENT_ID", commands.parent_id, "the parent record")->required();
  commands.variation->add_option("IMAGE", commands.image, "the image: a file or a URL")->required();
  commands.variation->add_option("--artifact-key", commands.artifact_key,
                                 "the generation's artifact key (a second call with it returns "
                                 "the first record)");
  commands.variation->add_flag("--wait", commands.wait,
                               "wait until the record is persisted or failed");
  commands.variation->add_flag("--json", json_out, "print the result as JSON");
  commands.variation->add_flag("--allow-private-network", commands.allow_private_network,
                               "let a URL reach loopback and private networks");

  commands.approve = app.add_subcommand(
      "approve",
      "approve pending records (Discord and Pinterest ones become draft, others active)");
  commands.approve->add_option("ID", commands.ids, "record ids")->required();
  commands.approve->add_flag("--json", json_out, "print the records as a JSON array");
  commands.reject =
      app.add_subcommand("reject", "reject records: they are deleted with everything they stored");
  commands.reject->add_option("ID", commands.ids, "record ids")->required();
  commands.reject->add_flag("--json", json_out, "print the deletion report as JSON");
}

std::optional<int> run_source_command(const SourceCommands& commands, pindeck::Client& client,
                                      bool json_out) {
  if (commands.allow_private_network) {
    pindeck::FetchSettings settings;
    settings.allow_private_network = true;
    client.set_fetch_settings(settings);
  }
  if (*commands.import) {
    if (commands.urls.empty() && !commands.discord_file && !commands.pinterest_feed &&
        !commands.pindeck_export) {
      std::cerr << "pindeck import: name image URLs, or --discord, --pinterest-feed or "
                   "--pindeck-export\n";
      return 2;
    }
    return run_import(client, commands, json_out);
  }
  if (*commands.variation) return run_variation(client, commands, json_out);
  if (*commands.approve) {
    const auto records = client.approve(commands.ids);
    if (json_out) {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& r : records)
        array.push_back(nlohmann::json::parse(pindeck::record_to_json(r)));
      std::cout << array.dump(2) << '\n';
    } else {
      for (const auto& r : records) {
        std::cout << r.id << "  " << (r.status == pindeck::RecordStatus::draft ? "draft" : "active")
                  << "  " << r.title << '\n';
      }
    }
    return 0;
  }
  if (*commands.reject) {
    print_delete_report(std::cout, client.reject(commands.ids), false, json_out);
    return 0;
  }
  return std::nullopt;
}

}  // namespace pindeck_cli
