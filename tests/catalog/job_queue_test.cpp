// SPDX-License-Identifier: Apache-2.0
// The durable queue of persist jobs (DESIGN §6) as the pipeline sees it, PersistJobs, on whichever
// catalog backend the run selects (catalog_fixture.hpp): leases, expiry, attempts, ordering,
// retries, failures, backfill order, each job change in one transaction with its record's, and
// processes sharing one catalog.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "catalog/job_queue.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "catalog_fixture.hpp"
#include "expect_error.hpp"
#include "pindeck/error.hpp"

namespace pindeck::catalog {
namespace {

using namespace std::chrono_literals;
using pindeck::test::open_catalog;
using pindeck::test::TempDir;

struct FakeClock {
  std::int64_t now = 1'700'000'000'000;
  util::Clock clock() {
    return [this] { return now; };
  }
};

// A record as an upload leaves it: staged, waiting for its job.
Record staged_upload(const std::string& title) {
  Record record;
  record.title = title;
  record.source_type = SourceType::upload;
  record.storage_provider = StorageProvider::convex;
  record.storage_persist_status = PersistStatus::pending;
  record.storage_id = "0123456789abcdef0123456789abcdef";
  return record;
}

bool keep_record(Record&) {
  return true;
}

struct JobQueueTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<Catalog> catalog = open_catalog(dir.path() / "catalog.sqlite");
  FakeClock time;

  std::unique_ptr<PersistJobs> jobs_of(const std::string& owner, std::chrono::milliseconds lease) {
    return catalog->persist_jobs(owner, lease, time.clock());
  }
  // Inserts a staged record, which queues its job now.
  std::string queued(PersistJobs& jobs, const std::string& title) {
    return jobs.insert_with_job(staged_upload(title)).record.id;
  }
};

TEST_F(JobQueueTest, ClaimTakesTheOldestDueJobOnceAndCountsTheAttempt) {
  auto jobs = jobs_of("worker-a", 30s);
  const auto first_id = queued(*jobs, "first");
  time.now += 1;
  const auto second_id = queued(*jobs, "second");

  auto first = jobs->claim();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->record_id, first_id);
  EXPECT_EQ(first->attempts, 1);
  EXPECT_EQ(first->lease_owner, "worker-a");
  EXPECT_EQ(first->lease_expires_at, time.now + 30000);
  auto second = jobs->claim();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->record_id, second_id);
  EXPECT_FALSE(jobs->claim()) << "a leased job was handed out twice";
  EXPECT_EQ(jobs->counts().queued, 2);
}

TEST_F(JobQueueTest, AnExpiredLeaseIsClaimedAgainAndTheOldHolderCannotComplete) {
  auto crashed = jobs_of("worker-crashed", 10s);
  auto survivor = jobs_of("worker-new", 10s);
  const auto id = queued(*crashed, "a");
  auto lost = crashed->claim();
  ASSERT_TRUE(lost);

  time.now += 9999;
  EXPECT_FALSE(survivor->claim());
  time.now += 1;
  auto taken = survivor->claim();
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->record_id, id);
  EXPECT_EQ(taken->attempts, 2);

  EXPECT_FALSE(crashed->renew(*lost));
  EXPECT_FALSE(crashed->complete(*lost, keep_record));
  EXPECT_TRUE(survivor->find(id));
  EXPECT_TRUE(survivor->complete(*taken, keep_record));
  EXPECT_FALSE(survivor->find(id));
}

TEST_F(JobQueueTest, RenewingKeepsTheLeaseAlive) {
  auto a = jobs_of("a", 10s);
  auto b = jobs_of("b", 10s);
  queued(*a, "a");
  auto job = a->claim();
  ASSERT_TRUE(job);
  for (int i = 0; i < 5; ++i) {
    time.now += 8000;
    ASSERT_TRUE(a->renew(*job));
    EXPECT_FALSE(b->claim());
  }
  EXPECT_EQ(job->lease_expires_at, time.now + 10000);
  EXPECT_EQ(a->find(job->record_id)->lease_expires_at, time.now + 10000);
}

TEST_F(JobQueueTest, RetryLaterWaitsTheDelayAndKeepsTheError) {
  auto jobs = jobs_of("a", 10s);
  queued(*jobs, "a");
  auto job = jobs->claim();
  ASSERT_TRUE(job);
  ASSERT_TRUE(jobs->retry_later(*job, 2000ms, "PutObject: connection refused", keep_record));
  EXPECT_EQ(jobs->next_claimable_at(), time.now + 2000);
  time.now += 1999;
  EXPECT_FALSE(jobs->claim());
  time.now += 1;
  auto again = jobs->claim();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->last_error, "PutObject: connection refused");
}

