// SPDX-License-Identifier: Apache-2.0
// The rest of Pindeck's record (genre, style, shot, aiStatus, likes, views, variationType): their
// rules, their filters, atomic increments from threads and processes, and the counts of stats().
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>
#include <thread>

#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "temp_dir.hpp"

namespace pindeck {
namespace {

class PindeckFieldsTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  Client client = Client::open(dir.path());

  Record add(std::string title, auto&& edit) {
    Record r;
    r.title = std::move(title);
    edit(r);
    return client.create(r);
  }

  std::size_t stored() const {
    RecordQuery all;
    all.limit = 1000;
    return client.list(all).records.size();
  }

  // The message of the refusal `call` throws, checking it is Errc::invalid.
  template <typename Call>
  std::string refusal(Call&& call) {
    try {
      call();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "not refused";
    return "";
  }
};

std::vector<std::string> titles(const RecordPage& page) {
  std::vector<std::string> out;
  for (const auto& r : page.records) out.push_back(r.title);
  std::sort(out.begin(), out.end());
  return out;
}

using Titles = std::vector<std::string>;

TEST_F(PindeckFieldsTest, FieldsRoundTripThroughTheCatalogAndJson) {
  const Record parent = add("parent", [](Record& r) {
    r.genre = "Noir";
    r.style = "35mm Film";
    r.shot = "Medium Shot";
    r.ai_status = AiStatus::completed;
    r.likes = 4;
    r.views = 17;
  });
  const Record child = add("child", [&](Record& r) {
    r.parent_image_id = parent.id;
    r.variation_type = VariationType::shot_type;
  });
  const Record got = client.get(parent.id);
  EXPECT_EQ(got.genre, "Noir");
  EXPECT_EQ(got.style, "35mm Film");
  EXPECT_EQ(got.shot, "Medium Shot");
  EXPECT_EQ(got.ai_status, AiStatus::completed);
  EXPECT_EQ(got.likes, 4);
  EXPECT_EQ(got.views, 17);
  EXPECT_EQ(client.get(child.id).variation_type, VariationType::shot_type);

  const std::string json = record_to_json(got);
  for (const char* part :
       {"\"genre\":\"Noir\"", "\"style\":\"35mm Film\"", "\"shot\":\"Medium Shot\"",
        "\"aiStatus\":\"completed\"", "\"likes\":4", "\"views\":17"}) {
    EXPECT_NE(json.find(part), std::string::npos) << part << " in " << json;
  }
  EXPECT_NE(record_to_json(client.get(child.id)).find("\"variationType\":\"shot_type\""),
            std::string::npos);
  // Pindeck's records always have the counters: a record that never had them shows 0.
  EXPECT_NE(record_to_json(client.get(child.id)).find("\"likes\":0"), std::string::npos);
  EXPECT_EQ(record_from_json(json), got);
}

TEST_F(PindeckFieldsTest, EveryNewFieldIsCheckedAndARefusalStoresNothing) {
  const std::string long_label(101, 'x');
  const std::string hundred = std::string(99, 'x') + "é";  // 100 characters, 101 bytes
  struct Case {
    std::string json;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {R"({"aiStatus":"done"})",
       R"(aiStatus: unknown value "done" (expected queued, processing, completed or failed))"},
      {R"({"variationType":"crop","parentImageId":"x"})",
       R"(variationType: unknown value "crop" (expected shot_type or style))"},
      {std::string(R"({"genre":")").append(long_label).append(R"("})"),
       "genre: must be at most 100 characters (got 101)"},
      {std::string(R"({"style":")").append(long_label).append(R"("})"),
       "style: must be at most 100 characters (got 101)"},
      {std::string(R"({"shot":")").append(long_label).append(R"("})"),
       "shot: must be at most 100 characters (got 101)"},
      {R"({"genre":"No\nir"})", "genre: contains the control character U+000A at character 2"},
      {R"({"style":"a\u001bb"})", "style: contains the control character U+001B at character 1"},
      {R"({"shot":"\u0085"})", "shot: contains the control character U+0085 at character 0"},
      {R"({"shot":""})", "shot: must not be empty when given"},
      {R"({"likes":-1})", "likes: must not be negative (got -1)"},
      {R"({"views":9007199254740992})", "views: must be at most 9007199254740991"},
      {R"({"likes":1.5})", "likes: must be a whole number"},
      {R"({"likes":null})", "likes: must not be null"},
      {R"({"variationType":"style"})", "variationType: is only for a variation"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    const std::string message = refusal([&] { client.create(record_from_json(c.json)); });
    EXPECT_EQ(message.substr(0, c.expected.size()), c.expected) << message;
  }
  EXPECT_EQ(stored(), 0u);

  // At the limit is fine, counted in characters.
  Record ok;
  ok.genre = hundred;
  EXPECT_EQ(client.create(ok).genre, hundred);

  // The same rules for an update, which then changes nothing.
  const Record before = add("kept", [](Record& r) { r.genre = "Drama"; });
  for (const char* patch : {R"({"genre":"a\tb"})", R"({"aiStatus":"idle"})", R"({"views":-5})",
                            R"({"likes":null})", R"({"variationType":"style"})"}) {
    SCOPED_TRACE(patch);
    refusal([&] { client.update(before.id, patch); });
    EXPECT_EQ(client.get(before.id), before);
  }
  // A variation's parent cannot be taken away while it has a variationType.
  const Record child = add("child", [&](Record& r) {
    r.parent_image_id = before.id;
    r.variation_type = VariationType::style;
  });
  EXPECT_NE(refusal([&] {
              client.update(child.id, R"({"parentImageId":null})");
            }).find("variationType: is only for a variation"),
            std::string::npos);
  EXPECT_EQ(
      client.update(child.id, R"({"parentImageId":null,"variationType":null})").variation_type,
      std::nullopt);
}

TEST_F(PindeckFieldsTest, EachNewFilterMatchesExactly) {
  const Record root = add("root", [](Record& r) {
    r.genre = "Noir";
    r.style = "VHS";
    r.shot = "OTS";
    r.ai_status = AiStatus::completed;
  });
  add("noir-16", [](Record& r) {
    r.genre = "Noir";
    r.style = "16mm";
    r.ai_status = AiStatus::processing;
  });
  add("noir-lower", [](Record& r) { r.genre = "noir"; });
  add("shot-var", [&](Record& r) {
    r.parent_image_id = root.id;
    r.variation_type = VariationType::shot_type;
    r.shot = "Extreme Wide";
    r.ai_status = AiStatus::queued;
  });
  add("style-var", [&](Record& r) {
    r.parent_image_id = root.id;
    r.variation_type = VariationType::style;
    r.style = "VHS";
    r.ai_status = AiStatus::failed;
  });
  add("plain", [](Record&) {});

  const auto find = [&](auto&& edit) {
    RecordQuery q;
    edit(q);
    return titles(client.list(q));
  };
  EXPECT_EQ(find([](RecordQuery& q) { q.genre = "Noir"; }), (Titles{"noir-16", "root"}));
  EXPECT_EQ(find([](RecordQuery& q) { q.style = "VHS"; }), (Titles{"root", "style-var"}));
  EXPECT_EQ(find([](RecordQuery& q) { q.shot = "Extreme Wide"; }), (Titles{"shot-var"}));
  EXPECT_EQ(find([](RecordQuery& q) { q.shot = "Extreme"; }), Titles{});
  EXPECT_EQ(find([](RecordQuery& q) { q.ai_status = AiStatus::processing; }), (Titles{"noir-16"}));
  EXPECT_EQ(find([](RecordQuery& q) { q.ai_status = AiStatus::failed; }), (Titles{"style-var"}));
  EXPECT_EQ(find([](RecordQuery& q) { q.variation_type = VariationType::style; }),
            (Titles{"style-var"}));
  EXPECT_EQ(find([](RecordQuery& q) { q.variation_type = VariationType::shot_type; }),
            (Titles{"shot-var"}));
  EXPECT_EQ(find([](RecordQuery& q) {
              q.style = "VHS";
              q.ai_status = AiStatus::completed;
            }),
            (Titles{"root"}));
  EXPECT_EQ(titles(client.search("noir",
                                 [] {
                                   RecordQuery q;
                                   q.genre = "Noir";
                                   return q;
                                 }())),
            (Titles{"noir-16"}));

  // An update moves a record between filters.
  const Record plain = client
                           .list([] {
                             RecordQuery q;
                             q.limit = 1;
                             return q;
                           }())
                           .records.front();
  client.update(plain.id, R"({"genre":"Noir","aiStatus":"processing"})");
  EXPECT_EQ(find([](RecordQuery& q) {
              q.genre = "Noir";
              q.ai_status = AiStatus::processing;
            }),
            (Titles{"noir-16", "plain"}));

  // Deleting by one of them.
  RecordQuery failed;
  failed.ai_status = AiStatus::failed;
  EXPECT_EQ(client.remove_where(failed).records.size(), 1u);
  EXPECT_EQ(stored(), 5u);
}

TEST_F(PindeckFieldsTest, IncrementsAddUpAndRefuseANegativeResult) {
  const Record r = add("counted", [](Record& rec) { rec.likes = 2; });
  EXPECT_EQ(client.increment(r.id, Counter::likes), 3);
  EXPECT_EQ(client.increment(r.id, Counter::likes, 10), 13);
  EXPECT_EQ(client.increment(r.id, Counter::views, 5), 5);
  EXPECT_EQ(client.increment(r.id, Counter::likes, -13), 0);

  const std::string message = refusal([&] { client.increment(r.id, Counter::likes, -1); });
  EXPECT_EQ(message, "likes: 0 - 1 would be negative; the count stays 0");
  EXPECT_EQ(refusal([&] { client.increment(r.id, Counter::views, limits::count); }),
            "views: 5 + 9007199254740991 would be over the limit of 9007199254740991; the count "
            "stays 5");
  const Record got = client.get(r.id);
  EXPECT_EQ(got.likes, 0);
  EXPECT_EQ(got.views, 5);
  // The document and the column agree: a filter-free list reads the document.
  EXPECT_EQ(client.list().records.front().views, 5);

  try {
    client.increment("00000000000000000", Counter::likes);
    FAIL() << "missing record counted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
  }
}

TEST_F(PindeckFieldsTest, IncrementsFromManyThreadsAllCount) {
  const Record r = add("busy", [](Record&) {});
  constexpr int threads = 4, each = 100;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        client.increment(r.id, Counter::likes, t + 1);
        client.increment(r.id, Counter::views);
      }
    });
  }
  for (auto& w : workers) w.join();
  const Record got = client.get(r.id);
  EXPECT_EQ(got.likes, each * (1 + 2 + 3 + 4));
  EXPECT_EQ(got.views, threads * each);
}

