// sluice's JSON lines writer must write the bytes DuckDB's COPY (FORMAT JSON) writes.
#include "data/json_lines_writer.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

class JsonLinesWriterTest : public ::testing::Test {
 protected:
  std::string copied(const std::string& sql) {
    const std::string out = dir_ / "copied.jsonl";
    conn_.query("COPY (" + sql + ") TO " + sqlLiteral(out) + " (FORMAT JSON)");
    return testing::readFile(out);
  }
  std::string written(const std::string& sql) {
    const std::string out = dir_ / "written.jsonl";
    writeJsonLines(conn_, sql, out);
    return testing::readFile(out);
  }

  testing::TempDir dir_;
  Database db_;
  Connection conn_{db_};
};

TEST_F(JsonLinesWriterTest, EveryTypeAndAwkwardValueIsWhatCopyWrites) {
  conn_.query(R"(
    CREATE TYPE mood AS ENUM ('calm', 'a"b');
    CREATE TABLE awkward AS SELECT * FROM (VALUES
      (true, (-128)::TINYINT, (-32768)::SMALLINT, (-2147483648)::INTEGER,
       (-9223372036854775808)::BIGINT, 255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER,
       18446744073709551615::UBIGINT, 1.5::FLOAT, 0.37::DOUBLE, DATE '2025-11-23',
       'plain', TIMESTAMP '2025-01-02 03:04:05.123456', 12.34::DECIMAL(10, 2), [1, 2],
       {'a': 1, 'b': 'x"y'}, '\xAA'::BLOB, INTERVAL 3 DAY,
       170141183460469231731687303715884105727::HUGEINT, TIME '12:34:56', 'calm'::mood,
       MAP {'k': [1.5]}, '{"raw": [1, 2]}'::JSON),
      (false, 0, 0, 0, 0, 0, 0, 0, 0, -0.0, -0.0, DATE '0044-03-15' - 1000000, '',
       TIMESTAMP '1900-01-01', -0.01, [], {'a': NULL, 'b': ''}, ''::BLOB, INTERVAL 0 DAY, 0,
       TIME '00:00:00', 'a"b'::mood, MAP {}, 'null'::JSON),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (true, 1, 2, 3, 4, 5, 6, 7, 8, 'nan'::FLOAT, 1e20, 'infinity'::DATE,
       'quote " backslash \ slash / tab' || chr(9) || 'nl' || chr(10) || 'cr' || chr(13) ||
       'bs' || chr(8) || 'ff' || chr(12) || 'ctl' || chr(1) || chr(31) || 'del' || chr(127) ||
       'ü€😀', NULL, 99999999.99, [NULL], NULL, NULL, NULL, -1, NULL, NULL, NULL, NULL),
      (false, -1, -2, -3, -4, 1, 1, 1, 1, 1e-7::FLOAT, 'nan'::DOUBLE, '-infinity'::DATE, '1',
       NULL, 0, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL, NULL),
      (true, 7, 7, 7, 7, 7, 7, 7, 7, 3.4e38::FLOAT, -1e-7, DATE '10000-01-01', 'x', NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (false, 9, 9, 9, 9, 9, 9, 9, 9, 2, 1e21, DATE '1970-01-01', 'true', NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (true, 9, 9, 9, 9, 9, 9, 9, 9, 2, '-inf'::DOUBLE, DATE '2000-02-29', 'null', NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
    ) t("bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "float", "double",
        "date", "a ""name"" \ é", "ts", "decimal", "list", "struct", "blob", "interval",
        "huge", "time", "mood", "map", "json"))");
  const std::string expected = copied("SELECT * FROM awkward");
  EXPECT_EQ(written("SELECT * FROM awkward"), expected);
  EXPECT_NE(expected.find("\\u001F"), std::string::npos) << expected;
}

TEST_F(JsonLinesWriterTest, ManyRowsAreTheBytesOfCopyAndCounted) {
  // 300,000 rows: many vectors and many flushes of the write buffer.
  const std::string sql =
      "SELECT i AS id, 'name ' || (i * 7919 % 1000) || CASE WHEN i % 11 = 0 THEN '\"' ELSE '' "
      "END AS name, i / 8.0 AS amount, (i * 2654435761 % 1000003) / 1000.0 AS score, "
      "CASE WHEN i % 13 = 0 THEN NULL ELSE DATE '1999-12-31' + CAST(i % 4000 AS INTEGER) END "
      "AS day, i % 3 = 0 AS flag, [i, i + 1] AS pair FROM range(300000) t(i)";
  const std::string out = dir_ / "many.jsonl";
  int64_t reported = 0;
  EXPECT_EQ(writeJsonLines(conn_, sql, out, [&](int64_t rows) { reported = rows; }), 300000);
  EXPECT_EQ(reported, 300000);
  EXPECT_EQ(testing::readFile(out), copied(sql));
}

TEST_F(JsonLinesWriterTest, FailuresSayWhatAndWhere) {
  try {
    writeJsonLines(conn_, "SELECT 1", dir_ / "no/such/folder/x.jsonl");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/folder/x.jsonl"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::data
