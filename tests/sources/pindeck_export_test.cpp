// SPDX-License-Identifier: Apache-2.0
#include "sources/pindeck_export.hpp"

#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck::sources {
namespace {

namespace fs = std::filesystem;
using pindeck::test::expect_error;
using pindeck::test::TempDir;

const fs::path fixture = fs::path(PINDECK_TEST_DATA) / "pindeck-export";
const std::string user = "jd7f3k2m8q9w1e5r6t7y8u9i0o1p2a3s";

// Zips every file under `dir` with the names it has below it, each under `prefix`, as
// `npx convex export` (prefix empty) or zipping the export's folder (prefix "folder/") does.
void zip_directory(const fs::path& dir, const fs::path& zip_path, const std::string& prefix) {
  int code = 0;
  zip_t* archive = zip_open(zip_path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  ASSERT_NE(archive, nullptr) << code;
  // The images table first, so that its data starts at a known place for the damage test.
  const fs::path images = dir / "images" / "documents.jsonl";
  std::vector<fs::path> files;
  if (fs::exists(images)) files.push_back(images);
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path() != images) files.push_back(entry.path());
  }
  for (const auto& file : files) {
    zip_source_t* source = zip_source_file(archive, file.c_str(), 0, -1);
    ASSERT_NE(source, nullptr);
    const std::string name = prefix + fs::relative(file, dir).generic_string();
    ASSERT_GE(zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8), 0)
        << zip_strerror(archive);
  }
  ASSERT_EQ(zip_close(archive), 0) << zip_strerror(archive);
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// An export whose images table holds `lines`, each followed by a newline.
fs::path write_export(const TempDir& dir, std::initializer_list<std::string> lines) {
  const fs::path root = dir.path() / "export";
  write_file(root / "_tables" / "documents.jsonl", R"({"_id":"n1","id":10001,"name":"images"})"
                                                   "\n");
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  write_file(root / "images" / "documents.jsonl", text);
  return root;
}

// A document with what every images document of Pindeck has, plus `extra` (JSON members).
std::string document(const std::string& id, const std::string& extra = "") {
  return R"({"_id":")" + id +
         R"(","_creationTime":1712000000000.0,"title":"T","category":"General","tags":[],)"
         R"("likes":0.0,"views":0.0,"imageUrl":"https://example.com/)" +
         id + R"(.png","uploadedBy":")" + user + "\"" + (extra.empty() ? "" : "," + extra) + "}";
}

std::vector<std::string> old_ids(const PindeckExport& result) {
  std::vector<std::string> ids;
  for (const auto& origin : result.origins) ids.push_back(origin.old_id);
  return ids;
}

Record neon_alley() {
  Record r;
  r.title = "Neon alley";
  r.description = "Rain on the neon sign, shot from the alley.\nFrom #stills.";
  r.category = "Film";
  r.tags = {"neon", "rain", "alley"};
  r.group = "Film";
  r.project_name = "Kitty Bite Back";
  r.project_order = 2;
  r.moodboard_name = "wet streets";
  r.unique_id = "img-1712345678901-k3x9q2a";
  r.source_type = SourceType::discord;
  r.colors = std::vector<std::string>{"#1a2b3c", "#d4c5b6", "#0f0f0f"};
  r.genre = "Noir";
  r.style = "35mm Film";
  r.shot = "Wide";
  r.ai_status = AiStatus::completed;
  r.likes = 3;
  r.views = 41;
  r.uploaded_at = 1712345678901;
  r.ingested_at = 1712345679000;
  r.uploaded_by = user;
  r.status = RecordStatus::active;
  r.source = "Discord";
  r.source_url =
      "https://discord.com/channels/987654321098765432/222233334444555566/777788889999000011";
  r.external_id = "discord:url:123456789012345678:987654321098765432:3f2a9c0d1e4b5a6c7d8e";
  r.sref = "--sref 1234567";
  return r;
}

Record pink_smoke() {
  Record r;
  r.title = "Pink smoke";
  r.category = "Moodboard";
  r.tags = {"pink", "smoke"};
  r.source_type = SourceType::pinterest;
  r.colors = std::vector<std::string>{"#e8d5c4"};
  r.views = 7;
  r.uploaded_at = 1712400000001;  // _creationTime 1712400000000.6, rounded
  r.uploaded_by = user;
  r.status = RecordStatus::pending;
  r.source = "Pinterest";
  r.source_url = "https://www.pinterest.com/pin/1029384756/";
  r.external_id = "pinterest:moodboards:1029384756";
  return r;
}

