// SPDX-License-Identifier: Apache-2.0
#include "sources/pinterest_feed.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <pugixml.hpp>
#include <unordered_set>
#include <utility>

#include "model/validation.hpp"
#include "pindeck/error.hpp"
#include "util/utf8.hpp"

namespace pindeck::sources {
namespace {

// Pindeck's imports cut titles and descriptions to these (its Discord bot, and what its Pinterest
// ingest forwards).
constexpr std::size_t kTitleChars = 120;
constexpr std::size_t kDescriptionChars = 1000;
constexpr std::size_t kPinIdBytes = 64;
constexpr std::string_view kFallbackTitle = "Pinterest reference";

[[noreturn]] void refuse(const std::string& message) {
  throw Error(Errc::invalid, message);
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

// ASCII whitespace, where bytes are read rather than characters.
bool is_space_byte(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && to_lower(text.substr(0, prefix.size())) == prefix;
}

// --- UTF-8 and text ------------------------------------------------------------------------------

// A feed is text from elsewhere: bytes that are not UTF-8 become U+FFFD rather than sinking the
// item (the record only holds UTF-8).
std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    if (const auto cp = util::utf8_at(text, i)) {
      out += cp->value;
      i += cp->bytes;
    } else {
      out += U'\uFFFD';
      ++i;
    }
  }
  return out;
}

// Whitespace, and the control characters a record refuses, which read as whitespace here.
bool is_blank(char32_t cp) {
  return cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0);
}

// Text as a record holds it: whitespace runs made one space, lines trimmed, blank lines dropped
// (one line unless `multi_line`), cut to `max_chars` characters.
std::string clean_text(std::string_view text, bool multi_line, std::size_t max_chars) {
  std::u32string out;
  bool space = false;
  bool newline = false;
  for (char32_t cp : decode_utf8(text)) {
    if (cp == U'\n' && multi_line) {
      newline = true;
    } else if (is_blank(cp)) {
      space = true;
    } else {
      if (!out.empty() && (newline || space)) out += newline ? U'\n' : U' ';
      newline = space = false;
      out += cp;
    }
  }
  if (out.size() > max_chars) {
    out.resize(max_chars);
    while (!out.empty() && (out.back() == U' ' || out.back() == U'\n')) out.pop_back();
  }
  std::string encoded;
  for (char32_t cp : out) util::append_utf8(cp, encoded);
  return encoded;
}

struct NamedEntity {
  std::string_view name;
  char32_t cp;
};

// The entities Pinterest's descriptions and people's titles use; others stay as written.
constexpr std::array<NamedEntity, 36> kEntities{{
    {"amp", U'&'},         {"lt", U'<'},          {"gt", U'>'},          {"quot", U'"'},
    {"apos", U'\''},       {"nbsp", U'\u00A0'},   {"hellip", U'\u2026'}, {"mdash", U'\u2014'},
    {"ndash", U'\u2013'},  {"lsquo", U'\u2018'},  {"rsquo", U'\u2019'},  {"ldquo", U'\u201C'},
    {"rdquo", U'\u201D'},  {"laquo", U'\u00AB'},  {"raquo", U'\u00BB'},  {"bull", U'\u2022'},
    {"middot", U'\u00B7'}, {"copy", U'\u00A9'},   {"reg", U'\u00AE'},    {"trade", U'\u2122'},
    {"deg", U'\u00B0'},    {"times", U'\u00D7'},  {"euro", U'\u20AC'},   {"pound", U'\u00A3'},
    {"eacute", U'\u00E9'}, {"egrave", U'\u00E8'}, {"aacute", U'\u00E1'}, {"agrave", U'\u00E0'},
    {"iacute", U'\u00ED'}, {"oacute", U'\u00F3'}, {"uacute", U'\u00FA'}, {"ntilde", U'\u00F1'},
    {"ccedil", U'\u00E7'}, {"uuml", U'\u00FC'},   {"ouml", U'\u00F6'},   {"auml", U'\u00E4'},
}};

