// SPDX-License-Identifier: Apache-2.0
// Pinterest as a source (DESIGN §7): one pin, or the pins of a board's RSS 2.0 feed
// (https://www.pinterest.com/<user>/<board>.rss), as the records ingest creates from them.
//
// Every record gets what Pindeck's Pinterest import sends and its ingest adds: sourceType
// pinterest, source "Pinterest", status pending, sourceUrl the pin's page, category "General",
// externalId "pinterest:<board>:<pin id>" (the key that makes a second import of the same pin
// create nothing), and the tags pinterest, the board, the pin's extra tags (a feed's categories)
// sorted and each once, then "original". Titles are cut to 120 characters and descriptions to 1000
// as Pindeck's imports do; a pin without a title takes its description's text, else "Pinterest
// reference". Fields ingest learns or assigns (imageUrl once persisted, aiStatus, projectName, the
// bytes' facts) are left unset.
//
// The board is a slug as Pindeck's Pinterest ingest names its sources: lower case, every run of
// characters other than a-z and 0-9 made one "-", none at either end ("Film Stills" and
// "film-stills" are both film-stills). A feed's board is the slug of the <board> segment of its
// channel link, so the user is not part of it.
//
// The image: the best URL the pin offers, never one made up. A /originals/ URL wins, then the
// widest i.pinimg.com size (the <N>x path segment: 236x < 474x < 564x < 736x < 1200x) or srcset
// width, then the first offered. A 236x URL is not rewritten to /originals/, as Pindeck does not:
// the original may have another extension than the thumbnail, or not be served at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sources/source_item.hpp"

namespace pindeck::sources {

struct PinterestPin {
  std::string page_url;     // https://www.pinterest.com/pin/<id>/ on any Pinterest host
  std::string image_url;    // http(s); "//host/..." is read as https
  std::string title;        // optional, plain text
  std::string description;  // optional, plain text, may hold several lines
  std::string board;        // optional: a board name or slug; without one the externalId is
                            // "pinterest:<pin id>" and the only tags are pinterest and original
  std::vector<std::string> tags;  // extra tags, one line each (a feed's categories)
};

// The record a pin becomes. Throws Error(Errc::invalid) naming what is wrong: a page URL that is
// not a Pinterest pin page (no pin id), an image URL that is not http(s) or carries credentials, a
// board with no letter or digit.
SourceItem pinterest_item(const PinterestPin& pin);

struct PinterestFeedOptions {
  std::string board;  // when given, the board instead of the one the channel's link names
};

// An item of the feed that made no record, so the caller can say which pins were left out.
struct SkippedPinterestItem {
  std::string link;    // the item's <link>, without credentials, query or fragment
  std::string reason;  // "no image", "no pin id in its link", "the same pin as an earlier item"...
};

struct PinterestFeed {
  std::string board;              // the board slug named in the records' externalIds and tags
  std::vector<SourceItem> items;  // in feed order, each pin once
  std::vector<SkippedPinterestItem> skipped;  // in feed order
};

// The pins of a board's RSS 2.0 feed. Each item's pin id comes from its <link>, its image from the
// <img> tags (src and srcset) of its description's HTML (or a <media:content> or image
// <enclosure>), its title from <title> and its description from the text of the description's HTML
// (tags stripped, HTML entities decoded, block tags such as <br> and <p> ending a line). The
// channel's <category> elements tag every item, an item's own tag that item. Throws
// Error(Errc::invalid) naming what is wrong: not XML, not an RSS 2.0 document, no board (options
// give none and the channel's link is not a board's page). Items that cannot become a record are
// listed in `skipped`, never thrown.
PinterestFeed pinterest_feed_items(std::string_view rss_xml, const PinterestFeedOptions& options);

}  // namespace pindeck::sources
