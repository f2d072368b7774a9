// SPDX-License-Identifier: Apache-2.0
#include "lineage_commands.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "output.hpp"
#include "pindeck/client.hpp"

namespace pindeck_cli {

namespace {

using nlohmann::json;
using pindeck::Record;

json record_json(const Record& record) {
  return json::parse(pindeck::record_to_json(record));
}

std::string line(const Record& record) {
  std::string text = record.id;
  text += "  ";
  text += printable(record.title);
  return text;
}

// The family as a tree under its root, each generation indented two more spaces, `marked` (the
// record asked about) flagged.
void print_family_tree(std::ostream& out, const pindeck::Family& family,
                       const std::string& marked) {
  std::map<std::string, std::vector<const Record*>> children;
  for (const auto& record : family.records) {
    if (record.parent_image_id) children[*record.parent_image_id].push_back(&record);
  }
  auto print = [&](auto& self, const Record& record, std::size_t depth) -> void {
    out << std::string(2 * (depth + 1), ' ') << line(record);
    if (record.id == marked) out << "  <- this record";
    out << '\n';
    for (const Record* child : children[record.id]) self(self, *child, depth + 1);
  };
  print(print, family.root, 0);
  if (!family.complete) {
    out << "  (only the nearest " << family.records.size()
        << " records of a larger family are shown)\n";
  }
}

int run_lineage(pindeck::Client& client, const LineageCommands& c, bool json_out, bool swatches) {
  const Record record = client.get(c.id);
  const auto parent = client.parent(c.id);
  pindeck::RecordQuery query;
  query.limit = c.limit;
  query.cursor = c.cursor;
  const auto children = client.children(c.id, query);
  const auto family = client.family(c.id);
  if (json_out) {
    json family_records = json::array();
    for (const auto& r : family.records) family_records.push_back(record_json(r));
    json child_records = json::array();
    for (const auto& r : children.records) child_records.push_back(record_json(r));
    const json answer = {
        {"record", record_json(record)},
        {"parent", parent ? record_json(*parent) : json(nullptr)},
        {"root", record_json(family.root)},
        {"children",
         {{"records", child_records},
          {"nextCursor", children.next_cursor ? json(*children.next_cursor) : json(nullptr)}}},
        {"family",
         {{"rootId", family.root.id}, {"records", family_records}, {"complete", family.complete}}}};
    std::cout << answer.dump(2) << '\n';
    return 0;
  }
  std::cout << "record    " << line(record) << '\n';
  std::cout << "parent    " << (parent ? line(*parent) : std::string("none (an original)")) << '\n';
  std::cout << "root      " << line(family.root) << '\n';
  if (children.records.empty() && !c.cursor) {
    std::cout << "children  none\n";
  } else {
    std::cout << "children  (newest first)\n";
    print_table(std::cout, children, swatches);
  }
  std::cout << "family    " << family.records.size() << " record(s)\n";
  print_family_tree(std::cout, family, record.id);
  return 0;
}

int run_project_order(pindeck::Client& client, const LineageCommands& c, bool json_out) {
  const std::size_t changed = client.set_project_order(c.project, c.ids);
  if (json_out) {
    std::cout << json{{"project", c.project}, {"ordered", c.ids}, {"changed", changed}}.dump(2)
              << '\n';
    return 0;
  }
  std::cout << "project " << printable(c.project) << ": " << c.ids.size()
            << " record(s) put first in the given order; " << changed
            << " record(s) changed position\n";
  for (std::size_t i = 0; i < c.ids.size(); ++i) std::cout << i << "  " << c.ids[i] << '\n';
  return 0;
}

}  // namespace

void add_lineage_commands(CLI::App& app, LineageCommands& c, bool& json_out) {
  c.lineage = app.add_subcommand(
      "lineage", "a record's parent, root, children and whole family (variations and originals)");
  c.lineage->add_option("ID", c.id, "record id")->required();
  c.lineage->add_option("--limit", c.limit, "children per page")->check(CLI::Range(1, 1000));
  c.lineage->add_option("--cursor", c.cursor, "children after the page that printed this cursor");
  c.lineage->add_flag("--json", json_out,
                      "print {\"record\", \"parent\", \"root\", \"children\", \"family\"}");

  auto* project = app.add_subcommand("project", "project rows");
  project->require_subcommand(1);
  c.project_order = project->add_subcommand(
      "order",
      "put records of a project in this order (projectOrder 0, 1, ...); the project's "
      "other records follow them");
  c.project_order->add_option("NAME", c.project, "project name")->required();
  c.project_order->add_option("ID", c.ids, "record ids, in the order wanted")->required();
  c.project_order->add_flag("--json", json_out,
                            "print {\"project\", \"ordered\": [ids], \"changed\": N}");
}

std::optional<int> run_lineage_command(const LineageCommands& c, pindeck::Client& client,
                                       bool json_out, bool palette_swatches) {
  if (*c.lineage) return run_lineage(client, c, json_out, palette_swatches);
  if (*c.project_order) return run_project_order(client, c, json_out);
  return std::nullopt;
}

}  // namespace pindeck_cli
