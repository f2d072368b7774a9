// SPDX-License-Identifier: Apache-2.0
#include "persist_commands.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "pindeck/record.hpp"
#include "progress_bar.hpp"

namespace pindeck_cli {

namespace {

using pindeck::PersistStatus;
using pindeck::Record;

const char* status_name(const Record& record) {
  if (!record.storage_persist_status) return "-";
  switch (*record.storage_persist_status) {
    case PersistStatus::pending: return "pending";
    case PersistStatus::succeeded: return "succeeded";
    case PersistStatus::failed: return "failed";
  }
  return "-";
}

void print_records(const std::vector<Record>& records, bool json) {
  if (json) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& record : records)
      array.push_back(nlohmann::json::parse(pindeck::record_to_json(record)));
    std::cout << array.dump(2) << '\n';
    return;
  }
  for (const auto& record : records) {
    std::cout << record.id << "  " << status_name(record) << "  " << record.title;
    if (record.image_url) std::cout << "  " << *record.image_url;
    if (record.storage_persist_error) std::cout << "  error: " << *record.storage_persist_error;
    std::cout << '\n';
  }
}

// Waits until every record has settled, refreshing `records` and the bar.
void wait_all(pindeck::Client& client, std::vector<Record>& records) {
  ProgressBar bar("persisting", records.size());
  std::size_t settled = 0;
  bar.update(0);
  for (auto& record : records) {
    while (record.storage_persist_status == PersistStatus::pending) {
      record = client.wait_persisted(record.id, std::chrono::milliseconds(500));
    }
    bar.update(++settled, record.title);
  }
}

bool all_succeeded(const std::vector<Record>& records) {
  return std::all_of(records.begin(), records.end(), [](const Record& r) {
    return r.storage_persist_status == PersistStatus::succeeded;
  });
}

int run_upload(pindeck::Client& client, const PersistCommands& args, bool json) {
  std::vector<Record> records;
  int status = 0;
  const Record metadata = metadata_from(args.record);
  {
    ProgressBar bar("uploading", args.files.size());
    for (std::size_t i = 0; i < args.files.size(); ++i) {
      const auto& file = args.files[i];
      bar.update(i, std::filesystem::path(file).filename().string());
      try {
        records.push_back(client.upload_file(file, metadata));
      } catch (const pindeck::Error& e) {
        bar.finish();
        std::cerr << "pindeck upload: " << file << ": " << e.what() << '\n';
        status = 1;
      }
    }
    bar.update(args.files.size());
  }
  if (args.upload_wait) {
    wait_all(client, records);
    if (!all_succeeded(records)) status = 1;
  }
  print_records(records, json);
  if (!args.upload_wait && !json && !records.empty()) {
    // Staged and recorded is all an upload promises: say where the rest happens.
    std::cerr << "pindeck upload: " << records.size() << " image"
              << (records.size() == 1 ? "" : "s")
              << " staged and recorded, persistence pending: it goes on in the background of "
                 "every pindeck command that persists (`pindeck backfill --wait` waits for it), "
                 "also while the object store is unreachable\n";
  }
  return status;
}

int run_backfill(pindeck::Client& client, const PersistCommands& args, bool json) {
  pindeck::BackfillOptions options;
  options.limit = args.limit;
  options.include_permanent = args.include_permanent;
  const int count = client.backfill(options);
  if (!args.backfill_wait) {
    if (json) {
      std::cout << nlohmann::json{{"rescheduled", count}}.dump() << '\n';
    } else {
      std::cout << "rescheduled " << count << " record" << (count == 1 ? "" : "s") << '\n';
    }
    return 0;
  }
  // What was rescheduled is what is pending now.
  pindeck::RecordQuery query;
  query.limit = 1000;
  std::vector<Record> pending;
  for (;;) {
    auto page = client.list(query);
    for (auto& record : page.records) {
      if (record.storage_persist_status == PersistStatus::pending) pending.push_back(record);
    }
    if (!page.next_cursor) break;
    query.cursor = page.next_cursor;
  }
  wait_all(client, pending);
  print_records(pending, json);
  return all_succeeded(pending) ? 0 : 1;
}

}  // namespace

void add_persist_commands(CLI::App& app, PersistCommands& commands, bool& json_out) {
  commands.upload = app.add_subcommand(
      "upload", "upload image files: staged and recorded at once, persisted in the background");
  commands.upload->add_option("FILE", commands.files, "image files")
      ->required()
      ->check(CLI::ExistingFile);
  add_record_options(*commands.upload, commands.record);
  commands.upload->add_flag("--wait", commands.upload_wait,
                            "wait until every image is persisted (succeeded) or failed");
  commands.upload->add_flag("--json", json_out, "print the records as a JSON array");
  commands.upload->add_flag("--create-bucket", commands.create_bucket,
                            "create the S3 bucket if it does not exist");

  commands.backfill = app.add_subcommand(
      "backfill", "reschedule persistence of uploads still only in the first-stage store");
  commands.backfill->add_option("--limit", commands.limit, "how many records (1 to 200)")
      ->check(CLI::Range(1, 200));
  commands.backfill->add_flag("--wait", commands.backfill_wait,
                              "wait until they are persisted or failed");
  commands.backfill->add_flag("--include-permanent", commands.include_permanent,
                              "also records that failed for good (an undecodable image, ...)");
  commands.backfill->add_flag("--create-bucket", commands.create_bucket,
                              "create the S3 bucket if it does not exist");
  commands.backfill->add_flag("--json", json_out, "print the result as JSON");
}

std::optional<int> run_persist_command(const PersistCommands& commands, pindeck::Client& client,
                                       bool json_out) {
  if (commands.create_bucket && (*commands.upload || *commands.backfill)) {
    auto config = pindeck::PersistenceConfig::from_env();
    config.create_bucket = true;
    client.start_persistence(config);
  }
  if (*commands.upload) return run_upload(client, commands, json_out);
  if (*commands.backfill) return run_backfill(client, commands, json_out);
  return std::nullopt;
}

}  // namespace pindeck_cli