Record portrait() {
  Record r;
  r.title = "Portrait";
  r.category = "Film";
  r.tags = {"portrait"};
  r.group = "Film";
  r.project_name = "Kitty Bite Back";
  r.project_order = 0;
  r.unique_id = "img-1712600000000-p0r7r4t";
  r.source_type = SourceType::upload;
  r.colors = std::vector<std::string>{"#223344"};
  r.genre = "Drama";
  r.shot = "Medium Shot";
  r.ai_status = AiStatus::completed;
  r.likes = 5;
  r.views = 12;
  r.uploaded_at = 1712600000000;
  r.uploaded_by = user;
  r.status = RecordStatus::active;
  r.source = "upload";
  r.external_id = "convex:j57e2hq6vn0tb9xk4s1dm8wc3f7b2d5a";
  r.variation_count = 1;
  return r;
}

Record portrait_close_up() {
  Record r;
  r.title = "Portrait - Close-Up";
  r.category = "Film";
  r.tags = {"portrait", "generated", "variation"};
  r.group = "Film";
  r.project_name = "Kitty Bite Back";
  r.unique_id = "img-1712600000000-p0r7r4t";
  r.source_type = SourceType::ai;
  r.ai_status = AiStatus::completed;
  r.views = 2;
  r.uploaded_at = 1712600299999;
  r.uploaded_by = user;
  r.status = RecordStatus::active;
  r.external_id = "convex:j57f8bd1qz4c6y2wn5rt3kp9xm7b3c4e";
  r.generation_artifact_key = "trigger:run_9x8y:item_0";
  r.variation_type = VariationType::shot_type;
  r.modification_mode = "shot_type";
  r.variation_detail = "Close-Up";
  return r;
}

Record neon_alley_vhs() {
  Record r;
  r.title = "Neon alley - VHS";
  r.category = "Film";
  r.tags = {"neon", "rain", "alley", "generated", "variation"};
  r.source_type = SourceType::ai;
  r.uploaded_at = 1712800000000;  // _creationTime 1712800000000.25, rounded
  r.uploaded_by = user;
  r.external_id = "convex:j57j5pc1my4zg7tf0va3sd6qb87b6h9d";
  r.generation_artifact_key = "trigger:run_7w6v:item_1";
  r.variation_type = VariationType::style;
  r.modification_mode = "style";
  r.variation_detail = "VHS";
  return r;
}

void expect_fixture(const PindeckExport& result) {
  ASSERT_EQ(result.items.size(), 5u);
  ASSERT_EQ(result.origins.size(), 5u);

  // The variation on line 3 waits for its parent on line 5.
  const std::vector<ExportOrigin> origins = {
      {1, "j571dzq8s9kq4r0xbh3pw2mfe57b0a1c", std::nullopt},
      {2, "j57c5mw2rj0nq8zk7d3xv9t1hs7b1b2d", std::nullopt},
      {5, "j57e2hq6vn0tb9xk4s1dm8wc3f7b2d5a", std::nullopt},
      {3, "j57f8bd1qz4c6y2wn5rt3kp9xm7b3c4e", "j57e2hq6vn0tb9xk4s1dm8wc3f7b2d5a"},
      {8, "j57j5pc1my4zg7tf0va3sd6qb87b6h9d", "j571dzq8s9kq4r0xbh3pw2mfe57b0a1c"},
  };
  EXPECT_EQ(result.origins, origins);

  const std::vector<std::string> urls = {
      "https://cdn.discordapp.com/attachments/987654321098765432/111122223333444455/"
      "neon_alley.png",
      "https://i.pinimg.com/originals/ab/cd/ef/abcdef0123456789.jpg",
      "https://happy-otter-123.convex.cloud/api/storage/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
      "https://happy-otter-123.convex.cloud/api/storage/5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
      "https://happy-otter-123.convex.cloud/api/storage/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
  };
  const std::vector<Record> records = {neon_alley(), pink_smoke(), portrait(), portrait_close_up(),
                                       neon_alley_vhs()};
  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("item " + std::to_string(i));
    EXPECT_EQ(result.items[i].image_url, urls[i]);
    // Comparing JSON first shows which field differs; the records must then be equal whole.
    EXPECT_EQ(record_to_json(result.items[i].metadata), record_to_json(records[i]));
    EXPECT_EQ(result.items[i].metadata, records[i]);
  }

  ASSERT_EQ(result.problems.size(), 4u);
  EXPECT_EQ(result.problems[0],
            (ExportProblem{4, "j57a0se4cx1vb7nm3lk9jh2gf87b0e6f",
                           "imageUrl: missing, so there is no image to fetch"}));
  EXPECT_EQ(result.problems[1],
            (ExportProblem{6, "j57g3ma9kw2xe5rd8ty1qb4nz67b4f7b",
                           "colors[0]: \"Teal\" is not a lowercase #rrggbb colour"}));
  EXPECT_EQ(result.problems[2].line, 7u);
  EXPECT_EQ(result.problems[2].old_id, "");
  EXPECT_EQ(result.problems[2].reason.rfind("document: malformed JSON: ", 0), 0u)
      << result.problems[2].reason;
  EXPECT_EQ(result.problems[3],
            (ExportProblem{9, "j57k6qd2nz5ah8ug1wb4te7rc97b7j0e",
                           "parentImageId: its parent j57a0se4cx1vb7nm3lk9jh2gf87b0e6f (line 4) "
                           "cannot be imported"}));
}

