// SPDX-License-Identifier: Apache-2.0
#include "sources/pindeck_export.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "model/record_json.hpp"
#include "pindeck/error.hpp"
#include "util/errno_error.hpp"
#include "util/input_file.hpp"

namespace pindeck::sources {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view images_table = "images/documents.jsonl";
constexpr std::string_view tables_table = "_tables/documents.jsonl";

// A Convex document is at most 1 MiB; a longer line is not one, and is skipped without being held.
constexpr std::size_t max_line_bytes = std::size_t{8} << 20;

// What is copied from a document into the record to validate. imageUrl and parentImageId are
// validated with the rest and then taken out of the record (see the header).
constexpr auto record_fields = std::to_array<const char*>(
    {"title",          "description",   "category",         "tags",
     "group",          "projectName",   "projectOrder",     "moodboardName",
     "uniqueId",       "sourceType",    "colors",           "genre",
     "style",          "shot",          "aiStatus",         "likes",
     "views",          "uploadedAt",    "ingestedAt",       "uploadedBy",
     "status",         "source",        "sourceUrl",        "externalId",
     "sref",           "parentImageId", "imageUrl",         "generationArtifactKey",
     "variationCount", "variationType", "modificationMode", "variationDetail"});

class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // Up to buffer.size() bytes; 0 at the end.
  virtual std::size_t read(std::span<char> buffer) = 0;
};

class FileChunks final : public ChunkSource {
 public:
  explicit FileChunks(const fs::path& path) : file_(path) {}
  std::size_t read(std::span<char> buffer) override {
    return file_.read_some(std::as_writable_bytes(buffer));
  }

 private:
  util::InputFile file_;
};

std::string zip_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ZipArchive = std::unique_ptr<zip_t, ZipCloser>;

struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

class ZipChunks final : public ChunkSource {
 public:
  ZipChunks(ZipArchive archive, zip_uint64_t index, std::string where)
      : archive_(std::move(archive)), where_(std::move(where)) {
    file_.reset(zip_fopen_index(archive_.get(), index, 0));
    if (!file_) {
      throw Error(Errc::invalid, where_ + ": cannot be read: " +
                                     zip_error_strerror(zip_get_error(archive_.get())));
    }
  }

  std::size_t read(std::span<char> buffer) override {
    const zip_int64_t n = zip_fread(file_.get(), buffer.data(), buffer.size());
    if (n < 0) {
      throw Error(Errc::invalid, where_ + ": damaged zip entry: " +
                                     zip_error_strerror(zip_file_get_error(file_.get())));
    }
    return static_cast<std::size_t>(n);
  }

 private:
  ZipArchive archive_;
  std::unique_ptr<zip_file_t, ZipFileCloser> file_;
  std::string where_;
};

// Splits what a ChunkSource yields into lines without holding more than one line.
class LineReader {
 public:
  explicit LineReader(ChunkSource& source) : source_(source), buffer_(64 * 1024) {}

  // The next line without its line ending, false at the end. `too_long` says the line was over
  // max_line_bytes; it is then returned empty.
  bool next(std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    bool any = false;
    for (;;) {
      if (pos_ == end_) {
        end_ = source_.read(buffer_);
        pos_ = 0;
        if (end_ == 0) return any;
      }
      any = true;
      const char* begin = buffer_.data() + pos_;
      const char* stop = buffer_.data() + end_;
      const char* newline = std::find(begin, stop, '\n');
      const auto length = static_cast<std::size_t>(newline - begin);
      if (!too_long && line.size() + length <= max_line_bytes) {
        line.append(begin, length);
      } else {
        too_long = true;
        line.clear();
      }
      pos_ += length;
      if (newline != stop) {
        ++pos_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
      }
    }
  }

 private:
  ChunkSource& source_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
};

[[noreturn]] void no_images_table(const fs::path& path, bool has_tables) {
  throw Error(Errc::not_found,
              path.string() + ": no images table (" + std::string(images_table) + ")" +
                  (has_tables ? " in this Convex export"
                              : "; nor a _tables/documents.jsonl, so it is not a Convex export"));
}

std::unique_ptr<ChunkSource> open_directory(const fs::path& dir) {
  const fs::path images = dir / images_table;
  std::error_code ec;
  if (!fs::exists(images, ec)) no_images_table(dir, fs::exists(dir / tables_table, ec));
  return std::make_unique<FileChunks>(images);
}

// The entry `name` at the top of the archive, or inside its one top folder.
std::optional<zip_uint64_t> locate(zip_t* archive, std::string_view name) {
  const zip_int64_t top = zip_name_locate(archive, std::string(name).c_str(), 0);
  if (top >= 0) return static_cast<zip_uint64_t>(top);
  std::optional<zip_uint64_t> found;
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* entry = zip_get_name(archive, static_cast<zip_uint64_t>(i), 0);
    if (entry == nullptr) continue;
    const std::string_view path = entry;
    const auto slash = path.find('/');
    if (slash == std::string_view::npos || slash == 0 || path.substr(slash + 1) != name) continue;
    // Two folders that each look like an export leave no way to choose.
    if (found) return std::nullopt;
    found = static_cast<zip_uint64_t>(i);
  }
  return found;
}

