// Reading edge cases, each on a tiny hand-made object with the exact expected rows.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/lake_sql.h"
#include "data/steps/step.h"
#include "data/table_io.h"
#include "lake/local_store.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

using nlohmann::json;

class FormatsTest : public ::testing::Test {
 protected:
  void SetUp() override { lake_.createBucket("raw"); }
  std::string rows(const std::string& key, const std::string& content, json input = json::object(),
                   const std::string& select = "*") {
    lake_.put("raw", key, content);
    input["path"] = "lake://raw/" + key;
    auto out = sqlStep({{"inputs", {{"t", input}}}, {"sql", "SELECT " + select + " FROM t"}},
                       StepEnv{lake_, db_, dir_.path(), [](const std::string&) {}, 0});
    std::string text;
    for (auto& r : out["rows"]) text += r.dump() + "\n";
    return text;
  }
  testing::TempDir dir_;
  lake::LocalObjectStore lake_{dir_ / "lake"};
  Database db_;
};

TEST_F(FormatsTest, CsvWithBomAndCrlf) {
  EXPECT_EQ(rows("a.csv", "\xEF\xBB\xBFid,name\r\n1,x\r\n2,y\r\n"),
            "{\"id\":1,\"name\":\"x\"}\n{\"id\":2,\"name\":\"y\"}\n");
}

TEST_F(FormatsTest, CsvQuotedDelimitersAndEmbeddedNewlines) {
  EXPECT_EQ(rows("q.csv", "id,note\n1,\"a,b\"\n2,\"line1\nline2\"\n3,\"say \"\"hi\"\"\"\n"),
            "{\"id\":1,\"note\":\"a,b\"}\n{\"id\":2,\"note\":\"line1\\nline2\"}\n{\"id\":3,"
            "\"note\":\"say \\\"hi\\\"\"}\n");
}

TEST_F(FormatsTest, CsvWithoutHeaderAndOtherDelimiters) {
  EXPECT_EQ(rows("n.txt", "1|x\n2|y\n",
                 {{"format", "csv"}, {"csv", {{"delimiter", "|"}, {"header", false}}}}),
            "{\"column0\":1,\"column1\":\"x\"}\n{\"column0\":2,\"column1\":\"y\"}\n");
  EXPECT_EQ(rows("t.tsv", "a\tb\n1\t2\n", {{"csv", {{"delimiter", "\t"}}}}), "{\"a\":1,\"b\":2}\n");
}

TEST_F(FormatsTest, CsvNullLiterals) {
  // seed 003 exports NULL as the literal "NULL".
  EXPECT_EQ(rows("null.csv", "id,v\n1,NULL\n2,\n3,x\n", {{"csv", {{"null", "NULL"}}}}),
            "{\"id\":1,\"v\":null}\n{\"id\":2,\"v\":\"\"}\n{\"id\":3,\"v\":\"x\"}\n");
}

TEST_F(FormatsTest, DecimalsKeepTheirScale) {
  EXPECT_EQ(rows("d.csv", "price\n3.94\n10.10\n", {},
                 "CAST(price AS DECIMAL(10,2)) AS p, CAST(p AS VARCHAR) AS text"),
            "{\"p\":3.94,\"text\":\"3.94\"}\n{\"p\":10.1,\"text\":\"10.10\"}\n");
}

TEST_F(FormatsTest, TimestampsWithAndWithoutZone) {
  EXPECT_EQ(rows("ts.jsonl", "{\"t\":\"2022-11-03 14:20:52.186000\"}\n", {},
                 "CAST(t AS TIMESTAMP) AS ts, CAST(CAST(t AS TIMESTAMP) AS TIME) AS tm"),
            "{\"tm\":\"14:20:52.186\",\"ts\":\"2022-11-03 14:20:52.186\"}\n");
  EXPECT_EQ(rows("tz.jsonl", "{\"t\":\"2025-03-30T01:30:00+02:00\"}\n", {},
                 "strftime(CAST(t AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS utc"),
            "{\"utc\":\"2025-03-29 23:30\"}\n");
}

TEST_F(FormatsTest, JsonArraysAndLines) {
  EXPECT_EQ(rows("arr.json", "[{\"a\":1},{\"a\":2,\"b\":\"x\"}]"),
            "{\"a\":1,\"b\":null}\n{\"a\":2,\"b\":\"x\"}\n");
  EXPECT_EQ(rows("lines.jsonl", "{\"a\":1}\n{\"a\":2}\n"), "{\"a\":1}\n{\"a\":2}\n");
}

TEST_F(FormatsTest, InvalidUtf8IsAClearError) {
  try {
    rows("bad.csv", "id,name\n1,caf\xe9\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "QueryError");
    EXPECT_NE(std::string(e.what()).find("not utf-8 encoded"), std::string::npos) << e.what();
    EXPECT_NE(withLakeUrls(e.what(), lake_).find("file = lake://raw/bad.csv"), std::string::npos)
        << e.what();
  }
}

TEST_F(FormatsTest, MalformedJsonLineIsAClearError) {
  try {
    rows("bad.jsonl", "{\"a\":1}\n{\"a\":\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "QueryError");
    EXPECT_NE(std::string(e.what()).find("bad.jsonl"), std::string::npos) << e.what();
  }
}

TEST(FormatOfName, TheExtensionSaysTheFormatAndTheSuffixKeepsTheCompression) {
  auto said = [](const std::string& name) {
    auto n = formatOfName(name);
    return n ? n->format + " " + n->suffix : std::string("none");
  };
  EXPECT_EQ(said("a.parquet"), "parquet .parquet");
  EXPECT_EQ(said("day.2025.csv.gz"), "csv .csv.gz");
  EXPECT_EQ(said("rates.tsv"), "csv .tsv");
  EXPECT_EQ(said("x.ndjson.zst"), "jsonl .ndjson.zst");
  EXPECT_EQ(said("doc.json"), "json .json");
  EXPECT_EQ(said("notes.gz"), "none");
  EXPECT_EQ(said("README"), "none");
}

}  // namespace
}  // namespace sluice::data
