// SPDX-License-Identifier: Apache-2.0
// The discord source against messages shaped like Discord's API (tests/data/discord/*.message.json)
// and the exact records they must become (*.expected.json), and its steps one by one.
//
// The expected files were worked out by hand from Pindeck's bot (services/discord-bot/src/index.js
// of gordo-v1su4/pindeck), each externalId digest with `printf '%s' <canonical key> | sha256sum`,
// and cross-checked by running the bot's own functions on the same messages.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "expect_invalid.hpp"
#include "pindeck/record.hpp"
#include "read_file.hpp"
#include "sources/discord_message.hpp"

namespace pindeck::sources {
namespace {

using nlohmann::json;

const std::string data_dir = std::string(PINDECK_TEST_DATA) + "/discord/";

json load(const std::string& file) {
  const std::string text = test::read_file(data_dir + file);
  EXPECT_FALSE(text.empty()) << "cannot read " << data_dir + file;
  return json::parse(text);
}

DiscordOptions options_from(const json& spec) {
  DiscordOptions options;
  options.owner = spec.value("owner", std::string());
  options.max_images = spec.value("maxImages", 1);
  options.now_ms = spec.value("nowMs", std::int64_t{0});
  if (spec.contains("defaultTags")) {
    options.default_tags = spec.at("defaultTags").get<std::vector<std::string>>();
  }
  return options;
}

class DiscordFixture : public testing::TestWithParam<const char*> {};

TEST_P(DiscordFixture, BecomesTheExpectedRecords) {
  const std::string name = GetParam();
  const std::string message = test::read_file(data_dir + name + ".message.json");
  ASSERT_FALSE(message.empty()) << name;
  const json expected = load(name + ".expected.json");

  const std::vector<SourceItem> items =
      discord_items(message, options_from(expected.at("options")));

  const json& want = expected.at("items");
  ASSERT_EQ(items.size(), want.size()) << name;
  for (std::size_t i = 0; i < items.size(); ++i) {
    SCOPED_TRACE(name + " item " + std::to_string(i));
    EXPECT_EQ(items[i].image_url, want[i].at("imageUrl").get<std::string>());
    EXPECT_EQ(discord_canonical_key(items[i].image_url),
              want[i].at("canonicalKey").get<std::string>());
    // Through record_from_json, so the expected record is also one the library accepts.
    const Record expected_record = record_from_json(want[i].at("record").dump());
    EXPECT_EQ(json::parse(record_to_json(items[i].metadata)),
              json::parse(record_to_json(expected_record)));
  }
}

INSTANTIATE_TEST_SUITE_P(Messages, DiscordFixture,
                         testing::Values("01_attachments_only", "02_embeds_only",
                                         "03_attachments_and_embeds", "04_avatar_emoji_dropped",
                                         "05_twimg_orig", "06_permalink_only", "07_sref_spaced",
                                         "08_sref_colon", "09_sref_hash", "10_sref_underscore",
                                         "11_dm_without_guild", "12_more_than_ten",
                                         "13_punctuation_and_limits", "14_reaction_event"));

// A message built in the test, for the cases a fixture file would only obscure.
std::string message_with(json fields) {
  json message = {{"id", "1240000000000000001"},       {"channel_id", "1100000000000000002"},
                  {"guild_id", "1100000000000000001"}, {"content", ""},
                  {"attachments", json::array()},      {"embeds", json::array()}};
  message.update(fields);
  return message.dump();
}

const json one_attachment = json::array(
    {{{"url", "https://cdn.discordapp.com/attachments/2/3/a.png"}, {"content_type", "image/png"}}});

TEST(DiscordItems, MoreThanTenImagesKeepsTheFirstN) {
  json attachments = json::array();
  for (int k = 1; k <= 12; ++k) {
    attachments.push_back(
        {{"url", "https://cdn.discordapp.com/attachments/2/3/f" + std::to_string(k) + ".png"}});
  }
  const std::string message = message_with({{"attachments", attachments}});
  DiscordOptions options;
  const auto first = discord_items(message, options);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].image_url, "https://cdn.discordapp.com/attachments/2/3/f1.png");
  options.max_images = 10;
  const auto ten = discord_items(message, options);
  ASSERT_EQ(ten.size(), 10u);
  EXPECT_EQ(ten[9].image_url, "https://cdn.discordapp.com/attachments/2/3/f10.png");
}

