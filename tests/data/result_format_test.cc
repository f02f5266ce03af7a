#include "data/result_format.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"
#include "data/duckdb_engine.h"

namespace sluice::data {
namespace {

std::string render(const std::string& sql, ResultFormat f) {
  Database db;
  Connection conn(db);
  std::ostringstream out;
  writeResult(conn.query(sql), f, out);
  return out.str();
}

const char* kSql =
    "SELECT * FROM (VALUES ('north', 12, 'a,b'), ('süd', NULL, 'say \"hi\"')) t(region, n, note)";

TEST(ResultFormat, TableAlignsAndRightAlignsNumbers) {
  EXPECT_EQ(render(kSql, ResultFormat::kTable),
            "region |    n | note    \n"
            "-------+------+---------\n"
            "north  |   12 | a,b     \n"
            "süd    | NULL | say \"hi\"\n"
            "(2 rows)\n");
}

TEST(ResultFormat, CsvQuotesWhatNeedsIt) {
  EXPECT_EQ(render(kSql, ResultFormat::kCsv),
            "region,n,note\nnorth,12,\"a,b\"\nsüd,,\"say \"\"hi\"\"\"\n");
}

TEST(ResultFormat, JsonLinesAreTyped) {
  EXPECT_EQ(render(kSql, ResultFormat::kJsonLines),
            "{\"n\":12,\"note\":\"a,b\",\"region\":\"north\"}\n"
            "{\"n\":null,\"note\":\"say \\\"hi\\\"\",\"region\":\"süd\"}\n");
}

// Streamed rows print exactly what collected ones do, for every type's text and typing,
// NULLs, quoting, and no rows at all.
TEST(ResultFormat, StreamedResultsPrintWhatCollectedOnesDo) {
  Database db;
  Connection conn(db);
  const std::string sql =
      "SELECT i AS id, CASE WHEN i % 3 = 0 THEN NULL ELSE 'x,\"' || i || chr(10) || 'y' END AS "
      "text, i * 1.25 AS real, (i * 7)::DECIMAL(10, 2) AS money, i % 2 = 0 AS even, DATE "
      "'2025-01-01' + i::INTEGER AS day FROM range(2500) t(i) ORDER BY i DESC";
  for (ResultFormat f :
       {ResultFormat::kCsv, ResultFormat::kJson, ResultFormat::kJsonLines, ResultFormat::kTable}) {
    for (const std::string& query : {sql, std::string("SELECT 1 AS one WHERE false")}) {
      std::ostringstream collected, streamed;
      writeResult(conn.query(query), f, collected);
      streamResult(conn, query, f, streamed);
      EXPECT_TRUE(streamed.str() == collected.str()) << static_cast<int>(f) << " " << query;
    }
  }
  EXPECT_EQ(render("SELECT 1 AS one WHERE false", ResultFormat::kJson), "[]\n");
}

// JSON lines are written without building JSON objects; they must be the bytes of the
// objects' dump() all the same.
TEST(ResultFormat, JsonLinesAreTheDumpOfEachRowsObject) {
  Database db;
  Connection conn(db);
  const std::string sql =
      "SELECT * FROM (VALUES "
      "('quote \" backslash \\ tab' || chr(9) || 'nl' || chr(10) || 'cr' || chr(13) || 'bs' || "
      "chr(8) || 'ff' || chr(12) || 'ctl' || chr(1) || chr(31) || 'del' || chr(127) || 'ü€😀', "
      "(-9223372036854775808)::BIGINT, 18446744073709551615::UBIGINT, "
      "170141183460469231731687303715884105727::HUGEINT, 1e20::DOUBLE, 12.50::DECIMAL(10, 2), "
      "true, [1, 2], 'x'), "
      "(NULL, 0, 0, 0, 'nan'::DOUBLE, -0.01, false, NULL, 'y'), "
      "('', -1, 1, -1, 0.1, 0, NULL, [], 'z')) "
      "t(\"text \"\"name\"\"\", i, u, h, d, m, b, l, dup)";
  const auto rows = conn.prepare("SELECT *, 1 AS dup FROM (" + sql + ")").execute();
  std::string expected;
  for (size_t r = 0; r < rows.rowCount(); r++) expected += rows.rowJson(r).dump() + "\n";
  std::ostringstream out;
  streamResult(conn, "SELECT *, 1 AS dup FROM (" + sql + ")", ResultFormat::kJsonLines, out);
  EXPECT_EQ(out.str(), expected);
  EXPECT_NE(expected.find("\\u0001\\u001f"), std::string::npos) << expected;
}

std::string streamed(const std::string& sql, ResultFormat f) {
  Database db;
  Connection conn(db);
  std::ostringstream out;
  streamResult(conn, sql, f, out);
  return out.str();
}

// Lists and structs print as DuckDB writes them (a collected result held them empty).
TEST(ResultFormat, StreamedNestedValuesAreJson) {
  const std::string sql = "SELECT [1, 2] AS l, {'k': 'v'} AS s";
  EXPECT_EQ(streamed(sql, ResultFormat::kCsv), "l,s\n\"[1,2]\",\"{\"\"k\"\":\"\"v\"\"}\"\n");
  EXPECT_EQ(streamed(sql, ResultFormat::kJsonLines), "{\"l\":[1,2],\"s\":{\"k\":\"v\"}}\n");
  EXPECT_EQ(streamed("SELECT [1, 2] AS l", ResultFormat::kTable), "l    \n-----\n[1,2]\n(1 row)\n");
}

TEST(ResultFormat, AStreamedQueryMayEndInAComment) {
  EXPECT_EQ(streamed("SELECT 1 AS x -- the answer", ResultFormat::kCsv), "x\n1\n");
}

TEST(ResultFormat, AStreamedQueryThatFailsSaysWhy) {
  try {
    streamed("SELECT nope FROM range(3)", ResultFormat::kCsv);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::data
