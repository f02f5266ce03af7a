// sluice catalog crawl|list|show|create|drop
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "data/catalog.h"
#include "data/duckdb_engine.h"
#include "state/state_store.h"

namespace sluice::cli {

namespace {

std::pair<std::string, std::string> splitQualified(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size())
    throw UsageError("'" + name + "' must be DATABASE.TABLE");
  return {name.substr(0, dot), name.substr(dot + 1)};
}

void printTable(std::ostream& out, const state::CatalogTable& t) {
  // A table of one file, or of some files of a folder, shows them after the folder.
  out << t.qualifiedName() << "  " << t.format << "  " << t.location
      << t.options.value("pattern", "") << "  (" << t.origin << ")\n";
  for (const auto& c : t.columns) {
    bool partition = std::find(t.partition_keys.begin(), t.partition_keys.end(), c.name) !=
                     t.partition_keys.end();
    out << "  " << c.name << ' ' << c.type << (partition ? "  [partition]" : "") << '\n';
  }
}

}  // namespace

void addCatalogCommands(CLI::App& app, CliContext& ctx) {
  auto* catalog = app.add_subcommand("catalog", "tables over lake prefixes, queryable by name");
  catalog->require_subcommand(1);
  {
    auto* cmd = catalog->add_subcommand(
        "crawl", "discover tables under BUCKET[/PREFIX] and record their schema");
    auto where = std::make_shared<std::string>();
    auto database = std::make_shared<std::string>();
    cmd->add_option("LOCATION", *where, "BUCKET[/PREFIX]")->required();
    cmd->add_option("--database", *database, "catalog database (default: the bucket name)");
    cmd->callback([&ctx, where, database] {
      auto loc = parseLakeLocation(*where);
      auto& env = ctx.environment();
      data::Connection conn(env.duckdb());
      auto report =
          data::crawl(conn, env.lake(), env.state().catalog(), loc.bucket, loc.key, *database);
      if (report.empty())
        ctx.out << "no tables found under lake://" << loc.bucket << '/' << loc.key << '\n';
      for (const auto& r : report) {
        ctx.out << r.status << ": " << r.qualified_name << " (" << r.objects << " objects)\n";
        for (const auto& c : r.changes) ctx.out << "  " << c << '\n';
      }
    });
  }
  {
    auto* cmd = catalog->add_subcommand("list", "list catalog tables");
    auto database = std::make_shared<std::string>();
    cmd->add_option("DATABASE", *database, "only this database");
    cmd->callback([&ctx, database] {
      for (const auto& t : ctx.environment().state().catalog().listTables(*database))
        ctx.out << t.qualifiedName() << '\t' << t.format << '\t' << t.location << '\n';
    });
  }
  {
    auto* cmd = catalog->add_subcommand("show", "show a table's location, format and columns");
    auto name = std::make_shared<std::string>();
    cmd->add_option("TABLE", *name, "DATABASE.TABLE")->required();
    cmd->callback([&ctx, name] {
      auto [db, table] = splitQualified(*name);
      auto t = ctx.environment().state().catalog().getTable(db, table);
      if (!t) throw Error(errc::kNotFound, "catalog table '" + *name + "' does not exist");
      printTable(ctx.out, *t);
    });
  }
  {
    auto* cmd = catalog->add_subcommand("create", "declare a table over a lake prefix");
    auto name = std::make_shared<std::string>();
    auto location = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("parquet");
    auto partitions = std::make_shared<std::vector<std::string>>();
    cmd->add_option("TABLE", *name, "DATABASE.TABLE")->required();
    cmd->add_option("--location", *location, "lake://BUCKET/PREFIX/")->required();
    cmd->add_option("--format", *format, "parquet, csv, jsonl or json")
        ->check(CLI::IsMember({"parquet", "csv", "jsonl", "json"}));
    cmd->add_option("--partition-keys", *partitions, "Hive partition columns, outermost first")
        ->delimiter(',');
    cmd->callback([&ctx, name, location, format, partitions] {
      auto [db, table] = splitQualified(*name);
      if (location->rfind("lake://", 0) != 0)
        throw UsageError("--location must be lake://BUCKET/PREFIX/");
      state::CatalogTable t;
      t.database = db;
      t.name = table;
      t.location = location->back() == '/' ? *location : *location + "/";
      t.format = *format;
      t.partition_keys = *partitions;
      ctx.environment().state().catalog().putTable(t);
      ctx.out << "created: " << *name << '\n';
    });
  }
  {
    auto* cmd =
        catalog->add_subcommand("drop", "remove a table from the catalog (its objects stay)");
    auto name = std::make_shared<std::string>();
    cmd->add_option("TABLE", *name, "DATABASE.TABLE")->required();
    cmd->callback([&ctx, name] {
      auto [db, table] = splitQualified(*name);
      if (!ctx.environment().state().catalog().dropTable(db, table))
        throw Error(errc::kNotFound, "catalog table '" + *name + "' does not exist");
      ctx.out << "dropped: " << *name << '\n';
    });
  }
}

}  // namespace sluice::cli
