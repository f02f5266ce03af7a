// sluice query "SQL"
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/query_runner.h"
#include "state/state_store.h"

namespace sluice::cli {

void addQueryCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("query",
                                 "run SQL (DuckDB) over catalog tables (database.table) and lake "
                                 "objects ('lake://BUCKET/KEY', globs allowed)");
  auto sql = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  auto max_rows = std::make_shared<int64_t>(0);
  cmd->add_option("SQL", *sql, "the query, or @FILE")->required();
  cmd->add_option("--format", *format, "table, csv, json or jsonl")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl"}));
  cmd->add_option("--max-rows", *max_rows,
                  "print at most this many rows of the final query (0: all)");
  cmd->callback([&ctx, sql, format, max_rows] {
    auto& env = ctx.environment();
    data::Connection conn(env.duckdb());
    data::runQuery(
        conn, env.state().catalog(), env.lake(),
        {readArgOrFile(*sql), data::parseResultFormat(*format), *max_rows}, ctx.out,
        [&ctx](const std::string& warning) { ctx.err << "sluice: warning: " << warning << '\n'; });
  });
}

}  // namespace sluice::cli