// The code point `&<body>;` stands for, if it is one this reader knows.
std::optional<char32_t> entity_value(std::string_view body) {
  if (body.size() >= 2 && body[0] == '#') {
    const bool hex = body[1] == 'x' || body[1] == 'X';
    const std::string_view digits = body.substr(hex ? 2 : 1);
    std::uint32_t value = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return U'\uFFFD';
    return static_cast<char32_t>(value);
  }
  for (const NamedEntity& e : kEntities) {
    if (e.name == body) return e.cp;
  }
  return std::nullopt;
}

std::string decode_entities(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      const std::size_t semi = text.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 12) {
        if (const auto cp = entity_value(text.substr(i + 1, semi - i - 1))) {
          util::append_utf8(*cp, out);
          i = semi + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

// --- URLs ----------------------------------------------------------------------------------------

struct Url {
  std::string text;  // the URL as used (protocol-relative made https)
  std::string host;  // lower case
  std::string path;  // from the first '/' to '?' or '#'
  bool credentials = false;
};

// An absolute http(s) URL of printable ASCII (the fetcher decides later whether it may be
// reached).
std::optional<Url> parse_http_url(std::string_view raw) {
  while (!raw.empty() && is_space_byte(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space_byte(raw.back())) raw.remove_suffix(1);
  Url url;
  url.text = raw.substr(0, 2) == "//" ? "https:" + std::string(raw) : std::string(raw);
  if (url.text.size() > limits::url_bytes) return std::nullopt;
  for (char c : url.text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return std::nullopt;
    }
  }
  std::size_t start = 0;
  if (starts_with_nocase(url.text, "https://")) {
    start = 8;
  } else if (starts_with_nocase(url.text, "http://")) {
    start = 7;
  } else {
    return std::nullopt;
  }
  const std::size_t authority_end = std::min(url.text.find_first_of("/?#", start), url.text.size());
  std::string_view authority = std::string_view(url.text).substr(start, authority_end - start);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    url.credentials = true;
    authority.remove_prefix(at + 1);
  }
  const std::size_t colon =
      authority.starts_with('[') ? authority.find("]:") : authority.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + (authority[colon] == ']' ? 2 : 1));
    if (!port.empty() && !all_digits(port)) return std::nullopt;
    authority = authority.substr(0, colon + (authority[colon] == ']' ? 1 : 0));
  }
  if (authority.empty()) return std::nullopt;
  url.host = to_lower(authority);
  if (authority_end < url.text.size() && url.text[authority_end] == '/') {
    const std::size_t path_end =
        std::min(url.text.find_first_of("?#", authority_end), url.text.size());
    url.path = url.text.substr(authority_end, path_end - authority_end);
  }
  return url;
}

// A URL as a message may show it: no credentials, query or fragment (tokens live there), short.
std::string shown_url(std::string_view raw) {
  std::string out(raw.substr(0, raw.find_first_of("?#")));
  if (const std::size_t scheme = out.find("://"); scheme != std::string::npos) {
    const std::size_t authority_end = std::min(out.find('/', scheme + 3), out.size());
    const std::size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at > scheme) out.erase(scheme + 3, at + 1 - (scheme + 3));
  }
  if (out.size() > 200) out = out.substr(0, 200) + "...";
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  }
  return out;
}

