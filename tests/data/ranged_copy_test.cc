// Writing one Parquet file's rows as text in row ranges side by side: the bytes must be
// those of one COPY of the whole file.
#include "data/ranged_copy.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/table_io.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

EngineOptions threads(int n) {
  EngineOptions options;
  options.threads = n;
  return options;
}

class RangedCopyTest : public ::testing::Test {
 protected:
  // 5,500 rows in row groups of 1,000 (the last one short), with values that need quoting,
  // NULLs and a header.
  void SetUp() override {
    Connection(two_threads_)
        .query(
            "COPY (SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN "
            "'a|b \"q\"' || chr(10) || 'line' ELSE 'name-' || i END AS name, i * 0.25 AS "
            "amount, DATE '2025-01-01' + (i % 30)::INTEGER AS day FROM range(5500) t(i)) TO " +
            sqlLiteral(parquet_) + " (FORMAT PARQUET, ROW_GROUP_SIZE 1000)");
  }

  // The whole file in one COPY, as the bytes to expect.
  std::string oneCopy(const std::string& options) {
    const std::string out = dir_ / "one";
    Connection(two_threads_)
        .query("COPY (SELECT * FROM read_parquet(" + sqlLiteral(parquet_) + ")) TO " +
               sqlLiteral(out) + " (" + options + ")");
    return testing::readFile(out);
  }

  // A copy of the test file as CSV, split however few its rows.
  RangedCopy csvTo(const std::string& target, char delimiter = ',') {
    CsvDialect dialect;
    dialect.delimiter = delimiter;
    return {parquet_, target, dialect, /*min_rows=*/0};
  }

  testing::TempDir dir_;
  const std::string parquet_ = dir_ / "in.parquet";
  Database two_threads_{threads(2)};
};

TEST_F(RangedCopyTest, CsvAndJsonLinesAreTheBytesOfOneCopy) {
  const std::string target = dir_ / "ranged.csv";
  auto rows = copyParquetInRanges(two_threads_, csvTo(target, '|'), nullptr);
  ASSERT_EQ(rows, 5500);
  const std::string written = testing::readFile(target);
  EXPECT_EQ(written, oneCopy("FORMAT CSV, HEADER true, DELIMITER '|'"));
  EXPECT_EQ(written.find("id|name|amount|day\n"), 0u);
  EXPECT_EQ(written.find("id|name", 1), std::string::npos);  // one header

  const std::string jsonl = dir_ / "ranged.jsonl";
  EXPECT_EQ(copyParquetInRanges(two_threads_, {parquet_, jsonl, std::nullopt, 0}, nullptr), 5500);
  EXPECT_EQ(testing::readFile(jsonl), oneCopy("FORMAT JSON"));
  // Nothing but the target is left behind.
  EXPECT_FALSE(std::filesystem::exists(target + ".range1"));
}

TEST_F(RangedCopyTest, DeclinesWhatItCannotSplit) {
  RangedCopy copy = csvTo(dir_ / "out.csv");
  Database one_thread(threads(1));
  EXPECT_EQ(copyParquetInRanges(one_thread, copy, nullptr), std::nullopt);
  copy.min_rows = 5501;  // one more than the file has
  EXPECT_EQ(copyParquetInRanges(two_threads_, copy, nullptr), std::nullopt);
  copy.min_rows = 0;

  const std::string one_group = dir_ / "one_group.parquet";
  Connection(two_threads_)
      .query("COPY (SELECT * FROM range(10) t(i)) TO " + sqlLiteral(one_group) +
             " (FORMAT PARQUET)");
  copy.parquet_path = one_group;
  EXPECT_EQ(copyParquetInRanges(two_threads_, copy, nullptr), std::nullopt);

  const std::string clash = dir_ / "clash.parquet";
  Connection(two_threads_)
      .query("COPY (SELECT i AS file_row_number FROM range(3000) t(i)) TO " + sqlLiteral(clash) +
             " (FORMAT PARQUET, ROW_GROUP_SIZE 1000)");
  copy.parquet_path = clash;
  EXPECT_EQ(copyParquetInRanges(two_threads_, copy, nullptr), std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(copy.target));
}

TEST_F(RangedCopyTest, AFailedRangeFailsTheCopy) {
  const std::string nowhere = dir_ / "missing-folder/out.csv";
  EXPECT_THROW(copyParquetInRanges(two_threads_, csvTo(nowhere), nullptr), Error);
}

}  // namespace
}  // namespace sluice::data