TEST(DiscordItems, RefusesWhatIsNotAMessage) {
  const DiscordOptions options;
  test::expect_invalid([&] { discord_items("{\"id\": ", options); }, "not JSON");
  test::expect_invalid([&] { discord_items("[1, 2]", options); }, "not a JSON object");
  test::expect_invalid([&] { discord_items(R"({"channel_id": "2"})", options); },
                       "`id` is missing");
  test::expect_invalid([&] { discord_items(R"({"id": "1"})", options); },
                       "`channel_id` is missing");
  test::expect_invalid([&] { discord_items(R"({"id": 1, "channel_id": "2"})", options); },
                       "`id` must be a non-empty string");
  test::expect_invalid([&] { discord_items(R"({"id": "1", "channel_id": ""})", options); },
                       "`channel_id` must be a non-empty string");
  test::expect_invalid(
      [&] {
        discord_items(message_with({{"guild_id", 7}}), options);
      },
      "`guild_id` must be a string");
}

TEST(DiscordItems, RefusesOptionsOutOfRange) {
  const std::string message = message_with({{"attachments", one_attachment}});
  for (const int bad : {0, 11, -1}) {
    DiscordOptions options;
    options.max_images = bad;
    test::expect_invalid([&] { discord_items(message, options); }, "max_images must be 1..10");
  }
  DiscordOptions options;
  options.now_ms = -1;
  test::expect_invalid([&] { discord_items(message, options); }, "now_ms must be");
  options = {};
  options.owner = "bad\nowner";
  test::expect_invalid([&] { discord_items(message, options); }, "uploadedBy");
}

TEST(DiscordItems, AMessageWithoutImagesGivesNothing) {
  const std::string message = message_with(
      {{"content", "just words https://example.com/page and https://example.com/a.txt"},
       {"attachments", json::array({{{"url", "https://cdn.discordapp.com/attachments/2/3/f.zip"},
                                     {"content_type", "application/zip"}}})}});
  EXPECT_TRUE(discord_items(message, {}).empty());
}

TEST(DiscordItems, NullGuildIsADirectMessage) {
  const auto items =
      discord_items(message_with({{"guild_id", nullptr}, {"attachments", one_attachment}}), {});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].metadata.external_id,
            discord_external_id("", "", "https://cdn.discordapp.com/attachments/2/3/a.png"));
  EXPECT_NE(items[0].metadata.external_id->find(":unknown:dm:"), std::string::npos);
  // A DM's permalink names @me where a server's names the guild.
  EXPECT_EQ(items[0].metadata.source_url,
            "https://discord.com/channels/@me/1100000000000000002/1240000000000000001");
  EXPECT_FALSE(items[0].metadata.uploaded_by.has_value());
}

TEST(DiscordItems, TitleTimeFallsBackToNowWhenTheIdIsNoSnowflake) {
  DiscordOptions options;
  options.now_ms = 0;
  const std::string message = message_with({{"id", "msg-1"}, {"attachments", one_attachment}});
  EXPECT_EQ(discord_items(message, options)[0].metadata.title,
            "Discord import 1970-01-01T00:00:00.000Z");
  options.now_ms = limits::time_ms;
  EXPECT_EQ(discord_items(message, options)[0].metadata.title,
            "Discord import 9999-12-31T23:59:59.999Z");
}

TEST(DiscordItems, TitleIsCutInUtf16UnitsWithoutSplittingAPair) {
  // The bot cuts at 120 UTF-16 units; a pair across the cut is left out whole.
  const std::string a119(119, 'a');
  const std::string clapper = "\xF0\x9F\x8E\xAC";  // U+1F3AC, two UTF-16 units
  auto title_of = [&](const std::string& content) {
    return discord_items(message_with({{"content", content}, {"attachments", one_attachment}}),
                         {})[0]
        .metadata.title;
  };
  EXPECT_EQ(title_of(a119 + clapper + "tail"), a119);
  EXPECT_EQ(title_of(clapper + a119), clapper + std::string(118, 'a'));
  EXPECT_EQ(title_of(std::string(130, 'b')), std::string(120, 'b'));
}