TEST_F(JobQueueTest, FailedJobsStayUntilRequeuedWithFreshAttempts) {
  auto jobs = jobs_of("a", 10s);
  const auto id = queued(*jobs, "a");
  auto job = jobs->claim();
  ASSERT_TRUE(job);
  ASSERT_TRUE(jobs->fail(*job, "undecodable", FailureKind::permanent, keep_record));
  auto counts = jobs->counts();
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.queued, 0);
  time.now += 3600'000;
  EXPECT_FALSE(jobs->claim());
  EXPECT_EQ(jobs->next_claimable_at(), std::nullopt);

  ASSERT_EQ(jobs->requeue_awaiting_backfill(10, true).size(), 1u);
  auto again = jobs->claim();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->record_id, id);
  EXPECT_EQ(again->attempts, 1);
}

// A record found again by its externalId, and a backfill, are the two ways a record that already
// has a job could be queued again.
// What `pindeck stats --queue` shows of every host sharing a catalog.
TEST_F(JobQueueTest, CountsTellLeasedWaitingAndFailedJobsApartAndPerSite) {
  auto host_a = catalog->persist_jobs("a", 10s, time.clock(), "site-a");
  auto host_b = catalog->persist_jobs("b", 10s, time.clock(), "site-b");
  auto anywhere = jobs_of("shared", 10s);
  queued(*host_a, "a1");
  time.now += 1;
  queued(*host_a, "a2");
  time.now += 1;
  queued(*host_b, "b1");
  time.now += 1;
  queued(*anywhere, "shared");

  auto running = host_a->claim();
  auto deferred = host_a->claim();
  auto given_up = host_b->claim();
  ASSERT_TRUE(running && deferred && given_up);
  ASSERT_TRUE(host_a->retry_later(*deferred, 5s, "connection refused", keep_record));
  ASSERT_TRUE(host_b->fail(*given_up, "undecodable", FailureKind::permanent, keep_record));

  auto counts = anywhere->counts();
  EXPECT_EQ(counts.queued, 3);
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.leased, 1);
  EXPECT_EQ(counts.retry_later, 1);
  EXPECT_EQ(counts.queued_by_site, (std::map<std::string, std::int64_t>{{"", 1}, {"site-a", 2}}));

  // The lease runs out and the retry comes due: both are waiting for any worker of site-a.
  time.now += 10000;
  counts = host_b->counts();
  EXPECT_EQ(counts.queued, 3);
  EXPECT_EQ(counts.leased, 0);
  EXPECT_EQ(counts.retry_later, 0);
}

TEST_F(JobQueueTest, QueueingAgainLeavesARunningJobAndItsLeaseAlone) {
  auto a = jobs_of("a", 10s);
  auto b = jobs_of("b", 10s);
  Record record = staged_upload("a");
  record.external_id = "import:1";
  const auto id = a->insert_with_job(record).record.id;
  auto job = a->claim();
  ASSERT_TRUE(job);
  EXPECT_FALSE(b->insert_with_job(record).created);
  EXPECT_TRUE(b->requeue_awaiting_backfill(10, true).empty());
  EXPECT_FALSE(b->claim()) << "requeueing a running job handed it to a second worker";
  EXPECT_EQ(b->find(id)->lease_owner, "a");
  EXPECT_EQ(b->find(id)->attempts, 1);
  EXPECT_TRUE(a->complete(*job, keep_record));
}

// The job change runs first and the record's change after it: a record change refused at the end
// must take the job change back with it.
TEST_F(JobQueueTest, ARefusedRecordChangeTakesTheJobChangeBack) {
  auto jobs = jobs_of("a", 10s);
  const auto id = queued(*jobs, "a");
  auto job = jobs->claim();
  ASSERT_TRUE(job);
  const auto invalid_colours = [](Record& record) {
    record.colors = std::vector<std::string>{"#GGGGGG"};
    return true;
  };
  test::expect_error([&] { jobs->complete(*job, invalid_colours); }, Errc::invalid, "colors");
  test::expect_error([&] { jobs->fail(*job, "boom", FailureKind::transient, invalid_colours); },
                     Errc::invalid, "colors");
  const auto kept = jobs->find(id);
  ASSERT_TRUE(kept) << "the job was completed although its record change was refused";
  EXPECT_EQ(kept->lease_owner, "a");
  EXPECT_FALSE(kept->failure);
  EXPECT_EQ(jobs->counts().failed, 0);
  EXPECT_FALSE(catalog->get(id).colors);
  EXPECT_TRUE(jobs->complete(*job, keep_record));
}

