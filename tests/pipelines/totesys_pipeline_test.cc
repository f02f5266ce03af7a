// The totesys pipeline as a whole: generated data through processing and loading, the
// bundled project run by its schedule and events against SQLite and PostgreSQL, and its
// alerts reaching an SMTP server.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "app/environment.h"
#include "core/error.h"
#include "core/text.h"
#include "data/duckdb_engine.h"
#include "data/sql_source.h"
#include "functions/invoker.h"
#include "functions/registry.h"
#include "lake/object_store.h"
#include "pipelines/totesys/steps/generator.h"
#include "pipelines/totesys/steps/oltp.h"
#include "project/loader.h"
#include "runtime/project_runtime.h"
#include "state/execution_store.h"
#include "state/state_store.h"
#include "state/trigger_store.h"
#include "testing/postgres_server.h"
#include "testing/sluice_up.h"
#include "testing/smtp_sink.h"
#include "testing/temp_dir.h"

namespace sluice::pipelines::totesys {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

int64_t scalar(data::Connection& conn, const std::string& sql) {
  auto r = conn.query(sql);
  return std::stoll(r.cell(0, 0).value_or("0"));
}

std::string generated(const GeneratorOptions& o, int round) {
  std::string sql;
  generateRound(o, round, [&](const std::string& s) { sql += s; });
  return sql;
}

TEST(TotesysGenerator, TheSameSeedGivesTheSameDatabase) {
  GeneratorOptions o{7, 50};
  EXPECT_EQ(generated(o, 0), generated(o, 0));
  EXPECT_EQ(generated(o, 2), generated(o, 2));
  EXPECT_NE(generated(o, 0), generated(GeneratorOptions{8, 50}, 0));
  // The command prints exactly what the library makes.
  auto printed =
      testing::shell(std::string(TOTESYS_GENERATE) + " --sql --seed 7 --sales-orders 50");
  EXPECT_EQ(printed.code, 0);
  EXPECT_EQ(printed.out, generated(o, 0));
  auto bad = testing::shell(std::string(TOTESYS_GENERATE) + " --sql --packets x");
  EXPECT_NE(bad.code, 0);
}

// The data of many rounds, delivered packet by packet in the wrong order (newest first,
// as a burst of object events may arrive), comes out whole.
TEST(TotesysPipeline, GeneratedPacketsKeepEveryOrderVersionAndEveryReference) {
  testing::TempDir dir;
  GeneratorOptions options{11, 20000};
  const int written = writePackets(dir / "packets", options, 3, "jsonl");
  app::Environment env(dir / "data");
  for (const char* b : {"ingestion", "processed", "working"}) env.lake().createBucket(b);

  std::vector<std::string> keys;
  int64_t order_versions = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "packets")) {
    if (!e.is_regular_file() || e.path().filename().string()[0] == '.') continue;
    const std::string key = fs::relative(e.path(), dir / "packets").string();
    const std::string body = core::readFile(e.path().string());
    if (key.find("/sales_order_") != std::string::npos)
      order_versions += std::count(body.begin(), body.end(), '\n');
    env.lake().put("ingestion", key, body);
    keys.push_back(key);
  }
  ASSERT_EQ(static_cast<int>(keys.size()), written);
  std::sort(keys.rbegin(), keys.rend());

  functions::Invoker invoker(env.functions(), env.services());
  for (const auto& key : keys) {
    json event = {
        {"Records", {{{"s3", {{"bucket", {{"name", "ingestion"}}}, {"object", {{"key", key}}}}}}}}};
    invoker.invoke("totesys_process", event);
  }
  const std::string warehouse = dir / "warehouse.duckdb";
  invoker.invoke("totesys_load", {{"warehouse", {{"duckdb", warehouse}}}});

  // In the lake: one fact row per ingested order version, nothing rejected.
  data::Connection lake_sql(env.duckdb());
  const std::string processed = *env.lake().localPath("processed", "");
  EXPECT_EQ(scalar(lake_sql, "SELECT count(*) FROM read_parquet('" + processed +
                                 "/*/fact_sales_order_*.parquet')"),
            order_versions);
  lake::ListRequest reports;
  reports.prefix = "totesys/reports/";
  EXPECT_TRUE(env.lake().list("working", reports).objects.empty());

  // In the warehouse: the same, with every reference resolved.
  data::Database db(data::EngineOptions{warehouse, "", "", 0});
  data::Connection conn(db);
  EXPECT_EQ(scalar(conn, "SELECT count(*) FROM fact_sales_order"), order_versions);
  EXPECT_EQ(scalar(conn, "SELECT count(DISTINCT sales_record_id) FROM fact_sales_order"),
            order_versions);
  EXPECT_EQ(scalar(conn, "SELECT count(DISTINCT sales_order_id) FROM fact_sales_order"),
            20000 + 2 * 1000);
  for (const auto& [table, expected] :
       std::vector<std::pair<std::string, int>>{{"dim_staff", 20},
                                                {"dim_location", 30},
                                                {"dim_counterparty", 20},
                                                {"dim_design", 50},
                                                {"dim_currency", 3}})
    EXPECT_EQ(scalar(conn, "SELECT count(*) FROM " + table), expected) << table;
  for (const char* column :
       {"created_date", "last_updated_date", "agreed_payment_date", "agreed_delivery_date"})
    EXPECT_EQ(scalar(conn, std::string("SELECT count(*) FROM fact_sales_order f ANTI JOIN dim_date "
                                       "d ON f.") +
                               column + " = d.date_id"),
              0)
        << column;
  EXPECT_EQ(scalar(conn,
                   "SELECT count(*) FROM fact_sales_order f "
                   "WHERE sales_staff_id NOT IN (SELECT staff_id FROM dim_staff) "
                   "OR counterparty_id NOT IN (SELECT counterparty_id FROM dim_counterparty) "
                   "OR design_id NOT IN (SELECT design_id FROM dim_design) "
                   "OR currency_id NOT IN (SELECT currency_id FROM dim_currency) "
                   "OR agreed_delivery_location_id NOT IN (SELECT location_id FROM "
                   "dim_location)"),
            0);
}

