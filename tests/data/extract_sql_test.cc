#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "lake/local_store.h"
#include "state/sqlite_state_store.h"
#include "testing/postgres_server.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

using nlohmann::json;

// The same incremental-extract story against both databases.
class ExtractSqlTest : public ::testing::Test {
 protected:
  void SetUp() override { lake_.createBucket("ingest"); }
  StepEnv env(core::TimeNs now) {
    return StepEnv{lake_, db_, dir_.path(), [](const std::string&) {}, now, &state_.parameters()};
  }
  json extract(const json& source, core::TimeNs now) {
    return extractSqlStep(
        {{"source", source},
         {"tables", json::array({"sales_order", json{{"name", "currency"}, {"full", true}}})},
         {"parameter_prefix", "/totesys"},
         {"output",
          {{"path",
            "lake://ingest/{time:%Y-%m-%d}/{table}_{packet_id:08d}_{time:%H%M%S%f}.jsonl"}}}},
        env(now));
  }
  std::vector<json> packet(const json& result, const std::string& table) {
    std::string url = result["tables"][table]["key"];
    std::string text = lake_.get("ingest", url.substr(std::string("lake://ingest/").size()));
    std::vector<json> rows;
    for (size_t s = 0, e; s < text.size(); s = e + 1)
      rows.push_back(json::parse(text.substr(s, (e = text.find('\n', s)) - s)));
    return rows;
  }

  // Runs the shared scenario; `exec` runs SQL on the source database.
  void scenario(const json& source, const std::function<void(const std::string&)>& exec) {
    exec(
        "CREATE TABLE sales_order (sales_order_id INTEGER PRIMARY KEY, units_sold INTEGER, "
        "unit_price NUMERIC(10,2), "
        "last_updated TIMESTAMP(3));"
        "CREATE TABLE currency (currency_id INTEGER PRIMARY KEY, currency_code VARCHAR(3), "
        "last_updated TIMESTAMP(3));"
        "INSERT INTO currency VALUES (1, 'GBP', '2022-11-03 14:20:49.962'), (2, 'USD', '2022-11-03 "
        "14:20:49.962');"
        "INSERT INTO sales_order VALUES (1, 100, 3.94, '2022-11-03 14:20:52.186'), (2, 42972, "
        "2.50, '2022-11-03 14:20:52.187');");
    const core::TimeNs t0 = 1'667'484'000'000'000'000;  // 2022-11-03T14:00:00Z
    auto first = extract(source, t0);
    EXPECT_EQ(first["new_data"], true);
    EXPECT_EQ(first["tables"]["sales_order"]["rows"], 2);
    EXPECT_EQ(first["tables"]["sales_order"]["packet_id"], 1);
    EXPECT_EQ(first["tables"]["sales_order"]["key"],
              "lake://ingest/2022-11-03/sales_order_00000001_140000000000.jsonl");
    auto rows = packet(first, "sales_order");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1]["sales_order_id"], 2);
    EXPECT_EQ(rows[1]["units_sold"], 42972);
    EXPECT_EQ(state_.parameters().get("/totesys/sales_order/packet_id").value, "1");

    // Nothing changed: no sales_order packet, but the full table comes again.
    auto second = extract(source, t0 + 1'000'000'000);
    EXPECT_EQ(second["new_data"], false);
    EXPECT_EQ(second["tables"]["sales_order"]["rows"], 0);
    EXPECT_FALSE(second["tables"]["sales_order"].contains("key"));
    EXPECT_EQ(second["tables"]["currency"]["rows"], 2);
    EXPECT_EQ(second["tables"]["currency"]["packet_id"], 2);

    // One update and one insert: exactly those two rows, as packet 2.
    exec(
        "UPDATE sales_order SET units_sold = 101, last_updated = '2022-11-04 09:00:00.000' WHERE "
        "sales_order_id = 1;"
        "INSERT INTO sales_order VALUES (3, 7, 1.00, '2022-11-04 09:00:00.001');");
    auto third = extract(source, t0 + 2'000'000'000);
    EXPECT_EQ(third["tables"]["sales_order"]["rows"], 2);
    EXPECT_EQ(third["tables"]["sales_order"]["packet_id"], 2);
    rows = packet(third, "sales_order");
    EXPECT_EQ(rows[0]["sales_order_id"], 1);
    EXPECT_EQ(rows[0]["units_sold"], 101);
    EXPECT_EQ(rows[1]["sales_order_id"], 3);
    EXPECT_EQ(third["tables"]["sales_order"]["watermark"], rows[1]["last_updated"]);
  }

  testing::TempDir dir_;
  lake::LocalObjectStore lake_{dir_ / "lake"};
  Database db_;
  core::ManualClock clock_{0};
  state::SqliteStateStore state_{dir_ / "state.db", state::SecretBox(std::string(32, 'k')), clock_};
};