TEST_F(JobQueueTest, DeletingTheRecordDeletesItsJob) {
  auto jobs = jobs_of("a", 10s);
  const auto id = queued(*jobs, "a");
  EXPECT_TRUE(jobs->find(id));
  catalog->remove_records({id}, false, false);
  EXPECT_FALSE(jobs->find(id));
  EXPECT_EQ(jobs->counts().queued, 0);
  EXPECT_FALSE(jobs->claim());
}

// Several processes on one catalog drain a queue together; each job must be claimed by exactly one
// of them.
TEST_F(JobQueueTest, ProcessesSharingTheCatalogNeverClaimTheSameJob) {
  constexpr int jobs = 200;
  constexpr int processes = 4;
  {
    auto setup = catalog->persist_jobs("setup", 60s);
    // Appended, not "r" + ...: GCC 12 at -O3 reports a false -Wrestrict inside
    // operator+(const char*, std::string&&) here (GCC bug 105329).
    for (int i = 0; i < jobs; ++i)
      setup->insert_with_job(staged_upload(std::string("r").append(std::to_string(i))));
  }
  const auto path = dir.path() / "catalog.sqlite";
  // The children start together (when the parent closes the pipe) and each job takes a moment,
  // so they really compete.
  int start_gate[2];
  ASSERT_EQ(pipe(start_gate), 0);
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      close(start_gate[1]);
      char byte;
      while (read(start_gate[0], &byte, 1) > 0) {
      }
      try {
        auto mine = open_catalog(path);
        auto queue = mine->persist_jobs("proc-" + std::to_string(p), 60s);
        std::ofstream log(dir.path() / ("claimed-" + std::to_string(p)));
        while (auto job = queue->claim()) {
          log << job->record_id << '\n' << std::flush;
          usleep(1000);
          if (!queue->complete(*job, keep_record)) status = 2;
        }
      } catch (...) {
        status = 3;
      }
      _exit(status);
    }
    children.push_back(pid);
  }
  close(start_gate[0]);
  close(start_gate[1]);
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  std::multiset<std::string> claimed;
  int busy_processes = 0;
  for (int p = 0; p < processes; ++p) {
    std::ifstream log(dir.path() / ("claimed-" + std::to_string(p)));
    std::string id;
    int mine = 0;
    while (std::getline(log, id)) {
      claimed.insert(id);
      ++mine;
    }
    busy_processes += mine > 0;
  }
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(jobs));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(),
            static_cast<std::size_t>(jobs))
      << "some job was claimed twice";
  EXPECT_GE(busy_processes, 2);
}

// A job row names a record of the same catalog: SQLite's foreign key refuses any other. The
// PersistJobs interface has no way to name a record that does not exist, so this is a check of the
// SQLite schema alone.
TEST(SqliteJobQueue, AJobNeedsAnExistingRecord) {
  TempDir dir;
  auto catalog = SqliteCatalog::open(dir.path() / "catalog.sqlite");
  JobQueue queue("a", 10s);
  test::expect_error(
      [&] { catalog->write([&](Database& db) { queue.enqueue(db, "no-such-record"); }); },
      Errc::conflict, "FOREIGN KEY constraint failed");
  EXPECT_EQ(catalog->persist_jobs("a", 10s)->counts().queued, 0);
}

TEST_F(JobQueueTest, InsertWithJobQueuesOnlyWhenTheRecordIsNew) {
  auto jobs = catalog->persist_jobs("a", 10s, time.clock());
  Record record = staged_upload("first");
  record.external_id = "import:1";
  const auto created = jobs->insert_with_job(record);
  ASSERT_TRUE(created.created);
  EXPECT_TRUE(jobs->find(created.record.id));
  ASSERT_TRUE(jobs->complete(*jobs->claim(), [](Record&) { return true; }));
  const auto again = jobs->insert_with_job(record);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.record.id, created.record.id);
  EXPECT_FALSE(jobs->find(created.record.id)) << "an existing record got a second job";
}

