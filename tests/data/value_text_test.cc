// Values formatted without DuckDB must read exactly as DuckDB's own cast to text.
#include "data/value_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "data/duckdb_engine.h"
#include "data/table_io.h"

namespace sluice::data {
namespace {

// Each value of `sql`'s one column `v`, as it arrives natively, with DuckDB's text for it
// (`text`, an expression of v).
template <class T, class Check>
size_t compareWithDuckDb(const std::string& sql, Check check,
                         const std::string& text = "CAST(v AS VARCHAR)") {
  Database db;
  Connection conn(db);
  size_t compared = 0;
  conn.streamChunks(
      "SELECT v, " + text + " FROM (" + sql + ")", Connection::OtherTypesAs::kText,
      [](const std::vector<StreamedColumn>& columns) {
        ASSERT_NE(columns[0].as, StreamedType::kText) << columns[0].type;
      },
      [&](const StreamedChunk& chunk) {
        for (size_t r = 0; r < chunk.rows(); r++, compared++)
          check(chunk.value<T>(0, r), std::string(chunk.text(1, r)));
      });
  return compared;
}

// A list of numbers as DuckDB reads them back bit for bit: 17 significant digits.
std::string numberList(const std::vector<double>& values) {
  std::string list;
  for (double v : values) {
    char text[40];
    if (std::isnan(v))
      std::snprintf(text, sizeof text, "nan");
    else
      std::snprintf(text, sizeof text, "%.17g", v);
    list += (list.empty() ? "" : ",") + std::string(text);
  }
  return list;
}

std::vector<double> interestingNumbers() {
  using limits = std::numeric_limits<double>;
  std::vector<double> values = {0,
                                -0.0,
                                1,
                                -1,
                                0.1,
                                0.37,
                                100,
                                1e-4,
                                1e-5,
                                1e15,
                                1e16,
                                1e17,
                                123.456,
                                -42.5,
                                0.1 + 0.2,
                                4503599627370495.5,
                                limits::quiet_NaN(),
                                limits::infinity(),
                                -limits::infinity(),
                                limits::max(),
                                limits::lowest(),
                                limits::min(),
                                limits::denorm_min()};
  std::mt19937_64 random(20261123);
  for (int i = 0; i < 20000; i++) {
    // Any bit pattern,
    const uint64_t bits = random();
    double any;
    std::memcpy(&any, &bits, sizeof any);
    if (std::isfinite(any)) values.push_back(any);
    // decimals of up to eight places, as prices and measurements are,
    const double places[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    values.push_back(static_cast<double>(random() % 100000000000) / places[random() % 9] *
                     (random() % 2 ? 1 : -1));
    // and powers of two times small integers across the whole range.
    values.push_back(
        std::ldexp(static_cast<double>(random() % 1000), static_cast<int>(random() % 160) - 80));
  }
  return values;
}

// The values as a query's column v of DOUBLEs.
std::string doublesQuery(const std::vector<double>& values) {
  return "SELECT CAST(unnest(string_split(" + sqlLiteral(numberList(values)) +
         ", ',')) AS DOUBLE) AS v";
}

TEST(ValueText, DoublesReadAsDuckDbWritesThem) {
  const auto values = interestingNumbers();
  const size_t compared =
      compareWithDuckDb<double>(doublesQuery(values), [](double v, const std::string& duckdb) {
        char text[kMaxValueText];
        const std::string ours(text, formatDouble(text, v));
        // DuckDB 1.4.4 writes 2^81 as 2^82's text; there the text must at least read back.
        if (std::isnan(v) || std::strtod(duckdb.c_str(), nullptr) == v)
          ASSERT_EQ(ours, duckdb);
        else
          ASSERT_EQ(std::strtod(ours.c_str(), nullptr), v) << ours << " instead of " << duckdb;
      });
  EXPECT_EQ(compared, values.size());
}

TEST(ValueText, DoublesReadAsDuckDbWritesThemInJson) {
  const auto values = interestingNumbers();
  const size_t compared = compareWithDuckDb<double>(
      doublesQuery(values),
      [](double v, const std::string& duckdb) {
        char text[kMaxValueText];
        ASSERT_EQ(std::string(text, formatJsonDouble(text, v)), duckdb);
      },
      "CAST(to_json(v) AS VARCHAR)");
  EXPECT_EQ(compared, values.size());
}

TEST(ValueText, DatesReadAsDuckDbWritesThem) {
  // Every day from 1000 BC to AD 3000, then days spread over DuckDB's whole range (about
  // 5.9 million years either way) and the two infinities.
  const size_t compared = compareWithDuckDb<int32_t>(
      "SELECT DATE '1970-01-01' + CAST(i AS INTEGER) AS v FROM range(-1085000, 376000) t(i) "
      "UNION ALL SELECT DATE '1970-01-01' + CAST(CAST(hash(i) % 4294967293 AS BIGINT) - 2147483646 "
      "AS INTEGER) "
      "FROM range(100000) t(i) "
      "UNION ALL SELECT CAST(d AS DATE) FROM (VALUES ('infinity'), ('-infinity')) t(d)",
      [](int32_t days, const std::string& duckdb) {
        char text[kMaxValueText];
        ASSERT_EQ(std::string(text, formatDate(text, days)), duckdb) << days;
      });
  EXPECT_EQ(compared, 1085000u + 376000u + 100000u + 2u);
  char text[kMaxValueText];
  EXPECT_EQ(std::string(text, formatDate(text, 0)), "1970-01-01");
  EXPECT_EQ(std::string(text, formatDate(text, -719528)), "0001-01-01 (BC)");  // year 0
  EXPECT_EQ(std::string(text, formatDate(text, -719529)), "0002-12-31 (BC)");
}

}  // namespace
}  // namespace sluice::data