std::vector<std::string_view> path_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (!segment.empty()) segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// pinterest.com, www.pinterest.com, de.pinterest.com, pinterest.co.uk, pinterest.com.au, ...
bool is_pinterest_host(std::string_view host) {
  const std::vector<std::string_view> labels = [&] {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t dot; (dot = host.find('.', start)) != std::string_view::npos;
         start = dot + 1) {
      out.push_back(host.substr(start, dot - start));
    }
    out.push_back(host.substr(start));
    return out;
  }();
  const auto letters = [](std::string_view label, std::size_t min, std::size_t max) {
    return label.size() >= min && label.size() <= max &&
           std::all_of(label.begin(), label.end(), is_alpha);
  };
  const std::size_t n = labels.size();
  if (n >= 2 && labels[n - 2] == "pinterest") return letters(labels[n - 1], 2, 3);
  return n >= 3 && labels[n - 3] == "pinterest" &&
         (labels[n - 2] == "co" || labels[n - 2] == "com") && letters(labels[n - 1], 2, 2);
}

// The pin id of a pin page: /pin/<digits>/ or /pin/<title-slug>--<digits>/.
std::optional<std::string> pin_id(std::string_view page_url) {
  const auto url = parse_http_url(page_url);
  if (!url || !is_pinterest_host(url->host)) return std::nullopt;
  const std::vector<std::string_view> segments = path_segments(url->path);
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i] != "pin") continue;
    std::string_view id = segments[i + 1];
    if (const std::size_t dashes = id.rfind("--"); dashes != std::string_view::npos) {
      id.remove_prefix(dashes + 2);
    }
    if (all_digits(id) && id.size() <= kPinIdBytes) return std::string(id);
  }
  return std::nullopt;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Pindeck's Pinterest ingest names its sources so: lower case, other characters made "-".
std::string slugify(std::string_view name) {
  std::string slug;
  bool dash = false;
  for (char c : name) {
    c = lower(c);
    if ((c >= 'a' && c <= 'z') || is_digit(c)) {
      if (dash && !slug.empty()) slug += '-';
      dash = false;
      slug += c;
    } else {
      dash = true;
    }
  }
  return slug;
}

std::string board_slug(std::string_view name, std::string_view what) {
  std::string slug = slugify(name);
  if (slug.empty()) {
    refuse(std::string(what) + " '" + clean_text(name, false, 100) + "' has no letter or digit");
  }
  if (slug.size() > limits::tag_chars) {
    refuse(std::string(what) + " is longer than " + std::to_string(limits::tag_chars) +
           " characters");
  }
  return slug;
}

// The board of https://www.pinterest.com/<user>/<board>/ (or its .rss).
std::optional<std::string> board_of_link(std::string_view link) {
  const auto url = parse_http_url(link);
  if (!url || !is_pinterest_host(url->host)) return std::nullopt;
  std::vector<std::string_view> segments = path_segments(url->path);
  if (segments.size() != 2 || segments[0] == "pin") return std::nullopt;
  std::string_view board = segments[1];
  if (board.ends_with(".rss")) {
    board.remove_suffix(4);
    // A user's own feed, /<user>/feed.rss, is no board.
    if (board == "feed") return std::nullopt;
  }
  const std::string slug = slugify(percent_decode(board));
  if (slug.empty()) return std::nullopt;
  return slug;
}

// --- Images --------------------------------------------------------------------------------------

struct ImageOffer {
  std::string url;
  long width = 0;  // 0 when unknown
};

// Larger is better: an original, then the widest.
std::pair<bool, long> rank(const ImageOffer& offer) {
  const auto url = parse_http_url(offer.url);
  long width = offer.width;
  bool original = false;
  if (url && (url->host == "pinimg.com" || url->host.ends_with(".pinimg.com"))) {
    const std::vector<std::string_view> segments = path_segments(url->path);
    if (!segments.empty()) {
      const std::string_view size = segments[0];
      original = size == "originals";
      long size_width = 0;
      const auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), size_width);
      if (error == std::errc() && end != size.data() && end < size.data() + size.size() &&
          *end == 'x') {
        width = std::max(width, size_width);
      }
    }
  }
  return {original, width};
}

