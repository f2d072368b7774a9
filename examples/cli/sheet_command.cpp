// SPDX-License-Identifier: Apache-2.0
#include "sheet_command.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "output.hpp"
#include "pindeck/error.hpp"

namespace pindeck_cli {

namespace {

// Every card has the same size, so a sheet reads as a grid and a test can tell where each
// picture is drawn: a 40 px header, then cards 336x460 px in columns 16 px apart, the picture
// box 320x320 px at 8 px inside the card, the picture centred in it.
constexpr std::string_view style = R"(
* { box-sizing: border-box; }
body { margin: 0; background: #2b2b2b; color: #e8e8e8; font: 13px/1.4 sans-serif; }
header { height: 40px; padding: 10px 16px; overflow: hidden; white-space: nowrap; }
main { display: grid; grid-template-columns: repeat(auto-fill, 336px); gap: 16px;
       padding: 16px; }
figure { margin: 0; width: 336px; height: 460px; padding: 8px; overflow: hidden;
         background: #3a3a3a; }
.thumb { width: 320px; height: 320px; display: flex; align-items: center;
         justify-content: center; background: #1e1e1e; }
.thumb img { display: block; max-width: 320px; max-height: 320px; }
.missing { margin: 0; padding: 16px; color: #b0b0b0; text-align: center; }
figcaption p { margin: 4px 0 0; overflow: hidden; text-overflow: ellipsis; }
.title { font-weight: bold; white-space: nowrap; }
.tags, .status { color: #b0b0b0; }
.swatch { display: inline-block; width: 14px; height: 14px; margin-right: 3px;
          vertical-align: middle; border: 1px solid #555; }
code { margin-right: 6px; }
)";

// Joins text without `"literal" + std::string&&`, which GCC 12 at -O3 wrongly warns about
// (-Wrestrict) in the Release build.
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

std::string html_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Text from a record, as the terminal shows it (control characters as escapes), made safe for
// HTML text and attribute values alike.
std::string shown(std::string_view text) {
  return html_escaped(printable(text));
}

std::string base64(const std::vector<std::byte>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string json_text(const nlohmann::json& fields, const char* name) {
  const auto it = fields.find(name);
  return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string("-");
}

// The picture box: the w320 derivative, or a placeholder saying why there is none.
std::string thumbnail(pindeck::Client& client, const pindeck::Record& record,
                      const nlohmann::json& fields, const SheetOptions& options,
                      std::ostream& warnings) {
  const auto placeholder = [](const std::string& why) {
    return cat("<p class=\"missing\">", html_escaped(why), "</p>");
  };
  const bool durable =
      record.storage_provider && *record.storage_provider != pindeck::StorageProvider::convex;
  const auto& keys = record.derivative_storage_paths;
  if (!durable || !keys || !keys->small) {
    return placeholder(
        cat("no w320 derivative yet (", json_text(fields, "storagePersistStatus"), ")"));
  }
  const std::string alt = shown(record.title);
  if (options.link) {
    if (!record.derivative_urls || !record.derivative_urls->small) {
      return placeholder("the w320 derivative has no URL");
    }
    return cat("<img src=\"", html_escaped(*record.derivative_urls->small), "\" alt=\"", alt,
               "\">");
  }
  try {
    const auto bytes = client.read_object(*keys->small);
    return cat("<img src=\"data:image/webp;base64,", base64(bytes), "\" alt=\"", alt, "\">");
  } catch (const pindeck::Error& e) {
    warnings << "pindeck sheet: " << record.id << ": " << e.what() << '\n';
    return placeholder(cat("w320 derivative unreadable: ", e.what()));
  }
}

std::string palette(const pindeck::Record& record) {
  std::string out;
  for (const auto& colour : record.colors.value_or(std::vector<std::string>{})) {
    // Only a colour that parses goes into a style attribute.
    if (parse_colour(colour))
      out += cat("<span class=\"swatch\" style=\"background:", colour, "\"></span>");
    out += cat("<code>", shown(colour), "</code>");
  }
  return out;
}

std::string card(pindeck::Client& client, const pindeck::Record& record,
                 const SheetOptions& options, std::ostream& warnings) {
  const auto fields = nlohmann::json::parse(pindeck::record_to_json(record));
  std::string tags;
  for (const auto& tag : record.tags) tags += cat(tags.empty() ? "" : ", ", shown(tag));
  return cat("<figure>\n<div class=\"thumb\">",
             thumbnail(client, record, fields, options, warnings),
             "</div>\n<figcaption>\n<p class=\"title\">", shown(record.title), "</p>\n",
             "<p class=\"tags\">", tags, "</p>\n", "<p class=\"palette\">", palette(record),
             "</p>\n", "<p class=\"status\">", shown(json_text(fields, "storagePersistStatus")),
             " &middot; ", shown(json_text(fields, "status")), " &middot; ", shown(record.id),
             "</p>\n", "</figcaption>\n</figure>\n");
}

std::runtime_error file_error(const char* what, const std::filesystem::path& path, int error) {
  std::string message = what;
  message.append(" ").append(path.string()).append(": ").append(std::strerror(error));
  return std::runtime_error(message);
}

// A reader never sees a half-written sheet: the text goes to a temporary file in the same
// directory, which is renamed over `path` only once complete and synced.
void write_atomically(const std::filesystem::path& path, std::string_view text) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string temp = (dir / cat(".", path.filename().string(), ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw file_error("cannot create a temporary file beside", path, errno);
  const auto give_up = [&](const char* what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    throw file_error(what, path, error);
  };
  if (::fchmod(fd, 0644) != 0) give_up("cannot set the permissions of");
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) give_up("cannot write");
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) give_up("cannot sync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw file_error("cannot write", path, error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw file_error("cannot write", path, error);
  }
}

}  // namespace

std::size_t write_sheet(pindeck::Client& client, pindeck::RecordQuery query,
                        const SheetOptions& options, std::ostream& warnings) {
  std::vector<pindeck::Record> records;
  query.cursor.reset();
  for (;;) {
    const auto left = static_cast<std::size_t>(options.limit) - records.size();
    query.limit = static_cast<int>(std::min<std::size_t>(left, 1000));
    auto page = client.list(query);
    for (auto& record : page.records) records.push_back(std::move(record));
    if (!page.next_cursor || records.size() >= static_cast<std::size_t>(options.limit)) break;
    query.cursor = page.next_cursor;
  }
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>pindeck contact sheet</title>\n<style>";
  html += style;
  html += "</style>\n</head>\n<body>\n<header>pindeck contact sheet &middot; ";
  html += std::to_string(records.size());
  html += records.size() == 1 ? " record" : " records";
  html += "</header>\n<main>\n";
  for (const auto& record : records) html += card(client, record, options, warnings);
  html += "</main>\n</body>\n</html>\n";
  write_atomically(options.out, html);
  return records.size();
}

}  // namespace pindeck_cli