// Two child processes and this one, each with its own client on one data directory.
TEST(PindeckFieldsProcesses, IncrementsFromSeveralProcessesAllCount) {
  test::TempDir dir;
  std::string id;
  {
    Record r;
    r.title = "shared";
    id = Client::open(dir.path()).create(r).id;
  }
  constexpr int each = 150;
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      try {
        Client own = Client::open(dir.path());
        for (int i = 0; i < each; ++i) own.increment(id, Counter::views, 2);
      } catch (...) {
        status = 1;
      }
      _exit(status);
    }
    children.push_back(pid);
  }
  Client mine = Client::open(dir.path());
  for (int i = 0; i < each; ++i) mine.increment(id, Counter::views, 1);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(mine.get(id).views, each * 2 + each * 2 + each);
}

// Counts a field of the records in `rows` the way the statistics promise: most common first, then
// by value; records without the field are left out.
std::vector<ValueCount> expected_counts(const std::vector<Record>& rows,
                                        std::optional<std::string> (*field)(const Record&)) {
  std::map<std::string, std::int64_t> counts;
  for (const auto& r : rows) {
    if (auto v = field(r)) ++counts[*v];
  }
  std::vector<ValueCount> out;
  for (const auto& [value, count] : counts) out.push_back({value, count});
  std::stable_sort(out.begin(), out.end(),
                   [](const ValueCount& a, const ValueCount& b) { return a.count > b.count; });
  return out;
}

