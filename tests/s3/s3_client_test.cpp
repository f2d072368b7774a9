// SPDX-License-Identifier: Apache-2.0
// The S3 client against a real radosgw that verifies SigV4 (started by the CTest fixture): every
// operation, awkward keys, a 64 MiB multipart upload, presigned URLs used with the curl tool,
// and a wrong secret.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>

#include "expect_s3_error.hpp"
#include "pindeck/persistence.hpp"
#include "pipeline/s3_object_store.hpp"
#include "read_file.hpp"
#include "s3/client.hpp"
#include "s3_test_server.hpp"
#include "scoped_env.hpp"

namespace pindeck::s3 {
namespace {

namespace fs = std::filesystem;
using test::random_bytes;
using test::read_file;

class S3ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = test::load_test_server();
    prefix_ = test::unique_prefix(::testing::UnitTest::GetInstance()->current_test_info()->name());
    dir_ = fs::path(::testing::TempDir()) / ("s3client-" + prefix_.substr(5, prefix_.size() - 6));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_file(const std::string& name, const std::string& data) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary)
        .write(data.data(), static_cast<std::streamsize>(data.size()));
    return path.string();
  }

  test::TestServer server_;
  std::string prefix_;
  fs::path dir_;
};

// Runs a command and returns its standard output.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

TEST_F(S3ClientTest, PutHeadGetDeleteWithHeadersAndMetadata) {
  Client client(server_.config());
  const std::string key = prefix_ + "photo.jpg";
  const std::string data = random_bytes(100000, 7);
  PutOptions options;
  options.content_type = "image/jpeg";
  options.cache_control = "public, max-age=31536000, immutable";
  options.metadata = {{"source", "discord"}, {"title", "Blade Runner still"}};
  PutResult put = client.put_buffer(key, data, options);
  EXPECT_FALSE(put.etag.empty());
  EXPECT_FALSE(put.multipart);
  EXPECT_EQ(put.size, data.size());

  ObjectHead head = client.head_object(key);
  EXPECT_EQ(head.content_length, data.size());
  EXPECT_EQ(head.content_type, "image/jpeg");
  EXPECT_EQ(head.cache_control, options.cache_control);
  EXPECT_EQ(head.metadata["source"], "discord");
  EXPECT_EQ(head.metadata["title"], "Blade Runner still");
  EXPECT_EQ(head.etag, put.etag);

  GetResult got = client.get_object(key);
  EXPECT_EQ(got.body, data);
  EXPECT_EQ(got.info.content_type, "image/jpeg");

  client.delete_object(key);
  try {
    client.head_object(key);
    FAIL() << "HeadObject found a deleted object";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_EQ(e.code(), Errc::s3);
  }
  try {
    client.get_object(key);
    FAIL() << "GetObject found a deleted object";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_EQ(e.s3_code(), "NoSuchKey");
    EXPECT_FALSE(e.request_id().empty());
    EXPECT_NE(std::string(e.what()).find("GetObject " + server_.bucket + "/" + key),
              std::string::npos);
  }
  EXPECT_NO_THROW(client.delete_object(key));  // deleting what is gone is not an error
}

TEST_F(S3ClientTest, ListAllFollowsContinuationTokensAcrossPages) {
  Client client(server_.config());
  std::set<std::string> stored;
  for (int i = 0; i < 23; ++i) {
    const std::string key = prefix_ + "page/" + std::to_string(i) + ".bin";
    client.put_buffer(key, random_bytes(10, static_cast<unsigned>(i)));
    stored.insert(key);
  }
  ListOptions list;
  list.prefix = prefix_ + "page/";
  list.max_keys = 5;  // five pages: four full, one of three
  ListPage all = client.list_all_objects(list);
  std::set<std::string> listed;
  for (const auto& o : all.objects) listed.insert(o.key);
  EXPECT_EQ(all.objects.size(), stored.size());  // no key twice
  EXPECT_EQ(listed, stored);
  EXPECT_FALSE(all.truncated);
}