TEST_F(ExtractSqlTest, SqliteIncrementalByWatermark) {
  const std::string path = dir_ / "totesys.db";
  auto exec = [&](const std::string& sql) {
    sqlite3* db;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  };
  scenario({{"sqlite", path}}, exec);
}

TEST_F(ExtractSqlTest, PostgresIncrementalByWatermark) {
  auto pg = testing::PostgresServer::start();
  if (!pg)
    GTEST_SKIP()
        << "PostgreSQL server binaries are not installed (scripts/bootstrap installs them)";
  scenario({{"postgres", pg->conninfo()}}, [&](const std::string& sql) { pg->exec(sql); });
  // PostgreSQL's own text forms: NUMERIC keeps its scale, TIMESTAMP(3) its milliseconds.
  extractSqlStep({{"source", {{"postgres", pg->conninfo()}}},
                  {"tables", {"sales_order"}},
                  {"parameter_prefix", "/fresh"},
                  {"output", "lake://ingest/pg/{table}.jsonl"}},
                 env(0));
  std::string text = lake_.get("ingest", "pg/sales_order.jsonl");
  EXPECT_NE(text.find("\"unit_price\":\"2.50\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"last_updated\":\"2022-11-03 14:20:52.187\""), std::string::npos) << text;
}

TEST_F(ExtractSqlTest, BadSourcesAndNamesAreClearErrors) {
  EXPECT_THROW(extractSqlStep({{"source", {{"sqlite", dir_ / "missing/none.db"}}},
                               {"tables", {"t"}},
                               {"output", "lake://ingest/x"}},
                              env(0)),
               Error);
  testing::writeFile(dir_ / "empty.db", "");
  EXPECT_THROW(extractSqlStep({{"source", {{"sqlite", dir_ / "empty.db"}}},
                               {"tables", {"t; DROP TABLE x"}},
                               {"output", "lake://ingest/x"}},
                              env(0)),
               Error);
  try {
    extractSqlStep(
        {{"source", {{"postgres", "host=/nonexistent port=1 user=u password=hunter2 dbname=d"}}},
         {"tables", {"t"}},
         {"output", "lake://ingest/x"}},
        env(0));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
  // A packet counter someone edited by hand.
  const std::string db = dir_ / "one.db";
  sqlite3* conn;
  ASSERT_EQ(sqlite3_open(db.c_str(), &conn), SQLITE_OK);
  sqlite3_exec(conn, "CREATE TABLE t (id INTEGER, changed INTEGER); INSERT INTO t VALUES (1, 1);",
               nullptr, nullptr, nullptr);
  sqlite3_close(conn);
  state_.parameters().put({"/edited/t/packet_id", "seven"});
  try {
    extractSqlStep({{"source", {{"sqlite", db}}},
                    {"tables", {"t"}},
                    {"watermark_column", "changed"},
                    {"parameter_prefix", "/edited"},
                    {"output", "lake://ingest/{table}_{packet_id}.jsonl"}},
                   env(0));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "parameter '/edited/t/packet_id' holds 'seven', not a packet number");
  }
}

}  // namespace
}  // namespace sluice::data
