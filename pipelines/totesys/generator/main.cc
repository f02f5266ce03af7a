// totesys-generate: the made-up OLTP database of the totesys pipeline, or ingestion
// packets made from it.
//
//   totesys-generate --sqlite FILE [--round K]       create (round 0) or change a SQLite file
//   totesys-generate --postgres CONNINFO [--round K] the same in PostgreSQL
//   totesys-generate --sql [--round K]               print the SQL instead
//   totesys-generate --packets DIR [--rounds R] [--format jsonl|json]
//       rounds 0..R-1 as the ingestion step would have stored them:
//       DIR/{YYYY-MM-DD}/{table}_{packet_id:08d}_{HHMMSSffffff}.jsonl
// Common: --seed N (default 1), --sales-orders N (default 1000), --updated-percent P.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "pipelines/totesys/steps/generator.h"
#include "pipelines/totesys/steps/oltp.h"

namespace totesys = sluice::pipelines::totesys;

int main(int argc, char** argv) {
  CLI::App app{"made-up totesys OLTP data for the totesys pipeline"};
  totesys::GeneratorOptions options;
  std::string sqlite, postgres, packets, format = "jsonl";
  bool print_sql = false;
  int round = 0, rounds = 2;
  auto* target = app.add_option_group("target");
  target->add_option("--sqlite", sqlite, "SQLite file to create (round 0) or change");
  target->add_option("--postgres", postgres, "PostgreSQL connection string");
  target->add_flag("--sql", print_sql, "print the SQL of the round");
  target->add_option("--packets", packets, "folder to write ingestion packets into");
  target->require_option(1);
  app.add_option("--seed", options.seed, "random seed")->capture_default_str();
  app.add_option("--sales-orders", options.sales_orders, "orders created in round 0")
      ->capture_default_str();
  app.add_option("--updated-percent", options.updated_percent,
                 "orders given a new version in each later round")
      ->capture_default_str();
  app.add_option("--round", round, "which round to apply (0 creates the tables)")
      ->capture_default_str();
  app.add_option("--rounds", rounds, "with --packets: rounds 0..R-1")->capture_default_str();
  app.add_option("--format", format, "with --packets: jsonl (JSON lines) or json (an array)")
      ->check(CLI::IsMember({"jsonl", "json"}));
  CLI11_PARSE(app, argc, argv);

  try {
    if (print_sql) {
      totesys::generateRound(options, round, [](const std::string& sql) { std::cout << sql; });
    } else if (!sqlite.empty()) {
      totesys::applyRound(totesys::OltpTarget{sqlite, ""}, options, round);
      std::cerr << "round " << round << " applied to " << sqlite << "\n";
    } else if (!postgres.empty()) {
      totesys::applyRound(totesys::OltpTarget{"", postgres}, options, round);
      std::cerr << "round " << round << " applied to PostgreSQL\n";
    } else {
      const auto written = totesys::writePackets(packets, options, rounds, format);
      std::cerr << written << " packets written below " << packets << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "totesys-generate: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
