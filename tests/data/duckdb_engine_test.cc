#include "data/duckdb_engine.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace sluice::data {
namespace {

TEST(DuckDbEngine, QueryReturnsTypedColumnsAndNulls) {
  Database db;
  Connection conn(db);
  auto r = conn.query(
      "SELECT 42::BIGINT AS n, 1.5::DOUBLE AS d, 'x' AS s, NULL::VARCHAR AS z, true AS b, "
      "12.50::DECIMAL(10,2) AS m, DATE '2025-11-03' AS day");
  ASSERT_EQ(r.rowCount(), 1u);
  ASSERT_EQ(r.columns().size(), 7u);
  EXPECT_EQ(r.columns()[0].type, "BIGINT");
  EXPECT_EQ(r.columns()[5].type, "DECIMAL(10,2)");
  EXPECT_EQ(*r.cell(0, 5), "12.50");
  EXPECT_FALSE(r.cell(0, 3).has_value());
  EXPECT_EQ(r.rowJson(0).dump(),
            R"({"b":true,"d":1.5,"day":"2025-11-03","m":12.5,"n":42,"s":"x","z":null})");
}

TEST(DuckDbEngine, PreparedStatementsBindEveryJsonType) {
  Database db;
  Connection conn(db);
  auto stmt =
      conn.prepare("SELECT $1::VARCHAR AS a, $2 + 1 AS b, $3 * 2 AS c, $4 AS d, $5 IS NULL AS e");
  EXPECT_EQ(stmt.parameterCount(), 5u);
  stmt.bindJson(1, "text").bindJson(2, 41).bindJson(3, 1.25).bindJson(4, true).bindJson(5, nullptr);
  auto r = stmt.execute();
  EXPECT_EQ(r.rowJson(0).dump(), R"({"a":"text","b":42,"c":2.5,"d":true,"e":true})");
}

TEST(DuckDbEngine, PreparedQueriesGiveNestedValuesAsJson) {
  Database db;
  Connection conn(db);
  auto stmt = conn.prepare(
      "SELECT $n AS n, [1, $n] AS \"a \"\"list\"\"\", {'k': 'v', 'm': MAP {'x': [true]}} AS s, "
      "[1.5, 2.5]::DOUBLE[2] AS arr, NULL::INTEGER[] AS none, $n AS n -- a comment");
  stmt.bindJson(1, 7);
  auto r = stmt.execute();
  ASSERT_EQ(r.columns().size(), 6u);
  EXPECT_EQ(r.columns()[1].name, "a \"list\"");
  EXPECT_EQ(*r.cell(0, 1), "[1,7]");
  EXPECT_FALSE(r.cell(0, 4).has_value());
  EXPECT_EQ(
      r.rowJson(0).dump(),
      R"({"a \"list\"":[1,7],"arr":[1.5,2.5],"n":7,"none":null,"s":{"k":"v","m":{"x":[true]}}})");
  // Without parameters the types are known when it is prepared.
  EXPECT_EQ(conn.prepare("SELECT [[1], []] AS l, 'x' AS s").execute().rowJson(0).dump(),
            R"({"l":[[1],[]],"s":"x"})");
  // Statements other than queries run as they are.
  conn.prepare("CREATE TABLE t AS SELECT [1, 2] AS l").execute();
  EXPECT_EQ(conn.prepare("SELECT * FROM t").execute().rowJson(0).dump(), R"({"l":[1,2]})");
}

TEST(DuckDbEngine, ErrorsCarryDuckDbsMessage) {
  Database db;
  Connection conn(db);
  try {
    conn.query("SELECT no_such_column FROM (SELECT 1 AS x)");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "QueryError");
    EXPECT_NE(std::string(e.what()).find("no_such_column"), std::string::npos) << e.what();
  }
  EXPECT_THROW(conn.prepare("SELEC 1"), Error);
}

TEST(DuckDbEngine, MemoryLimitIsApplied) {
  EngineOptions options;
  options.memory_limit = "256MB";
  options.threads = 1;
  Database db(options);
  Connection conn(db);
  auto r =
      conn.query("SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t");
  EXPECT_EQ(*r.cell(0, 1), "1");
  EXPECT_NE(r.cell(0, 0)->find("MiB"), std::string::npos) << *r.cell(0, 0);
}

}  // namespace
}  // namespace sluice::data

namespace sluice::data {
namespace {

TEST(DuckDbEngine, LongQueriesReportProgress) {
  // One thread: DuckDB updates progress between the tasks the querying thread runs.
  EngineOptions options;
  options.threads = 1;
  Database db(options);
  Connection conn(db);
  std::vector<double> seen;
  // About 2-3 s of single-threaded work here; progress is polled once a second.
  auto r = conn.query(
      "SELECT sum(hash(i)) > 0 AS ok FROM range(250000000) t(i)",
      [&](double pct) { seen.push_back(pct); }, 0.0);
  EXPECT_EQ(*r.cell(0, 0), "true");
  ASSERT_FALSE(seen.empty());
  for (double p : seen) {
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 100.0);
  }
}

}  // namespace
}  // namespace sluice::data
