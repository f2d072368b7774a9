// SPDX-License-Identifier: Apache-2.0
// pindeck: the command-line face of libpindeck.
//
//   pindeck [--data-dir DIR] upload FILE... [--title T] [--tags a,b] [--category C] ...
//                                    [--wait] [--json]
//   pindeck [--data-dir DIR] list [filters] [--json] [--color-output auto|always|never]
//   pindeck [--data-dir DIR] show ID [--json] [--color-output auto|always|never]
//   pindeck [--data-dir DIR] search TEXT [filters] [--order relevance|closeness] [--json]
//                                    [--color-output auto|always|never]
//   pindeck [--data-dir DIR] palette ID... [--resample] [--json]
//   pindeck [--data-dir DIR] sheet [filters] --out FILE.html [--limit N] [--link]
//   pindeck [--data-dir DIR] backfill [--limit N] [--wait] [--json]
//   pindeck [--data-dir DIR] delete ID... [--family] [--dry-run] [--json]
//   pindeck [--data-dir DIR] delete --where [filters] [--family] [--dry-run] [--json]
//   pindeck [--data-dir DIR] lineage ID [--limit N] [--cursor C] [--json]
//   pindeck [--data-dir DIR] project order NAME ID... [--json]
//   pindeck [--data-dir DIR] verify [filters] [--repair] [--delete-orphans] [--max-in-flight N]
//                                    [--restart] [--json]
//   pindeck [--data-dir DIR] stats [filters] [--json]
//   pindeck [--data-dir DIR] stats --queue [--json]
//   pindeck [--data-dir DIR] like|view ID [--by N] [--json]
//   pindeck [--data-dir DIR] import URL...|--discord F|--pinterest-feed F|--pindeck-export D ...
//   pindeck [--data-dir DIR] variation PARENT_ID FILE|URL [--artifact-key K] [--json]
//   pindeck [--data-dir DIR] approve|reject ID... [--json]
//   pindeck [--data-dir DIR] worker [--interval SECONDS] [--lease SECONDS] [--json]
//   pindeck migrate --from LOCATION --to LOCATION [--batch N] [--json]
//
// Before the command, --catalog sqlite:PATH|postgresql://... says where the catalog is (default
// PINDECK_CATALOG_URL, else DATA_DIR/catalog.sqlite); hosts sharing a PostgreSQL catalog share
// its records and its job queue. --staging DIR puts the first-stage store there (default
// PINDECK_STAGING_DIR, else DATA_DIR/staging): a directory on a mount those hosts share lets any
// of their workers persist what any of them staged.
//
// Exit status: 0 done, 1 the library or the file system refused (message on stderr), 2 usage
// (including an option value the record would refuse), 3 verify found problems it did not put
// right (missing or damaged objects not repaired, orphans not deleted).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "delete_command.hpp"
#include "lineage_commands.hpp"
#include "migrate_command.hpp"
#include "output.hpp"
#include "persist_commands.hpp"
#include "pindeck/client.hpp"
#include "pindeck/error.hpp"
#include "sheet_command.hpp"
#include "source_commands.hpp"
#include "verify_command.hpp"
#include "worker_command.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_error = 1;
constexpr int exit_usage = 2;
constexpr int exit_problems = 3;

struct FindOptions {
  std::optional<std::string> category, group, project, moodboard, source_type, status, genre, style,
      shot, ai_status, variation_type, cursor, color;
  double distance = 78;
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
  cmd.add_option(
      "--color", o.color,
      "only records with a palette colour near this one (#rgb or #rrggbb, '#' optional)");
  cmd.add_option("--distance", o.distance,
                 "how near --color, in redmean distance (0 to 765; default 78)");
}

// `list` and `sheet` have every order.
void add_order_option(CLI::App& cmd, FindOptions& o) {
  cmd.add_option("--order", o.order,
                 "uploadedAt (newest first), project (project row) or closeness (nearest "
                 "--color first)")
      ->check(CLI::IsMember({"uploadedAt", "project", "closeness"}));
}

