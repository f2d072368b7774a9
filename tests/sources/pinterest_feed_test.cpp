// SPDX-License-Identifier: Apache-2.0
#include "sources/pinterest_feed.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "expect_invalid.hpp"
#include "pindeck/record.hpp"
#include "read_file.hpp"

namespace pindeck::sources {
namespace {

using test::expect_invalid;

const std::filesystem::path kFeed =
    std::filesystem::path(PINDECK_TEST_DATA) / "pinterest" / "film-stills.rss";

std::string fixture() {
  std::string xml = test::read_file(kFeed);
  EXPECT_FALSE(xml.empty()) << "cannot read " << kFeed;
  return xml;
}

std::string pin_page(const std::string& id) {
  return "https://www.pinterest.com/pin/" + id + "/";
}

// What every pin of the fixture's board becomes, before its own fields.
Record board_record(const std::string& id, std::vector<std::string> tags) {
  Record r;
  r.source_type = SourceType::pinterest;
  r.source = "Pinterest";
  r.status = RecordStatus::pending;
  r.source_url = pin_page(id);
  r.external_id = "pinterest:film-stills:" + id;
  r.tags = std::move(tags);
  return r;
}

const std::vector<std::string> kChannelTags{"Film Noir", "cinematography", "film-stills",
                                            "pinterest", "original"};

std::vector<std::string> external_ids(const PinterestFeed& feed) {
  std::vector<std::string> ids;
  for (const SourceItem& item : feed.items) ids.push_back(item.metadata.external_id.value_or(""));
  return ids;
}

TEST(PinterestFeed, EachItemOfARealShapedBoardFeedBecomesItsRecord) {
  const PinterestFeed feed = pinterest_feed_items(fixture(), {});
  EXPECT_EQ(feed.board, "film-stills");
  ASSERT_EQ(feed.items.size(), 5u);

  Record blade = board_record("1125968650512345012", kChannelTags);
  blade.title = "Blade Runner 2049 - orange haze";
  blade.description = "Roger Deakins lit the Las Vegas sequence through orange filters.";
  EXPECT_EQ(feed.items[0].image_url,
            "https://i.pinimg.com/236x/3e/7a/1c/3e7a1c0b5d2f9e4a8c6b1d0e2f3a4b5c.jpg");
  EXPECT_EQ(feed.items[0].metadata, blade);

  // Entities escaped twice (XML around HTML), named and numeric, are read to their characters.
  Record amelie = board_record("1125968650512345013", kChannelTags);
  amelie.title = "Am\u00e9lie & Nino \u2014 the caf\u00e9 \"Deux Moulins\"";
  amelie.description = "Jeunet's greens & reds <3 \u2014 shot by Bruno Delbonnel";
  EXPECT_EQ(feed.items[1].image_url,
            "https://i.pinimg.com/236x/9b/04/e2/9b04e2f1a7c3d5b6e8f0a1b2c3d4e5f6.jpg");
  EXPECT_EQ(feed.items[1].metadata, amelie);

  // Offered at 236x, 474x, 736x and as the original: the original, with its own extension.
  Record mood = board_record("1125968650512345014", kChannelTags);
  mood.title = "In the Mood for Love corridor";
  mood.description = "Christopher Doyle, Wong Kar-wai, 2000.";
  EXPECT_EQ(feed.items[2].image_url,
            "https://i.pinimg.com/originals/c4/1f/88/c41f88a09e7d6b5c4a3b2c1d0e9f8a7b.png");
  EXPECT_EQ(feed.items[2].metadata, mood);

  // No original offered: the widest size, not a made-up /originals/ URL. The item's categories
  // join the channel's, each once.
  Record chungking = board_record(
      "1125968650512345015",
      {"Film Noir", "Hong Kong", "cinematography", "film-stills", "pinterest", "original"});
  chungking.title = "Chungking Express";
  chungking.description = "Step-printed motion blur.";
  EXPECT_EQ(feed.items[3].image_url,
            "https://i.pinimg.com/736x/5d/aa/07/5daa07e3f2c1b0a9d8e7f6a5b4c3d2e1.jpg");
  EXPECT_EQ(feed.items[3].metadata, chungking);

  // A CDATA description: <br> and <p> end lines, whitespace runs are one space; no title, so the
  // description's text is the title.
  Record paris = board_record("1125968650512345017", kChannelTags);
  paris.title = "Paris, Texas. Robby M\u00fcller, 1984 Wim Wenders";
  paris.description = "Paris, Texas.\nRobby M\u00fcller, 1984\nWim Wenders";
  EXPECT_EQ(feed.items[4].image_url,
            "https://i.pinimg.com/236x/0f/e1/d2/0fe1d2c3b4a5968778695a4b3c2d1e0f.jpg");
  EXPECT_EQ(feed.items[4].metadata, paris);
}

TEST(PinterestFeed, ItemsThatMakeNoRecordAreListedWithTheReason) {
  const PinterestFeed feed = pinterest_feed_items(fixture(), {});
  ASSERT_EQ(feed.skipped.size(), 3u);
  EXPECT_EQ(feed.skipped[0].link, pin_page("1125968650512345016"));
  EXPECT_EQ(feed.skipped[0].reason, "no image");
  EXPECT_EQ(feed.skipped[1].link,
            "https://www.pinterest.com/pin/blade-runner-2049-orange-haze--1125968650512345012/");
  EXPECT_EQ(feed.skipped[1].reason, "the same pin as an earlier item");
  EXPECT_EQ(feed.skipped[2].link, "https://www.pinterest.com/janedoe/");
  EXPECT_EQ(feed.skipped[2].reason, "no pin id in its link");
}

TEST(PinterestFeed, EveryRecordPassesTheRecordRules) {
  for (const SourceItem& item : pinterest_feed_items(fixture(), {}).items) {
    EXPECT_EQ(record_from_json(record_to_json(item.metadata)), item.metadata);
  }
}

TEST(PinterestFeed, ReadingTheFeedAgainGivesTheSameExternalIds) {
  const std::string xml = fixture();
  const std::vector<std::string> first = external_ids(pinterest_feed_items(xml, {}));
  EXPECT_EQ(first, (std::vector<std::string>{"pinterest:film-stills:1125968650512345012",
                                             "pinterest:film-stills:1125968650512345013",
                                             "pinterest:film-stills:1125968650512345014",
                                             "pinterest:film-stills:1125968650512345015",
                                             "pinterest:film-stills:1125968650512345017"}));
  EXPECT_EQ(external_ids(pinterest_feed_items(xml, {})), first);

  // A later read of the board, with a new pin on top, names the old pins the same way.
  std::string later = xml;
  const std::size_t first_item = later.find("<item>");
  ASSERT_NE(first_item, std::string::npos);
  later.insert(first_item,
               "<item><title>New</title><link>https://www.pinterest.com/pin/99/</link>"
               "<description>&lt;img src=\"https://i.pinimg.com/236x/aa/bb/cc/n.jpg\"&gt;"
               "</description></item>");
  std::vector<std::string> expected{"pinterest:film-stills:99"};
  expected.insert(expected.end(), first.begin(), first.end());
  EXPECT_EQ(external_ids(pinterest_feed_items(later, {})), expected);
}

TEST(PinterestFeed, TheBoardOptionOverridesTheChannelLink) {
  const PinterestFeed feed = pinterest_feed_items(fixture(), {.board = "Neo-Noir Moods!"});
  EXPECT_EQ(feed.board, "neo-noir-moods");
  ASSERT_FALSE(feed.items.empty());
  EXPECT_EQ(feed.items[0].metadata.external_id, "pinterest:neo-noir-moods:1125968650512345012");
  EXPECT_EQ(feed.items[0].metadata.tags,
            (std::vector<std::string>{"Film Noir", "cinematography", "neo-noir-moods", "pinterest",
                                      "original"}));
}

std::string feed_with_channel_link(const std::string& link) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>" + link +
         "</link><item><title>x</title><link>https://de.pinterest.com/pin/42/</link>"
         "<description>&lt;img src='https://i.pinimg.com/564x/aa/bb/cc/x.jpg'&gt;</description>"
         "</item></channel></rss>";
}

TEST(PinterestFeed, TheBoardIsTheBoardSegmentOfTheChannelLink) {
  for (const std::string link : {"https://www.pinterest.com/janedoe/Film%20Stills/",
                                 "https://pinterest.co.uk/janedoe/film-stills.rss",
                                 "http://de.pinterest.com/janedoe/film-stills"}) {
    const PinterestFeed feed = pinterest_feed_items(feed_with_channel_link(link), {});
    EXPECT_EQ(feed.board, "film-stills") << link;
    ASSERT_EQ(feed.items.size(), 1u) << link;
    EXPECT_EQ(feed.items[0].metadata.external_id, "pinterest:film-stills:42");
    EXPECT_EQ(feed.items[0].image_url, "https://i.pinimg.com/564x/aa/bb/cc/x.jpg");
  }
}

TEST(PinterestFeed, AFeedThatNamesNoBoardIsRefusedUnlessTheCallerNamesOne) {
  for (const std::string link :
       {"https://www.pinterest.com/janedoe/", "https://www.pinterest.com/janedoe/feed.rss",
        "https://example.com/janedoe/film-stills/", ""}) {
    expect_invalid([&] { pinterest_feed_items(feed_with_channel_link(link), {}); },
                   "names no board");
    EXPECT_EQ(pinterest_feed_items(feed_with_channel_link(link), {.board = "stills"}).board,
              "stills");
  }
  expect_invalid([] { pinterest_feed_items(feed_with_channel_link(""), {.board = "!!"}); },
                 "has no letter or digit");
}

TEST(PinterestFeed, WhatIsNotAnRss2DocumentIsRefused) {
  expect_invalid([] { pinterest_feed_items("", {}); }, "Pinterest feed is not XML");
  expect_invalid([] { pinterest_feed_items("<rss version=\"2.0\"><channel>", {}); },
                 "Pinterest feed is not XML");
  expect_invalid(
      [] {
        pinterest_feed_items("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title/></feed>", {});
      },
      "its root element is <feed>");
  expect_invalid([] { pinterest_feed_items("<rss version=\"0.91\"><channel/></rss>", {}); },
                 "version=\"0.91\"");
  expect_invalid([] { pinterest_feed_items("<rss version=\"2.0\"></rss>", {}); },
                 "has no <channel>");
}

std::string feed_with_description(const std::string& description) {
  return "<rss version=\"2.0\"><channel><link>https://www.pinterest.com/u/b/</link><item>"
         "<link>https://www.pinterest.com/pin/7/</link><description><![CDATA[" +
         description + "]]></description></item></channel></rss>";
}

TEST(PinterestFeed, TheBestOfferedImageWins) {
  const auto image = [](const std::string& description) {
    const PinterestFeed feed = pinterest_feed_items(feed_with_description(description), {});
    return feed.items.empty() ? std::string("(skipped)") : feed.items[0].image_url;
  };
  // Several <img>: the widest pinimg size.
  EXPECT_EQ(image("<img src=\"https://i.pinimg.com/474x/a/b.jpg\">"
                  "<img src=\"https://i.pinimg.com/1200x/a/b.jpg\">"
                  "<img src=\"https://i.pinimg.com/736x/a/b.jpg\">"),
            "https://i.pinimg.com/1200x/a/b.jpg");
  // Elsewhere, srcset widths.
  EXPECT_EQ(image("<img src=\"https://cdn.example/s.jpg\" "
                  "srcset=\"https://cdn.example/m.jpg 640w, https://cdn.example/l.jpg 1280w\">"),
            "https://cdn.example/l.jpg");
  // An original beats any size, wherever it is offered.
  EXPECT_EQ(image("<img src=https://i.pinimg.com/originals/a/b.gif>"
                  "<img src=\"https://i.pinimg.com/1200x/a/b.jpg\">"),
            "https://i.pinimg.com/originals/a/b.gif");
  // Entities in attributes are read; protocol-relative URLs are https.
  EXPECT_EQ(image("<img src=\"//i.pinimg.com/236x/a/b.jpg?x=1&amp;y=2\">"),
            "https://i.pinimg.com/236x/a/b.jpg?x=1&y=2");
  // What is not an http(s) URL without credentials is no image.
  EXPECT_EQ(image("<img src=\"data:image/png;base64,AAAA\">"), "(skipped)");
  EXPECT_EQ(image("<img src=\"ftp://i.pinimg.com/236x/a/b.jpg\">"), "(skipped)");
  EXPECT_EQ(image("<img src=\"https://me:secret@i.pinimg.com/236x/a/b.jpg\">"), "(skipped)");
  EXPECT_EQ(image("<a href=\"https://i.pinimg.com/originals/a/b.jpg\">link, not image</a>"),
            "(skipped)");
}

TEST(PinterestFeed, MediaContentAndImageEnclosuresAreOffersToo) {
  const std::string xml =
      "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel>"
      "<link>https://www.pinterest.com/u/b/</link>"
      "<item><link>https://www.pinterest.com/pin/1/</link><description>text only</description>"
      "<media:content url=\"https://i.pinimg.com/originals/a/1.jpg\" medium=\"image\"/></item>"
      "<item><link>https://www.pinterest.com/pin/2/</link>"
      "<description>&lt;img src=\"https://i.pinimg.com/236x/a/2.jpg\"&gt;</description>"
      "<enclosure url=\"https://i.pinimg.com/736x/a/2.jpg\" type=\"image/jpeg\" length=\"1\"/>"
      "</item>"
      "<item><link>https://www.pinterest.com/pin/3/</link><description>a video</description>"
      "<enclosure url=\"https://v.pinimg.com/videos/3.mp4\" type=\"video/mp4\" length=\"1\"/>"
      "<media:content url=\"https://v.pinimg.com/videos/3.m3u8\" medium=\"video\"/></item>"
      "</channel></rss>";
  const PinterestFeed feed = pinterest_feed_items(xml, {});
  ASSERT_EQ(feed.items.size(), 2u);
  EXPECT_EQ(feed.items[0].image_url, "https://i.pinimg.com/originals/a/1.jpg");
  EXPECT_EQ(feed.items[0].metadata.description, "text only");
  EXPECT_EQ(feed.items[1].image_url, "https://i.pinimg.com/736x/a/2.jpg");
  ASSERT_EQ(feed.skipped.size(), 1u);
  EXPECT_EQ(feed.skipped[0].link, "https://www.pinterest.com/pin/3/");
  EXPECT_EQ(feed.skipped[0].reason, "no image");
}

TEST(PinterestFeed, DescriptionTextLeavesOutTagsCommentsAndScripts) {
  const PinterestFeed feed = pinterest_feed_items(
      feed_with_description("<img src=\"https://i.pinimg.com/236x/a/b.jpg\"><!-- <b>hidden</b> -->"
                            "<script>var x = '<p>no</p>';</script>Bold <b>move</b>s &amp; a < b"
                            "<div>next\tline</div>"),
      {});
  ASSERT_EQ(feed.items.size(), 1u);
  EXPECT_EQ(feed.items[0].metadata.description, "Bold moves & a < b\nnext line");
  EXPECT_EQ(feed.items[0].metadata.title, "Bold moves & a < b next line");
}

TEST(PinterestFeed, LongTitlesAndDescriptionsAreCutToPindecksLimits) {
  std::string title;
  std::string text;
  for (int i = 0; i < 200; ++i) title += "\u00e9";  // two bytes, one character
  for (int i = 0; i < 1100; ++i) text += "\u4e2d";
  const std::string xml =
      "<rss version=\"2.0\"><channel><link>https://www.pinterest.com/u/b/"
      "</link><item><title>" +
      title +
      "</title><link>https://www.pinterest.com/pin/7/</link><description>"
      "&lt;img src=\"https://i.pinimg.com/236x/a/b.jpg\"&gt;" +
      text + "</description></item></channel></rss>";
  const PinterestFeed feed = pinterest_feed_items(xml, {});
  ASSERT_EQ(feed.items.size(), 1u);
  EXPECT_EQ(feed.items[0].metadata.title, title.substr(0, 240));
  EXPECT_EQ(feed.items[0].metadata.description, text.substr(0, 3000));
}

TEST(PinterestFeed, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  const PinterestFeed feed =
      pinterest_feed_items(feed_with_description("<img src=\"https://i.pinimg.com/236x/a/b.jpg\">"
                                                 "caf\xe9 ok"),
                           {});
  ASSERT_EQ(feed.items.size(), 1u);
  EXPECT_EQ(feed.items[0].metadata.description, "caf\uFFFD ok");
}

PinterestPin pin_of(std::string page_url, std::string image_url, std::string board = "") {
  PinterestPin pin;
  pin.page_url = std::move(page_url);
  pin.image_url = std::move(image_url);
  pin.board = std::move(board);
  return pin;
}

TEST(PinterestPin, APinBecomesItsRecord) {
  const SourceItem item = pinterest_item({.page_url = "https://www.pinterest.com/pin/555/",
                                          .image_url = "https://i.pinimg.com/originals/a/b.jpg",
                                          .title = "  Stalker,\n zone  ",
                                          .description = "Tarkovsky\n\n  1979 ",
                                          .board = "Russian Cinema",
                                          .tags = {"sepia", "pinterest", "sepia", " "}});
  EXPECT_EQ(item.image_url, "https://i.pinimg.com/originals/a/b.jpg");
  Record expected;
  expected.title = "Stalker, zone";
  expected.description = "Tarkovsky\n1979";
  expected.source_type = SourceType::pinterest;
  expected.source = "Pinterest";
  expected.status = RecordStatus::pending;
  expected.source_url = "https://www.pinterest.com/pin/555/";
  expected.external_id = "pinterest:russian-cinema:555";
  expected.tags = {"pinterest", "russian-cinema", "sepia", "original"};
  EXPECT_EQ(item.metadata, expected);
}

TEST(PinterestPin, WithoutBoardOrTextThePinStillHasAKeyAndATitle) {
  const SourceItem item = pinterest_item(pin_of(
      "https://pinterest.com.au/pin/a-title--31337/?utm=x", "http://i.pinimg.com/736x/a/b.jpg"));
  EXPECT_EQ(item.metadata.external_id, "pinterest:31337");
  EXPECT_EQ(item.metadata.title, "Pinterest reference");
  EXPECT_EQ(item.metadata.description, std::nullopt);
  EXPECT_EQ(item.metadata.tags, (std::vector<std::string>{"pinterest", "original"}));
  EXPECT_EQ(item.metadata.source_url, "https://pinterest.com.au/pin/a-title--31337/?utm=x");
}

TEST(PinterestPin, BadPinsAreRefusedNamingWhatIsWrong) {
  const std::string image = "https://i.pinimg.com/236x/a/b.jpg";
  for (const std::string page :
       {"https://www.pinterest.com/janedoe/film-stills/", "https://www.pinterest.com/pin/abc/",
        "https://pinterest.evil.example/pin/1/", "https://notpinterest.com/pin/1/",
        "https://www.pinterest.com.evil.example/pin/1/", "pinterest.com/pin/1/", ""}) {
    expect_invalid([&] { pinterest_item(pin_of(page, image)); }, "no pin id");
  }
  expect_invalid([&] { pinterest_item(pin_of("https://u:pw@www.pinterest.com/pin/1/", image)); },
                 "carries credentials");
  expect_invalid(
      [] { pinterest_item(pin_of("https://www.pinterest.com/pin/1/", "file:///etc/x")); },
      "is not an http(s) URL");
  expect_invalid([&] { pinterest_item(pin_of("https://www.pinterest.com/pin/1/", image, "--")); },
                 "Pinterest board '--' has no letter or digit");
}

TEST(PinterestPin, MessagesNeverShowCredentialsOrQueries) {
  try {
    pinterest_item(pin_of("https://www.pinterest.com/pin/1/",
                          "https://me:hunter2@i.pinimg.com/a.jpg?token=s3cr3t"));
    FAIL() << "accepted an image URL with credentials";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_NE(message.find("https://i.pinimg.com/a.jpg"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace pindeck::sources