TEST(PindeckExport, ReadsTheImagesTableOfAnExportDirectory) {
  expect_fixture(read_pindeck_export(fixture));
}

TEST(PindeckExport, ReadsTheSameFromAZipAsConvexWritesIt) {
  TempDir dir;
  const fs::path zip = dir.path() / "snapshot_1712900000000.zip";
  zip_directory(fixture, zip, "");
  expect_fixture(read_pindeck_export(zip));
}

TEST(PindeckExport, ReadsAZipOfTheExportFolder) {
  TempDir dir;
  const fs::path zip = dir.path() / "pindeck.zip";
  zip_directory(fixture, zip, "pindeck-export/");
  expect_fixture(read_pindeck_export(zip));
}

TEST(PindeckExport, RefusesWhatIsNotAConvexExport) {
  TempDir dir;
  expect_error([&] { read_pindeck_export(dir.path() / "absent.zip"); }, Errc::not_found,
               "absent.zip");

  write_file(dir.path() / "tables-only" / "_tables" / "documents.jsonl", "{}\n");
  expect_error([&] { read_pindeck_export(dir.path() / "tables-only"); }, Errc::not_found,
               "no images table (images/documents.jsonl) in this Convex export");
  fs::create_directories(dir.path() / "empty");
  expect_error([&] { read_pindeck_export(dir.path() / "empty"); }, Errc::not_found,
               "so it is not a Convex export");

  write_file(dir.path() / "documents.jsonl", document("j1") + "\n");
  expect_error([&] { read_pindeck_export(dir.path() / "documents.jsonl"); }, Errc::invalid,
               "not a Convex export: neither a directory nor a zip archive");

  const fs::path other = dir.path() / "other.zip";
  zip_directory(dir.path() / "tables-only", other, "");
  expect_error([&] { read_pindeck_export(other); }, Errc::not_found, "no images table");
}

