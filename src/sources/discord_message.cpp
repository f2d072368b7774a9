// SPDX-License-Identifier: Apache-2.0
#include "sources/discord_message.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "model/validation.hpp"
#include "pindeck/error.hpp"
#include "util/hex.hpp"
#include "util/sha256.hpp"
#include "util/utf8.hpp"

namespace pindeck::sources {
namespace {

using nlohmann::json;

constexpr int hard_max_images = 10;
constexpr std::size_t title_units = 120;
constexpr std::size_t description_units = 1000;
// Discord's epoch (2015-01-01T00:00:00Z) in ms since the Unix epoch: a snowflake's top 42 bits
// count from it.
constexpr std::int64_t discord_epoch_ms = 1420070400000;

[[noreturn]] void refuse(const std::string& problem) {
  throw Error(Errc::invalid, "Discord message: " + problem);
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

bool istarts_with(std::string_view text, std::size_t at, std::string_view prefix) {
  if (at > text.size() || text.size() - at < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    if (ascii_lower(text[at + k]) != prefix[k]) return false;
  }
  return true;
}

// The code point at text[i] and its length in bytes. The bot is JavaScript, whose strings are
// UTF-16: lengths it cuts at count code points above U+FFFF twice. A byte that is not UTF-8 (only
// possible in options, the JSON parser refuses it) counts as one code point of its own.
util::CodePoint decode(std::string_view text, std::size_t i) {
  if (auto cp = util::utf8_at(text, i)) return *cp;
  return {static_cast<unsigned char>(text[i]), 1};
}

// JavaScript's \s and String.prototype.trim() whitespace.
bool is_js_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

// Bytes of the whitespace character at text[i], 0 when there is none.
std::size_t space_at(std::string_view text, std::size_t i) {
  if (i >= text.size()) return 0;
  const util::CodePoint cp = decode(text, i);
  return is_js_space(cp.value) ? cp.bytes : 0;
}

std::string_view js_trim(std::string_view text) {
  std::size_t begin = 0;
  while (const std::size_t n = space_at(text, begin)) begin += n;
  std::size_t end = begin;
  for (std::size_t i = begin; i < text.size();) {
    const util::CodePoint cp = decode(text, i);
    i += cp.bytes;
    if (!is_js_space(cp.value)) end = i;
  }
  return text.substr(begin, end - begin);
}

// JavaScript's text.slice(0, units). A surrogate pair the cut would split is left out whole, where
// JavaScript keeps a lone half that UTF-8 cannot hold.
std::string_view js_slice(std::string_view text, std::size_t units) {
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size();) {
    const util::CodePoint cp = decode(text, i);
    used += cp.value > 0xFFFF ? 2 : 1;
    if (used > units) return text.substr(0, i);
    i += cp.bytes;
  }
  return text;
}

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Pindeck stores Discord's text as it comes; a record here takes no control characters in a
// one-line field and only newline and tab in a multi-line one, so the others become spaces.
std::string without_controls(std::string_view text, bool multi_line) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const util::CodePoint cp = decode(text, i);
    const bool kept = multi_line && (cp.value == '\n' || cp.value == '\t');
    if (is_control(cp.value) && !kept) {
      out += ' ';
    } else {
      out.append(text.substr(i, cp.bytes));
    }
    i += cp.bytes;
  }
  return out;
}

// A URL a record can hold (one line, limits::url_bytes) and the fetcher can be given.
bool fits_url_field(std::string_view url) {
  if (url.empty() || url.size() > limits::url_bytes) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7F;
  });
}

bool is_word(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// \bsref at `at` (case ignored), with a word boundary before it.
bool sref_word_at(std::string_view text, std::size_t at) {
  return istarts_with(text, at, "sref") && (at == 0 || !is_word(text[at - 1]));
}

// (\d{2,})\b at `at`: the digits, or nothing.
std::optional<std::string> digits_at(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && is_digit(text[end])) ++end;
  if (end - at < 2 || (end < text.size() && is_word(text[end]))) return std::nullopt;
  return std::string(text.substr(at, end - at));
}

