// SPDX-License-Identifier: Apache-2.0
// Partial updates of a record.
#include <gtest/gtest.h>

#include "model/patch.hpp"
#include "model/record_json.hpp"
#include "pindeck/error.hpp"

namespace pindeck::model {
namespace {

using nlohmann::json;

Record stored() {
  Record r;
  r.id = "0mf3k2abcdxyz1234";
  r.unique_id = "img-1-abcdefg";
  r.uploaded_at = 1700000000000;
  r.title = "Flow";
  r.description = "a river";
  r.tags = {"water"};
  return r;
}

std::string refusal(const json& patch) {
  try {
    apply_patch(stored(), patch);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid);
    return e.what();
  }
  return "";
}

TEST(Patch, ChangesOnlyTheNamedFields) {
  Record r = apply_patch(stored(), json{{"title", "Flow 2"}, {"projectOrder", 1}});
  EXPECT_EQ(r.title, "Flow 2");
  EXPECT_EQ(r.project_order, 1);
  EXPECT_EQ(r.description, "a river");
  EXPECT_EQ(r.tags, std::vector<std::string>{"water"});
  EXPECT_EQ(r.id, stored().id);
}

TEST(Patch, NullUnsetsAnOptionalField) {
  Record r = apply_patch(stored(), json{{"description", nullptr}});
  EXPECT_FALSE(r.description.has_value());
  EXPECT_FALSE(to_json(r).contains("description"));
}

TEST(Patch, RefusesWhatCannotChange) {
  EXPECT_EQ(refusal(json{{"id", "other"}}), "id: is assigned by the library and cannot be changed");
  EXPECT_EQ(refusal(json{{"title", nullptr}}), "title: cannot be unset");
  EXPECT_EQ(refusal(json{{"tags", nullptr}}), "tags: cannot be unset");
  EXPECT_EQ(refusal(json{{"nope", nullptr}}), "nope: unknown field");
  EXPECT_EQ(refusal(json{{"status", "gone"}}).substr(0, 30), "status: unknown value \"gone\" (");
  EXPECT_EQ(refusal(json::array()), "patch: must be a JSON object, not array");
}

TEST(Patch, SameIdIsAllowed) {
  EXPECT_EQ(apply_patch(stored(), json{{"id", stored().id}}).id, stored().id);
}

}  // namespace
}  // namespace pindeck::model