TEST(PindeckExport, RefusesADamagedZip) {
  TempDir dir;
  const fs::path zip = dir.path() / "export.zip";
  zip_directory(fixture, zip, "");
  std::string bytes;
  {
    std::ifstream in(zip, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }

  // Without its central directory (the end of the file) it is no zip at all.
  write_file(dir.path() / "cut.zip", bytes.substr(0, bytes.size() / 2));
  expect_error([&] { read_pindeck_export(dir.path() / "cut.zip"); }, Errc::invalid, "cut.zip");

  // The images table's compressed data starts after its 30-byte local header and its name.
  std::string damaged = bytes;
  for (std::size_t i = 60; i < 90; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  write_file(dir.path() / "damaged.zip", damaged);
  expect_error([&] { read_pindeck_export(dir.path() / "damaged.zip"); }, Errc::invalid,
               "damaged.zip:images/documents.jsonl: damaged zip entry");
}

TEST(PindeckExport, PutsParentsBeforeTheirVariationsWhateverTheFileOrder) {
  TempDir dir;
  const auto root = write_export(dir, {
                                          document("child", R"("parentImageId":"parent")"),
                                          document("other"),
                                          document("parent", R"("parentImageId":"grandparent")"),
                                          document("grandparent"),
                                      });
  const auto result = read_pindeck_export(root);
  EXPECT_EQ(old_ids(result), (std::vector<std::string>{"grandparent", "parent", "child", "other"}));
  EXPECT_EQ(result.origins[2].old_parent_id, "parent");
  EXPECT_EQ(result.origins[2].line, 1u);
  EXPECT_EQ(result.origins[1].old_parent_id, "grandparent");
  EXPECT_FALSE(result.items[2].metadata.parent_image_id.has_value());
  EXPECT_TRUE(result.problems.empty());
}

TEST(PindeckExport, ReportsVariationsWhoseParentCannotBeImported) {
  TempDir dir;
  const auto root =
      write_export(dir, {
                            document("orphan", R"("parentImageId":"gone")"),
                            document("loopa", R"("parentImageId":"loopb")"),
                            document("loopb", R"("parentImageId":"loopa")"),
                            document("self", R"("parentImageId":"self")"),
                            document("below", R"("parentImageId":"loopa","variationType":"style")"),
                            document("fine"),
                        });
  const auto result = read_pindeck_export(root);
  EXPECT_EQ(old_ids(result), (std::vector<std::string>{"fine"}));
  const std::vector<ExportProblem> problems = {
      {1, "orphan", "parentImageId: gone is not in the export"},
      {2, "loopa", "parentImageId: its parents form a cycle back to loopa"},
      {3, "loopb", "parentImageId: its parents form a cycle back to loopb"},
      {4, "self", "parentImageId: its parents form a cycle back to self"},
      {5, "below", "parentImageId: its parent loopa (line 2) cannot be imported"},
  };
  EXPECT_EQ(result.problems, problems);
}

TEST(PindeckExport, ReportsRepeatedIdsAndKeys) {
  TempDir dir;
  const auto root = write_export(dir, {
                                          document("first", R"("generationArtifactKey":"run:1")"),
                                          document("first"),
                                          document("second", R"("externalId":"pinterest:b:1")"),
                                          document("third", R"("externalId":"pinterest:b:1")"),
                                          document("fourth", R"("generationArtifactKey":"run:1")"),
                                          document("fifth", R"("externalId":"convex:first")"),
                                      });
  const auto result = read_pindeck_export(root);
  EXPECT_EQ(old_ids(result), (std::vector<std::string>{"first", "second"}));
  const std::vector<ExportProblem> problems = {
      {2, "first", "_id: first is also on line 1"},
      {4, "third", "externalId: pinterest:b:1 is also on line 3"},
      {5, "fourth", "generationArtifactKey: run:1 is also on line 1"},
      {6, "fifth", "externalId: convex:first is also on line 1"},
  };
  EXPECT_EQ(result.problems, problems);
}

TEST(PindeckExport, ReportsDocumentsItCannotRead) {
  TempDir dir;
  const auto root = write_export(
      dir, {
               R"(["not","an","object"])",
               R"({"title":"no id","imageUrl":"https://example.com/a.png"})",
               R"({"_id":"emptyurl","_creationTime":1.0,"imageUrl":"","tags":[]})",
               R"({"_id":"nocreation","imageUrl":"https://example.com/b.png","tags":[]})",
               R"({"_id":"badtype","_creationTime":1.0,"imageUrl":"https://example.com/c.png",)"
               R"("likes":"many"})",
               R"({"_id":"bad-id","_creationTime":1.0,"imageUrl":"https://example.com/d.png"})",
           });
  const auto result = read_pindeck_export(root);
  EXPECT_TRUE(result.items.empty());
  const std::vector<ExportProblem> problems = {
      {1, "", "document: must be a JSON object, not array"},
      {2, "", "_id: missing or not a Convex id"},
      {3, "emptyurl", "imageUrl: missing, so there is no image to fetch"},
      {4, "nocreation", "_creationTime: must be a number when uploadedAt is missing"},
      {5, "badtype", "likes: must be a whole number, not string"},
      {6, "", "_id: missing or not a Convex id"},
  };
  EXPECT_EQ(result.problems, problems);
}

TEST(PindeckExport, CountsLinesAsTheFileHasThem) {
  TempDir dir;
  const fs::path root = dir.path() / "export";
  // Windows line endings, a blank line, a line longer than any Convex document, and a last line
  // without a newline.
  const std::string huge = R"({"_id":"huge","title":")" + std::string(9u << 20, 'x') + "\"}";
  write_file(root / "images" / "documents.jsonl",
             document("one") + "\r\n\r\n" + huge + "\n" +
                 document("two", R"("uploadedAt":1712000000000.5)") + "\r\n" + document("three"));
  const auto result = read_pindeck_export(root);
  EXPECT_EQ(old_ids(result), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(result.origins[1].line, 4u);
  EXPECT_EQ(result.origins[2].line, 5u);
  EXPECT_EQ(result.items[0].metadata.uploaded_at, 1712000000000);
  EXPECT_EQ(result.items[1].metadata.uploaded_at, 1712000000001);
  EXPECT_EQ(result.items[2].image_url, "https://example.com/three.png");
  const std::vector<ExportProblem> problems = {
      {3, "", "document: line is over 8 MiB, more than a Convex document holds"}};
  EXPECT_EQ(result.problems, problems);
}

}  // namespace
}  // namespace pindeck::sources