std::size_t skip_spaces(std::string_view text, std::size_t at) {
  while (const std::size_t n = space_at(text, at)) at += n;
  return at;
}

// The bot's /\bsref(?:\s*(?:number|num|#|:|-))?\s*(\d{2,})\b/i at `at`.
std::optional<std::string> sref_spaced_at(std::string_view text, std::size_t at) {
  if (!sref_word_at(text, at)) return std::nullopt;
  const std::size_t after = at + 4;
  const std::size_t marker = skip_spaces(text, after);
  for (const std::string_view word : {"number", "num", "#", ":", "-"}) {
    if (istarts_with(text, marker, word)) {
      if (auto digits = digits_at(text, skip_spaces(text, marker + word.size()))) return digits;
    }
  }
  return digits_at(text, marker);
}

// The bot's /\bsref[-_]?(\d{2,})\b/i at `at`.
std::optional<std::string> sref_joined_at(std::string_view text, std::size_t at) {
  if (!sref_word_at(text, at)) return std::nullopt;
  std::size_t digits = at + 4;
  if (digits < text.size() && (text[digits] == '-' || text[digits] == '_')) ++digits;
  return digits_at(text, digits);
}

// The bot's cleanCapturedUrl: sentence punctuation after a URL cut, then whitespace trimmed.
std::string_view clean_captured(std::string_view raw) {
  const std::size_t keep = raw.find_last_not_of(">]),.;!?");
  return js_trim(raw.substr(0, keep == std::string_view::npos ? 0 : keep + 1));
}

// The bot's /https?:\/\/\S+/g.
std::vector<std::string_view> find_urls(std::string_view text) {
  std::vector<std::string_view> urls;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t rest = 0;
    if (text.substr(i, 8) == "https://") {
      rest = i + 8;
    } else if (text.substr(i, 7) == "http://") {
      rest = i + 7;
    }
    if (rest == 0 || rest >= text.size() || space_at(text, rest) != 0) {
      ++i;
      continue;
    }
    std::size_t end = rest;
    while (end < text.size() && space_at(text, end) == 0) end += decode(text, end).bytes;
    urls.push_back(text.substr(i, end - i));
    i = end;
  }
  return urls;
}

// The bot's /\.(png|jpe?g|webp|gif|bmp|svg)(\?|$)/i.
bool has_image_extension(std::string_view url) {
  static constexpr std::array<std::string_view, 7> extensions{"png", "jpg", "jpeg", "webp",
                                                              "gif", "bmp", "svg"};
  for (std::size_t dot = url.find('.'); dot != std::string_view::npos;
       dot = url.find('.', dot + 1)) {
    for (const std::string_view ext : extensions) {
      if (!istarts_with(url, dot + 1, ext)) continue;
      const std::size_t end = dot + 1 + ext.size();
      if (end == url.size() || url[end] == '?') return true;
    }
  }
  return false;
}

// The bot's /[?&]format=(jpg|jpeg|png|webp|gif|bmp)(?:&|$)/i.
bool has_image_format_query(std::string_view url) {
  static constexpr std::array<std::string_view, 6> formats{"jpg",  "jpeg", "png",
                                                           "webp", "gif",  "bmp"};
  for (std::size_t i = 0; i < url.size(); ++i) {
    if ((url[i] != '?' && url[i] != '&') || !istarts_with(url, i + 1, "format=")) continue;
    const std::size_t value = i + 8;
    for (const std::string_view format : formats) {
      if (!istarts_with(url, value, format)) continue;
      const std::size_t end = value + format.size();
      if (end == url.size() || url[end] == '&') return true;
    }
  }
  return false;
}

bool looks_like_image_url(std::string_view url) {
  return has_image_extension(url) || has_image_format_query(url);
}

// The parts of an http(s) URL that the canonical key and the filters read, as WHATWG's URL parser
// (JavaScript's `new URL`) gives them: host lower-cased without user and port, path with dot
// segments resolved and the path percent-encode set escaped.
struct WebUrl {
  std::string host;
  std::string path;
  std::string query;  // without the '?'
};

