#include "data/result_format.h"

#include <gtest/gtest.h>

#include <sstream>

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

}  // namespace
}  // namespace sluice::data
