// SPDX-License-Identifier: Apache-2.0
// What the sources of DESIGN §7 take and give: images fetched from URLs, Discord messages,
// Pinterest pins and board feeds, and AI variations (the Client methods are in client.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pindeck/error.hpp"
#include "pindeck/record.hpp"

namespace pindeck {

// How the library fetches an image from a URL. Only http and https; at most 5 redirects; an address
// that is loopback, private, carrier-grade NAT, link-local (cloud metadata), unspecified,
// multicast or broadcast (in IPv4 or IPv6 form) is refused before connecting and again at connect
// time, unless allow_private_network.
struct FetchSettings {
  // Lets every address rule pass (tests, and a library that imports from its own network); no
  // other rule changes.
  bool allow_private_network = false;
  std::int64_t max_bytes = std::int64_t{40} << 20;  // a larger body is refused while it streams
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{300'000};
};

// How a Discord message is imported (Client::ingest_discord_message).
struct DiscordImportOptions {
  // The records' uploadedBy, and the owner part of their externalId ("unknown" when empty).
  std::string owner;
  std::vector<std::string> default_tags{"discord", "imported"};
  int max_images = 1;  // the best-ranked images kept, 1 to 10
};

// A Pinterest pin (Client::ingest_pinterest_pin).
struct PinterestPin {
  std::string page_url;  // https://www.pinterest.com/pin/<id>/
  std::string image_url;
  std::string title;        // optional
  std::string description;  // optional
  std::string board;        // optional: named in the externalId and the tags
};

// How one image of a multi-image import (a Discord message, a Pinterest feed) ended.
struct ImportResult {
  std::string image_url;
  // The record as stored, or the one already stored under the same externalId (created false);
  // absent when this image failed.
  std::optional<Record> record;
  bool created = false;
  // When it failed: why (the other images are imported all the same).
  std::optional<Errc> error_code;
  std::string error;
};

// How a Pindeck library's export is moved in (Client::import_pindeck_export).
struct ExportImportOptions {
  bool dry_run = false;  // changes nothing: the results say what would be created
};

// A document of the export that cannot be imported, and why.
struct ExportProblem {
  std::size_t line = 0;  // 1-based line of images/documents.jsonl
  std::string old_id;    // the document's Convex _id ("" when it has none)
  std::string reason;
};

struct ExportImportReport {
  // One per importable document, parents before their variations. In a dry run, `record` is the
  // record as it would be created (created true) or the one already imported (created false).
  std::vector<ImportResult> results;
  std::vector<ExportProblem> problems;
};

// Reports progress of a multi-image import: `done` of `total` images handled.
using ImportProgress = std::function<void(std::size_t done, std::size_t total)>;

}  // namespace pindeck