TEST_F(S3ClientTest, KeysWithSpacesUnicodePlusAndReservedCharacters) {
  Client client(server_.config());
  const std::vector<std::string> names = {"with space.jpg",        "plus+sign+1.png",
                                          "unicodé-ñ-日本語.webp", "tilde~and=equals&amp.txt",
                                          "percent%20literal.bin", "semi;colon,comma'quote(1).gif",
                                          "deep/nested/ key .jpg"};
  std::map<std::string, std::string> stored;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string key = prefix_ + names[i];
    stored[key] = random_bytes(1000 + i, static_cast<unsigned>(i));
    client.put_buffer(key, stored[key]);
  }
  ListOptions list;
  list.prefix = prefix_;
  ListPage page = client.list_all_objects(list);
  std::map<std::string, std::uint64_t> listed;
  for (const auto& o : page.objects) listed[o.key] = o.size;
  ASSERT_EQ(listed.size(), stored.size());
  for (const auto& [key, data] : stored) {
    EXPECT_EQ(listed[key], data.size()) << key;
    EXPECT_EQ(client.get_object(key).body, data) << key;
    EXPECT_EQ(client.head_object(key).content_length, data.size()) << key;
  }
  std::vector<std::string> keys;
  for (const auto& [key, data] : stored) keys.push_back(key);
  DeleteResult deleted = client.delete_objects(keys);
  EXPECT_EQ(deleted.deleted.size(), keys.size());
  EXPECT_TRUE(deleted.failed.empty());
  EXPECT_TRUE(client.list_all_objects(list).objects.empty());
}

TEST_F(S3ClientTest, GetRangesAndGetToFile) {
  Client client(server_.config());
  const std::string key = prefix_ + "ranged.bin";
  const std::string data = random_bytes(300000, 3);
  client.put_buffer(key, data);

  GetResult middle = client.get_object(key, {ByteRange{1000, 1999}});
  EXPECT_EQ(middle.body, data.substr(1000, 1000));
  EXPECT_EQ(middle.info.content_range, "bytes 1000-1999/300000");
  EXPECT_EQ(client.get_object(key, {ByteRange{299990, std::nullopt}}).body, data.substr(299990));

  const std::string path = (dir_ / "download.bin").string();
  ObjectHead info = client.get_object_to_file(key, path);
  EXPECT_EQ(info.content_length, data.size());
  EXPECT_EQ(read_file(path), data);

  // A failed download leaves the destination as it was and no temporary file behind.
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "keep me";
  test::expect_s3_error([&] { client.get_object_to_file(prefix_ + "missing.bin", path); }, 404,
                        "NoSuchKey");
  EXPECT_EQ(read_file(path), "keep me");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u);
}

TEST_F(S3ClientTest, ListObjectsV2PaginatesAndGroupsByDelimiter) {
  Client client(server_.config());
  for (int i = 0; i < 7; ++i) client.put_buffer(prefix_ + "file-" + std::to_string(i), "x");
  client.put_buffer(prefix_ + "sub/a", "a");
  client.put_buffer(prefix_ + "sub/b", "b");

  ListOptions first;
  first.prefix = prefix_;
  first.max_keys = 3;
  ListPage page = client.list_objects(first);
  EXPECT_EQ(page.objects.size(), 3u);
  EXPECT_TRUE(page.truncated);
  EXPECT_FALSE(page.next_continuation_token.empty());

  ListOptions next = first;
  next.continuation_token = page.next_continuation_token;
  ListPage second = client.list_objects(next);
  ASSERT_FALSE(second.objects.empty());
  EXPECT_GT(second.objects.front().key, page.objects.back().key);

  ListPage all = client.list_all_objects(first);  // pages of 3
  EXPECT_EQ(all.objects.size(), 9u);
  EXPECT_FALSE(all.truncated);

  ListOptions grouped;
  grouped.prefix = prefix_;
  grouped.delimiter = "/";
  ListPage dirs = client.list_all_objects(grouped);
  EXPECT_EQ(dirs.objects.size(), 7u);
  ASSERT_EQ(dirs.common_prefixes.size(), 1u);
  EXPECT_EQ(dirs.common_prefixes[0], prefix_ + "sub/");
}

TEST_F(S3ClientTest, DeleteObjectsInBatchesOfAThousand) {
  Config config = server_.config();
  Client client(config);
  std::vector<std::future<PutResult>> puts;
  std::vector<std::string> keys;
  for (int i = 0; i < 1005; ++i) {
    keys.push_back(prefix_ + "k" + std::to_string(i));
    puts.push_back(client.async_put_object(
        keys.back(), BodySource::from_buffer(std::make_shared<const std::string>("v")), {},
        boost::asio::use_future));
  }
  for (auto& f : puts) f.get();
  ListOptions list;
  list.prefix = prefix_;
  ASSERT_EQ(client.list_all_objects(list).objects.size(), keys.size());
  keys.push_back(prefix_ + "never-existed");  // S3 reports it deleted too
  DeleteResult result = client.delete_objects(keys);
  EXPECT_EQ(result.deleted.size(), keys.size());
  EXPECT_TRUE(result.failed.empty());
  EXPECT_TRUE(client.list_all_objects(list).objects.empty());
  EXPECT_TRUE(client.delete_objects({}).deleted.empty());
}

