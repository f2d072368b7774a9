// SPDX-License-Identifier: Apache-2.0
#include "output.hpp"

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string_view>

namespace pindeck_cli {

namespace {

using nlohmann::json;

std::string utc_date(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
  return text;
}

// Cuts to `width` characters (not bytes), so UTF-8 titles are never split inside a character.
std::string clip(const std::string& s, std::size_t width) {
  std::vector<std::size_t> starts;  // byte offset of each character
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((s[i] & 0xC0) != 0x80) starts.push_back(i);
  }
  if (starts.size() <= width) return s;
  return s.substr(0, starts[width - 1]) + "…";
}

}  // namespace

std::string printable(std::string_view s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xf];
    } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {  // U+0080 to U+009F in UTF-8
      out += "\\u00";
      out += digits[next >> 4];
      out += digits[next & 0xf];
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<Rgb> parse_colour(std::string_view text) {
  if (text.size() != 7 || text[0] != '#') return std::nullopt;
  Rgb rgb;
  for (std::size_t i = 1; i < 7; ++i) {
    const char c = text[i];
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    auto& channel = i < 3 ? rgb.r : i < 5 ? rgb.g : rgb.b;
    channel = static_cast<std::uint8_t>(channel * 16 + digit);
  }
  return rgb;
}

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + printable(item);
  return out;
}

// Each colour as a two-cell block painted with the 24-bit background escape, then its hex; a
// colour that is not #rrggbb (an older record's) only as escaped text, never inside an escape.
std::string swatches(const std::vector<std::string>& colours) {
  std::string out;
  for (const auto& colour : colours) {
    if (!out.empty()) out += ' ';
    if (const auto rgb = parse_colour(colour)) {
      out += "\x1b[48;2;";
      out += std::to_string(rgb->r);
      out += ';';
      out += std::to_string(rgb->g);
      out += ';';
      out += std::to_string(rgb->b);
      out += "m  \x1b[0m ";
    }
    out += printable(colour);
  }
  return out;
}

}  // namespace

void print_table(std::ostream& out, const pindeck::RecordPage& page, bool palette_swatches) {
  if (page.records.empty()) {
    out << "no records\n";
    return;
  }
  for (const auto& r : page.records) {
    out << r.id << "  " << utc_date(r.uploaded_at) << "  " << std::left << std::setw(12)
        << printable(clip(r.category, 12)) << "  " << printable(clip(r.title, 48));
    if (!r.tags.empty()) out << "  [" << joined(r.tags) << "]";
    if (palette_swatches && r.colors && !r.colors->empty()) out << "  " << swatches(*r.colors);
    out << '\n';
  }
  if (page.next_cursor) out << "more: --cursor " << *page.next_cursor << '\n';
}

void print_details(std::ostream& out, const pindeck::Record& record, bool palette_swatches) {
  json fields = json::parse(pindeck::record_to_json(record));
  for (const auto& [name, value] : fields.items()) {
    out << name << ": ";
    if (value.is_string()) {
      out << printable(value.get<std::string>());
    } else if (palette_swatches && name == "colors" && record.colors) {
      out << swatches(*record.colors);
    } else if (value.is_array() && std::all_of(value.begin(), value.end(),
                                               [](const json& v) { return v.is_string(); })) {
      out << joined(value.get<std::vector<std::string>>());
    } else {
      out << value.dump();
    }
    out << '\n';
  }
}

void print_page_json(std::ostream& out, const pindeck::RecordPage& page) {
  json records = json::array();
  for (const auto& r : page.records) records.push_back(json::parse(pindeck::record_to_json(r)));
  json answer = {{"records", std::move(records)}, {"nextCursor", nullptr}};
  if (page.next_cursor) answer["nextCursor"] = *page.next_cursor;
  out << answer.dump(2) << '\n';
}

void print_record_json(std::ostream& out, const pindeck::Record& record) {
  out << json::parse(pindeck::record_to_json(record)).dump(2) << '\n';
}

void print_palettes(std::ostream& out, const std::vector<pindeck::Record>& records,
                    bool palette_swatches) {
  for (const auto& r : records) {
    out << printable(r.id);
    if (!r.colors || r.colors->empty()) {
      out << " -";
    } else if (palette_swatches) {
      out << ' ' << swatches(*r.colors);
    } else {
      for (const auto& c : *r.colors) out << ' ' << printable(c);
    }
    out << '\n';
  }
}

namespace {

struct StatsField {
  const char* name;  // as in JSON and pd_record_stats
  const std::vector<pindeck::ValueCount>* counts;
};

std::vector<StatsField> stats_fields(const pindeck::RecordStats& s) {
  return {{"category", &s.category},
          {"group", &s.group},
          {"genre", &s.genre},
          {"style", &s.style},
          {"projectName", &s.project_name},
          {"moodboardName", &s.moodboard_name},
          {"sourceType", &s.source_type},
          {"status", &s.status}};
}

}  // namespace

void print_queue_counts(std::ostream& out, const pindeck::QueueCounts& counts, bool json_out) {
  if (json_out) {
    const json answer = {{"queued", counts.queued},
                         {"claimed", counts.claimed},
                         {"retryLater", counts.retry_later},
                         {"failed", counts.failed},
                         {"queuedBySite", counts.queued_by_site}};
    out << answer.dump(2) << '\n';
    return;
  }
  out << "jobs queued: " << counts.queued << " (" << counts.claimed << " claimed by a worker, "
      << counts.retry_later << " waiting for a retry), failed: " << counts.failed << '\n';
  for (const auto& [site, queued] : counts.queued_by_site) {
    out << "  staged at " << (site.empty() ? "(any worker)" : printable(site)) << ": " << queued
        << '\n';
  }
}

void print_stats(std::ostream& out, const pindeck::RecordStats& stats, bool json_out) {
  if (json_out) {
    json answer = {{"total", stats.total}};
    for (const auto& field : stats_fields(stats)) {
      json list = json::array();
      for (const auto& c : *field.counts) list.push_back({{"value", c.value}, {"count", c.count}});
      answer[field.name] = std::move(list);
    }
    out << answer.dump(2) << '\n';
    return;
  }
  out << "records: " << stats.total << '\n';
  for (const auto& field : stats_fields(stats)) {
    out << field.name << ":";
    std::int64_t with_value = 0;
    const char* separator = " ";
    for (const auto& c : *field.counts) {
      out << separator << printable(c.value) << ' ' << c.count;
      separator = ", ";
      with_value += c.count;
    }
    if (with_value < stats.total) {
      out << (field.counts->empty() ? " " : "; ") << stats.total - with_value << " without";
    }
    out << '\n';
  }
}

void print_records_json(std::ostream& out, const std::vector<pindeck::Record>& records) {
  json all = json::array();
  for (const auto& r : records) all.push_back(json::parse(pindeck::record_to_json(r)));
  out << all.dump(2) << '\n';
}

void print_counter(std::ostream& out, const std::string& id, pindeck::Counter counter,
                   std::int64_t value, bool json_out) {
  const char* name = counter == pindeck::Counter::likes ? "likes" : "views";
  if (json_out) {
    out << json{{"id", id}, {name, value}}.dump() << '\n';
  } else {
    out << name << ": " << value << '\n';
  }
}

}  // namespace pindeck_cli
