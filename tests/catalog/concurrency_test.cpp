// SPDX-License-Identifier: Apache-2.0
// One catalog used by many threads, and one file used by two processes at once.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

std::vector<Record> everything(const Client& client) {
  std::vector<Record> all;
  RecordQuery q;
  q.limit = 1000;
  for (;;) {
    auto page = client.list(q);
    all.insert(all.end(), page.records.begin(), page.records.end());
    if (!page.next_cursor) return all;
    q.cursor = page.next_cursor;
  }
}

TEST(Concurrency, ManyThreadsOnOneClient) {
  test::TempDir dir;
  Client client = Client::open(dir.path());
  constexpr int threads = 8;
  constexpr int per_thread = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        for (int i = 0; i < per_thread; ++i) {
          Record r;
          // Appended, not "n" + ...: GCC 12 at -O3 reports a false -Wrestrict inside
          // operator+(const char*, std::string&&) with a one-letter literal (GCC bug 105329).
          const std::string n = std::string("n").append(std::to_string(i));
          r.title = std::string("t").append(std::to_string(t)) + " " + n;
          r.tags = {"thread-" + std::to_string(t)};
          // Every thread also races for the same shared keys.
          if (i % 10 == 0) r.external_id = "shared-" + std::to_string(i);
          Record stored = client.create(r);
          if (client.get(stored.id).id != stored.id) ++failures;
          client.update(stored.id, R"({"description":"touched"})");
          RecordQuery q;
          q.tags = {"thread-" + std::to_string(t)};
          q.limit = 5;
          client.list(q);
          client.search(n);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = everything(client);
  // 6 shared externalIds, each stored once; every other record once per thread.
  EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * (per_thread - 6) + 6));
  std::set<std::string> ids;
  for (const auto& r : all) ids.insert(r.id);
  EXPECT_EQ(ids.size(), all.size());
}

// Inserts `count` records named by `who` plus the shared keys, exiting non-zero on any error.
int insert_from_process(const std::filesystem::path& dir, const std::string& who, int count) {
  try {
    Client client = Client::open(dir);
    for (int i = 0; i < count; ++i) {
      Record r;
      r.title = who + " " + std::to_string(i);
      r.external_id = (i % 4 == 0) ? "both-" + std::to_string(i) : who + "-" + std::to_string(i);
      client.create(r);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", who.c_str(), e.what());
    return 1;
  }
}

TEST(Concurrency, TwoProcessesOnOneFile) {
  test::TempDir dir;
  Client::open(dir.path());  // both processes then open an existing catalog, and one may migrate
  constexpr int count = 200;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(insert_from_process(dir.path(), "child", count));
  int parent_rc = insert_from_process(dir.path(), "parent", count);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(parent_rc, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  auto all = everything(Client::open(dir.path()));
  // 50 "both-" keys are stored once; the other 150 of each process once each.
  EXPECT_EQ(all.size(), static_cast<std::size_t>(50 + 150 * 2));
}

TEST(Concurrency, TwoProcessesCreatingTheSameNewCatalog) {
  test::TempDir dir;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(insert_from_process(dir.path() / "fresh", "child", 20));
  int parent_rc = insert_from_process(dir.path() / "fresh", "parent", 20);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(parent_rc, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(everything(Client::open(dir.path() / "fresh")).size(), 5u + 15u * 2u);
}

}  // namespace
}  // namespace pindeck