TEST_F(S3ClientTest, CreateBucketAndHeadBucket) {
  Client client(server_.config());
  EXPECT_NO_THROW(client.head_bucket(server_.bucket));
  const std::string bucket = "pindeck-created-" + std::to_string(std::random_device{}() % 100000);
  try {
    client.head_bucket(bucket);
    FAIL() << "HeadBucket found a bucket that was never created";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.http_status(), 404);
  }
  client.create_bucket(bucket);
  EXPECT_NO_THROW(client.head_bucket(bucket));
  Config other = server_.config();
  other.bucket = bucket;
  Client in_new_bucket(other);
  in_new_bucket.put_buffer("hello.txt", "hello");
  EXPECT_EQ(in_new_bucket.get_object("hello.txt").body, "hello");
  in_new_bucket.delete_object("hello.txt");
}

TEST_F(S3ClientTest, MultipartUploadOf64MiBFromAFileInParallelParts) {
  Config config = server_.config();
  config.part_size = 8u << 20;
  config.multipart_threshold = 16u << 20;
  config.max_parallel_parts = 4;
  Client client(config);
  const std::string data = random_bytes(64u << 20, 64);
  const std::string path = write_file("big.bin", data);
  const std::string key = prefix_ + "big.bin";
  PutOptions options;
  options.content_type = "application/x-test";
  options.metadata = {{"kind", "multipart"}};
  PutResult put = client.put_file(key, path, options);
  EXPECT_TRUE(put.multipart);
  EXPECT_EQ(put.parts, 8);
  EXPECT_EQ(put.size, data.size());
  EXPECT_TRUE(put.etag.ends_with("-8\"")) << put.etag;  // S3's multipart ETag

  ObjectHead head = client.head_object(key);
  EXPECT_EQ(head.content_length, data.size());
  EXPECT_EQ(head.content_type, "application/x-test");
  EXPECT_EQ(head.metadata["kind"], "multipart");
  const std::string back = (dir_ / "back.bin").string();
  client.get_object_to_file(key, back);
  EXPECT_TRUE(read_file(back) == data) << "downloaded object differs from the upload";
  client.delete_object(key);
}

TEST_F(S3ClientTest, MultipartOfABufferWithAShortLastPart) {
  Config config = server_.config();
  config.part_size = 5u << 20;
  config.multipart_threshold = 5u << 20;
  Client client(config);
  const std::string data = random_bytes((11u << 20) + 12345, 11);
  const std::string key = prefix_ + "odd.bin";
  PutResult put = client.put_buffer(key, data);
  EXPECT_TRUE(put.multipart);
  EXPECT_EQ(put.parts, 3);
  EXPECT_TRUE(client.get_object(key).body == data);
  client.delete_object(key);
}

TEST_F(S3ClientTest, PresignedGetWorksWithPlainCurlAndOnlyUnaltered) {
  Client client(server_.config());
  const std::string key = prefix_ + "shared image +1 é.jpg";
  const std::string data = random_bytes(5000, 5);
  client.put_buffer(key, data);
  const std::string url = client.presign_get(key, std::chrono::minutes(5));
  EXPECT_NE(url.find("X-Amz-Signature="), std::string::npos);

  const std::string out = (dir_ / "presigned.bin").string();
  const std::string status = run("curl -s -o '" + out + "' -w '%{http_code}' '" + url + "'");
  EXPECT_EQ(status, "200");
  EXPECT_EQ(read_file(out), data);

  // One changed character of the signature and the server refuses.
  std::string tampered = url;
  std::size_t at = tampered.find("X-Amz-Signature=") + 16;
  tampered[at] = tampered[at] == '0' ? '1' : '0';
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' '" + tampered + "'"), "403");
}