std::optional<WebUrl> parse_web_url(std::string_view raw) {
  std::string text;
  {
    std::size_t begin = 0;
    std::size_t end = raw.size();
    while (begin < end && static_cast<unsigned char>(raw[begin]) <= 0x20) ++begin;
    while (end > begin && static_cast<unsigned char>(raw[end - 1]) <= 0x20) --end;
    for (const char c : raw.substr(begin, end - begin)) {
      if (c != '\t' && c != '\n' && c != '\r') text += c;
    }
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string scheme = lower(std::string_view(text).substr(0, colon));
  if (scheme != "http" && scheme != "https") return std::nullopt;

  std::size_t i = colon + 1;
  while (i < text.size() && (text[i] == '/' || text[i] == '\\')) ++i;
  const std::size_t authority_end = std::min(text.find_first_of("/\\?#", i), text.size());
  std::string_view authority = std::string_view(text).substr(i, authority_end - i);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return std::nullopt;
  } else if (const std::size_t c = host.find(':'); c != std::string_view::npos) {
    port = host.substr(c);
    host = host.substr(0, c);
  }
  if (!port.empty()) {
    port.remove_prefix(1);
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit)) return std::nullopt;
    if (!port.empty() && std::stoi(std::string(port)) > 65535) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  if (host.front() != '[' && std::any_of(host.begin(), host.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b <= 0x20 || b == 0x7F ||
               std::string_view(" #%/:<>?@[\\]^|").find(c) != std::string_view::npos;
      })) {
    return std::nullopt;
  }

  WebUrl url;
  url.host = lower(host);

  const std::size_t path_end = std::min(text.find_first_of("?#", authority_end), text.size());
  std::string_view path = std::string_view(text).substr(authority_end, path_end - authority_end);
  std::vector<std::string> segments;
  bool trailing_slash = false;
  if (!path.empty()) path.remove_prefix(1);  // the '/' or '\' that ended the authority
  for (std::size_t start = 0;;) {
    const std::size_t end = std::min(path.find_first_of("/\\", start), path.size());
    const std::string segment = lower(path.substr(start, end - start));
    const bool last = end == path.size();
    if (segment == ".." || segment == ".%2e" || segment == "%2e." || segment == "%2e%2e") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = last;
    } else if (segment == "." || segment == "%2e") {
      trailing_slash = last;
    } else {
      std::string escaped;
      for (const char c : path.substr(start, end - start)) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b >= 0x7F ||
            std::string_view("\"<>`{}").find(c) != std::string_view::npos) {
          escaped += '%';
          escaped += util::to_hex(std::string_view(&c, 1), util::HexCase::upper);
        } else {
          escaped += c;
        }
      }
      segments.push_back(std::move(escaped));
      trailing_slash = false;
    }
    if (last) break;
    start = end + 1;
  }
  url.path = "/";
  for (std::size_t k = 0; k < segments.size(); ++k) {
    url.path += segments[k];
    if (k + 1 < segments.size()) url.path += '/';
  }
  if (trailing_slash && !segments.empty()) url.path += '/';

  if (path_end < text.size() && text[path_end] == '?') {
    const std::size_t query_end = std::min(text.find('#', path_end), text.size());
    url.query = text.substr(path_end + 1, query_end - path_end - 1);
  }
  return url;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// URLSearchParams(query).get(name): the first value, '+' as space, percent-escapes decoded.
std::string query_value(std::string_view query, std::string_view name) {
  const auto decode_component = [](std::string_view part) {
    std::string out;
    for (std::size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '+') {
        out += ' ';
      } else if (part[i] == '%' && i + 2 < part.size() && hex_value(part[i + 1]) >= 0 &&
                 hex_value(part[i + 2]) >= 0) {
        out += static_cast<char>(hex_value(part[i + 1]) * 16 + hex_value(part[i + 2]));
        i += 2;
      } else {
        out += part[i];
      }
    }
    return out;
  };
  for (std::size_t start = 0; start <= query.size();) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const std::size_t eq = std::min(pair.find('='), pair.size());
      if (decode_component(pair.substr(0, eq)) == name) {
        return eq < pair.size() ? decode_component(pair.substr(eq + 1)) : std::string();
      }
    }
    start = end + 1;
  }
  return {};
}

