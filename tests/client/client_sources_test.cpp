// SPDX-License-Identifier: Apache-2.0
// pindeck::Client's sources (DESIGN §7) through the local object store, fetching from an HTTP
// server on 127.0.0.1: URL ingest, Discord messages, Pinterest pins and feeds, a Pindeck export,
// AI variations and their lineage, and moderation. Each image really is fetched, staged, derived
// and persisted.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <boost/asio/use_future.hpp>
#include <future>

#include "expect_error.hpp"
#include "generated_images.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "quick_persistence.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::expect_error;
using test::small_jpeg;
using test::TempDir;
using test::TestHttpServer;

std::size_t files_in(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                std::filesystem::directory_iterator()));
}

bool has_tag(const Record& r, const std::string& tag) {
  return std::find(r.tags.begin(), r.tags.end(), tag) != r.tags.end();
}

class ClientSources : public ::testing::Test {
 protected:
  ClientSources() : client(Client::open(dir.path())) {
    client.start_persistence(test::quick_persistence());
    FetchSettings settings;
    settings.allow_private_network = true;
    client.set_fetch_settings(settings);
  }

  std::size_t record_count() { return client.list({}).records.size(); }
  std::size_t staged_files() { return files_in(dir.path() / "staging"); }

  // Serves a new small JPEG at `path` and returns its bytes.
  std::string serve_jpeg(const std::string& path, int seed) {
    std::string bytes = small_jpeg(seed);
    server.add_body(path, 200, "image/jpeg", bytes);
    return bytes;
  }

  TempDir dir;
  TestHttpServer server;
  Client client;
};

TEST_F(ClientSources, AUrlIsFetchedStagedAndPersistedWithItsSourceUrl) {
  const std::string bytes = small_jpeg(1);
  // The type comes from the bytes, never from the header.
  server.add_body("/photos/harbour%20night.jpg", 200, "text/plain", bytes);
  const std::string url = server.url("/photos/harbour%20night.jpg");

  Record metadata;
  metadata.tags = {"harbour"};
  const auto created = client.ingest_url("  <" + url + ">  ", metadata);
  ASSERT_TRUE(created.created);
  const Record& record = created.record;
  EXPECT_EQ(record.source_url, url);
  EXPECT_EQ(record.title, "harbour night");
  EXPECT_EQ(record.content_type, "image/jpeg");
  EXPECT_EQ(record.byte_size, static_cast<std::int64_t>(bytes.size()));
  EXPECT_TRUE(has_tag(record, "harbour"));
  EXPECT_TRUE(has_tag(record, "original"));
  EXPECT_EQ(record.storage_persist_status, PersistStatus::pending);

  const Record done = client.wait_persisted(record.id, 60s);
  ASSERT_EQ(done.storage_persist_status, PersistStatus::succeeded)
      << done.storage_persist_error.value_or("");
  const auto original = client.read_object(*done.storage_path);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(original.data()), original.size()), bytes);
  EXPECT_EQ(staged_files(), 0u) << "the staged copy outlived persistence";
}

TEST_F(ClientSources, TheSameUrlTwiceGivesTheStoredRecordWithoutFetchingAgain) {
  serve_jpeg("/a.jpg", 2);
  const auto first = client.ingest_url(server.url("/a.jpg"));
  const auto second = client.ingest_url(server.url("/a.jpg") + ")}.!");
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.record.id, first.record.id);
  EXPECT_EQ(server.requests("/a.jpg"), 1);
  EXPECT_EQ(record_count(), 1u);
}

TEST_F(ClientSources, AnExternalIdAlreadyStoredIsReturnedBeforeAnyFetch) {
  serve_jpeg("/b.jpg", 3);
  Record metadata;
  metadata.external_id = "host:42";
  const auto first = client.ingest_url(server.url("/b.jpg"), metadata);
  const auto again = client.ingest_url(server.url("/other.jpg"), metadata);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.record.id, first.record.id);
  EXPECT_EQ(server.requests("/other.jpg"), 0);
}

TEST_F(ClientSources, WithoutTheHostOptionLoopbackIsRefusedAndNothingIsStored) {
  serve_jpeg("/c.jpg", 4);
  client.set_fetch_settings(FetchSettings{});
  expect_error([&] { client.ingest_url(server.url("/c.jpg")); }, Errc::invalid, "loopback");
  EXPECT_EQ(server.total_requests(), 0);
  EXPECT_EQ(record_count(), 0u);
  EXPECT_EQ(staged_files(), 0u);
}