// The best offer that is a usable URL, if any.
std::optional<std::string> best_image(const std::vector<ImageOffer>& offers) {
  const ImageOffer* best = nullptr;
  for (const ImageOffer& offer : offers) {
    const auto url = parse_http_url(offer.url);
    if (!url || url->credentials) continue;
    if (best == nullptr || rank(offer) > rank(*best)) best = &offer;
  }
  if (best == nullptr) return std::nullopt;
  return parse_http_url(best->url)->text;
}

// The candidates of a srcset: "url 236w, url 2x, url".
void add_srcset(std::string_view srcset, std::vector<ImageOffer>& offers) {
  std::size_t i = 0;
  const auto skip = [&](std::string_view chars) {
    while (i < srcset.size() && chars.find(srcset[i]) != std::string_view::npos) ++i;
  };
  while (true) {
    skip(" \t\n\r\f,");
    if (i >= srcset.size()) return;
    const std::size_t url_start = i;
    while (i < srcset.size() && !is_space_byte(srcset[i])) ++i;
    std::string_view url = srcset.substr(url_start, i - url_start);
    bool ended = false;
    while (url.ends_with(',')) {
      url.remove_suffix(1);
      ended = true;
    }
    ImageOffer offer{std::string(url)};
    if (!ended) {
      skip(" \t\n\r\f");
      const std::size_t comma = std::min(srcset.find(',', i), srcset.size());
      const std::string_view descriptor = srcset.substr(i, comma - i);
      long width = 0;
      const auto [end, error] =
          std::from_chars(descriptor.data(), descriptor.data() + descriptor.size(), width);
      if (error == std::errc() && end < descriptor.data() + descriptor.size() && *end == 'w') {
        offer.width = width;
      }
      i = comma;
    }
    offers.push_back(std::move(offer));
  }
}

// --- HTML ----------------------------------------------------------------------------------------

struct Html {
  std::string text;  // lines end at block tags; whitespace of the source is one space
  std::vector<ImageOffer> images;
};

bool is_block_tag(std::string_view name) {
  static const std::unordered_set<std::string_view> kBlocks{
      "br",    "p",          "div",     "li",      "ul",     "ol",     "h1",
      "h2",    "h3",         "h4",      "h5",      "h6",     "hr",     "tr",
      "table", "blockquote", "section", "article", "header", "footer", "figure"};
  return kBlocks.contains(name);
}

// A forgiving reader of the HTML a feed's description holds (not XML: unclosed tags, unquoted
// attributes and stray '<' are usual).
Html read_html(std::string_view html) {
  Html out;
  std::size_t i = 0;
  const auto find_from = [&](std::string_view what, std::size_t from) {
    const std::size_t at = html.find(what, from);
    return at == std::string_view::npos ? html.size() : at;
  };
  while (i < html.size()) {
    if (html[i] != '<') {
      const std::size_t end = find_from("<", i + 1);
      std::string run = decode_entities(html.substr(i, end - i));
      std::replace_if(
          run.begin(), run.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
      out.text += run;
      i = end;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      i = std::min(find_from("-->", i + 4) + 3, html.size());
      continue;
    }
    std::size_t j = i + 1;
    const bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    if (j < html.size() && (html[j] == '!' || html[j] == '?')) {
      i = std::min(find_from(">", j) + 1, html.size());
      continue;
    }
    if (j >= html.size() || !is_alpha(html[j])) {
      out.text += '<';
      ++i;
      continue;
    }
    const std::size_t name_start = j;
    while (j < html.size() && (is_alpha(html[j]) || is_digit(html[j]))) ++j;
    const std::string name = to_lower(html.substr(name_start, j - name_start));
    std::vector<std::pair<std::string, std::string>> attributes;
    while (j < html.size() && html[j] != '>') {
      if (is_space_byte(html[j]) || html[j] == '/') {
        ++j;
        continue;
      }
      const std::size_t attr_start = j;
      while (j < html.size() && !is_space_byte(html[j]) && html[j] != '=' && html[j] != '>' &&
             html[j] != '/') {
        ++j;
      }
      std::string attr = to_lower(html.substr(attr_start, j - attr_start));
      while (j < html.size() && is_space_byte(html[j])) ++j;
      std::string value;
      if (j < html.size() && html[j] == '=') {
        ++j;
        while (j < html.size() && is_space_byte(html[j])) ++j;
        if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
          const std::size_t close = find_from(std::string_view(&html[j], 1), j + 1);
          value = decode_entities(html.substr(j + 1, close - j - 1));
          j = std::min(close + 1, html.size());
        } else {
          const std::size_t value_start = j;
          while (j < html.size() && !is_space_byte(html[j]) && html[j] != '>') {
            ++j;
          }
          value = decode_entities(html.substr(value_start, j - value_start));
        }
      }
      if (!attr.empty()) attributes.emplace_back(std::move(attr), std::move(value));
    }
    i = std::min(j + 1, html.size());
    if (is_block_tag(name)) out.text += '\n';
    if (closing) continue;
    if (name == "img") {
      for (const auto& [attr, value] : attributes) {
        if (attr == "src") out.images.push_back({value});
        if (attr == "srcset") add_srcset(value, out.images);
      }
    } else if (name == "script" || name == "style") {
      // Their content is code, not text: skip to the closing tag.
      std::size_t close = i;
      while ((close = find_from("</", close)) < html.size() &&
             !starts_with_nocase(html.substr(close + 2), name)) {
        close += 2;
      }
      i = close;
    }
  }
  return out;
}

