// sluice.yaml: what a valid project becomes, and faults reported with file, line and key.
#include "project/loader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "testing/temp_dir.h"

namespace sluice::project {
namespace {

const std::set<std::string> kBuiltins = {"convert", "dedup", "validate"};

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::writeFile(dir_ / "flows/daily.asl.json",
                       R"({"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}})");
    testing::writeFile(dir_ / "sql/totals.sql", "SELECT 1 AS x");
  }
  std::string faults(const std::string& yaml) {
    testing::writeFile(dir_ / "sluice.yaml", yaml);
    try {
      loadProject(dir_.path(), kBuiltins);
      return "valid";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), kInvalidProject);
      return e.what();
    }
  }
  testing::TempDir dir_;
};

TEST_F(LoaderTest, AFullProject) {
  testing::writeFile(dir_ / "sluice.yaml", R"(name: shop
buckets: [raw, processed]
parameters:
  /shop/threshold: "10"
  /shop/regions: {value: "north,south", type: StringList, description: where we sell}
secrets:
  /shop/db-password: {env: SHOP_DB_PASSWORD}
functions:
  totals: {runtime: sql, sql: sql/totals.sql}
  ingest:
    runtime: command
    command: [python3, handlers/ingest.py, --fast]
    timeout: 30
    concurrency: 2
    retries: 1
    dead_letter: lake://dlq/ingest/
    environment: {MODE: strict}
  clean: {handler: dedup}
workflows:
  daily: flows/daily.asl.json
events:
  on-upload: {bucket: raw, prefix: in/, suffix: .csv, function: ingest}
  on-delete: {bucket: raw, on: [removed], workflow: daily, shape: eventbridge}
schedules:
  nightly:
    expression: cron(0 1 * * ? *)
    timezone: Europe/London
    workflow: daily
    input: {day: <sluice.previous-date>, full: true, limit: 5}
    catch_up: latest
tables:
  orders: {partition_key: id, sort_key: at, sort_key_type: N}
topics:
  alerts:
    subscriptions:
      - {protocol: email, endpoint: ops@example.com}
      - {protocol: file, endpoint: outbox/alerts.jsonl}
catalog:
  curated.orders: {location: "lake://curated/orders", format: parquet, partition_keys: [day]}
)");
  Project p = loadProject(dir_.path(), kBuiltins);
  EXPECT_EQ(p.name, "shop");
  EXPECT_EQ(p.buckets, (std::vector<std::string>{"raw", "processed"}));
  ASSERT_EQ(p.parameters.size(), 2u);
  EXPECT_EQ(p.parameters[1].type, "StringList");
  EXPECT_EQ(p.secrets[0].env, "SHOP_DB_PASSWORD");
  const FunctionDecl* ingest = p.function("ingest");
  ASSERT_NE(ingest, nullptr);
  EXPECT_EQ(ingest->command, (std::vector<std::string>{"python3", "handlers/ingest.py", "--fast"}));
  EXPECT_EQ(ingest->timeout_seconds, 30);
  EXPECT_EQ(ingest->concurrency, 2);
  EXPECT_EQ(ingest->retries, 1);
  EXPECT_EQ(ingest->environment.at("MODE"), "strict");
  EXPECT_EQ(p.function("clean")->runtime, "builtin");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].name, "on-upload");  // in file order
  EXPECT_TRUE(p.events[0].on_created);
  EXPECT_FALSE(p.events[1].on_created);
  EXPECT_TRUE(p.events[1].on_removed);
  EXPECT_EQ(p.events[1].shape, "eventbridge");
  ASSERT_EQ(p.schedules.size(), 1u);
  EXPECT_EQ(p.schedules[0].time_zone, "Europe/London");
  EXPECT_EQ(p.schedules[0].catch_up, "latest");
  EXPECT_EQ(nlohmann::json::parse(p.schedules[0].input),
            nlohmann::json::parse(R"({"day":"<sluice.previous-date>","full":true,"limit":5})"));
  EXPECT_EQ(p.tables[0].sort_key_type, "N");
  EXPECT_EQ(p.topics[0].subscriptions.size(), 2u);
  ASSERT_EQ(p.catalog.size(), 1u);
  EXPECT_EQ(p.catalog[0].qualifiedName(), "curated.orders");
  EXPECT_EQ(p.catalog[0].location, "lake://curated/orders/");
  EXPECT_EQ(p.catalog[0].partition_keys, (std::vector<std::string>{"day"}));
}

