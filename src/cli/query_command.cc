// sluice query "SQL"
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/environment.h"
#include "core/error.h"
#include "cli/cli.h"
#include "data/duckdb_engine.h"
#include "data/lake_sql.h"
#include "data/result_format.h"

namespace sluice::cli {

void addQueryCommand(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "query", "run SQL (DuckDB) where 'lake://BUCKET/KEY' (globs allowed) reads lake objects");
  auto sql = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  cmd->add_option("SQL", *sql, "the query, or @FILE")->required();
  cmd->add_option("--format", *format, "table, csv, json or jsonl")
      ->check(CLI::IsMember({"table", "csv", "json", "jsonl"}));
  cmd->callback([&ctx, sql, format] {
    auto& env = ctx.environment();
    auto resolved = data::resolveLakeUrls(readArgOrFile(*sql), env.lake());
    data::Connection conn(env.duckdb());
    try {
      data::writeResult(conn.query(resolved.sql), data::parseResultFormat(*format), ctx.out);
    } catch (const Error& e) {
      throw Error(e.code(), resolved.describe(e.what()));
    }
  });
}

}  // namespace sluice::cli