TEST_F(ClientSources, APageThatIsNoImageIsRefusedAndItsBytesAreNotKept) {
  server.add_body("/page.jpg", 200, "image/jpeg", "<!doctype html><title>not an image</title>");
  expect_error([&] { client.ingest_url(server.url("/page.jpg")); }, Errc::media);
  EXPECT_EQ(record_count(), 0u);
  EXPECT_EQ(staged_files(), 0u);
}

TEST_F(ClientSources, ABodyOverTheLimitStopsAndLeavesNoTemporaryBehind) {
  server.add_endless_body("/endless.jpg", "image/jpeg");
  FetchSettings settings;
  settings.allow_private_network = true;
  settings.max_bytes = 1 << 20;
  client.set_fetch_settings(settings);
  expect_error([&] { client.ingest_url(server.url("/endless.jpg")); }, Errc::invalid, "limit");
  EXPECT_EQ(record_count(), 0u);
  EXPECT_EQ(staged_files(), 0u) << "a temporary of the cut-off body was left in staging";
}

TEST_F(ClientSources, A404IsNotFoundAndAnEmptyUrlIsInvalid) {
  expect_error([&] { client.ingest_url(server.url("/missing.jpg")); }, Errc::not_found, "404");
  expect_error([&] { client.ingest_url("  <> ) "); }, Errc::invalid, "URL");
  expect_error(
      [&] {
        FetchSettings bad;
        bad.max_bytes = 0;
        client.set_fetch_settings(bad);
      },
      Errc::invalid, "max_bytes");
}

TEST_F(ClientSources, TheAsynchronousFormsCompleteWithTheResultOrTheError) {
  serve_jpeg("/async.jpg", 8);
  auto ingested =
      async_ingest_url(client, server.url("/async.jpg"), Record{}, boost::asio::use_future);
  const CreateResult created = ingested.get();
  EXPECT_TRUE(created.created);
  client.update(created.record.id, R"({"status":"pending"})");
  auto approved = async_approve(client, {created.record.id}, boost::asio::use_future);
  EXPECT_EQ(approved.get().at(0).status, RecordStatus::active);

  client.set_fetch_settings(FetchSettings{});
  std::promise<std::exception_ptr> refused;
  async_ingest_url(
      client, server.url("/async.jpg") + "?again", Record{},
      [&refused](std::exception_ptr error, CreateResult) { refused.set_value(error); });
  const auto error = refused.get_future().get();
  ASSERT_TRUE(error);
  expect_error([&] { std::rethrow_exception(error); }, Errc::invalid, "loopback");
}

json discord_message(const TestHttpServer& server) {
  return json{{"id", "1180000000000000001"},
              {"channel_id", "1180000000000000002"},
              {"guild_id", "1180000000000000003"},
              {"content", "Night market reference sref 4242 " + server.url("/page")},
              {"author", {{"id", "99"}, {"username", "gaffer"}}},
              {"attachments", json::array({{{"id", "1"},
                                            {"filename", "market.jpg"},
                                            {"content_type", "image/jpeg"},
                                            {"url", server.url("/att/market.jpg")}},
                                           {{"id", "2"},
                                            {"filename", "alley.jpg"},
                                            {"content_type", "image/jpeg"},
                                            {"url", server.url("/att/alley.jpg")}}})},
              {"embeds", json::array()}};
}