// The bot's dedupeImageUrls then rankImportImageUrls.
std::vector<std::string> clean_dedupe_rank(const std::vector<std::string>& candidates) {
  std::vector<std::string> kept;
  std::unordered_set<std::string> keys;
  for (const std::string& raw : candidates) {
    std::string url = discord_clean_url(raw);
    if (!discord_is_importable_image(url)) continue;
    if (keys.insert(discord_canonical_key(url)).second) kept.push_back(std::move(url));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const std::string& a, const std::string& b) {
    return discord_image_score(a) > discord_image_score(b);
  });
  return kept;
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// A text field of Discord's JSON; absent, null or another type reads as empty, as the bot's
// optional chaining does.
std::string text_of(const json& object, const char* key) {
  const json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

const json& array_of(const json& object, const char* key) {
  static const json empty = json::array();
  const json* value = member(object, key);
  return value != nullptr && value->is_array() ? *value : empty;
}

std::string required_id(const json& message, const char* key) {
  const json* value = member(message, key);
  if (value == nullptr || value->is_null()) refuse(std::string("`") + key + "` is missing");
  if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
    refuse(std::string("`") + key + "` must be a non-empty string (a snowflake)");
  }
  return value->get<std::string>();
}

std::vector<std::string> image_candidates(const json& message) {
  std::vector<std::string> urls;
  for (const json& attachment : array_of(message, "attachments")) {
    const std::string url = text_of(attachment, "url");
    if (url.empty()) continue;
    if (text_of(attachment, "content_type").starts_with("image/") || has_image_extension(url)) {
      urls.push_back(url);
    }
  }
  for (const json& embed : array_of(message, "embeds")) {
    const json* image = member(embed, "image");
    if (image != nullptr) {
      if (std::string url = text_of(*image, "url"); !url.empty()) urls.push_back(std::move(url));
    }
    if (std::string url = text_of(embed, "url"); has_image_extension(url)) {
      urls.push_back(std::move(url));
    }
  }
  const std::string content = text_of(message, "content");
  for (const std::string_view url : find_urls(content)) {
    if (has_image_extension(url)) urls.emplace_back(url);
  }
  // The bot picks (clean, dedupe, rank) when it extracts the images and again when it collects
  // them for import; the second pass can still change a URL (`&amp;amp;`, punctuation before
  // trailing spaces), and externalIds only match if the same URLs come out.
  return clean_dedupe_rank(clean_dedupe_rank(urls));
}

std::string iso_time(std::int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds{ms}};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char text[32];
  std::snprintf(
      text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return text;
}

// discord.js's message.createdTimestamp: the time a snowflake id holds.
std::optional<std::int64_t> snowflake_ms(std::string_view id) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (error != std::errc() || end != id.data() + id.size()) return std::nullopt;
  return static_cast<std::int64_t>(value >> 22) + discord_epoch_ms;
}

// What the bot's extractPostMetadataFromMessage and ingestIntoPindeck put into every record of
// one message.
struct PostMetadata {
  std::string title;
  std::optional<std::string> description;
  std::optional<std::string> source_url;
  std::optional<std::string> sref;
};