std::unique_ptr<ChunkSource> open_zip(const fs::path& path) {
  int code = 0;
  ZipArchive archive(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!archive) {
    const std::string why = zip_message(code);
    if (code == ZIP_ER_NOENT) throw Error(Errc::not_found, path.string() + ": " + why);
    if (code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_SEEK) {
      throw Error(Errc::io, path.string() + ": cannot be read: " + why);
    }
    if (code == ZIP_ER_NOZIP) {
      throw Error(Errc::invalid, path.string() +
                                     ": not a Convex export: neither a directory nor a zip "
                                     "archive");
    }
    throw Error(Errc::invalid, path.string() + ": not a readable zip archive: " + why);
  }
  const auto images = locate(archive.get(), images_table);
  if (!images) no_images_table(path, locate(archive.get(), tables_table).has_value());
  const char* name = zip_get_name(archive.get(), *images, 0);
  std::string where = path.string() + ":" + (name != nullptr ? name : std::string(images_table));
  return std::make_unique<ZipChunks>(std::move(archive), *images, std::move(where));
}

std::unique_ptr<ChunkSource> open_export(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    throw Error(Errc::not_found, path.string() + ": no such Convex export (file or directory)");
  }
  if (ec) throw util::errno_error("cannot read", path, ec);
  if (fs::is_directory(status)) return open_directory(path);
  if (!fs::is_regular_file(status)) {
    throw Error(Errc::invalid,
                path.string() + ": not a Convex export: neither a directory nor a zip archive");
  }
  return open_zip(path);
}

// Convex ids are base-32 text; anything else cannot be matched against parentImageId.
bool is_convex_id(const json& id) {
  if (!id.is_string()) return false;
  const auto& text = id.get_ref<const std::string&>();
  return !text.empty() && text.size() <= limits::id_bytes &&
         std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0; });
}

// Convex numbers are doubles; times in whole ms are what the record holds.
void round_time(json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_float()) return;
  const double value = it->get<double>();
  if (std::isfinite(value) && std::fabs(value) < 9.0e15) *it = std::llround(value);
}

