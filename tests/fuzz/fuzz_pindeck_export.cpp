// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the reader of Pindeck's Convex exports: any text as the images table
// (images/documents.jsonl of an export directory) is read without an exception, every document
// either an item or a problem, never both. Each item is a valid record (a variation once given its
// parent) with an image to fetch, each old id and externalId once, and a variation comes after the
// parent it names.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "model/validation.hpp"
#include "sources/pindeck_export.hpp"

namespace {

namespace fs = std::filesystem;
using pindeck::fuzz::require;

// The export directory the inputs are written into, removed when the fuzzer exits.
struct ExportDir {
  fs::path root = fs::temp_directory_path() / ("pindeck-fuzz-export-" + std::to_string(::getpid()));
  ExportDir() { fs::create_directories(root / "images"); }
  ~ExportDir() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
};

[[noreturn]] void broken(const char* invariant, const pindeck::Error& error) {
  std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", invariant, error.what());
  std::abort();
}

std::size_t line_count(std::string_view text) {
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  return lines + (text.empty() || text.back() == '\n' ? 0 : 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ExportDir dir;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    std::ofstream out(dir.root / "images" / "documents.jsonl", std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    require(static_cast<bool>(out.flush()), "the input is written");
  }

  pindeck::sources::PindeckExport read;
  try {
    read = pindeck::sources::read_pindeck_export(dir.root);
  } catch (const pindeck::Error& e) {
    broken("an export directory is read, its bad documents listed as problems", e);
  }
  require(read.items.size() == read.origins.size(), "every item has its origin");

  const std::size_t lines = line_count(text);
  std::set<std::size_t> item_lines;
  std::set<std::string> old_ids;
  std::set<std::string> external_ids;
  for (std::size_t i = 0; i < read.items.size(); ++i) {
    const auto& item = read.items[i];
    const auto& origin = read.origins[i];
    require(origin.line >= 1 && origin.line <= lines, "an item's line is in the file");
    require(item_lines.insert(origin.line).second, "a line makes one item");
    require(!item.image_url.empty(), "an item has an image to fetch");
    require(!item.metadata.parent_image_id, "an old parent id never reaches the record");
    // A variation's record is valid once the importer has set its parent's new id.
    pindeck::Record record = item.metadata;
    if (origin.old_parent_id) record.parent_image_id = "new-parent-id";
    try {
      pindeck::model::validate(record);
    } catch (const pindeck::Error& e) {
      broken("an item is a valid record", e);
    }
    require(item.metadata.external_id && external_ids.insert(*item.metadata.external_id).second,
            "each item has its own externalId");
    require(!origin.old_parent_id || old_ids.contains(*origin.old_parent_id),
            "a variation comes after its parent");
    require(old_ids.insert(origin.old_id).second, "each old id once");
  }
  for (const auto& problem : read.problems) {
    require(problem.line >= 1 && problem.line <= lines, "a problem's line is in the file");
    require(!item_lines.contains(problem.line), "a line is an item or a problem, never both");
    require(!problem.reason.empty(), "a problem says why");
  }
  return 0;
}