TEST_F(LoaderTest, EveryFaultIsListedWithItsLineAndKeyInLineOrder) {
  EXPECT_EQ(faults(R"(name: shop
functions:
  ingest:
    runtime: command
    comand: [x]
  totals: {runtime: sql, sql: sql/missing.sql}
  clean: {handler: nothing}
events:
  on-upload: {bucket: raw, function: nope}
schedules:
  nightly:
    expression: cron(0 25 * * ? *)
    workflow: daily
    timezone: Mars/Base
)"),
            "sluice.yaml:4: functions.ingest: missing 'command'\n"
            "sluice.yaml:5: functions.ingest.comand: unknown key 'comand' (known: command, "
            "concurrency, config, dead_letter, description, environment, handler, memory, retries, "
            "runtime, sql, timeout)\n"
            "sluice.yaml:6: functions.totals.sql: file 'sql/missing.sql' does not exist\n"
            "sluice.yaml:7: functions.clean.handler: no built-in function named 'nothing'\n"
            "sluice.yaml:9: events.on-upload.function: no function named 'nope'\n"
            "sluice.yaml:12: schedules.nightly.expression: invalid schedule expression "
            "'cron(0 25 * * ? *)' at position 8: hour 25 is out of range 0-23\n"
            "sluice.yaml:13: schedules.nightly.workflow: no workflow named 'daily'\n"
            "sluice.yaml:14: schedules.nightly.timezone: unknown time zone 'Mars/Base' (use an "
            "IANA name such as Europe/London)");
}

// A built-in function's settings are checked as the part of its events they are, each
// fault at its line: events fill in what is missing (no "input" here), but not typos.
TEST_F(LoaderTest, BuiltinSettingsAreCheckedWhereTheyAre) {
  EXPECT_EQ(faults(R"(name: shop
functions:
  clean:
    handler: dedup
    config:
      key: [id]
      output:
        path: lake://curated/{day}.csv
        csv:
          delimiter: 1
          bom: true
  convert:
    handler: convert
    config: {output: "s3://x/y.parquet"}
)"),
            "sluice.yaml:6: functions.clean.config.key: unknown field; did you mean \"keys\"?\n"
            "sluice.yaml:10: functions.clean.config.output.csv.delimiter: must be a string, not "
            "an integer\n"
            "sluice.yaml:14: functions.convert.config.output: \"s3://x/y.parquet\" must start "
            "with lake://");
}

// Lists and mappings where a single value belongs are faults at their line, with the
// others, not the YAML library's "bad conversion" at the first.
TEST_F(LoaderTest, ListsOrMappingsWhereAValueBelongsAreFaultsAtTheirLine) {
  EXPECT_EQ(faults(R"(name: shop
buckets: [raw, [a], ""]
functions:
  run:
    runtime: command
    command: [echo, {x: 1}]
    environment: {A: [1, 2]}
events:
  e: {bucket: raw, function: run, on: [created, [x]]}
schedules:
  s: {expression: rate(1 hour), workflow: {x: 1}}
)"),
            "sluice.yaml:2: buckets: must be a single value\n"
            "sluice.yaml:2: buckets: invalid bucket name '': must be 3 to 63 characters long\n"
            "sluice.yaml:6: functions.run.command: must be a single value\n"
            "sluice.yaml:7: functions.run.environment.A: must be a single value\n"
            "sluice.yaml:9: events.e.on: must be a single value\n"
            "sluice.yaml:11: schedules.s.workflow: must be a single value");
  EXPECT_EQ(faults("name: shop\nfunctions:\n  [a, b]: {handler: convert}\n"),
            "sluice.yaml:3: a value of an unexpected kind (bad conversion)");
}

TEST_F(LoaderTest, SecretsAreReferencesAndUnknownOrLaterSectionsAreRefused) {
  EXPECT_EQ(faults("secrets:\n  /x: {value: hunter2}\n"),
            "sluice.yaml:2: secrets./x.value: unknown key 'value' (known: env, file)\n"
            "sluice.yaml:2: secrets./x: needs exactly one of 'env' (a variable) or 'file' (a "
            "path); secret values never go in the project file");
  EXPECT_EQ(faults("buckets: [raw]\ncolour: blue\n"),
            "sluice.yaml:2: colour: unknown key 'colour' (known: alarms, buckets, catalog, "
            "events, functions, name, parameters, routes, schedules, secrets, tables, topics, "
            "workflows)");
  EXPECT_EQ(faults("buckets: [a1b]\nbuckets: [c1d]\n"),
            "sluice.yaml:2: buckets: 'buckets' is given twice (the first would be ignored)");
  EXPECT_EQ(faults("catalog:\n  sales: {location: raw/sales/}\n"),
            "sluice.yaml:2: catalog.sales: a catalog table is named DATABASE.TABLE (lower case, "
            "digits, '_')");
  EXPECT_EQ(faults("catalog:\n  shop.sales: {location: raw/sales/, format: xml}\n"),
            "sluice.yaml:2: catalog.shop.sales.location: must be lake://BUCKET/PREFIX/\n"
            "sluice.yaml:2: catalog.shop.sales.format: 'xml' is not one of csv, json, jsonl, "
            "parquet");
  EXPECT_EQ(faults("buckets: [Bad_Bucket]\n").substr(0, 22), "sluice.yaml:1: buckets");
  EXPECT_EQ(faults("functions: [\n"), "sluice.yaml:2: end of sequence flow not found");
}

TEST_F(LoaderTest, AMissingProjectFileSaysWhere) {
  try {
    loadProject(dir_ / "nowhere", kBuiltins);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no project file at"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::project