// Pindeck accepts #RRGGBB in either case; the record model holds lowercase.
void lowercase_colors(json& object) {
  auto it = object.find("colors");
  if (it == object.end() || !it->is_array()) return;
  for (auto& colour : *it) {
    if (!colour.is_string()) continue;
    auto& text = colour.get_ref<std::string&>();
    const bool hex = text.size() == 7 && text[0] == '#' &&
                     std::all_of(text.begin() + 1, text.end(),
                                 [](unsigned char c) { return std::isxdigit(c) != 0; });
    // Anything else is left as it is for validation to name.
    if (!hex) continue;
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
}

struct Candidate {
  SourceItem item;
  ExportOrigin origin;
};

// One document as an item, or the reason it cannot be one (Error(Errc::invalid)).
Candidate read_document(const std::string& line, std::size_t number, std::string& old_id) {
  const json document = model::parse_json_text(line, "document");
  if (!document.is_object()) {
    throw Error(Errc::invalid,
                "document: must be a JSON object, not " + std::string(document.type_name()));
  }
  const auto id = document.find("_id");
  if (id == document.end() || !is_convex_id(*id)) {
    throw Error(Errc::invalid, "_id: missing or not a Convex id");
  }
  old_id = id->get<std::string>();

  json fields = json::object();
  for (const char* name : record_fields) {
    auto it = document.find(name);
    if (it != document.end() && !it->is_null()) fields[name] = *it;
  }
  const auto url = fields.find("imageUrl");
  if (url == fields.end() || (url->is_string() && url->get_ref<const std::string&>().empty())) {
    throw Error(Errc::invalid, "imageUrl: missing, so there is no image to fetch");
  }
  if (!fields.contains("uploadedAt")) {
    const auto created = document.find("_creationTime");
    if (created == document.end() || !created->is_number()) {
      throw Error(Errc::invalid, "_creationTime: must be a number when uploadedAt is missing");
    }
    fields["uploadedAt"] = *created;
  }
  round_time(fields, "uploadedAt");
  round_time(fields, "ingestedAt");
  lowercase_colors(fields);
  if (!fields.contains("externalId")) fields["externalId"] = "convex:" + old_id;

  Record record = model::from_json(fields);
  Candidate candidate;
  candidate.item.image_url = std::move(*record.image_url);
  record.image_url.reset();
  candidate.origin.line = number;
  candidate.origin.old_id = old_id;
  candidate.origin.old_parent_id = std::move(record.parent_image_id);
  record.parent_image_id.reset();
  candidate.item.metadata = std::move(record);
  return candidate;
}

// Which items stay (their parents are items that stay, with no cycle) and in what order
// (parents first, else file order); the others become problems.
void order_lineage(std::vector<Candidate>& candidates, PindeckExport& out,
                   const std::unordered_map<std::string, std::size_t>& refused_lines) {
  const std::size_t n = candidates.size();
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index.emplace(candidates[i].origin.old_id, i);
  auto parent_of = [&](std::size_t i) -> std::optional<std::size_t> {
    const auto& parent = candidates[i].origin.old_parent_id;
    if (!parent) return std::nullopt;
    auto it = index.find(*parent);
    if (it == index.end()) return std::nullopt;
    return it->second;
  };
  auto cascade = [&](std::size_t i) {
    const std::size_t parent = *parent_of(i);
    return "parentImageId: its parent " + candidates[parent].origin.old_id + " (line " +
           std::to_string(candidates[parent].origin.line) + ") cannot be imported";
  };

  enum class State : std::uint8_t { unknown, on_path, ok, refused };
  std::vector<State> state(n, State::unknown);
  std::vector<std::string> reason(n);
  for (std::size_t start = 0; start < n; ++start) {
    if (state[start] != State::unknown) continue;
    std::vector<std::size_t> path;
    std::size_t at = start;
    State outcome = State::ok;
    for (;;) {
      path.push_back(at);
      state[at] = State::on_path;
      const auto& parent_id = candidates[at].origin.old_parent_id;
      if (!parent_id) break;
      const auto parent = parent_of(at);
      if (!parent) {
        const auto refused = refused_lines.find(*parent_id);
        reason[at] = refused != refused_lines.end()
                         ? "parentImageId: its parent " + *parent_id + " (line " +
                               std::to_string(refused->second) + ") cannot be imported"
                         : "parentImageId: " + *parent_id + " is not in the export";
        state[at] = State::refused;
        outcome = State::refused;
        break;
      }
      if (state[*parent] == State::on_path) {
        for (auto it = std::find(path.begin(), path.end(), *parent); it != path.end(); ++it) {
          reason[*it] =
              "parentImageId: its parents form a cycle back to " + candidates[*it].origin.old_id;
          state[*it] = State::refused;
        }
        outcome = State::refused;
        break;
      }
      if (state[*parent] != State::unknown) {
        outcome = state[*parent];
        break;
      }
      at = *parent;
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      if (state[*it] != State::on_path) continue;
      state[*it] = outcome;
      if (outcome == State::refused) reason[*it] = cascade(*it);
    }
  }

  std::vector<bool> emitted(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    if (state[i] == State::refused) {
      out.problems.push_back({candidates[i].origin.line, candidates[i].origin.old_id, reason[i]});
      continue;
    }
    std::vector<std::size_t> chain;
    for (std::optional<std::size_t> at = i; at && !emitted[*at]; at = parent_of(*at)) {
      chain.push_back(*at);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      emitted[*it] = true;
      out.items.push_back(std::move(candidates[*it].item));
      out.origins.push_back(std::move(candidates[*it].origin));
    }
  }
}

}  // namespace

PindeckExport read_pindeck_export(const fs::path& dir_or_zip) {
  const auto source = open_export(dir_or_zip);
  LineReader lines(*source);

  PindeckExport out;
  std::vector<Candidate> candidates;
  // First line of each _id, externalId and generationArtifactKey seen, to refuse repeats.
  std::unordered_map<std::string, std::size_t> id_lines;
  std::unordered_map<std::string, std::size_t> refused_lines;
  std::unordered_map<std::string, std::size_t> external_lines;
  std::unordered_map<std::string, std::size_t> artifact_lines;
  auto refuse_repeat = [](std::unordered_map<std::string, std::size_t>& seen,
                          const std::string& key, std::size_t number, std::string_view field) {
    auto [it, fresh] = seen.emplace(key, number);
    if (!fresh) {
      throw Error(Errc::invalid, std::string(field) + ": " + key + " is also on line " +
                                     std::to_string(it->second));
    }
  };

  std::string line;
  bool too_long = false;
  for (std::size_t number = 1; lines.next(line, too_long); ++number) {
    if (too_long) {
      out.problems.push_back({number, "",
                              "document: line is over " + std::to_string(max_line_bytes >> 20) +
                                  " MiB, more than a Convex document holds"});
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string old_id;
    try {
      Candidate candidate = read_document(line, number, old_id);
      refuse_repeat(id_lines, old_id, number, "_id");
      const Record& record = candidate.item.metadata;
      refuse_repeat(external_lines, *record.external_id, number, "externalId");
      if (record.generation_artifact_key) {
        refuse_repeat(artifact_lines, *record.generation_artifact_key, number,
                      "generationArtifactKey");
      }
      candidates.push_back(std::move(candidate));
    } catch (const Error& e) {
      if (e.code() != Errc::invalid) throw;
      if (!old_id.empty()) {
        id_lines.emplace(old_id, number);
        refused_lines.emplace(old_id, number);
      }
      out.problems.push_back({number, old_id, e.what()});
    }
  }

  order_lineage(candidates, out, refused_lines);
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const ExportProblem& a, const ExportProblem& b) { return a.line < b.line; });
  return out;
}

}  // namespace pindeck::sources
