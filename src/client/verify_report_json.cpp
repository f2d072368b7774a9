// SPDX-License-Identifier: Apache-2.0
#include "client/verify_report_json.hpp"

#include <array>
#include <string_view>

#include "pindeck/error.hpp"

namespace pindeck {

namespace {

using nlohmann::json;

constexpr std::array<const char*, 5> role_names{"original", "preview", "small", "medium", "large"};
constexpr std::array<const char*, 3> problem_names{"missing", "truncated", "wrongContentType"};
constexpr std::array<const char*, 4> repair_names{"notAttempted", "repaired", "unrepairable",
                                                  "failed"};

template <typename Enum, std::size_t N>
Enum parse(const std::array<const char*, N>& names, const json& value, const char* field) {
  if (value.is_string()) {
    for (std::size_t i = 0; i < N; ++i) {
      if (value.get<std::string>() == names[i]) return static_cast<Enum>(i);
    }
  }
  throw Error(Errc::invalid,
              std::string("verify report: ") + field + ": unknown value " + value.dump());
}

}  // namespace

const char* to_string(ObjectRole role) {
  return role_names.at(static_cast<std::size_t>(role));
}
const char* to_string(ObjectProblem problem) {
  return problem_names.at(static_cast<std::size_t>(problem));
}
const char* to_string(RepairOutcome outcome) {
  return repair_names.at(static_cast<std::size_t>(outcome));
}

std::string verify_report_to_json(const VerifyReport& report) {
  return client::verify_report_json(report).dump();
}

namespace client {

json verify_report_json(const VerifyReport& report) {
  json findings = json::array();
  for (const auto& f : report.findings) {
    json entry = {{"recordId", f.record_id},
                  {"role", to_string(f.role)},
                  {"key", f.key},
                  {"problem", to_string(f.problem)},
                  {"detail", f.detail},
                  {"repair", to_string(f.repair)}};
    if (!f.repair_error.empty()) entry["repairError"] = f.repair_error;
    findings.push_back(std::move(entry));
  }
  json orphans = json::array();
  for (const auto& o : report.orphans) orphans.push_back({{"key", o.key}, {"deleted", o.deleted}});
  return {{"complete", report.complete},
          {"resumed", report.resumed},
          {"recordsChecked", report.records_checked},
          {"recordsNotPersisted", report.records_not_persisted},
          {"recordsOtherStore", report.records_other_store},
          {"objectsChecked", report.objects_checked},
          {"findings", std::move(findings)},
          {"orphansChecked", report.orphans_checked},
          {"orphans", std::move(orphans)}};
}

VerifyReport verify_report_from_json(const json& in) {
  try {
    VerifyReport report;
    report.complete = in.at("complete").get<bool>();
    report.resumed = in.at("resumed").get<bool>();
    report.records_checked = in.at("recordsChecked").get<std::size_t>();
    report.records_not_persisted = in.at("recordsNotPersisted").get<std::size_t>();
    report.records_other_store = in.at("recordsOtherStore").get<std::size_t>();
    report.objects_checked = in.at("objectsChecked").get<std::size_t>();
    for (const auto& entry : in.at("findings")) {
      VerifyFinding f;
      f.record_id = entry.at("recordId").get<std::string>();
      f.role = parse<ObjectRole>(role_names, entry.at("role"), "role");
      f.key = entry.at("key").get<std::string>();
      f.problem = parse<ObjectProblem>(problem_names, entry.at("problem"), "problem");
      f.detail = entry.at("detail").get<std::string>();
      f.repair = parse<RepairOutcome>(repair_names, entry.at("repair"), "repair");
      f.repair_error = entry.value("repairError", std::string());
      report.findings.push_back(std::move(f));
    }
    report.orphans_checked = in.at("orphansChecked").get<bool>();
    for (const auto& entry : in.at("orphans")) {
      report.orphans.push_back(
          {entry.at("key").get<std::string>(), entry.at("deleted").get<bool>()});
    }
    return report;
  } catch (const json::exception& e) {
    throw Error(Errc::invalid, std::string("verify report: ") + e.what());
  }
}

}  // namespace client

}  // namespace pindeck
