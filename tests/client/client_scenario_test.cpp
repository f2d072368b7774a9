// SPDX-License-Identifier: Apache-2.0
// Issue 9's proof scenario through the public C++ API, as a C++ host would write it, against the
// real S3 server of the CTest fixture: three sample images uploaded with a tag through the
// asynchronous forms (boost::asio::use_future), waited for until persisted, listed with a filter,
// one original fetched through a presigned URL (the C ABI's pd_s3: the C++ API has no S3 client of
// its own) with plain HTTP (libcurl), a record deleted and gone from the catalog and the store;
// then each error class as a pindeck::Error from a real failure (a missing file, not an image, bad
// metadata, a wrong S3 secret), none of which changes the catalog.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "pindeck/async.hpp"
#include "pindeck/client.hpp"
#include "pindeck/pindeck.h"
#include "read_file.hpp"
#include "s3_test_env.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

using namespace std::chrono_literals;
using boost::asio::use_future;
using test::expect_error;

const std::vector<std::filesystem::path> samples = {
    PINDECK_TEST_DATA "/images/flow-5120x2880.jpg",
    PINDECK_TEST_DATA "/images/safelanding-5120x2880.jpg",
    PINDECK_TEST_DATA "/images/truchet-l.webp",
};

// A C ABI status as the C++ API's error, which maps one to one onto pd_status.
void throw_unless_ok(int status) {
  if (status != PD_OK) throw Error(static_cast<Errc>(status), pd_last_error());
}

// A C ABI string, freed with pd_string_free().
using CString = std::unique_ptr<char, decltype(&pd_string_free)>;

// A pd_s3 handle on the fixture's bucket, signing with `secret_key`.
std::unique_ptr<pd_s3, decltype(&pd_s3_close)> open_s3(const test::S3TestServer& server,
                                                       const std::string& secret_key) {
  const nlohmann::json config = {{"endpoint", server.settings.endpoint},
                                 {"region", server.settings.region},
                                 {"accessKey", server.settings.access_key},
                                 {"secretKey", secret_key},
                                 {"bucket", server.bucket}};
  pd_s3* s3 = nullptr;
  throw_unless_ok(pd_s3_open(config.dump().c_str(), &s3));
  return {s3, &pd_s3_close};
}

// Throws the store's answer to a HEAD of `key` as an Error.
void head(pd_s3* s3, const std::string& key) {
  char* json = nullptr;
  const int status = pd_s3_head(s3, key.c_str(), &json);
  pd_string_free(json);
  throw_unless_ok(status);
}

std::string presign_get(pd_s3* s3, const std::string& key) {
  char* url = nullptr;
  throw_unless_ok(pd_s3_presign(s3, "GET", key.c_str(), 300, &url));
  return CString(url, &pd_string_free).get();
}

struct HttpResponse {
  long status = 0;
  std::string body;
};

size_t collect(char* data, size_t one, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, one * count);
  return one * count;
}

// GETs `url` with no credentials of its own.
HttpResponse http_get(const std::string& url) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  EXPECT_NE(curl, nullptr);
  HttpResponse response;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  EXPECT_EQ(curl_easy_perform(curl.get()), CURLE_OK);
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::vector<std::string> sorted_ids(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> ids_tagged(const Client& client, const std::string& tag) {
  RecordQuery query;
  query.tags = {tag};
  const auto page = client.list(query);
  EXPECT_FALSE(page.next_cursor.has_value());
  return sorted_ids(page.records);
}

class ClientScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.s3 = server_.settings;
    config_.bucket = server_.bucket;
    config_.key_prefix = "client-scenario-" + std::to_string(::getpid());
    config_.poll_interval = 50ms;
    client_.start_persistence(config_);
  }

  // Uploads the samples tagged `tag_` through the asynchronous form, all at once, and waits until
  // each is persisted.
  std::vector<Record> upload_samples() {
    std::vector<std::future<Record>> uploads;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      Record metadata;
      metadata.title = "Sample " + std::to_string(i);
      metadata.tags = {tag_};
      uploads.push_back(async_upload_file(client_, samples[i], metadata, use_future));
    }
    std::vector<std::future<Record>> waits;
    for (auto& upload : uploads) {
      const Record record = upload.get();
      EXPECT_EQ(record.storage_persist_status, PersistStatus::pending);
      waits.push_back(async_wait_persisted(client_, record.id, 120s, use_future));
    }
    std::vector<Record> persisted;
    for (auto& wait : waits) {
      persisted.push_back(wait.get());
      const Record& record = persisted.back();
      EXPECT_EQ(record.storage_persist_status, PersistStatus::succeeded)
          << record.storage_persist_error.value_or("");
      EXPECT_TRUE(record.storage_path.has_value() &&
                  record.storage_path->starts_with(config_.key_prefix + "/"));
    }
    return persisted;
  }

  test::TempDir dir_;
  Client client_ = Client::open(dir_.path());
  test::S3TestServer server_ = test::load_s3_test_server();
  PersistenceConfig config_;
  std::string tag_ = "scenario-" + std::to_string(::getpid());
};

