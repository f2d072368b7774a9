// SPDX-License-Identifier: Apache-2.0
// Every source of DESIGN §7 end to end against the real S3 server (radosgw on 127.0.0.1): the image
// is fetched from an HTTP server on 127.0.0.1, staged, derived and persisted, and the original read
// back from the bucket is the bytes that were served, with its three derivatives and preview beside
// it. The images are small generated JPEGs so that the suite stays fast.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "generated_images.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "s3_test_env.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::small_jpeg;
using test::TempDir;
using test::TestHttpServer;

std::string as_string(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

bool is_webp(const std::string& bytes) {
  return bytes.size() > 12 && bytes.compare(0, 4, "RIFF") == 0 && bytes.compare(8, 4, "WEBP") == 0;
}

// Each test persists under its own key prefix (its name in lower case: prefixes are [a-z0-9/_.-]),
// so that runs and tests never see each other's objects.
PersistenceConfig s3_config() {
  const auto server = test::load_s3_test_server();
  std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::transform(test.begin(), test.end(), test.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  PersistenceConfig config;
  config.s3 = server.settings;
  config.bucket = server.bucket;
  config.key_prefix = "sources-" + test + "-" + std::to_string(::getpid());
  config.retry_min_delay = 200ms;
  config.retry_max_delay = 400ms;
  config.poll_interval = 50ms;
  return config;
}

class ClientSourcesS3 : public ::testing::Test {
 protected:
  ClientSourcesS3() : client(Client::open(dir.path())) {
    client.start_persistence(s3_config());
    FetchSettings settings;
    settings.allow_private_network = true;  // the HTTP server is on 127.0.0.1
    client.set_fetch_settings(settings);
  }

  // Serves a new small JPEG at `path` and returns its bytes.
  std::string serve_jpeg(const std::string& path, int seed) {
    std::string bytes = small_jpeg(seed);
    server.add_body(path, 200, "image/jpeg", bytes);
    return bytes;
  }

  // Waits until `id` is persisted and checks the bucket holds `served` as its original, a WebP for
  // each derivative and a JPEG preview (the original's format; every image served here is a JPEG).
  void expect_persisted(const std::string& id, const std::string& served) {
    const Record done = client.wait_persisted(id, 60s);
    ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded)
        << done.storage_persist_error.value_or("");
    ASSERT_TRUE(done.storage_path);
    EXPECT_EQ(as_string(client.read_object(*done.storage_path)), served)
        << "the original in the bucket is not the bytes the server sent";
    ASSERT_TRUE(done.derivative_storage_paths) << "no derivatives for " << id;
    const auto& d = *done.derivative_storage_paths;
    for (const auto& key : {d.small, d.medium, d.large}) {
      ASSERT_TRUE(key) << "a derivative of " << id << " has no key";
      EXPECT_TRUE(is_webp(as_string(client.read_object(*key)))) << *key << " is not a WebP";
    }
    ASSERT_TRUE(done.preview_storage_path) << "no preview for " << id;
    EXPECT_TRUE(
        as_string(client.read_object(*done.preview_storage_path)).starts_with("\xFF\xD8\xFF"))
        << *done.preview_storage_path << " is not a JPEG";
    ASSERT_TRUE(done.image_url);
    EXPECT_NE(done.image_url->find(*done.storage_path), std::string::npos)
        << "imageUrl " << *done.image_url << " does not name the persisted object";
  }

  TempDir dir;
  TestHttpServer server;
  Client client;
};

TEST_F(ClientSourcesS3, AUrlIsPersistedAsServed) {
  const std::string bytes = serve_jpeg("/photos/pier.jpg", 1);
  const auto created = client.ingest_url(server.url("/photos/pier.jpg"));
  ASSERT_TRUE(created.created);
  EXPECT_EQ(created.record.source_url, server.url("/photos/pier.jpg"));
  expect_persisted(created.record.id, bytes);
}

TEST_F(ClientSourcesS3, BothImagesOfADiscordMessageArePersisted) {
  const std::string market = serve_jpeg("/att/market.jpg", 2);
  const std::string alley = serve_jpeg("/att/alley.jpg", 3);
  const json message{
      {"id", "1180000000000000011"},
      {"channel_id", "1180000000000000012"},
      {"guild_id", "1180000000000000013"},
      {"content", "Night market sref 4242"},
      {"attachments",
       json::array(
           {{{"id", "1"}, {"content_type", "image/jpeg"}, {"url", server.url("/att/market.jpg")}},
            {{"id", "2"},
             {"content_type", "image/jpeg"},
             {"url", server.url("/att/alley.jpg")}}})}};
  DiscordImportOptions options;
  options.owner = "user-7";
  options.max_images = 2;
  const auto results = client.ingest_discord_message(message.dump(), options);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) {
    ASSERT_TRUE(result.record) << result.error;
    EXPECT_TRUE(result.created);
    EXPECT_EQ(result.record->source_type, SourceType::discord);
    EXPECT_EQ(result.record->status, RecordStatus::pending);
    const bool is_market = result.image_url.find("market") != std::string::npos;
    expect_persisted(result.record->id, is_market ? market : alley);
  }
  EXPECT_NE(results[0].image_url, results[1].image_url);
}