TEST_F(JobQueueTest, EndingAJobChangesTheRecordInTheSameTransaction) {
  auto jobs = catalog->persist_jobs("a", 10s, time.clock());
  const auto id = jobs->insert_with_job(staged_upload("r")).record.id;
  const auto job = jobs->claim();
  ASSERT_TRUE(job);

  // An edit that declines changes neither the record nor the job.
  EXPECT_FALSE(jobs->complete(*job, [](Record& record) {
    record.title = "changed";
    return false;
  }));
  EXPECT_EQ(catalog->get(id).title, "r");
  EXPECT_TRUE(jobs->find(id));

  EXPECT_TRUE(jobs->retry_later(*job, 5s, "server down", [](Record& record) {
    record.storage_persist_error = "server down";
    return true;
  }));
  EXPECT_EQ(catalog->get(id).storage_persist_error, "server down");
  EXPECT_EQ(jobs->find(id)->last_error, "server down");

  time.now += 5'000;
  const auto again = jobs->claim();
  ASSERT_TRUE(again);
  EXPECT_TRUE(jobs->fail(*again, "gave up", FailureKind::transient, [](Record& record) {
    record.storage_persist_status = PersistStatus::failed;
    return true;
  }));
  EXPECT_EQ(catalog->get(id).storage_persist_status, PersistStatus::failed);
  EXPECT_EQ(jobs->counts().failed, 1);
}

TEST_F(JobQueueTest, AnOwnerThatLostTheLeaseCannotEndTheJob) {
  auto crashed = catalog->persist_jobs("crashed", 10s, time.clock());
  auto survivor = catalog->persist_jobs("survivor", 10s, time.clock());
  const auto id = crashed->insert_with_job(staged_upload("r")).record.id;
  const auto lost = crashed->claim();
  ASSERT_TRUE(lost);
  time.now += 10'001;
  const auto taken = survivor->claim();
  ASSERT_TRUE(taken);
  EXPECT_FALSE(crashed->complete(*lost, [](Record& record) {
    record.title = "from the crashed owner";
    return true;
  }));
  EXPECT_EQ(catalog->get(id).title, "r");
  EXPECT_TRUE(survivor->complete(*taken, [](Record&) { return true; }));
  EXPECT_EQ(survivor->counts().queued, 0);
}

TEST_F(JobQueueTest, BackfillRequeuesOnlyRecordsNotYetDurableOfEverySourceType) {
  auto jobs = catalog->persist_jobs("a", 10s, time.clock());
  const auto failed = jobs->insert_with_job(staged_upload("failed")).record.id;
  ASSERT_TRUE(jobs->fail(*jobs->claim(), "boom", FailureKind::transient, [](Record& record) {
    record.storage_persist_status = PersistStatus::failed;
    return true;
  }));
  EXPECT_EQ(jobs->find(failed)->failure, FailureKind::transient);
  const auto waiting = jobs->insert_with_job(staged_upload("still queued")).record.id;
  Record durable = staged_upload("durable");
  durable.storage_provider = StorageProvider::rustfs;
  durable.storage_id.reset();
  catalog->insert(durable);
  // Not only uploads: an image a host uploaded as sourceType "ai" (or imported from Discord) is
  // as much in need of persistence.
  Record ai = staged_upload("generated");
  ai.source_type = SourceType::ai;
  const auto ai_id = catalog->insert(ai).record.id;
  Record discord = staged_upload("from discord");
  discord.source_type = SourceType::discord;
  const auto discord_id = catalog->insert(discord).record.id;

  EXPECT_EQ(jobs->staged_ids_in_use().size(), 1u) << "every staged record names the same id";
  const auto requeued = jobs->requeue_awaiting_backfill(50, false);
  ASSERT_EQ(requeued.size(), 3u);
  for (const auto& record : requeued)
    EXPECT_EQ(record.storage_persist_status, PersistStatus::pending) << "returned as stored";
  EXPECT_TRUE(std::ranges::any_of(requeued, [&](const Record& r) { return r.id == failed; }));
  EXPECT_EQ(catalog->get(failed).storage_persist_status, PersistStatus::pending);
  EXPECT_FALSE(jobs->find(failed)->failure) << "a queued job keeps its old failure kind";
  EXPECT_TRUE(jobs->find(ai_id));
  EXPECT_TRUE(jobs->find(discord_id));
  EXPECT_EQ(jobs->counts().queued, 4);
  EXPECT_TRUE(jobs->find(waiting));
  EXPECT_EQ(jobs->requeue_awaiting_backfill(50, false).size(), 0u)
      << "a queued job was queued again";
}