TEST_F(ClientSources, ADiscordMessageImportsItsImagesPendingAndOnceOnly) {
  serve_jpeg("/att/market.jpg", 5);
  serve_jpeg("/att/alley.jpg", 6);
  DiscordImportOptions options;
  options.owner = "user-7";
  options.max_images = 2;
  std::vector<std::size_t> progress;
  const auto results = client.ingest_discord_message(discord_message(server).dump(), options,
                                                     [&](std::size_t done, std::size_t total) {
                                                       EXPECT_EQ(total, 2u);
                                                       progress.push_back(done);
                                                     });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(progress, (std::vector<std::size_t>{1, 2}));
  for (const auto& result : results) {
    ASSERT_TRUE(result.record) << result.error;
    const Record& r = *result.record;
    EXPECT_TRUE(result.created);
    EXPECT_EQ(r.source_type, SourceType::discord);
    EXPECT_EQ(r.status, RecordStatus::pending);
    EXPECT_EQ(r.source, "Discord");
    EXPECT_EQ(r.uploaded_by, "user-7");
    EXPECT_EQ(r.sref, "4242");
    ASSERT_TRUE(r.external_id);
    EXPECT_TRUE(r.external_id->starts_with("discord:url:user-7:1180000000000000003:"))
        << *r.external_id;
    EXPECT_TRUE(has_tag(r, "discord"));
    EXPECT_TRUE(has_tag(r, "sref:4242"));
    EXPECT_TRUE(has_tag(r, "original"));
    EXPECT_EQ(client.wait_persisted(r.id, 60s).storage_persist_status, PersistStatus::succeeded);
  }
  EXPECT_NE(results[0].record->external_id, results[1].record->external_id);

  const auto again = client.ingest_discord_message(discord_message(server).dump(), options);
  ASSERT_EQ(again.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(again[i].record);
    EXPECT_FALSE(again[i].created);
    EXPECT_EQ(again[i].record->id, results[i].record->id);
  }
  EXPECT_EQ(server.requests("/att/market.jpg"), 1);
  EXPECT_EQ(record_count(), 2u);
}

TEST_F(ClientSources, AnImageOfAMessageThatFailsIsReportedAndTheOthersGoOn) {
  serve_jpeg("/att/market.jpg", 7);
  // /att/alley.jpg is not served: 404.
  DiscordImportOptions options;
  options.max_images = 2;
  const auto results = client.ingest_discord_message(discord_message(server).dump(), options);
  ASSERT_EQ(results.size(), 2u);
  const auto failed =
      std::find_if(results.begin(), results.end(), [](const ImportResult& r) { return !r.record; });
  ASSERT_NE(failed, results.end());
  EXPECT_EQ(failed->error_code, Errc::not_found);
  EXPECT_NE(failed->image_url.find("alley"), std::string::npos);
  EXPECT_EQ(record_count(), 1u);
}

TEST_F(ClientSources, APinterestFeedIsImportedOnceAndAPinAlone) {
  std::string items;
  for (int i = 1; i <= 5; ++i) {
    const std::string path = "/originals/aa/bb/cc/pin" + std::to_string(i) + ".jpg";
    serve_jpeg(path, 10 + i);
    items += "<item><title>Pin " + std::to_string(i) +
             "</title><link>https://www.pinterest.com/pin/10000" + std::to_string(i) +
             "/</link><description>&lt;a href=\"/pin/10000" + std::to_string(i) +
             "/\"&gt;&lt;img src=\"" + server.url(path) + "\"&gt;&lt;/a&gt;Frame " +
             std::to_string(i) + "</description><guid>https://www.pinterest.com/pin/10000" +
             std::to_string(i) + "/</guid></item>";
  }
  const std::string feed =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>"
      "<title>Neon</title><link>https://www.pinterest.com/maker/neon-nights/</link>"
      "<description>Neon</description>" +
      items + "</channel></rss>";
  const auto first = client.ingest_pinterest_feed(feed);
  ASSERT_EQ(first.size(), 5u);
  for (const auto& result : first) {
    ASSERT_TRUE(result.record) << result.error;
    EXPECT_TRUE(result.created);
    EXPECT_EQ(result.record->source_type, SourceType::pinterest);
    EXPECT_EQ(result.record->status, RecordStatus::pending);
    ASSERT_TRUE(result.record->external_id);
    EXPECT_TRUE(result.record->external_id->starts_with("pinterest:"))
        << *result.record->external_id;
  }
  const auto again = client.ingest_pinterest_feed(feed);
  for (const auto& result : again) EXPECT_FALSE(result.created);
  EXPECT_EQ(record_count(), 5u);

  serve_jpeg("/pin.jpg", 30);
  PinterestPin pin;
  pin.page_url = "https://www.pinterest.com/pin/777/";
  pin.image_url = server.url("/pin.jpg");
  pin.title = "Rain";
  pin.board = "moods";
  const auto created = client.ingest_pinterest_pin(pin);
  EXPECT_TRUE(created.created);
  EXPECT_EQ(created.record.title, "Rain");
  EXPECT_EQ(created.record.source_url, pin.page_url);
  EXPECT_EQ(client.wait_persisted(created.record.id, 60s).storage_persist_status,
            PersistStatus::succeeded);
}