PostMetadata post_metadata(const json& message, const std::string& guild_id,
                           const std::string& channel_id, const std::string& message_id,
                           std::int64_t now_ms) {
  const std::string raw_content = text_of(message, "content");
  const std::string_view content = js_trim(raw_content);
  const json& embeds = array_of(message, "embeds");
  const json no_embed = json::object();
  const json& first_embed = embeds.empty() ? no_embed : embeds.front();
  const std::string raw_title = text_of(first_embed, "title");
  const std::string raw_description = text_of(first_embed, "description");
  const std::string raw_embed_url = text_of(first_embed, "url");
  const json* author = member(first_embed, "author");
  const std::string raw_author = author != nullptr ? text_of(*author, "name") : std::string();
  const std::string_view embed_title = js_trim(raw_title);
  const std::string_view embed_description = js_trim(raw_description);
  const std::string_view embed_url = js_trim(raw_embed_url);
  const std::string_view embed_author = js_trim(raw_author);

  PostMetadata meta;

  if (fits_url_field(embed_url)) {
    meta.source_url = std::string(embed_url);
  } else {
    for (const std::string_view found : find_urls(content)) {
      // extractAllUrls cleans punctuation but keeps `&amp;`.
      const std::string_view url = clean_captured(found);
      if (!looks_like_image_url(url) && !contains(url, "discord.com/channels/") &&
          fits_url_field(url)) {
        meta.source_url = std::string(url);
        break;
      }
    }
  }
  // The bot gives a DM no permalink; the issue asks for one, and Discord's is @me.
  if (!meta.source_url) {
    meta.source_url = "https://discord.com/channels/" +
                      (guild_id.empty() ? std::string("@me") : guild_id) + "/" + channel_id + "/" +
                      message_id;
  }

  std::string title(embed_title);
  if (title.empty()) {
    for (std::size_t start = 0; start <= content.size();) {
      const std::size_t end = std::min(content.find('\n', start), content.size());
      const std::string_view line = js_trim(content.substr(start, end - start));
      if (!line.empty()) {
        title = line;
        break;
      }
      start = end + 1;
    }
  }
  if (title.empty()) {
    title = "Discord import " + iso_time(snowflake_ms(message_id).value_or(now_ms));
  }
  meta.title = without_controls(js_slice(title, title_units), false);

  std::string description(content);
  if (description.empty()) {
    description = embed_description;
  } else if (!embed_description.empty() && !contains(description, embed_description)) {
    description += "\n\n";
    description += embed_description;
  }
  if (!description.empty()) {
    meta.description = without_controls(js_slice(description, description_units), true);
  }

  std::string combined;
  for (const std::string_view part : {content, embed_title, embed_description, embed_author}) {
    if (part.empty()) continue;
    if (!combined.empty()) combined += '\n';
    combined += part;
  }
  meta.sref = discord_find_sref(combined);
  return meta;
}

}  // namespace

std::string discord_clean_url(std::string_view raw) {
  const std::string_view cleaned = clean_captured(raw);
  std::string out;
  for (std::size_t i = 0; i < cleaned.size();) {
    if (cleaned.substr(i, 5) == "&amp;") {
      out += '&';
      i += 5;
    } else {
      out += cleaned[i++];
    }
  }
  return out;
}

std::string discord_canonical_key(std::string_view image_url) {
  const std::optional<WebUrl> url = parse_web_url(image_url);
  if (!url) return lower(js_trim(image_url));
  if (contains(url->host, "twimg.com") && contains(url->path, "/media/")) {
    const std::string_view path = url->path;
    const std::string_view file = path.substr(path.rfind('/') + 1);
    std::string_view media_id = file.substr(0, file.find('.'));
    if (media_id.empty()) media_id = path;
    std::string format = query_value(url->query, "format");
    if (format.empty()) {
      const std::size_t dot = path.rfind('.');
      format =
          dot == std::string_view::npos ? std::string(path) : std::string(path.substr(dot + 1));
    }
    if (format.empty()) format = "jpg";
    return lower(url->host + "/media/" + std::string(media_id) + "." + format);
  }
  return lower(url->host + url->path);
}

bool discord_is_importable_image(std::string_view url) {
  if (!looks_like_image_url(url) || !fits_url_field(url)) return false;
  const std::optional<WebUrl> parsed = parse_web_url(url);
  if (!parsed) return false;
  const std::string path = lower(parsed->path);
  const std::string full = parsed->host + path;
  static constexpr std::array<std::string_view, 13> blocked{"profile_images",
                                                            "profile_banners",
                                                            "emoji",
                                                            "twemoji",
                                                            "favicon",
                                                            "apple-touch-icon",
                                                            "/icons/",
                                                            "/icon/",
                                                            "/avatar",
                                                            "/sprite",
                                                            "/logo",
                                                            "abs.twimg.com",
                                                            "static.xx.fbcdn.net"};
  if (std::any_of(blocked.begin(), blocked.end(),
                  [&](std::string_view fragment) { return contains(full, fragment); })) {
    return false;
  }
  return !(contains(parsed->host, "twimg.com") && !contains(path, "/media/"));
}

