// SPDX-License-Identifier: Apache-2.0
// pindeck: the command-line face of libpindeck.
//
//   pindeck [--data-dir DIR] upload FILE... [--title T] [--tags a,b] [--category C] ...
//                                    [--wait] [--json]
//   pindeck [--data-dir DIR] list [filters] [--json]
//   pindeck [--data-dir DIR] show ID [--json]
//   pindeck [--data-dir DIR] search TEXT [filters] [--json]
//   pindeck [--data-dir DIR] backfill [--limit N] [--wait] [--json]
//   pindeck [--data-dir DIR] delete ID... [--family] [--dry-run] [--json]
//   pindeck [--data-dir DIR] delete --where [filters] [--family] [--dry-run] [--json]
//   pindeck [--data-dir DIR] stats [filters] [--json]
//   pindeck [--data-dir DIR] like|view ID [--by N] [--json]
//
// Exit status: 0 done, 1 the library or the file system refused (message on stderr), 2 usage
// (including an option value the record would refuse).
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "delete_command.hpp"
#include "output.hpp"
#include "persist_commands.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_error = 1;
constexpr int exit_usage = 2;

struct FindOptions {
  std::optional<std::string> category, group, project, moodboard, source_type, status, genre, style,
      shot, ai_status, variation_type, cursor;
  std::vector<std::string> tags;
  bool originals = false;
  std::string order = "uploadedAt";
  int limit = 50;
};

const std::map<std::string, pindeck::SourceType> source_types{
    {"upload", pindeck::SourceType::upload},
    {"discord", pindeck::SourceType::discord},
    {"pinterest", pindeck::SourceType::pinterest},
    {"ai", pindeck::SourceType::ai}};
const std::map<std::string, pindeck::RecordStatus> statuses{
    {"active", pindeck::RecordStatus::active},
    {"draft", pindeck::RecordStatus::draft},
    {"pending", pindeck::RecordStatus::pending},
    {"broken", pindeck::RecordStatus::broken}};
const std::map<std::string, pindeck::AiStatus> ai_statuses{
    {"queued", pindeck::AiStatus::queued},
    {"processing", pindeck::AiStatus::processing},
    {"completed", pindeck::AiStatus::completed},
    {"failed", pindeck::AiStatus::failed}};
const std::map<std::string, pindeck::VariationType> variation_types{
    {"shot_type", pindeck::VariationType::shot_type}, {"style", pindeck::VariationType::style}};

// Filters only: what `delete --where` takes.
void add_filter_options(CLI::App& cmd, FindOptions& o) {
  cmd.add_option("--category", o.category, "only this category");
  cmd.add_option("--group", o.group, "only this group");
  cmd.add_option("--project", o.project, "only this project");
  cmd.add_option("--moodboard", o.moodboard, "only this moodboard");
  cmd.add_option("--source-type", o.source_type, "only this source type")
      ->check(CLI::IsMember(source_types));
  cmd.add_option("--status", o.status, "only this moderation status")
      ->check(CLI::IsMember(statuses));
  cmd.add_option("--genre", o.genre, "only this genre");
  cmd.add_option("--style", o.style, "only this style");
  cmd.add_option("--shot", o.shot, "only this shot");
  cmd.add_option("--ai-status", o.ai_status, "only records whose AI analysis is in this state")
      ->check(CLI::IsMember(ai_statuses));
  cmd.add_option("--variation-type", o.variation_type, "only variations of this type")
      ->check(CLI::IsMember(variation_types));
  cmd.add_option("--tag", o.tags, "only records with this tag (repeat for several)");
  cmd.add_flag("--originals", o.originals, "only records that are not variations");
}

void add_find_options(CLI::App& cmd, FindOptions& o, bool with_order) {
  add_filter_options(cmd, o);
  if (with_order) {
    cmd.add_option("--order", o.order, "uploadedAt (newest first) or project (project row)")
        ->check(CLI::IsMember({"uploadedAt", "project"}));
  }
  cmd.add_option("--limit", o.limit, "records per page")->check(CLI::Range(1, 1000));
  cmd.add_option("--cursor", o.cursor, "continue after the page that printed this cursor");
}