class ClientLineage : public ClientSources {
 protected:
  // A chain of `levels` variations under `root`, each registered from bytes.
  std::vector<Record> chain_under(const Record& root, int levels) {
    std::vector<Record> chain{root};
    const std::string bytes = small_jpeg(40);
    for (int i = 0; i < levels; ++i) {
      Record given;
      given.generation_artifact_key = "chain-" + root.id + "-" + std::to_string(i);
      chain.push_back(
          client
              .register_variation_bytes(chain.back().id,
                                        std::as_bytes(std::span(bytes.data(), bytes.size())), given)
              .record);
    }
    return chain;
  }

  Record discord_root() {
    serve_jpeg("/att/market.jpg", 41);
    auto results = client.ingest_discord_message(discord_message(server).dump());
    return *results.at(0).record;
  }
};

TEST_F(ClientLineage, VariationsUnderADiscordRootInheritItsSourceAndGoBackToModeration) {
  const Record root = discord_root();
  const auto chain = chain_under(root, 3);
  for (std::size_t i = 1; i < chain.size(); ++i) {
    const Record& v = chain[i];
    EXPECT_EQ(v.parent_image_id, chain[i - 1].id);
    EXPECT_EQ(v.source_type, SourceType::discord) << "level " << i;
    EXPECT_EQ(v.status, RecordStatus::pending) << "level " << i;
    EXPECT_EQ(v.title, root.title);
    EXPECT_EQ(v.unique_id, root.unique_id);
    EXPECT_EQ(v.sref, root.sref);
    EXPECT_EQ(v.source_url, root.source_url);
    EXPECT_EQ(v.source, "AI Generation");
    EXPECT_TRUE(has_tag(v, "generated"));
    EXPECT_TRUE(has_tag(v, "variation"));
    EXPECT_TRUE(has_tag(v, "original")) << "the parent's tags are inherited whole, as in Pindeck";
  }
  EXPECT_EQ(client.root(chain.back().id).id, root.id);
}

TEST_F(ClientLineage, VariationsUnderAnUploadAreAiAndActive) {
  const std::string bytes = small_jpeg(50);
  Record metadata;
  metadata.title = "Blocking";
  metadata.group = "Act 1";
  metadata.project_name = "Short";
  const Record root =
      client.upload_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), metadata);
  const auto chain = chain_under(root, 2);
  for (std::size_t i = 1; i < chain.size(); ++i) {
    EXPECT_EQ(chain[i].source_type, SourceType::ai);
    EXPECT_EQ(chain[i].status, RecordStatus::active);
    EXPECT_EQ(chain[i].group, "Act 1");
    EXPECT_EQ(chain[i].project_name, "Short");
    EXPECT_EQ(chain[i].title, "Blocking");
  }
  EXPECT_EQ(client.wait_persisted(chain.back().id, 60s).storage_persist_status,
            PersistStatus::succeeded);
}

TEST_F(ClientLineage, TheSameArtifactKeyTwiceGivesOneRecordAndReadsNothing) {
  const std::string bytes = small_jpeg(51);
  const Record root = client.upload_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())));
  serve_jpeg("/gen/1.jpg", 52);
  Record given;
  given.generation_artifact_key = "gen-1";
  const auto first = client.register_variation_url(root.id, server.url("/gen/1.jpg"), given);
  const auto second = client.register_variation_url(root.id, server.url("/gen/1.jpg"), given);
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.record.id, first.record.id);
  EXPECT_EQ(server.requests("/gen/1.jpg"), 1);
  expect_error([&] { client.register_variation_url("nope", server.url("/gen/1.jpg")); },
               Errc::not_found, "nope");
}

// Variations registered here inherit `discord` themselves, so the depth limit shows only on a
// lineage whose records in between are not moderated: records a host created as plain `ai`.
TEST_F(ClientLineage, AModeratedRootTwelveLevelsUpIsInheritedAndThirteenIsNot) {
  const Record root = discord_root();
  std::vector<Record> levels{root};
  for (int level = 1; level <= 12; ++level) {
    Record r;
    r.title = "level " + std::to_string(level);
    r.source_type = SourceType::ai;
    r.parent_image_id = levels.back().id;
    levels.push_back(client.create(r));
  }
  const std::string bytes = small_jpeg(42);
  const auto image = std::as_bytes(std::span(bytes.data(), bytes.size()));
  const Record twelve = client.register_variation_bytes(levels[11].id, image).record;
  const Record thirteen = client.register_variation_bytes(levels[12].id, image).record;
  EXPECT_EQ(twelve.source_type, SourceType::discord) << "12 levels below the Discord root";
  EXPECT_EQ(twelve.status, RecordStatus::pending);
  EXPECT_EQ(thirteen.source_type, SourceType::ai) << "13 levels below the Discord root";
  EXPECT_EQ(thirteen.status, RecordStatus::active);
  // The root itself is still found: Pindeck's resolveLineageRoot climbs 12 links from the parent.
  EXPECT_EQ(thirteen.sref, root.sref);
}