TEST_F(ClientScenario, UploadPersistListFetchDeleteThenEachErrorClass) {
  Record untagged;
  untagged.title = "Untagged";
  untagged.tags = {"other"};
  client_.create(untagged);

  auto records = upload_samples();
  ASSERT_EQ(records.size(), samples.size());
  ASSERT_EQ(ids_tagged(client_, tag_), sorted_ids(records));

  // The first record's original through a presigned URL: the uploaded file, byte for byte.
  const auto s3 = open_s3(server_, server_.settings.secret_key);
  const std::string original = records[0].storage_path.value();
  const std::string url = presign_get(s3.get(), original);
  EXPECT_EQ(url.find(server_.settings.secret_key), std::string::npos);
  const auto fetched = http_get(url);
  EXPECT_EQ(fetched.status, 200);
  EXPECT_TRUE(fetched.body == test::read_file(samples[0])) << "the object is the uploaded file";

  // Deleting it removes the record and its objects.
  head(s3.get(), original);
  client_.remove(records[0].id);
  expect_error([&] { client_.get(records[0].id); }, Errc::not_found, records[0].id);
  expect_error([&] { head(s3.get(), original); }, Errc::not_found);
  records.erase(records.begin());
  EXPECT_EQ(ids_tagged(client_, tag_), sorted_ids(records));

  expect_error(
      [&] { async_upload_file(client_, "/no/such/dir/missing.jpg", {}, use_future).get(); },
      Errc::not_found, "missing.jpg");

  const auto notes = dir_.path() / "notes.jpg";
  std::ofstream(notes) << "a shopping list, not a picture\n";
  expect_error([&] { async_upload_file(client_, notes, {}, use_future).get(); }, Errc::media,
               "notes.jpg");

  Record bad;
  bad.project_order = -1;
  expect_error([&] { async_upload_file(client_, samples[0], bad, use_future).get(); },
               Errc::invalid, "projectOrder");

  const std::string wrong_secret = "not-the-secret-of-this-key";
  const auto wrong = open_s3(server_, wrong_secret);
  expect_error([&] { head(wrong.get(), records[0].storage_path.value()); }, Errc::s3);
  const auto details = nlohmann::json::parse(pd_last_error_details());
  EXPECT_EQ(details.at("status"), "s3");
  EXPECT_EQ(details.at("httpStatus"), 403);
  EXPECT_EQ(details.dump().find(wrong_secret), std::string::npos);
  EXPECT_EQ(details.dump().find(server_.settings.secret_key), std::string::npos);

  // None of the failures stored anything.
  EXPECT_EQ(ids_tagged(client_, tag_), sorted_ids(records));
  EXPECT_EQ(client_.list().records.size(), records.size() + 1);

  // Leave the shared bucket as it was.
  for (const auto& record : records) client_.remove(record.id);
  expect_error([&] { head(s3.get(), records[0].storage_path.value()); }, Errc::not_found);
}

}  // namespace
}  // namespace pindeck