int discord_image_score(std::string_view url) {
  const std::string u = lower(url);
  int score = 0;
  if (contains(u, "pbs.twimg.com/media/")) score += 100;
  if (contains(u, "media.discordapp.net/attachments/") ||
      contains(u, "cdn.discordapp.com/attachments/")) {
    score += 90;
  }
  if (contains(u, "name=orig")) score += 15;
  if (contains(u, "name=large")) score += 10;
  if (contains(u, "/thumb")) score -= 20;
  return score;
}

std::vector<std::string> discord_pick_images(const std::vector<std::string>& candidates) {
  return clean_dedupe_rank(candidates);
}

std::optional<std::string> discord_find_sref(std::string_view text) {
  // The bot also tries /#sref[-\s]?(\d{2,})\b/i between these two; whatever it matches, the first
  // pattern matches too (a '#' is a word boundary before "sref").
  for (const auto pattern : {sref_spaced_at, sref_joined_at}) {
    for (std::size_t at = 0; at < text.size(); ++at) {
      if (auto sref = pattern(text, at)) return sref;
    }
  }
  return std::nullopt;
}

std::string discord_external_id(std::string_view owner, std::string_view guild_id_or_empty,
                                std::string_view image_url) {
  const std::string digest = util::sha256_hex(discord_canonical_key(image_url)).substr(0, 20);
  return "discord:url:" + std::string(owner.empty() ? "unknown" : owner) + ":" +
         std::string(guild_id_or_empty.empty() ? "dm" : guild_id_or_empty) + ":" + digest;
}

std::vector<SourceItem> discord_items(std::string_view message_json,
                                      const DiscordOptions& options) {
  if (options.max_images < 1 || options.max_images > hard_max_images) {
    refuse("max_images must be 1.." + std::to_string(hard_max_images) + " (got " +
           std::to_string(options.max_images) + ")");
  }
  if (options.now_ms < 0 || options.now_ms > limits::time_ms) {
    refuse("now_ms must be 0.." + std::to_string(limits::time_ms) + " (got " +
           std::to_string(options.now_ms) + ")");
  }
  const json message = json::parse(message_json, nullptr, false);
  if (message.is_discarded()) refuse("is not JSON");
  if (!message.is_object()) refuse("is not a JSON object");
  const std::string message_id = required_id(message, "id");
  const std::string channel_id = required_id(message, "channel_id");
  std::string guild_id;
  if (const json* guild = member(message, "guild_id"); guild != nullptr && !guild->is_null()) {
    if (!guild->is_string()) refuse("`guild_id` must be a string (a snowflake)");
    guild_id = guild->get<std::string>();
  }

  std::vector<std::string> images = image_candidates(message);
  if (images.size() > static_cast<std::size_t>(options.max_images)) {
    images.resize(static_cast<std::size_t>(options.max_images));
  }
  if (images.empty()) return {};

  const PostMetadata meta =
      post_metadata(message, guild_id, channel_id, message_id, options.now_ms);
  Record base;
  base.title = meta.title;
  base.description = meta.description;
  base.category = options.category;
  for (const std::string& tag : options.default_tags) {
    if (const std::string_view trimmed = js_trim(tag); !trimmed.empty()) {
      base.tags.emplace_back(trimmed);
    }
  }
  if (meta.sref) base.tags.push_back("sref:" + *meta.sref);
  // Pindeck's ingest tags every new record it did not generate as an original.
  base.tags.emplace_back("original");
  model::drop_repeated_tags(base);
  base.source_type = SourceType::discord;
  base.source = "Discord";
  base.source_url = meta.source_url;
  base.sref = meta.sref;
  if (!options.owner.empty()) base.uploaded_by = options.owner;
  base.status = RecordStatus::pending;

  std::vector<SourceItem> items;
  for (std::string& url : images) {
    SourceItem item{std::move(url), base};
    item.metadata.external_id = discord_external_id(options.owner, guild_id, item.image_url);
    try {
      model::validate(item.metadata);
    } catch (const Error& e) {
      refuse(std::string("the record it becomes is not valid: ") + e.what());
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace pindeck::sources