TEST_F(ClientLineage, ApprovalFollowsTheSourceAndRejectionDeletes) {
  const Record discord = discord_root();
  const std::string bytes = small_jpeg(60);
  Record pending_upload;
  pending_upload.status = RecordStatus::pending;
  const Record upload =
      client.upload_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), pending_upload);

  expect_error([&] { client.approve({discord.id, "missing"}); }, Errc::not_found, "missing");
  EXPECT_EQ(client.get(discord.id).status, RecordStatus::pending) << "a refused batch changed it";
  expect_error([&] { client.approve({}); }, Errc::invalid);

  const auto approved = client.approve({discord.id, upload.id});
  ASSERT_EQ(approved.size(), 2u);
  EXPECT_EQ(approved[0].status, RecordStatus::draft);
  EXPECT_EQ(approved[1].status, RecordStatus::active);
  EXPECT_EQ(client.approve({upload.id})[0].status, RecordStatus::active);

  const auto rejected = client.reject({discord.id});
  ASSERT_EQ(rejected.records.size(), 1u);
  expect_error([&] { client.get(discord.id); }, Errc::not_found);
}

TEST_F(ClientSources, APindeckExportIsMovedInOnceWithItsLineage) {
  serve_jpeg("/convex/root.jpg", 70);
  serve_jpeg("/convex/child.jpg", 71);
  TempDir export_dir;
  std::filesystem::create_directories(export_dir.path() / "images");
  std::ofstream jsonl(export_dir.path() / "images" / "documents.jsonl");
  jsonl
      << json{{"_id", "k17root"},        {"_creationTime", 1700000000000.5},
              {"title", "Dune study"},   {"category", "Cinematography"},
              {"tags", {"desert"}},      {"imageUrl", server.url("/convex/root.jpg")},
              {"sourceType", "upload"},  {"status", "active"},
              {"uniqueId", "img-1-root"}}
             .dump()
      << '\n'
      << json{{"_id", "k17child"},
              {"_creationTime", 1700000001000.0},
              {"title", "Dune study"},
              {"category", "Cinematography"},
              {"tags", {"desert", "generated", "variation"}},
              {"imageUrl", server.url("/convex/child.jpg")},
              {"sourceType", "ai"},
              {"status", "active"},
              {"uniqueId", "img-1-root"},
              {"parentImageId", "k17root"},
              {"generationArtifactKey", "art-1"}}
             .dump()
      << '\n'
      << json{{"_id", "k17nourl"}, {"title", "lost"}, {"category", "General"}, {"tags", {}}}.dump()
      << '\n';
  jsonl.close();

  const auto dry = client.import_pindeck_export(export_dir.path(), {true});
  EXPECT_EQ(dry.results.size(), 2u);
  EXPECT_EQ(dry.problems.size(), 1u);
  EXPECT_EQ(record_count(), 0u) << "a dry run stored records";
  EXPECT_EQ(server.total_requests(), 0);

  const auto report = client.import_pindeck_export(export_dir.path());
  ASSERT_EQ(report.results.size(), 2u);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].old_id, "k17nourl");
  ASSERT_TRUE(report.results[0].record) << report.results[0].error;
  ASSERT_TRUE(report.results[1].record) << report.results[1].error;
  const Record& root = *report.results[0].record;
  const Record& child = *report.results[1].record;
  EXPECT_EQ(root.title, "Dune study");
  EXPECT_EQ(child.parent_image_id, root.id);
  EXPECT_EQ(child.unique_id, root.unique_id) << "a family shares its uniqueId, as in Pindeck";
  EXPECT_EQ(client.wait_persisted(child.id, 60s).storage_persist_status, PersistStatus::succeeded);

  const auto again = client.import_pindeck_export(export_dir.path());
  for (const auto& result : again.results) {
    ASSERT_TRUE(result.record) << result.error;
    EXPECT_FALSE(result.created);
  }
  EXPECT_EQ(record_count(), 2u);
}

}  // namespace
}  // namespace pindeck