TEST(DiscordItems, ControlCharactersBecomeSpaces) {
  const json embeds = json::array({{{"title", "Tab\there"}, {"description", "bell\x07 and\ttab"}}});
  const auto items = discord_items(
      message_with(
          {{"content", "line\r\nnext"}, {"embeds", embeds}, {"attachments", one_attachment}}),
      {});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].metadata.title, "Tab here");
  EXPECT_EQ(items[0].metadata.description, "line \nnext\n\nbell  and\ttab");
}

TEST(DiscordItems, DescriptionSkipsAnEmbedDescriptionAlreadyInTheContent) {
  const json embeds = json::array({{{"description", "Shot on film"}}});
  const auto items = discord_items(message_with({{"content", "Alley. Shot on film, 1998"},
                                                 {"embeds", embeds},
                                                 {"attachments", one_attachment}}),
                                   {});
  EXPECT_EQ(items[0].metadata.description, "Alley. Shot on film, 1998");
}

TEST(DiscordItems, PicksTwiceAsTheBotDoes) {
  // The bot cleans when it extracts and again when it collects: `&amp;amp;` ends as `&`.
  const json embeds =
      json::array({{{"image", {{"url", "https://example.com/a.png?w=1&amp;amp;h=2"}}}}});
  const auto items = discord_items(message_with({{"embeds", embeds}}), {});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].image_url, "https://example.com/a.png?w=1&h=2");
  EXPECT_EQ(discord_pick_images({"https://example.com/a.png?w=1&amp;amp;h=2"}),
            std::vector<std::string>{"https://example.com/a.png?w=1&amp;h=2"});
}

TEST(DiscordCleanUrl, CutsSentencePunctuationAndUnescapesAmp) {
  EXPECT_EQ(discord_clean_url("https://a.example/x.png?w=1&amp;h=2)."),
            "https://a.example/x.png?w=1&h=2");
  EXPECT_EQ(discord_clean_url("https://a.example/x.png!?"), "https://a.example/x.png");
  EXPECT_EQ(discord_clean_url("https://a.example/x.png]>;,"), "https://a.example/x.png");
  EXPECT_EQ(discord_clean_url("  https://a.example/x.png  "), "https://a.example/x.png");
  EXPECT_EQ(discord_clean_url("https://a.example/(x).png"), "https://a.example/(x).png");
}

TEST(DiscordCanonicalKey, HostAndPathLowerCased) {
  EXPECT_EQ(discord_canonical_key("https://User:pw@CDN.Example.COM:8443/Path/To/Img.PNG?x=1#frag"),
            "cdn.example.com/path/to/img.png");
  EXPECT_EQ(discord_canonical_key("https://Example.com"), "example.com/");
  EXPECT_EQ(discord_canonical_key("https://example.com/a/./b/../c d.png"),
            "example.com/a/c%20d.png");
  EXPECT_EQ(discord_canonical_key("https://example.com\\a\\b.png"), "example.com/a/b.png");
  EXPECT_EQ(discord_canonical_key("https://example.com/a/%2E%2e/b/{x}.png"),
            "example.com/b/%7bx%7d.png");
  EXPECT_EQ(discord_canonical_key("  Not A URL.PNG "), "not a url.png");
}

TEST(DiscordCanonicalKey, TwimgMediaByIdAndFormat) {
  EXPECT_EQ(discord_canonical_key("https://pbs.twimg.com/media/AbC?format=PNG&name=orig"),
            "pbs.twimg.com/media/abc.png");
  EXPECT_EQ(discord_canonical_key("https://pbs.twimg.com/media/AbC.jpg?name=small"),
            "pbs.twimg.com/media/abc.jpg");
  EXPECT_EQ(discord_canonical_key("https://pbs.twimg.com/media/AbC.jpg?format=webp"),
            "pbs.twimg.com/media/abc.webp");
  // Without format or extension the bot takes everything after the last '.' there is: the path.
  EXPECT_EQ(discord_canonical_key("https://pbs.twimg.com/media/AbC"),
            "pbs.twimg.com/media/abc./media/abc");
}