// The bundled project, run the way `sluice up` runs it: the schedule fired on demand,
// object events dispatched, alarms evaluated.
class TotesysProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("SLUICE_SMTP_URL", smtp_.url().c_str(), 1);
    fs::create_directories(dir_ / "data/totesys");
  }
  void TearDown() override { ::unsetenv("SLUICE_SMTP_URL"); }

  // The bundled project; with a PostgreSQL server, its OLTP source and its warehouse
  // are databases there.
  std::string project(const std::string& postgres = "") {
    const std::string bundled = std::string(SLUICE_SOURCE_DIR) + "/pipelines/totesys";
    if (postgres.empty()) return bundled;
    const std::string copy = dir_ / "project";
    fs::create_directories(copy + "/workflows");
    fs::copy_file(bundled + "/workflows/totesys.asl.json", copy + "/workflows/totesys.asl.json");
    std::string yaml = core::readFile(bundled + "/sluice.yaml");
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"source: {sqlite: <data.dir>/totesys/oltp.db}",
              "source: {postgres: \"" + postgres + " dbname=totesys\"}"},
             {"warehouse: {duckdb: <data.dir>/totesys/warehouse.duckdb}",
              "warehouse: {postgres: \"" + postgres + " dbname=warehouse\"}"}}) {
      // The bundled file must still say this, or the test would run the wrong project.
      if (yaml.find(from) == std::string::npos) throw std::logic_error("no '" + from + "'");
      yaml.replace(yaml.find(from), from.size(), to);
    }
    testing::writeFile(copy + "/sluice.yaml", yaml);
    return copy;
  }
  void open(const std::string& project_dir) {
    env_ = std::make_unique<app::Environment>(dir_ / "data");
    std::set<std::string> builtins;
    for (const auto* f : env_->functions().all()) builtins.insert(f->name);
    runtime_ = std::make_unique<runtime::ProjectRuntime>(
        *env_, project::loadProject(project_dir, builtins));
    runtime_->apply();
  }
  json runSchedule() {
    const std::string arn = runtime_->scheduler().runNow("every-10-minutes");
    auto record = env_->state().executions().getExecution(arn);
    EXPECT_TRUE(record);
    if (!record) return json::object();
    EXPECT_EQ(record->status, "SUCCEEDED") << record->error << ": " << record->cause;
    return record->output;
  }
  int64_t warehouseFacts() {
    if (!warehouse_conninfo_.empty()) {
      int64_t n = 0;
      data::openSqlSource({{"postgres", warehouse_conninfo_}})
          ->query("SELECT count(*) AS n FROM fact_sales_order", {},
                  [&](json&& row) { n = row["n"]; });
      return n;
    }
    data::Database db(data::EngineOptions{dir_ / "data/totesys/warehouse.duckdb", "", "", 0});
    data::Connection conn(db);
    return scalar(conn, "SELECT count(*) FROM fact_sales_order");
  }

  // Two rounds of the OLTP database through the schedule; the object events the
  // ingestion raised find their packets processed already.
  void twoRounds(const OltpTarget& oltp, const std::function<int64_t()>& changed_orders) {
    GeneratorOptions options{3, 3000};
    applyRound(oltp, options, 0);
    const json first = runSchedule();
    EXPECT_EQ(first["loaded"]["fact_sales_order"]["rows"], 3000);
    EXPECT_EQ(first["loaded"]["dim_staff"]["rows"], 20);

    applyRound(oltp, options, 1);
    const int64_t changed = changed_orders();
    const json second = runSchedule();
    EXPECT_EQ(second["loaded"]["fact_sales_order"]["rows"], changed);
    EXPECT_EQ(warehouseFacts(), 3000 + changed);

    // Nothing new: the workflow stops at the Choice.
    const json third = runSchedule();
    EXPECT_EQ(third["new_data"], false);

    // Each packet's event: processed once already, so each delivery is a no-op.
    while (runtime_->dispatcher().drainOnce() > 0) {
    }
    EXPECT_TRUE(env_->state().triggers().deliveries("failed", 10).empty());
    EXPECT_GT(env_->state().triggers().deliveries("done", 100).size(), 7u);
    EXPECT_EQ(warehouseFacts(), 3000 + changed);
  }

  testing::TempDir dir_;
  testing::SmtpSink smtp_;
  std::unique_ptr<app::Environment> env_;
  std::unique_ptr<runtime::ProjectRuntime> runtime_;
  std::string warehouse_conninfo_;  // empty: the DuckDB file
};