TEST_F(ClientSourcesS3, APinterestFeedIsPersistedAndASecondImportCreatesNothing) {
  std::vector<std::string> served;
  std::string items;
  for (int i = 1; i <= 5; ++i) {
    const std::string n = std::to_string(i);
    const std::string path = "/originals/aa/bb/cc/pin" + n + ".jpg";
    served.push_back(serve_jpeg(path, 10 + i));
    items += "<item><title>Pin " + n + "</title><link>https://www.pinterest.com/pin/20000" + n +
             "/</link><description>&lt;img src=\"" + server.url(path) + "\"&gt;Frame " + n +
             "</description></item>";
  }
  const std::string feed =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>"
      "<title>Neon</title><link>https://www.pinterest.com/maker/neon-nights/</link>"
      "<description>Neon</description>" +
      items + "</channel></rss>";

  const auto first = client.ingest_pinterest_feed(feed);
  ASSERT_EQ(first.size(), 5u);
  for (std::size_t i = 0; i < first.size(); ++i) {
    ASSERT_TRUE(first[i].record) << first[i].error;
    EXPECT_TRUE(first[i].created);
    EXPECT_EQ(first[i].record->external_id, "pinterest:neon-nights:20000" + std::to_string(i + 1));
    expect_persisted(first[i].record->id, served[i]);
  }

  const auto again = client.ingest_pinterest_feed(feed);
  ASSERT_EQ(again.size(), 5u);
  for (std::size_t i = 0; i < again.size(); ++i) {
    ASSERT_TRUE(again[i].record) << again[i].error;
    EXPECT_FALSE(again[i].created);
    EXPECT_EQ(again[i].record->id, first[i].record->id);
  }
  EXPECT_EQ(client.list({}).records.size(), 5u);
  EXPECT_EQ(server.requests("/originals/aa/bb/cc/pin1.jpg"), 1);
}

TEST_F(ClientSourcesS3, AVariationUrlUnderADiscordRootIsPendingAndPersisted) {
  const std::string root_bytes = serve_jpeg("/att/root.jpg", 20);
  const json message{
      {"id", "1180000000000000021"},
      {"channel_id", "1180000000000000022"},
      {"guild_id", "1180000000000000023"},
      {"attachments",
       json::array(
           {{{"id", "1"}, {"content_type", "image/jpeg"}, {"url", server.url("/att/root.jpg")}}})}};
  const auto roots = client.ingest_discord_message(message.dump());
  ASSERT_EQ(roots.size(), 1u);
  ASSERT_TRUE(roots[0].record) << roots[0].error;
  const Record root = *roots[0].record;
  expect_persisted(root.id, root_bytes);

  const std::string variation_bytes = serve_jpeg("/gen/v1.jpg", 21);
  Record given;
  given.generation_artifact_key = "s3-gen-1";
  const auto variation = client.register_variation_url(root.id, server.url("/gen/v1.jpg"), given);
  ASSERT_TRUE(variation.created);
  const Record& v = variation.record;
  EXPECT_EQ(v.parent_image_id, root.id);
  EXPECT_EQ(v.source_type, SourceType::discord);
  EXPECT_EQ(v.status, RecordStatus::pending);
  expect_persisted(v.id, variation_bytes);
}

TEST_F(ClientSourcesS3, APindeckExportIsPersistedWithTheVariationUnderItsNewParent) {
  const std::string root_bytes = serve_jpeg("/convex/root.jpg", 30);
  const std::string child_bytes = serve_jpeg("/convex/child.jpg", 31);
  TempDir export_dir;
  std::filesystem::create_directories(export_dir.path() / "images");
  std::ofstream jsonl(export_dir.path() / "images" / "documents.jsonl");
  // The variation comes first: the reader puts parents before their variations.
  jsonl << json{{"_id", "k17child"},
                {"_creationTime", 1700000001000.0},
                {"title", "Dune study"},
                {"tags", {"desert", "generated", "variation"}},
                {"imageUrl", server.url("/convex/child.jpg")},
                {"sourceType", "ai"},
                {"status", "active"},
                {"uniqueId", "img-1-root"},
                {"parentImageId", "k17root"},
                {"generationArtifactKey", "s3-art-1"}}
               .dump()
        << '\n'
        << json{{"_id", "k17root"},
                {"_creationTime", 1700000000000.5},
                {"title", "Dune study"},
                {"tags", {"desert"}},
                {"imageUrl", server.url("/convex/root.jpg")},
                {"sourceType", "upload"},
                {"status", "active"},
                {"uniqueId", "img-1-root"}}
               .dump()
        << '\n';
  jsonl.close();

  const auto report = client.import_pindeck_export(export_dir.path());
  EXPECT_TRUE(report.problems.empty()) << report.problems.at(0).reason;
  ASSERT_EQ(report.results.size(), 2u);
  ASSERT_TRUE(report.results[0].record) << report.results[0].error;
  ASSERT_TRUE(report.results[1].record) << report.results[1].error;
  const Record& root = *report.results[0].record;
  const Record& child = *report.results[1].record;
  EXPECT_EQ(root.external_id, "convex:k17root");
  EXPECT_EQ(child.external_id, "convex:k17child");
  EXPECT_EQ(child.parent_image_id, root.id);
  expect_persisted(root.id, root_bytes);
  expect_persisted(child.id, child_bytes);
}

}  // namespace
}  // namespace pindeck
