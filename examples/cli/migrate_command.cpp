// SPDX-License-Identifier: Apache-2.0
#include "migrate_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace pindeck_cli {

void add_migrate_command(CLI::App& app, MigrateCommand& command, bool& json_out) {
  command.cmd = app.add_subcommand(
      "migrate",
      "copy a whole catalog (records, persist jobs, queued deletions) to another location; run "
      "again, it copies only what is missing");
  command.cmd
      ->add_option("--from", command.from,
                   "the catalog to copy: sqlite:PATH or a "
                   "postgresql:// URL")
      ->required();
  command.cmd
      ->add_option("--to", command.to,
                   "where to copy it: sqlite:PATH or a postgresql:// URL (created when "
                   "missing)")
      ->required();
  command.cmd
      ->add_option("--batch", command.options.batch,
                   "records per transaction (1 to 10000; default 500)")
      ->check(CLI::Range(1, 10000));
  command.cmd->add_flag("--json", json_out,
                        "print {\"recordsCopied\", \"recordsSkipped\", \"jobsCopied\", "
                        "\"deleteJobsCopied\"}");
}

int run_migrate(const MigrateCommand& command, bool json_out) {
  const auto report = pindeck::migrate_catalog(command.from, command.to, command.options);
  if (json_out) {
    std::cout << nlohmann::json{{"recordsCopied", report.records_copied},
                                {"recordsSkipped", report.records_skipped},
                                {"jobsCopied", report.jobs_copied},
                                {"deleteJobsCopied", report.delete_jobs_copied}}
                     .dump()
              << '\n';
  } else {
    std::cout << "copied " << report.records_copied << " records (" << report.records_skipped
              << " skipped), " << report.jobs_copied << " jobs, " << report.delete_jobs_copied
              << " deletions\n";
  }
  return 0;
}

}  // namespace pindeck_cli