RecordStats expected_stats(const std::vector<Record>& rows) {
  RecordStats s;
  s.total = static_cast<std::int64_t>(rows.size());
  s.category = expected_counts(rows, [](const Record& r) { return std::optional(r.category); });
  s.group = expected_counts(rows, [](const Record& r) { return r.group; });
  s.genre = expected_counts(rows, [](const Record& r) { return r.genre; });
  s.style = expected_counts(rows, [](const Record& r) { return r.style; });
  s.project_name = expected_counts(rows, [](const Record& r) { return r.project_name; });
  s.moodboard_name = expected_counts(rows, [](const Record& r) { return r.moodboard_name; });
  s.source_type = expected_counts(rows, [](const Record& r) -> std::optional<std::string> {
    if (!r.source_type) return std::nullopt;
    constexpr const char* names[] = {"upload", "discord", "pinterest", "ai"};
    return names[static_cast<int>(*r.source_type)];
  });
  s.status = expected_counts(rows, [](const Record& r) -> std::optional<std::string> {
    if (!r.status) return std::nullopt;
    constexpr const char* names[] = {"active", "draft", "pending", "broken"};
    return names[static_cast<int>(*r.status)];
  });
  return s;
}

TEST_F(PindeckFieldsTest, StatsMatchCountsMadeFromTheRecordsCreated) {
  std::mt19937 random(12);
  const auto pick = [&](const std::vector<const char*>& options) -> std::optional<std::string> {
    const auto i = random() % (options.size() + 1);
    if (i == options.size()) return std::nullopt;
    return std::string(options[i]);
  };
  std::vector<Record> batch;
  for (int i = 0; i < 300; ++i) {
    Record r;
    r.title = std::string("r").append(std::to_string(i));
    r.category = pick({"Film", "Commercial", "Music Video"}).value_or("General");
    r.group = pick({"Film", "Spec", "Moodboard"});
    r.genre = pick({"Noir", "Sci-Fi", "Drama", "Horror"});
    r.style = pick({"35mm Film", "VHS", "Digital"});
    r.project_name = pick({"Kitty Bite Back", "Night Swim"});
    r.moodboard_name = pick({"pink girl smoking"});
    r.source_type = static_cast<SourceType>(random() % 4);
    if (random() % 3 != 0) r.status = static_cast<RecordStatus>(random() % 4);
    r.tags = {random() % 2 ? "warm" : "cold"};
    batch.push_back(r);
  }
  std::vector<Record> created;
  for (auto& result : client.create_batch(batch)) created.push_back(result.record);

  EXPECT_EQ(client.stats(), expected_stats(created));

  std::vector<Record> noir_warm;
  for (const auto& r : created) {
    if (r.genre == "Noir" && r.tags.front() == "warm") noir_warm.push_back(r);
  }
  RecordQuery filter;
  filter.genre = "Noir";
  filter.tags = {"warm"};
  filter.limit = 1;  // ignored: stats count every record the filters select
  const RecordStats got = client.stats(filter);
  EXPECT_EQ(got, expected_stats(noir_warm));
  ASSERT_FALSE(got.genre.empty());
  EXPECT_EQ(got.genre.size(), 1u);
  EXPECT_EQ(got.genre.front().count, got.total);

  RecordQuery nothing;
  nothing.category = "no such category";
  EXPECT_EQ(client.stats(nothing), RecordStats{});

  RecordQuery too_many;
  too_many.tags = std::vector<std::string>(11, "warm");
  EXPECT_NE(refusal([&] { client.stats(too_many); }).find("tags: at most 10"), std::string::npos);
}

}  // namespace
}  // namespace pindeck