pindeck::RecordQuery to_query(const FindOptions& o) {
  pindeck::RecordQuery q;
  q.category = o.category;
  q.group = o.group;
  q.project_name = o.project;
  q.moodboard_name = o.moodboard;
  if (o.source_type) q.source_type = source_types.at(*o.source_type);
  if (o.status) q.status = statuses.at(*o.status);
  q.genre = o.genre;
  q.style = o.style;
  q.shot = o.shot;
  if (o.ai_status) q.ai_status = ai_statuses.at(*o.ai_status);
  if (o.variation_type) q.variation_type = variation_types.at(*o.variation_type);
  q.tags = o.tags;
  q.originals_only = o.originals;
  q.order =
      o.order == "project" ? pindeck::RecordOrder::project_row : pindeck::RecordOrder::newest_first;
  q.limit = o.limit;
  q.cursor = o.cursor;
  return q;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pindeck: a reference-image library for filmmakers"};
  app.require_subcommand(1);
  app.fallthrough();
  std::string data_dir = "./pindeck-data";
  app.add_option("--data-dir", data_dir, "data directory (created on first use)");
  bool json_out = false;

  FindOptions list;
  auto* list_cmd = app.add_subcommand("list", "list records, newest first");
  add_find_options(*list_cmd, list, true);
  list_cmd->add_flag("--json", json_out, "print {\"records\": [...], \"nextCursor\": ...}");

  std::string show_id;
  auto* show_cmd = app.add_subcommand("show", "print one record");
  show_cmd->add_option("ID", show_id, "record id")->required();
  show_cmd->add_flag("--json", json_out, "print the record as JSON");

  std::string search_text;
  FindOptions search;
  auto* search_cmd = app.add_subcommand("search", "full-text search, best matches first");
  search_cmd->add_option("TEXT", search_text, "words to find")->required();
  add_find_options(*search_cmd, search, false);
  search_cmd->add_flag("--json", json_out, "print {\"records\": [...], \"nextCursor\": ...}");

  std::vector<std::string> delete_ids;
  FindOptions delete_filter;
  bool delete_where = false;
  pindeck::DeleteOptions delete_options;
  auto* delete_cmd = app.add_subcommand(
      "delete", "delete records with their objects, staged copies and jobs, by id or --where");
  auto* ids_option = delete_cmd->add_option("ID", delete_ids, "record ids");
  auto* where_flag =
      delete_cmd->add_flag("--where", delete_where, "delete every record the filters select");
  ids_option->excludes(where_flag);
  add_filter_options(*delete_cmd, delete_filter);
  delete_cmd->add_flag("--family", delete_options.family,
                       "also delete every variation of the records (else a parent is refused)");
  delete_cmd->add_flag("--dry-run", delete_options.dry_run, "list what would go; change nothing");
  delete_cmd->add_flag("--json", json_out,
                       "print {\"dryRun\", \"deleted\": [...], \"cleanupPending\"}");
  delete_cmd->callback([&] {
    if (!delete_where && delete_ids.empty()) {
      throw CLI::ValidationError("delete", "name record ids, or --where with filters");
    }
    const auto filter = to_query(delete_filter);
    const bool has_filter = filter.category || filter.group || filter.project_name ||
                            filter.moodboard_name || filter.source_type || filter.status ||
                            filter.genre || filter.style || filter.shot || filter.ai_status ||
                            filter.variation_type || !filter.tags.empty() || filter.originals_only;
    if (delete_where && !has_filter) {
      throw CLI::ValidationError("--where", "needs at least one filter (--category, --tag, ...)");
    }
    if (!delete_where && has_filter) {
      throw CLI::ValidationError("delete", "filters select records only with --where");
    }
  });

  FindOptions stats_filter;
  auto* stats_cmd = app.add_subcommand(
      "stats", "count the records the filters select, per category, group, genre, style, ...");
  add_filter_options(*stats_cmd, stats_filter);
  stats_cmd->add_flag("--json", json_out,
                      "print {\"total\", \"category\": [{\"value\", \"count\"}, ...], ...}");

  // like and view bump one counter each; --by takes a negative number to take likes back.
  struct CounterCommand {
    pindeck::Counter counter;
    std::string id;
    std::int64_t by = 1;
    CLI::App* cmd = nullptr;
  };
  CounterCommand counter_commands[] = {{pindeck::Counter::likes, {}, 1, nullptr},
                                       {pindeck::Counter::views, {}, 1, nullptr}};
  for (auto& c : counter_commands) {
    const bool likes = c.counter == pindeck::Counter::likes;
    c.cmd = app.add_subcommand(likes ? "like" : "view",
                               likes ? "add a like to a record (atomic; prints the new count)"
                                     : "count a view of a record (atomic; prints the new count)");
    c.cmd->add_option("ID", c.id, "record id")->required();
    c.cmd->add_option("--by", c.by, "how much to add (negative to take away)");
    c.cmd->add_flag("--json", json_out,
                    likes ? "print {\"id\", \"likes\"}" : "print {\"id\", \"views\"}");
  }

  pindeck_cli::PersistCommands persist;
  pindeck_cli::add_persist_commands(app, persist, json_out);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_usage;
  }

  try {
    auto client = pindeck::Client::open(data_dir);
    if (auto status = pindeck_cli::run_persist_command(persist, client, json_out)) return *status;
    if (*list_cmd) {
      auto page = client.list(to_query(list));
      json_out ? pindeck_cli::print_page_json(std::cout, page)
               : pindeck_cli::print_table(std::cout, page);
    } else if (*show_cmd) {
      auto record = client.get(show_id);
      json_out ? pindeck_cli::print_record_json(std::cout, record)
               : pindeck_cli::print_details(std::cout, record);
    } else if (*search_cmd) {
      auto page = client.search(search_text, to_query(search));
      json_out ? pindeck_cli::print_page_json(std::cout, page)
               : pindeck_cli::print_table(std::cout, page);
    } else if (*delete_cmd) {
      const auto report = delete_where
                              ? client.remove_where(to_query(delete_filter), delete_options)
                              : client.remove(delete_ids, delete_options);
      pindeck_cli::print_delete_report(std::cout, report, delete_options.dry_run, json_out);
    } else if (*stats_cmd) {
      pindeck_cli::print_stats(std::cout, client.stats(to_query(stats_filter)), json_out);
    }
    for (const auto& c : counter_commands) {
      if (!*c.cmd) continue;
      pindeck_cli::print_counter(std::cout, c.id, c.counter,
                                 client.increment(c.id, c.counter, c.by), json_out);
    }
    return exit_ok;
  } catch (const std::exception& e) {
    std::cerr << "pindeck: error: " << e.what() << '\n';
    return exit_error;
  }
}