TEST(DiscordExternalId, MatchesTheBotsDigest) {
  // printf '%s' 'pbs.twimg.com/media/abc.png' | sha256sum
  //   05861c4074f42ade32f941489a5b27d8a137b883918f0ebda61309055664980b
  EXPECT_EQ(discord_external_id("k57owner01", "1100000000000000001",
                                "https://pbs.twimg.com/media/AbC?format=png&name=orig"),
            "discord:url:k57owner01:1100000000000000001:05861c4074f42ade32f9");
  EXPECT_EQ(discord_external_id("", "", "https://pbs.twimg.com/media/abc.png?name=large"),
            "discord:url:unknown:dm:05861c4074f42ade32f9");
}

TEST(DiscordImportable, KeepsImagesDropsDecoration) {
  for (const char* url : {"https://cdn.discordapp.com/attachments/1/2/a.png",
                          "https://example.com/render?format=webp&w=2",
                          "https://pbs.twimg.com/media/A?format=jpg&name=orig"}) {
    EXPECT_TRUE(discord_is_importable_image(url)) << url;
  }
  for (const char* url :
       {"https://cdn.discordapp.com/avatars/1/a.png", "https://cdn.discordapp.com/emojis/1.webp",
        "https://pbs.twimg.com/profile_images/1/a.jpg", "https://abs.twimg.com/x.png",
        "https://pbs.twimg.com/card_img/1/a.jpg?format=jpg", "https://example.com/favicon.png",
        "https://example.com/img/logo.png", "https://example.com/icons/a.svg",
        "https://example.com/sprite.gif", "https://example.com/page", "https://example.com/a.pngx",
        "https://example.com/render?format=tiff", "ftp://example.com/a.png"}) {
    EXPECT_FALSE(discord_is_importable_image(url)) << url;
  }
}

TEST(DiscordRanking, ScoresAndOrder) {
  EXPECT_EQ(discord_image_score("https://PBS.twimg.com/media/A?format=jpg&name=orig"), 115);
  EXPECT_EQ(discord_image_score("https://media.discordapp.net/attachments/1/2/a.png"), 90);
  EXPECT_EQ(discord_image_score("https://cdn.discordapp.com/attachments/1/2/a.png?name=large"),
            100);
  EXPECT_EQ(discord_image_score("https://example.com/thumb/a.png"), -20);
  EXPECT_EQ(discord_image_score("https://example.com/a.png"), 0);

  const std::vector<std::string> picked = discord_pick_images(
      {"https://example.com/thumb/a.png", "https://example.com/b.png",
       "https://cdn.discordapp.com/attachments/1/2/c.png", "https://example.com/b.png?v=2",
       "https://example.com/avatar/x.png", "https://example.com/d.png"});
  EXPECT_EQ(picked,
            (std::vector<std::string>{"https://cdn.discordapp.com/attachments/1/2/c.png",
                                      "https://example.com/b.png", "https://example.com/d.png",
                                      "https://example.com/thumb/a.png"}));
}

TEST(DiscordSref, EverySpelling) {
  const std::vector<std::pair<std::string, std::string>> found{
      {"sref 12345", "12345"},
      {"SREF: 12345", "12345"},
      {"sref number 77", "77"},
      {"sref#88", "88"},
      {"#sref-12345", "12345"},
      {"sref_12345", "12345"},
      {"sref12", "12"},
      {"Sref - 55.", "55"},
      {"sref   :  66", "66"},
      {"sref_11 then sref 22", "22"}};  // the spaced spellings win over sref_, as in the bot
  for (const auto& [text, sref] : found) EXPECT_EQ(discord_find_sref(text), sref) << text;
  for (const char* text : {"sref 9", "sref 123abc", "xsref 123", "sref_ 12", "no code here"}) {
    EXPECT_EQ(discord_find_sref(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace pindeck::sources