// Inserts a staged record uploaded at `uploaded_at`, claims its job and fails it with `kind`.
std::string failed_record(PersistJobs& jobs, const std::string& title, std::int64_t uploaded_at,
                          FailureKind kind) {
  Record record = staged_upload(title);
  record.uploaded_at = uploaded_at;
  const auto id = jobs.insert_with_job(record).record.id;
  const auto job = jobs.claim();
  EXPECT_TRUE(job && job->record_id == id);
  EXPECT_TRUE(jobs.fail(*job, "failed: " + title, kind, [](Record& r) {
    r.storage_persist_status = PersistStatus::failed;
    return true;
  }));
  return id;
}

// Claims every queued job and fails it again as `kind`: a backfill whose jobs did not heal.
std::set<std::string> fail_everything_queued(PersistJobs& jobs, FailureKind kind) {
  std::set<std::string> ids;
  while (auto job = jobs.claim()) {
    ids.insert(job->record_id);
    EXPECT_TRUE(jobs.fail(*job, "failed again", kind, [](Record&) { return true; }));
  }
  return ids;
}

// Issue 14, item 2: with 55 (then 200) records that failed for good, all older than one that
// failed for a reason that may heal, three backfills of the default limit never reached it.
TEST_F(JobQueueTest, PermanentFailuresOlderThanARetryableOneNeverStarveIt) {
  for (const int permanent_count : {55, 200}) {
    SCOPED_TRACE(std::to_string(permanent_count) + " permanent failures");
    TempDir scratch;
    auto own = open_catalog(scratch.path() / "catalog.sqlite");
    auto jobs = own->persist_jobs("a", 10s, time.clock());
    std::vector<std::string> permanent_in_age_order;
    for (int i = 0; i < permanent_count; ++i) {
      permanent_in_age_order.push_back(failed_record(*jobs, "undecodable " + std::to_string(i),
                                                     1'000 + i, FailureKind::permanent));
    }
    const auto retryable =
        failed_record(*jobs, "server was down", 1'000'000, FailureKind::transient);
    for (int backfill = 0; backfill < 3; ++backfill) {
      time.now += 1000;
      EXPECT_EQ(jobs->requeue_awaiting_backfill(50, false).size(), 1u) << "backfill " << backfill;
      EXPECT_EQ(fail_everything_queued(*jobs, FailureKind::transient),
                std::set<std::string>{retryable})
          << "backfill " << backfill;
    }
    // Asked for, the permanent ones come too, after the retryable one, oldest first.
    time.now += 1000;
    EXPECT_EQ(jobs->requeue_awaiting_backfill(1, true).size(), 1u);
    EXPECT_EQ(fail_everything_queued(*jobs, FailureKind::transient),
              std::set<std::string>{retryable})
        << "the retryable record did not come first";
    time.now += 1000;
    EXPECT_EQ(jobs->requeue_awaiting_backfill(50, true).size(), 50u);
    auto picked = fail_everything_queued(*jobs, FailureKind::permanent);
    EXPECT_TRUE(picked.erase(retryable));
    const std::set<std::string> oldest_permanent(permanent_in_age_order.begin(),
                                                 permanent_in_age_order.begin() + 49);
    EXPECT_EQ(picked, oldest_permanent);
  }
}

// A backfill never picks the same records forever: records it requeued that failed again go after
// those it has not tried lately, so repeated backfills go round every retryable record, and one
// backfill never requeues a record twice.
TEST_F(JobQueueTest, RepeatedBackfillsGoRoundEveryRetryableRecord) {
  auto jobs = catalog->persist_jobs("a", 10s, time.clock());
  std::set<std::string> retryable;
  for (int i = 0; i < 120; ++i) {
    retryable.insert(failed_record(*jobs, std::string("r").append(std::to_string(i)), 5'000 + i,
                                   i % 2 ? FailureKind::transient : FailureKind::configuration));
  }
  for (int i = 0; i < 200; ++i) {
    failed_record(*jobs, std::string("p").append(std::to_string(i)), 1'000 + i,
                  FailureKind::permanent);
  }
  std::set<std::string> reached;
  for (int backfill = 0; backfill < 3; ++backfill) {
    time.now += 1000;
    const int count = static_cast<int>(jobs->requeue_awaiting_backfill(50, false).size());
    EXPECT_EQ(count, 50) << "backfill " << backfill;
    const auto picked = fail_everything_queued(*jobs, FailureKind::transient);
    EXPECT_EQ(static_cast<int>(picked.size()), count) << "a record was requeued twice";
    for (const auto& id : picked) EXPECT_TRUE(retryable.contains(id)) << "a permanent one came";
    reached.insert(picked.begin(), picked.end());
  }
  EXPECT_EQ(reached, retryable) << "three backfills of 50 did not reach all 120 retryable records";
}

}  // namespace
}  // namespace pindeck::catalog