// --- Records -------------------------------------------------------------------------------------

// The whole text of an element, however its text is split into text and CDATA sections.
std::string text_of(pugi::xml_node node) {
  std::string text;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

}  // namespace

SourceItem pinterest_item(const PinterestPin& pin) {
  const std::optional<std::string> id = pin_id(pin.page_url);
  if (!id) {
    refuse("Pinterest pin: page URL '" + shown_url(pin.page_url) +
           "' is not a pin page (https://www.pinterest.com/pin/<id>/): no pin id");
  }
  const auto page = parse_http_url(pin.page_url);
  if (page->credentials) {
    refuse("Pinterest pin: page URL '" + shown_url(pin.page_url) + "' carries credentials");
  }
  const auto image = parse_http_url(pin.image_url);
  if (!image) {
    refuse("Pinterest pin " + *id + ": image URL '" + shown_url(pin.image_url) +
           "' is not an http(s) URL");
  }
  if (image->credentials) {
    refuse("Pinterest pin " + *id + ": image URL '" + shown_url(pin.image_url) +
           "' carries credentials");
  }

  SourceItem item;
  item.image_url = image->text;
  Record& r = item.metadata;
  const std::string description = clean_text(pin.description, true, kDescriptionChars);
  r.title = clean_text(pin.title, false, kTitleChars);
  if (r.title.empty()) r.title = clean_text(description, false, kTitleChars);
  if (r.title.empty()) r.title = kFallbackTitle;
  if (!description.empty()) r.description = description;
  r.source_type = SourceType::pinterest;
  r.source = "Pinterest";
  r.source_url = page->text;
  r.status = RecordStatus::pending;

  std::vector<std::string> tags{"pinterest"};
  const bool has_board = !pin.board.empty();
  const std::string board = has_board ? board_slug(pin.board, "Pinterest board") : "";
  if (has_board) tags.push_back(board);
  // Room is kept for pinterest, the board and original within the tag limit.
  std::size_t extras = 0;
  for (const std::string& tag : pin.tags) {
    std::string cleaned = clean_text(tag, false, limits::tag_chars);
    if (cleaned.empty() || std::find(tags.begin(), tags.end(), cleaned) != tags.end()) continue;
    if (extras++ == limits::tags - 3) break;
    tags.push_back(std::move(cleaned));
  }
  std::sort(tags.begin(), tags.end());
  if (std::find(tags.begin(), tags.end(), "original") == tags.end()) tags.emplace_back("original");
  r.tags = std::move(tags);
  r.external_id = has_board ? "pinterest:" + board + ":" + *id : "pinterest:" + *id;

  model::validate(r);
  return item;
}