// `search` ranks by relevance unless ordered by closeness.
void add_find_options(CLI::App& cmd, FindOptions& o, bool search) {
  add_filter_options(cmd, o);
  if (search) {
    o.order = "relevance";
    cmd.add_option("--order", o.order,
                   "relevance (best matches first) or closeness (nearest --color first)")
        ->check(CLI::IsMember({"relevance", "closeness"}));
  } else {
    add_order_option(cmd, o);
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
  q.color = o.color;
  q.color_distance = o.distance;
  q.order = o.order == "project"     ? pindeck::RecordOrder::project_row
            : o.order == "closeness" ? pindeck::RecordOrder::closeness
                                     : pindeck::RecordOrder::newest_first;
  q.limit = o.limit;
  q.cursor = o.cursor;
  return q;
}

// Palettes are drawn in colour only for a person at a terminal: `auto` means stdout is one and
// NO_COLOR (no-color.org) is unset or empty, so a pipe gets exactly the plain text.
bool palette_swatches(const std::string& color_output) {
  if (color_output != "auto") return color_output == "always";
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) != 0 && (no_color == nullptr || *no_color == '\0');
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pindeck: a reference-image library for filmmakers"};
  app.require_subcommand(1);
  app.fallthrough();
  std::string data_dir = "./pindeck-data";
  app.add_option("--data-dir", data_dir, "data directory (created on first use)");
  pindeck::OpenOptions open_options;
  app.add_option("--catalog", open_options.catalog,
                 "where the catalog is: sqlite:PATH or a postgresql:// URL shared by many hosts "
                 "(default: PINDECK_CATALOG_URL, else sqlite:DATA_DIR/catalog.sqlite)");
  std::optional<std::filesystem::path> staging_dir;
  app.add_option("--staging", staging_dir,
                 "first-stage store shared by hosts, e.g. on an NFS mount (default: "
                 "PINDECK_STAGING_DIR, else DATA_DIR/staging)")
      ->type_name("DIR");
  bool json_out = false;
  std::string color_output = "auto";
  app.add_option("--color-output", color_output,
                 "draw palettes as colour swatches: auto (on a terminal, unless NO_COLOR is "
                 "set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  FindOptions list;
  auto* list_cmd = app.add_subcommand("list", "list records, newest first");
  add_find_options(*list_cmd, list, false);
  list_cmd->add_flag("--json", json_out, "print {\"records\": [...], \"nextCursor\": ...}");

  std::string show_id;
  auto* show_cmd = app.add_subcommand("show", "print one record");
  show_cmd->add_option("ID", show_id, "record id")->required();
  show_cmd->add_flag("--json", json_out, "print the record as JSON");

  std::string search_text;
  FindOptions search;
  auto* search_cmd = app.add_subcommand("search", "full-text search, best matches first");
  search_cmd->add_option("TEXT", search_text, "words to find")->required();
  add_find_options(*search_cmd, search, true);
  search_cmd->add_flag("--json", json_out, "print {\"records\": [...], \"nextCursor\": ...}");

  std::vector<std::string> palette_ids;
  bool resample = false;
  auto* palette_cmd = app.add_subcommand("palette", "print records' colour palettes");
  palette_cmd->add_option("ID", palette_ids, "record ids")->required();
  palette_cmd->add_flag("--resample", resample,
                        "sample each palette again from the staged copy or the stored original "
                        "first, and store it");
  palette_cmd->add_flag("--json", json_out, "print the records as a JSON array");

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

  FindOptions sheet_filter;
  pindeck_cli::SheetOptions sheet;
  auto* sheet_cmd = app.add_subcommand(
      "sheet", "write a self-contained HTML contact sheet of the records the filters select");
  add_filter_options(*sheet_cmd, sheet_filter);
  add_order_option(*sheet_cmd, sheet_filter);
  sheet_cmd->add_option("--out", sheet.out, "the HTML file to write (replaced atomically)")
      ->required();
  sheet_cmd->add_option("--limit", sheet.limit, "at most this many records (default 200)")
      ->check(CLI::Range(1, 100000));
  sheet_cmd->add_flag("--link", sheet.link,
                      "link each w320 derivative by its URL instead of embedding its bytes");
  FindOptions verify_filter;
  pindeck::VerifyOptions verify_options;
  auto* verify_cmd = app.add_subcommand(
      "verify",
      "check that every persisted record's objects are in the store, whole; find orphans");
  add_filter_options(*verify_cmd, verify_filter);
  verify_cmd->add_flag("--repair", verify_options.repair,
                       "rebuild missing or damaged derivatives, re-upload a missing original from "
                       "its staged copy");
  verify_cmd->add_flag("--delete-orphans", verify_options.delete_orphans,
                       "delete objects no record names (only without filters)");
  verify_cmd->add_option("--max-in-flight", verify_options.max_in_flight, "store requests at once")
      ->check(CLI::Range(1, 64));
  verify_cmd->add_flag("--restart", verify_options.restart,
                       "start over instead of continuing an interrupted run");
  verify_cmd->add_flag("--json", json_out, "print the report as JSON");
  FindOptions stats_filter;
  auto* stats_cmd = app.add_subcommand(
      "stats", "count the records the filters select, per category, group, genre, style, ...");
  add_filter_options(*stats_cmd, stats_filter);
  stats_cmd->add_flag("--json", json_out,
                      "print {\"total\", \"category\": [{\"value\", \"count\"}, ...], ...}");
  bool stats_queue = false;
  stats_cmd->add_flag("--queue", stats_queue,
                      "count the persistence jobs instead: every host's when the catalog is "
                      "shared, and per first-stage store");
  stats_cmd->callback([&] {
    if (!stats_queue) return;
    for (const CLI::Option* option : stats_cmd->get_options()) {
      const std::string name = option->get_name();
      if (option->count() > 0 && name != "--queue" && name != "--json") {
        throw CLI::ValidationError(name, "--queue counts jobs, which record filters do not select");
      }
    }
  });

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

  pindeck_cli::LineageCommands lineage;
  pindeck_cli::add_lineage_commands(app, lineage, json_out);

  pindeck_cli::SourceCommands sources;
  pindeck_cli::add_source_commands(app, sources, json_out);

  pindeck_cli::WorkerCommand worker;
  pindeck_cli::add_worker_command(app, worker, json_out);

  pindeck_cli::MigrateCommand migrate;
  pindeck_cli::add_migrate_command(app, migrate, json_out);

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
    // Through the variable, every setting the library reads from the environment (also where it
    // starts persistence on its own) sees it; no thread runs yet, so setenv is safe.
    if (staging_dir) {
      ::setenv("PINDECK_STAGING_DIR", std::filesystem::absolute(*staging_dir).c_str(), 1);
    }
    if (*worker.cmd) return pindeck_cli::run_worker(worker, data_dir, open_options, json_out);
    if (*migrate.cmd) return pindeck_cli::run_migrate(migrate, json_out);
    auto client = pindeck::Client::open(data_dir, open_options);
    if (auto status = pindeck_cli::run_persist_command(persist, client, json_out)) return *status;
    if (auto status = pindeck_cli::run_source_command(sources, client, json_out)) return *status;
    const bool swatches = palette_swatches(color_output);
    if (auto status = pindeck_cli::run_lineage_command(lineage, client, json_out, swatches)) {
      return *status;
    }
    if (*list_cmd) {
      auto page = client.list(to_query(list));
      json_out ? pindeck_cli::print_page_json(std::cout, page)
               : pindeck_cli::print_table(std::cout, page, swatches);
    } else if (*show_cmd) {
      auto record = client.get(show_id);
      json_out ? pindeck_cli::print_record_json(std::cout, record)
               : pindeck_cli::print_details(std::cout, record, swatches);
    } else if (*search_cmd) {
      auto page = client.search(search_text, to_query(search));
      json_out ? pindeck_cli::print_page_json(std::cout, page)
               : pindeck_cli::print_table(std::cout, page, swatches);
    } else if (*palette_cmd) {
      std::vector<pindeck::Record> records;
      for (const auto& id : palette_ids) {
        records.push_back(resample ? client.resample_palette(id) : client.get(id));
      }
      json_out ? pindeck_cli::print_records_json(std::cout, records)
               : pindeck_cli::print_palettes(std::cout, records, swatches);
    } else if (*sheet_cmd) {
      const auto shown = pindeck_cli::write_sheet(client, to_query(sheet_filter), sheet, std::cerr);
      std::cout << "wrote " << sheet.out.string() << " (" << shown << " record"
                << (shown == 1 ? "" : "s") << ")\n";
    } else if (*delete_cmd) {
      const auto report = delete_where
                              ? client.remove_where(to_query(delete_filter), delete_options)
                              : client.remove(delete_ids, delete_options);
      pindeck_cli::print_delete_report(std::cout, report, delete_options.dry_run, json_out);
    } else if (*verify_cmd) {
      verify_options.filter = to_query(verify_filter);
      if (!pindeck_cli::run_verify(std::cout, client, verify_options, json_out)) {
        return exit_problems;
      }
    } else if (*stats_cmd && stats_queue) {
      pindeck_cli::print_queue_counts(std::cout, client.queue_counts(), json_out);
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
