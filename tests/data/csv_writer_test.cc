// sluice's CSV writer must write the bytes DuckDB's COPY writes, for every type and in
// every dialect.
#include "data/csv_writer.h"

#include <gtest/gtest.h>

#include "core/cancellation.h"
#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/table_io.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

class CsvWriterTest : public ::testing::Test {
 protected:
  // What COPY writes for `sql` in `dialect`, and what writeCsv writes.
  std::string copied(const std::string& sql, const CsvDialect& dialect) {
    const std::string out = dir_ / "copied.csv";
    conn_.query("COPY (" + sql + ") TO " + sqlLiteral(out) + " (FORMAT CSV, DELIMITER " +
                sqlLiteral(std::string(1, dialect.delimiter)) + ", QUOTE " +
                sqlLiteral(std::string(1, dialect.quote)) + ", HEADER " +
                (dialect.header ? "true" : "false") + ")");
    return testing::readFile(out);
  }
  std::string written(const std::string& sql, const CsvDialect& dialect) {
    const std::string out = dir_ / "written.csv";
    writeCsv(conn_, sql, dialect, out);
    return testing::readFile(out);
  }

  testing::TempDir dir_;
  Database db_;
  Connection conn_{db_};
};

CsvDialect dialect(char delimiter, char quote = '"', bool header = true) {
  CsvDialect d;
  d.delimiter = delimiter;
  d.quote = quote;
  d.header = header;
  return d;
}