PinterestFeed pinterest_feed_items(std::string_view rss_xml, const PinterestFeedOptions& options) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(rss_xml.data(), rss_xml.size());
  if (!parsed) {
    refuse(std::string("Pinterest feed is not XML: ") + parsed.description() + " at byte " +
           std::to_string(parsed.offset));
  }
  const pugi::xml_node rss = doc.document_element();
  if (std::string_view(rss.name()) != "rss") {
    refuse(std::string("Pinterest feed is not RSS 2.0: its root element is <") + rss.name() +
           "> where <rss> was expected");
  }
  if (std::string_view(rss.attribute("version").value()) != "2.0") {
    refuse(std::string("Pinterest feed is not RSS 2.0: <rss version=\"") +
           rss.attribute("version").value() + "\">");
  }
  const pugi::xml_node channel = rss.child("channel");
  if (!channel) refuse("Pinterest feed is not RSS 2.0: <rss> has no <channel>");

  PinterestFeed feed;
  if (!options.board.empty()) {
    feed.board = board_slug(options.board, "Pinterest board option");
  } else {
    const std::string link = text_of(channel.child("link"));
    std::optional<std::string> board = board_of_link(link);
    if (!board) {
      refuse("Pinterest feed names no board: its channel link '" + shown_url(link) +
             "' is not a board page (https://www.pinterest.com/<user>/<board>/); give "
             "PinterestFeedOptions::board");
    }
    feed.board = std::move(*board);
  }

  std::vector<std::string> channel_tags;
  for (pugi::xml_node category : channel.children("category")) {
    channel_tags.push_back(decode_entities(text_of(category)));
  }

  std::unordered_set<std::string> seen;
  for (pugi::xml_node entry : channel.children("item")) {
    const std::string link = text_of(entry.child("link"));
    const auto skip = [&](std::string reason) {
      feed.skipped.push_back(
          {shown_url(clean_text(link, false, limits::url_bytes)), std::move(reason)});
    };
    const std::optional<std::string> id = pin_id(link);
    if (!id) {
      skip("no pin id in its link");
      continue;
    }
    if (seen.contains(*id)) {
      skip("the same pin as an earlier item");
      continue;
    }

    const Html html = read_html(text_of(entry.child("description")));
    std::vector<ImageOffer> offers = html.images;
    for (pugi::xml_node media : entry.children("media:content")) {
      const std::string_view medium = media.attribute("medium").value();
      const std::string_view type = media.attribute("type").value();
      if (medium == "image" || type.starts_with("image/") || (medium.empty() && type.empty())) {
        offers.push_back({media.attribute("url").value(), media.attribute("width").as_int()});
      }
    }
    for (pugi::xml_node enclosure : entry.children("enclosure")) {
      if (std::string_view(enclosure.attribute("type").value()).starts_with("image/")) {
        offers.push_back({enclosure.attribute("url").value()});
      }
    }
    const std::optional<std::string> image = best_image(offers);
    if (!image) {
      skip("no image");
      continue;
    }

    PinterestPin pin;
    pin.page_url = link;
    pin.image_url = *image;
    pin.title = decode_entities(text_of(entry.child("title")));
    pin.description = html.text;
    pin.board = feed.board;
    pin.tags = channel_tags;
    for (pugi::xml_node category : entry.children("category")) {
      pin.tags.push_back(decode_entities(text_of(category)));
    }
    try {
      feed.items.push_back(pinterest_item(pin));
    } catch (const Error& e) {
      if (e.code() != Errc::invalid) throw;
      skip(e.what());
      continue;
    }
    seen.insert(*id);
  }
  return feed;
}

}  // namespace pindeck::sources