TEST_F(S3ClientTest, PresignedPutTakesAPlainCurlUploadAndOnlyForItsKey) {
  Client client(server_.config());
  const std::string key = prefix_ + "dropped in +1 é.bin";
  const std::string data = random_bytes(7000, 6);
  const std::string source = write_file("upload.bin", data);
  const std::string url = client.presign_put(key, std::chrono::minutes(5));
  EXPECT_NE(url.find("X-Amz-Signature="), std::string::npos);

  const std::string status =
      run("curl -s -o /dev/null -w '%{http_code}' -T '" + source + "' '" + url + "'");
  EXPECT_EQ(status, "200");
  EXPECT_EQ(client.get_object(key).body, data);

  // The signature covers the method: the same URL does not let anyone read the object.
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' '" + url + "'"), "403");
  client.delete_object(key);
}

TEST_F(S3ClientTest, WrongSecretIsSignatureDoesNotMatchAndNotRetried) {
  Config config = server_.config();
  config.credentials.secret_key = "not-the-right-secret-key-0000000000000000";
  std::vector<std::string> log;
  config.log = [&log](LogLevel, std::string_view line) { log.emplace_back(line); };
  Client client(config);
  try {
    client.put_buffer(prefix_ + "denied.txt", "nope");
    FAIL() << "a request signed with the wrong secret was accepted";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.code(), Errc::s3);
    EXPECT_EQ(e.http_status(), 403);
    EXPECT_EQ(e.s3_code(), "SignatureDoesNotMatch");
    const std::string what = e.what();
    EXPECT_NE(what.find("PutObject " + server_.bucket + "/" + prefix_ + "denied.txt"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << what;
    EXPECT_EQ(what.find("attempts"), std::string::npos) << "a 403 was retried: " << what;
  }
  // A big body is refused the same way (not mistaken for a network failure mid-body).
  try {
    client.put_buffer(prefix_ + "denied-big.bin", std::string(20u << 20, 'x'));
    FAIL() << "a 20 MiB PUT signed with the wrong secret was accepted";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.s3_code(), "SignatureDoesNotMatch");
  }
  for (const auto& line : log) EXPECT_EQ(line.find("retrying"), std::string::npos) << line;
  // Nothing was stored.
  Client good(server_.config());
  test::expect_s3_error([&] { good.head_object(prefix_ + "denied.txt"); }, 404, "NotFound");
}

// The machine's clock 20 minutes off (radosgw allows 15): the first request is refused with
// RequestTimeTooSkewed (a HEAD with a bare 403), the client takes the server's time from the
// Date header, sends it again, and keeps the correction for every later request.
TEST_F(S3ClientTest, ClockSkewOfTwentyMinutesIsCorrectedOnceFromTheServersDate) {
  for (const auto offset : {std::chrono::minutes(-20), std::chrono::minutes(20)}) {
    for (const bool head_first : {false, true}) {
      SCOPED_TRACE("clock offset " + std::to_string(offset.count()) + " min, " +
                   (head_first ? "HeadBucket" : "PutObject") + " first");
      Config config = server_.config();
      config.initial_clock_offset = offset;
      config.retry.max_attempts = 1;  // the correction is not a retry of the retry policy
      std::vector<std::string> log;
      std::mutex log_mutex;
      config.log = [&](LogLevel, std::string_view line) {
        std::lock_guard lock(log_mutex);
        log.emplace_back(line);
      };
      Client client(config);
      const std::string key = prefix_ + "skew" + std::to_string(offset.count()) +
                              (head_first ? "-head" : "-put") + ".txt";
      if (head_first) client.head_bucket(server_.bucket);
      client.put_buffer(key, "on time");
      EXPECT_EQ(client.get_object(key).body, "on time");
      client.head_bucket(server_.bucket);
      client.delete_object(key);
      std::lock_guard lock(log_mutex);
      const auto corrections = std::count_if(log.begin(), log.end(), [](const std::string& l) {
        return l.find("refused for clock skew") != std::string::npos;
      });
      EXPECT_EQ(corrections, 1) << "corrected " << corrections << " times";
      for (const auto& line : log) {
        if (line.find("refused for clock skew") == std::string::npos) continue;
        EXPECT_NE(line.find(head_first ? "HTTP 403 Forbidden" : "HTTP 403 RequestTimeTooSkewed"),
                  std::string::npos)
            << line;
      }
    }
  }
}

