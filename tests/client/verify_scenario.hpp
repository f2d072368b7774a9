// SPDX-License-Identifier: Apache-2.0
// The verify-and-repair scenario of issue 12 item 4, run against the local object store and
// against radosgw: two persisted records, one derivative removed, another truncated, a stray
// object added; verify reports exactly those three, repair restores the two (decodable at the
// right width), and the stray goes only when deleting orphans is asked for.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "generated_images.hpp"
#include "pindeck/client.hpp"
#include "pipeline/object_store.hpp"

namespace pindeck::test {

// The bytes of an object, read straight from the store.
inline std::vector<std::byte> object_bytes(pipeline::ObjectStore& store, const std::string& key,
                                           const std::filesystem::path& scratch) {
  const auto file = scratch / "object-copy";
  EXPECT_TRUE(store.read_to_file(key, file)) << key;
  const auto text = [&] {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return std::vector<std::byte>(first, first + text.size());
}

inline int decoded_width(pipeline::ObjectStore& store, const std::string& key,
                         const std::filesystem::path& scratch) {
  const auto bytes = object_bytes(store, key, scratch);
  return vips_image_get_width(decode(bytes).get());
}

// `store` reaches the same objects as `client`'s persistence (started with `config`); `scratch`
// is a directory the test may write.
inline void run_verify_scenario(Client& client, pipeline::ObjectStore& store,
                                const PersistenceConfig& config,
                                const std::filesystem::path& scratch) {
  using namespace std::chrono_literals;
  constexpr int wide = 900;  // wider than small (320), narrower than large (1280)
  constexpr int narrow = 500;
  const auto wide_jpeg = encode(gradient(wide, 600).get(), ".jpg[Q=85]");
  const auto narrow_png = encode(gradient(narrow, 300).get(), ".png");
  Record meta;
  meta.title = "verify wide";
  const Record a = client.wait_persisted(client.upload_bytes(wide_jpeg, meta, "a.jpg").id, 30s);
  meta.title = "verify narrow";
  const Record b = client.wait_persisted(client.upload_bytes(narrow_png, meta, "b.png").id, 30s);
  ASSERT_EQ(a.storage_persist_status, PersistStatus::succeeded)
      << a.storage_persist_error.value_or("");
  ASSERT_EQ(b.storage_persist_status, PersistStatus::succeeded)
      << b.storage_persist_error.value_or("");

  const VerifyReport clean = client.verify();
  EXPECT_TRUE(clean.complete);
  EXPECT_EQ(clean.records_checked, 2u);
  EXPECT_EQ(clean.objects_checked, 10u);
  EXPECT_TRUE(clean.findings.empty());
  EXPECT_TRUE(clean.orphans_checked);
  EXPECT_TRUE(clean.orphans.empty());

  // The damage: a's small derivative removed, b's large cut in half, a stray object beside them.
  const std::string removed = *a.derivative_storage_paths->small;
  const std::string truncated = *b.derivative_storage_paths->large;
  const std::string stray = config.key_prefix + "/2020/01_01/low/stray-w320.webp";
  store.remove(removed);
  auto whole = object_bytes(store, truncated, scratch);
  store.put_bytes(truncated, std::span(whole.data(), whole.size() / 2), "image/webp");
  const std::string junk = "not an image at all";
  store.put_bytes(stray, std::as_bytes(std::span(junk.data(), junk.size())), "image/webp");

  const VerifyReport found = client.verify();
  EXPECT_TRUE(found.complete);
  EXPECT_EQ(found.records_checked, 2u);
  ASSERT_EQ(found.findings.size(), 2u);
  const auto of = [&](const VerifyReport& report, const std::string& key) {
    const auto it = std::find_if(report.findings.begin(), report.findings.end(),
                                 [&](const VerifyFinding& f) { return f.key == key; });
    EXPECT_NE(it, report.findings.end()) << key;
    return it == report.findings.end() ? VerifyFinding{} : *it;
  };
  EXPECT_EQ(of(found, removed).problem, ObjectProblem::missing);
  EXPECT_EQ(of(found, removed).record_id, a.id);
  EXPECT_EQ(of(found, removed).role, ObjectRole::small);
  EXPECT_EQ(of(found, truncated).problem, ObjectProblem::truncated);
  EXPECT_EQ(of(found, truncated).record_id, b.id);
  EXPECT_EQ(of(found, truncated).role, ObjectRole::large);
  EXPECT_EQ(of(found, truncated).repair, RepairOutcome::not_attempted);
  ASSERT_EQ(found.orphans.size(), 1u);
  EXPECT_EQ(found.orphans[0].key, stray);
  EXPECT_FALSE(found.orphans[0].deleted);
  EXPECT_FALSE(store.exists(removed)) << "a verify without repair changed the store";

  VerifyOptions repair;
  repair.repair = true;
  const VerifyReport repaired = client.verify(repair);
  ASSERT_EQ(repaired.findings.size(), 2u);
  EXPECT_EQ(of(repaired, removed).repair, RepairOutcome::repaired)
      << of(repaired, removed).repair_error;
  EXPECT_EQ(of(repaired, truncated).repair, RepairOutcome::repaired)
      << of(repaired, truncated).repair_error;
  ASSERT_EQ(repaired.orphans.size(), 1u);
  EXPECT_FALSE(repaired.orphans[0].deleted);
  EXPECT_TRUE(store.exists(stray)) << "repair deleted an orphan it was not asked to";
  EXPECT_EQ(decoded_width(store, removed, scratch), std::min(320, wide));
  EXPECT_EQ(decoded_width(store, truncated, scratch), std::min(1280, narrow));
  EXPECT_EQ(store.head(removed)->content_type, "image/webp");

  const VerifyReport after = client.verify();
  EXPECT_TRUE(after.findings.empty());
  ASSERT_EQ(after.orphans.size(), 1u);

  VerifyOptions sweep;
  sweep.delete_orphans = true;
  const VerifyReport swept = client.verify(sweep);
  ASSERT_EQ(swept.orphans.size(), 1u);
  EXPECT_TRUE(swept.orphans[0].deleted);
  EXPECT_FALSE(store.exists(stray));
  EXPECT_TRUE(client.verify().orphans.empty());
}

}  // namespace pindeck::test