TEST_F(TotesysProjectTest, TheScheduleRunsIngestionProcessingAndLoadingOnSqlite) {
  open(project());
  const std::string db = dir_ / "data/totesys/oltp.db";
  twoRounds({db, ""}, [&] {
    auto source = data::openSqlSource({{"sqlite", db}});
    int64_t n = 0;
    source->query("SELECT count(*) AS n FROM sales_order WHERE last_updated >= ?1", {roundStart(1)},
                  [&](json&& row) { n = row["n"]; });
    return n;
  });
}

TEST_F(TotesysProjectTest, TheSameProjectRunsOnPostgresqlSourceAndWarehouse) {
  auto pg = testing::PostgresServer::start();
  if (!pg) GTEST_SKIP() << "PostgreSQL server binaries are not installed";
  pg->exec("CREATE DATABASE totesys");
  pg->exec("CREATE DATABASE warehouse");
  const std::string oltp = pg->conninfo() + " dbname=totesys";
  warehouse_conninfo_ = pg->conninfo() + " dbname=warehouse";
  open(project(pg->conninfo()));
  twoRounds({"", oltp}, [&] {
    auto source = data::openSqlSource({{"postgres", oltp}});
    int64_t n = 0;
    source->query("SELECT count(*) AS n FROM sales_order WHERE last_updated >= $1::timestamp",
                  {roundStart(1)}, [&](json&& row) { n = row["n"]; });
    return n;
  });
}

// A packet that can never be processed: its event is retried, then the alerts topic
// is told by e-mail, and the errors alarm goes off.
TEST_F(TotesysProjectTest, RepeatedFailuresReachTheTeamByEmail) {
  open(project());
  env_->lake().put("ingestion", "2022-11-03/currency_00000001_142052186000.jsonl", "[{broken");
  int attempts = 0;
  for (int i = 0; i < 40 && attempts < 3; ++i) {  // retries wait 1 s, then 2 s
    attempts += runtime_->dispatcher().drainOnce();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(attempts, 3);
  const std::string mail = smtp_.waitFor("currency_00000001");
  EXPECT_NE(mail.find("Subject: sluice: delivery failed for rule new-packets"), std::string::npos)
      << mail;
  EXPECT_NE(mail.find("To: data-team@example.com"), std::string::npos) << mail;

  EXPECT_EQ(runtime_->alarms().tick(), 1);
  EXPECT_EQ(runtime_->alarms().stateOf("processing-errors"), "ALARM");
  const std::string alarm_mail = smtp_.waitFor("processing-errors");
  EXPECT_NE(alarm_mail.find("ALARM"), std::string::npos) << alarm_mail;
}

}  // namespace
}  // namespace sluice::pipelines::totesys
