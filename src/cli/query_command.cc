// sluice query "SQL"
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "data/catalog.h"
#include "data/duckdb_engine.h"
#include "data/lake_sql.h"
#include "data/result_format.h"
#include "state/state_store.h"

namespace sluice::cli {

namespace {

// Whether a statement produces rows that LIMIT can bound.
bool isQuery(const std::string& statement) {
  size_t i = statement.find_first_not_of(" \t\r\n(");
  if (i == std::string::npos) return false;
  std::string word;
  while (i < statement.size() && std::isalpha(static_cast<unsigned char>(statement[i])))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(statement[i++])));
  return word == "SELECT" || word == "WITH" || word == "FROM" || word == "VALUES" ||
         word == "TABLE";
}

}  // namespace

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
    auto resolved = data::resolveLakeUrls(readArgOrFile(*sql), env.lake());
    if (resolved.statements.empty()) throw UsageError("the SQL holds no statement");
    data::Connection conn(env.duckdb());
    for (const auto& warning : data::attachCatalog(conn, env.state().catalog(), env.lake()))
      ctx.err << "sluice: warning: " << resolved.describe(warning) << '\n';
    try {
      for (size_t i = 0; i + 1 < resolved.statements.size(); i++)
        conn.query(resolved.statements[i]);
      std::string last = resolved.statements.back();
      if (*max_rows > 0 && isQuery(last))
        last = "SELECT * FROM (" + last + "\n) LIMIT " + std::to_string(*max_rows);
      const data::ResultFormat result_format = data::parseResultFormat(*format);
      if (isQuery(last))
        data::streamResult(conn, last, result_format, ctx.out);
      else
        data::writeResult(conn.query(last), result_format, ctx.out);
    } catch (const Error& e) {
      throw Error(e.code(), resolved.describe(e.what()));
    }
  });
}

}  // namespace sluice::cli