// A refusal that is not about time is not "corrected": a wrong secret with the clock right
// fails once, as before.
TEST_F(S3ClientTest, AWrongSecretOnABodylessHeadIsNotTakenForClockSkew) {
  Config config = server_.config();
  config.credentials.secret_key = "not-the-right-secret-key-0000000000000000";
  std::vector<std::string> log;
  config.log = [&log](LogLevel, std::string_view line) { log.emplace_back(line); };
  Client client(config);
  try {
    client.head_bucket(server_.bucket);
    FAIL() << "a HEAD signed with the wrong secret was accepted";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.http_status(), 403);
  }
  for (const auto& line : log) EXPECT_EQ(line.find("clock skew"), std::string::npos) << line;
}

TEST_F(S3ClientTest, ConfiguredFromTheEnvironment) {
  // PINDECK_S3_* for the endpoint and bucket, the AWS_* fallbacks for the credentials.
  // (read by the library's one environment reader, PersistenceConfig::from_env).
  pindeck::test::ScopedEnv env;
  env.set("PINDECK_S3_ENDPOINT", server_.endpoint.c_str());
  env.set("PINDECK_S3_BUCKET", server_.bucket.c_str());
  env.set("AWS_ACCESS_KEY_ID", server_.access_key.c_str());
  env.set("AWS_SECRET_ACCESS_KEY", server_.secret_key.c_str());
  env.set("AWS_REGION", server_.region.c_str());
  for (const char* name : {"PINDECK_S3_ACCESS_KEY", "PINDECK_S3_SECRET_KEY", "PINDECK_S3_REGION",
                           "PINDECK_S3_SESSION_TOKEN", "AWS_SESSION_TOKEN"}) {
    env.unset(name);
  }
  const PersistenceConfig from_env = PersistenceConfig::from_env();
  ASSERT_TRUE(from_env.s3.has_value());
  Client client(pipeline::s3_client_config(*from_env.s3, from_env.bucket));
  client.put_buffer(prefix_ + "env.txt", "from the environment");
  EXPECT_EQ(client.get_object(prefix_ + "env.txt").body, "from the environment");
  EXPECT_EQ(client.config().to_string().find(server_.secret_key), std::string::npos);
}

TEST_F(S3ClientTest, AsyncFormsWithCallbacksFuturesAndCoroutines) {
  Client client(server_.config());
  std::promise<std::pair<std::exception_ptr, PutResult>> done;
  client.async_put_object(prefix_ + "callback.txt",
                          BodySource::from_buffer(std::make_shared<const std::string>("cb")), {},
                          [&done](std::exception_ptr error, PutResult result) {
                            done.set_value({error, std::move(result)});
                          });
  auto [error, result] = done.get_future().get();
  EXPECT_FALSE(error);
  EXPECT_FALSE(result.etag.empty());

  std::vector<std::future<GetResult>> gets;
  for (int i = 0; i < 16; ++i) {
    gets.push_back(
        client.async_get_object(prefix_ + "callback.txt", "", {}, boost::asio::use_future));
  }
  for (auto& g : gets) EXPECT_EQ(g.get().body, "cb");

  // C++20 coroutines: use_awaitable, with S3 errors thrown at the co_await.
  boost::asio::io_context io;
  std::string awaited;
  int awaited_status = 0;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        GetResult r = co_await client.async_get_object(prefix_ + "callback.txt", "", {},
                                                       boost::asio::use_awaitable);
        awaited = r.body;
        try {
          co_await client.async_head_object(prefix_ + "absent.txt", boost::asio::use_awaitable);
        } catch (const S3Error& e) {
          awaited_status = e.http_status();
        }
      },
      boost::asio::detached);
  io.run();
  EXPECT_EQ(awaited, "cb");
  EXPECT_EQ(awaited_status, 404);

  std::future<void> missing =
      client.async_head_bucket("no-such-bucket-pindeck", boost::asio::use_future);
  test::expect_s3_error([&] { missing.get(); }, 404, "NotFound");

  // A blocking call from a completion handler would wait for itself: refused, not deadlocked.
  std::promise<Errc> refused;
  client.async_delete_object(prefix_ + "callback.txt", [&](std::exception_ptr) {
    try {
      client.head_object(prefix_ + "callback.txt");
      refused.set_value(Errc::conflict);
    } catch (const Error& e) {
      refused.set_value(e.code());
    }
  });
  EXPECT_EQ(refused.get_future().get(), Errc::internal);
}

}  // namespace
}  // namespace pindeck::s3
