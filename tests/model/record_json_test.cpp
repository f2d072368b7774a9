// SPDX-License-Identifier: Apache-2.0
// JSON round trip of the record: names, omitted optionals, defaults, types.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "expect_invalid.hpp"
#include "model/record_json.hpp"
#include "pindeck/error.hpp"

namespace pindeck::model {
namespace {

using nlohmann::json;

// Every field of DESIGN §2, set.
json full_record() {
  return json{
      {"id", "0mf3k2abcdxyz1234"},
      {"title", "Blade Runner \"rain\" scene"},
      {"description", "neon, rain; DROP TABLE records; --"},
      {"category", "Film"},
      {"tags", {"neon", "night", "雨"}},
      {"group", "Reference"},
      {"projectName", "Noir short"},
      {"projectOrder", 3},
      {"moodboardName", "Act 1"},
      {"uniqueId", "img-1700000000000-abc1234"},
      {"sourceType", "discord"},
      {"colors", {"#0a1b2c", "#ffffff"}},
      {"genre", "Noir"},
      {"style", "35mm Film"},
      {"shot", "Medium Shot"},
      {"aiStatus", "completed"},
      {"likes", 12},
      {"views", 340},
      {"storageProvider", "rustfs"},
      {"storageBucket", "pindeck"},
      {"storagePersistStatus", "succeeded"},
      {"storagePersistError", "timeout"},
      {"storageId", "0123456789abcdef0123456789abcdef"},
      {"storagePath", "media-uploads/2023/11_14/original/a.jpg"},
      {"previewStoragePath", "media-uploads/2023/11_14/preview/a-preview.jpg"},
      {"derivativeUrls",
       {{"small", "http://s/1"}, {"medium", "http://s/2"}, {"large", "http://s/3"}}},
      {"derivativeStoragePaths", {{"small", "k1"}, {"medium", "k2"}, {"large", "k3"}}},
      {"imageUrl", "http://s/a.jpg"},
      {"previewUrl", "http://s/a-preview.jpg"},
      {"uploadedAt", 1700000000000},
      {"ingestedAt", 1700000000500},
      {"uploadedBy", "user-1"},
      {"status", "pending"},
      {"source", "Discord"},
      {"sourceUrl", "https://cdn.discordapp.com/x.png"},
      {"externalId", "discord:url:1:2:abcdef"},
      {"sref", "--sref 123"},
      {"parentImageId", "0mf3k2abcdxyz0000"},
      {"generationArtifactKey", "gen-1"},
      {"variationCount", 2},
      {"variationType", "shot_type"},
      {"modificationMode", "subtle"},
      {"variationDetail", "warmer"},
      {"contentType", "image/jpeg"},
      {"width", 5120},
      {"height", 2880},
      {"byteSize", 123456},
      {"sha256", std::string(64, 'a')},
  };
}

TEST(RecordJson, EveryFieldRoundTripsUnderItsCamelCaseName) {
  json in = full_record();
  Record r = from_json(in);
  EXPECT_EQ(r.project_name, "Noir short");
  EXPECT_EQ(r.source_type, SourceType::discord);
  EXPECT_EQ(r.storage_persist_status, PersistStatus::succeeded);
  EXPECT_EQ(r.derivative_urls->large, "http://s/3");
  EXPECT_EQ(r.shot, "Medium Shot");
  EXPECT_EQ(r.ai_status, AiStatus::completed);
  EXPECT_EQ(r.variation_type, VariationType::shot_type);
  EXPECT_EQ(r.views, 340);
  EXPECT_EQ(to_json(r), in);
}

TEST(RecordJson, UnsetOptionalFieldsAreAbsentNotNull) {
  Record r = from_json(json::object());
  json out = to_json(r);
  // likes and views are on every Pindeck record, so they are written even when 0.
  EXPECT_EQ(out, (json{{"title", "Untitled"},
                       {"category", "General"},
                       {"tags", json::array()},
                       {"likes", 0},
                       {"views", 0}}));
}

TEST(RecordJson, DefaultsApplyWhenFieldsAreLeftOut) {
  Record r = from_json(json{{"description", "d"}});
  EXPECT_EQ(r.title, "Untitled");
  EXPECT_EQ(r.category, "General");
  EXPECT_TRUE(r.tags.empty());
  EXPECT_FALSE(r.colors.has_value());
}

TEST(RecordJson, NullOnAnOptionalFieldMeansUnset) {
  Record r = from_json(json{{"description", nullptr}, {"projectOrder", nullptr}});
  EXPECT_FALSE(r.description.has_value());
  EXPECT_FALSE(r.project_order.has_value());
}

TEST(RecordJson, StringsAreKeptVerbatim) {
  const std::string nasty = "quote \" back\\slash ' after; DROP TABLE x; 🎬";
  Record r = from_json(json{{"title", nasty}, {"tags", {nasty}}});
  EXPECT_EQ(r.title, nasty);
  Record again = from_json(json::parse(to_json(r).dump()));
  EXPECT_EQ(again.title, nasty);
  EXPECT_EQ(again.tags.at(0), nasty);
}

TEST(RecordJson, WholeFloatsAreAcceptedAsIntegers) {
  Record r = from_json(json::parse(R"({"projectOrder": 4.0, "width": 10.0})"));
  EXPECT_EQ(r.project_order, 4);
  EXPECT_EQ(r.width, 10);
}

void expect_refused(const json& in, const std::string& message_part) {
  try {
    from_json(in);
    ADD_FAILURE() << "accepted " << in.dump();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << message_part;
  }
}

TEST(RecordJson, WrongTypesAreRefusedNamingTheField) {
  expect_refused(json{{"title", 5}}, "title: must be a string, not a number");
  expect_refused(json{{"tags", "a,b"}}, "tags: must be an array of strings, not string");
  expect_refused(json{{"tags", {"a", 3}}}, "tags[1]: must be a string");
  expect_refused(json{{"width", "wide"}}, "width: must be a whole number, not string");
  expect_refused(json{{"colors", json::array({json{{"r", 1}}})}}, "colors[0]: must be a string");
  expect_refused(json{{"derivativeUrls", "x"}}, "derivativeUrls: must be a JSON object");
  expect_refused(json{{"derivativeUrls", {{"huge", "x"}}}}, "derivativeUrls.huge: unknown field");
  expect_refused(json{{"title", nullptr}}, "title: must not be null");
  expect_refused(json::array(), "record: must be a JSON object, not array");
}

TEST(RecordJson, UnknownFieldsAndEnumValuesAreRefused) {
  expect_refused(json{{"titel", "typo"}}, "titel: unknown field");
  expect_refused(
      json{{"sourceType", "instagram"}},
      "sourceType: unknown value \"instagram\" (expected upload, discord, pinterest or ai)");
  expect_refused(json{{"storageProvider", "s3"}}, "storageProvider: unknown value \"s3\"");
  expect_refused(json{{"storagePersistStatus", "done"}}, "storagePersistStatus: unknown value");
  expect_refused(json{{"status", "Active"}}, "status: unknown value \"Active\"");
}

TEST(RecordJson, ProjectOrderMustBeAWholeNonNegativeNumber) {
  expect_refused(json{{"projectOrder", -1}}, "projectOrder: must not be negative");
  expect_refused(json{{"projectOrder", 1.5}}, "projectOrder: must be a whole number, not 1.5");
  expect_refused(json{{"projectOrder", "1"}}, "projectOrder: must be a whole number, not string");
}

TEST(RecordJson, KeysMustNotBeEmptyWhenGiven) {
  expect_refused(json{{"externalId", ""}}, "externalId: must not be empty when given");
  expect_refused(json{{"generationArtifactKey", ""}},
                 "generationArtifactKey: must not be empty when given");
  expect_refused(json{{"uniqueId", ""}}, "uniqueId: must not be empty");
}

TEST(RecordJson, MalformedTextIsRefusedWithWhereItBroke) {
  try {
    parse_json_text(R"({"title": "x",})", "record");
    FAIL() << "accepted malformed JSON";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    EXPECT_NE(std::string(e.what()).find("record: malformed JSON: parse error at line 1"),
              std::string::npos)
        << e.what();
  }
}

// Found by fuzz_record_json: the JSON parser reports a number too large for a double as
// out_of_range, not as a parse error, and it escaped as a foreign exception.
TEST(RecordJson, ANumberTooLargeForADoubleIsMalformedJson) {
  test::expect_invalid([] { record_from_json(R"({"title": "x", "width": 1e400})"); },
                       "record: malformed JSON: number overflow parsing '1e400'");
  test::expect_invalid([] { parse_json_text(R"({"projectOrder": -1e999})", "patch"); },
                       "patch: malformed JSON: number overflow parsing '-1e999'");
}

TEST(RecordJson, PublicFunctionsRoundTripText) {
  Record r = record_from_json(R"({"title":"Flow","tags":["a"],"projectOrder":0})");
  EXPECT_EQ(r.project_order, 0);
  EXPECT_EQ(record_from_json(record_to_json(r)), r);
}

}  // namespace
}  // namespace pindeck::model