TEST_F(CsvWriterTest, EveryTypeAndAwkwardValueInEveryDialectIsWhatCopyWrites) {
  conn_.query(R"(
    CREATE TYPE mood AS ENUM ('calm', 'a,b');
    CREATE TABLE awkward AS SELECT * FROM (VALUES
      (true, (-128)::TINYINT, (-32768)::SMALLINT, (-2147483648)::INTEGER,
       (-9223372036854775808)::BIGINT, 255::UTINYINT, 65535::USMALLINT, 4294967295::UINTEGER,
       18446744073709551615::UBIGINT, 1.5::FLOAT, 0.37::DOUBLE, DATE '2025-11-23',
       'plain', TIMESTAMP '2025-01-02 03:04:05.123456', 12.34::DECIMAL(10, 2), [1, 2],
       {'a': 1, 'b': 'x,y'}, '\xAA'::BLOB, INTERVAL 3 DAY, 170141183460469231731687303715884105727::HUGEINT,
       TIME '12:34:56', 'calm'::mood),
      (false, 0, 0, 0, 0, 0, 0, 0, 0, -0.0, -0.0, DATE '0044-03-15' - 1000000, '',
       TIMESTAMP '1900-01-01', -0.01, [], {'a': NULL, 'b': ''}, ''::BLOB, INTERVAL 0 DAY, 0,
       TIME '00:00:00', 'a,b'::mood),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (true, 1, 2, 3, 4, 5, 6, 7, 8, 'nan'::FLOAT, 1e20, 'infinity'::DATE, 'a,b;c|d-e.f''g',
       NULL, 99999999.99, [NULL], NULL, NULL, NULL, -1, NULL, NULL),
      (false, -1, -2, -3, -4, 1, 1, 1, 1, 1e-7::FLOAT, 'nan'::DOUBLE, '-infinity'::DATE,
       'q"uote' || chr(10) || 'line' || chr(13) || 'cr', NULL, 0, NULL, NULL, NULL, NULL, 1,
       NULL, NULL),
      (true, 7, 7, 7, 7, 7, 7, 7, 7, 3.4e38::FLOAT, -1e-5, DATE '10000-01-01', ' spaced ', NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (false, 9, 9, 9, 9, 9, 9, 9, 9, 2, 1234567890123456.0, DATE '1970-01-01', 'tab	t',
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (true, 9, 9, 9, 9, 9, 9, 9, 9, 2, '-inf'::DOUBLE, DATE '2000-02-29', 'true', NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL)
    ) t("bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "float", "double",
        "date", "a,b ""name""", "ts", "decimal", "list", "struct", "blob", "interval",
        "huge", "time", "mood"))");
  const std::string sql = "SELECT * FROM awkward";
  // Each delimiter occurs somewhere in the values: in text, numbers, dates or booleans.
  for (char delimiter : {',', '|', ';', '\t', '-', '.', 'e', 't', '1', ' '})
    for (char quote : {'"', '\''})
      for (bool header : {true, false}) {
        const CsvDialect d = dialect(delimiter, quote, header);
        EXPECT_EQ(written(sql, d), copied(sql, d))
            << "delimiter '" << delimiter << "', quote '" << quote << "', header " << header;
      }
}

TEST_F(CsvWriterTest, ManyRowsAreTheBytesOfCopyAndCounted) {
  // 300,000 rows: many vectors and many flushes of the write buffer; constant columns, which
  // DuckDB could hand on as one value per vector.
  const std::string sql =
      "SELECT i AS id, 'name ' || (i * 7919 % 1000) || CASE WHEN i % 11 = 0 THEN ',x' ELSE '' "
      "END AS name, i / 8.0 AS amount, (i * 2654435761 % 1000003) / 1000.0 AS score, "
      "CASE WHEN i % 13 = 0 THEN NULL ELSE DATE '1999-12-31' + CAST(i % 4000 AS INTEGER) END "
      "AS day, i % 3 = 0 AS flag, 'same' AS constant_text, 42 AS constant_number FROM "
      "range(300000) t(i)";
  const CsvDialect d = dialect(',');
  const std::string out = dir_ / "many.csv";
  int64_t reported = 0;
  EXPECT_EQ(writeCsv(conn_, sql, d, out, [&](int64_t rows) { reported = rows; }), 300000);
  EXPECT_EQ(reported, 300000);
  EXPECT_EQ(testing::readFile(out), copied(sql, d));
}

TEST_F(CsvWriterTest, ABomAndCrlfLineEndsFrameTheLinesNotTheValues) {
  CsvDialect d = dialect(',');
  d.bom = true;
  d.crlf = true;
  EXPECT_EQ(written("SELECT * FROM (VALUES (1, 'a'), (2, 'x' || chr(10) || 'y')) t(n, s)", d),
            "\xEF\xBB\xBFn,s\r\n1,a\r\n2,\"x\ny\"\r\n");
  d.header = false;
  EXPECT_EQ(written("SELECT 1 AS n", d),
            "\xEF\xBB\xBF"
            "1\r\n");
}

TEST_F(CsvWriterTest, ACancelledInvocationStopsTheWrite) {
  core::Cancellation cancellation;
  core::Cancellation::Scope scope(&cancellation);
  int64_t reported = 0;
  EXPECT_THROW(writeCsv(conn_, "SELECT i, i * 0.5 FROM range(1000000000) t(i)", dialect(','),
                        dir_ / "endless.csv",
                        [&](int64_t rows) {
                          reported = rows;
                          cancellation.cancel();  // as a deadline would, mid-write
                        }),
               Error);
  EXPECT_LT(reported, 1000000);
}

TEST_F(CsvWriterTest, ADialectIsOneByteDelimiterAndQuote) {
  auto d = csvDialect({{"delimiter", "|"}, {"header", false}});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->delimiter, '|');
  EXPECT_EQ(d->quote, '"');
  EXPECT_FALSE(d->header);
  EXPECT_FALSE(d->bom);
  EXPECT_FALSE(d->crlf);
  d = csvDialect({{"bom", true}, {"line_ending", "\r\n"}});
  EXPECT_TRUE(d->bom);
  EXPECT_TRUE(d->crlf);
  EXPECT_TRUE(csvDialect(nlohmann::json::object()));
  EXPECT_FALSE(csvDialect({{"delimiter", "||"}}));
  EXPECT_FALSE(csvDialect({{"quote", ""}}));
}

TEST_F(CsvWriterTest, FailuresSayWhatAndWhere) {
  try {
    writeCsv(conn_, "SELECT * FROM missing_table", dialect(','), dir_ / "x.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing_table"), std::string::npos) << e.what();
  }
  try {
    writeCsv(conn_, "SELECT 1", dialect(','), dir_ / "no/such/folder/x.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/folder/x.csv"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::data
