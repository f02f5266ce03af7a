// The generic data steps on small hand-checked inputs.
#include <gtest/gtest.h>

#include <regex>

#include "core/error.h"
#include "core/hash.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "lake/local_store.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

using nlohmann::json;

class StepsTest : public ::testing::Test {
 protected:
  void SetUp() override { lake_.createBucket("raw"); }
  StepEnv env() {
    return StepEnv{lake_, db_, dir_.path(), [this](const std::string& l) { logs_.push_back(l); },
                   1'763'806'517'123'456'000};  // 2025-11-22T10:15:17.123456Z
  }
  std::string rows(const std::string& sql) {
    Connection conn(db_);
    auto r = conn.query(sql);
    std::string out;
    for (size_t i = 0; i < r.rowCount(); i++) out += r.rowJson(i).dump() + "\n";
    return out;
  }
  std::string path(const std::string& key) { return *lake_.localPath("raw", key); }

  testing::TempDir dir_;
  lake::LocalObjectStore lake_{dir_ / "lake"};
  Database db_;
  std::vector<std::string> logs_;
};

TEST_F(StepsTest, ConvertJsonLinesToParquetWithKeyTemplate) {
  lake_.put("raw", "in/a.jsonl", "{\"id\":1,\"v\":\"x\"}\n{\"id\":2,\"v\":null}\n");
  auto out = convertStep(
      {{"input", "lake://raw/in/a.jsonl"},
       {"output",
        {{"path", "lake://raw/out/{table}_{packet_id:08d}_processed_{time:%H%M%S%f}.parquet"},
         {"compression", "zstd"}}},
       {"vars", {{"table", "sales_order"}, {"packet_id", 42}}}},
      env());
  EXPECT_EQ(out["rows"], 2);
  ASSERT_EQ(out["objects"].size(), 1u);
  EXPECT_EQ(out["objects"][0]["key"], "out/sales_order_00000042_processed_101517123456.parquet");
  EXPECT_EQ(rows("SELECT * FROM '" + path("out/*.parquet") + "' ORDER BY id"),
            "{\"id\":1,\"v\":\"x\"}\n{\"id\":2,\"v\":null}\n");
  EXPECT_EQ(
      rows("SELECT DISTINCT compression FROM parquet_metadata('" + path("out/*.parquet") + "')"),
      "{\"compression\":\"ZSTD\"}\n");
}

TEST_F(StepsTest, ConvertToCsvWithBomCrlfAndPipes) {
  lake_.put("raw", "in.jsonl",
            "{\"a\":\"x|y\",\"b\":\"line1\\nline2\"}\n{\"a\":\"say \\\"hi\\\"\",\"b\":\"z\"}\n");
  convertStep(
      {{"input", "lake://raw/in.jsonl"},
       {"output",
        {{"path", "lake://raw/out.csv"}, {"csv", {{"bom", true}, {"line_ending", "\r\n"}}}}}},
      env());
  EXPECT_EQ(lake_.get("raw", "out.csv"),
            "\xEF\xBB\xBF"
            "a,b\r\nx|y,\"line1\nline2\"\r\n\"say \"\"hi\"\"\",z\r\n");
  convertStep(
      {{"input", "lake://raw/in.jsonl"},
       {"output",
        {{"path", "lake://raw/out.txt"}, {"format", "csv"}, {"csv", {{"delimiter", "|"}}}}}},
      env());
  EXPECT_EQ(lake_.get("raw", "out.txt"), "a|b\n\"x|y\"|\"line1\nline2\"\n\"say \"\"hi\"\"\"|z\n");
}

// A text output whose key ends in .gz or .zst is compressed so, as is one that asks; the
// lake reads it back by its name.
TEST_F(StepsTest, ConvertToCompressedTextByKeyOrOption) {
  lake_.put("raw", "in.jsonl", "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n");
  const std::string csv = "a,b\n1,x\n2,y\n";
  auto convert = [&](const std::string& input, json output) {
    convertStep({{"input", input}, {"output", std::move(output)}}, env());
  };
  convert("lake://raw/in.jsonl", "lake://raw/out.csv.gz");
  EXPECT_EQ(lake_.get("raw", "out.csv.gz").substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(lake_.head("raw", "out.csv.gz").content_type, "application/gzip");
  convert("lake://raw/out.csv.gz", "lake://raw/back.csv");
  EXPECT_EQ(lake_.get("raw", "back.csv"), csv);

  // From one whole Parquet file, which is otherwise written by sluice's own writers.
  convert("lake://raw/in.jsonl", "lake://raw/in.parquet");
  convert("lake://raw/in.parquet", "lake://raw/out.jsonl.zst");
  EXPECT_EQ(lake_.get("raw", "out.jsonl.zst").substr(0, 4), "\x28\xb5\x2f\xfd");
  convert("lake://raw/out.jsonl.zst", "lake://raw/back.jsonl");
  EXPECT_EQ(lake_.get("raw", "back.jsonl"), "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n");

  convert("lake://raw/in.jsonl", {{"path", "lake://raw/asked.csv"}, {"compression", "gzip"}});
  EXPECT_EQ(lake_.get("raw", "asked.csv").substr(0, 2), "\x1f\x8b");
  convert("lake://raw/in.jsonl", {{"path", "lake://raw/plain.csv.gz"}, {"compression", "none"}});
  EXPECT_EQ(lake_.get("raw", "plain.csv.gz"), csv);

  try {
    convert("lake://raw/in.jsonl", {{"path", "lake://raw/bom.csv.gz"}, {"csv", {{"bom", true}}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "lake://raw/bom.csv.gz: a compressed CSV output cannot also have a BOM or CRLF "
              "line ends");
  }
  EXPECT_THROW(
      convert("lake://raw/in.jsonl", {{"path", "lake://raw/x.csv"}, {"compression", "lz9"}}),
      Error);
  EXPECT_FALSE(lake_.find("raw", "bom.csv.gz"));
}

// The ETag the AWS CLI's upload of the same bytes gets from S3: their MD5 up to 8 MiB,
// above that the MD5 of the MD5s of the 8 MiB parts and "-N".
std::string awsCliUploadEtag(std::string_view bytes) {
  constexpr size_t kPart = 8 << 20;
  if (bytes.size() <= kPart) return core::md5Hex(bytes);
  std::vector<std::string> parts;
  for (size_t at = 0; at < bytes.size(); at += kPart) {
    core::Md5 md5;
    md5.update(bytes.substr(at, kPart));
    parts.push_back(md5.finish());
  }
  return core::multipartEtag(parts);
}

// One Parquet file of a million rows in ten row groups to text: on a machine with two or
// more cores the rows go out in ranges side by side (data/ranged_copy.h), in their order
// all the same.
TEST_F(StepsTest, ConvertParquetOfManyRowGroupsToCsvKeepsTheRowOrder) {
  Connection conn(db_);
  conn.query("COPY (SELECT i AS id, 'v' || (i * 7919 % 10007) AS v FROM range(1000000) t(i)) TO '" +
             (dir_ / "in.parquet") + "' (FORMAT PARQUET, ROW_GROUP_SIZE 100000)");
  lake_.putFile("raw", "in.parquet", dir_ / "in.parquet", {});
  auto out =
      convertStep({{"input", "lake://raw/in.parquet"},
                   {"output", {{"path", "lake://raw/out.csv"}, {"csv", {{"delimiter", "|"}}}}}},
                  env());
  EXPECT_EQ(out["rows"], 1000000);
  std::string expected = "id|v\n";
  for (int64_t i = 0; i < 1000000; i++)
    expected += std::to_string(i) + "|v" + std::to_string(i * 7919 % 10007) + "\n";
  EXPECT_TRUE(lake_.get("raw", "out.csv") == expected);

  // With a BOM and CRLF line ends, written as such by the ranges, and with the ETag of
  // those bytes.
  out = convertStep({{"input", "lake://raw/in.parquet"},
                     {"output",
                      {{"path", "lake://raw/framed.csv"},
                       {"csv", {{"delimiter", "|"}, {"bom", true}, {"line_ending", "\r\n"}}}}}},
                    env());
  std::string framed = "\xEF\xBB\xBF";
  for (size_t line = 0, end; line < expected.size(); line = end + 1) {
    end = expected.find('\n', line);
    framed.append(expected, line, end - line).append("\r\n");
  }
  const std::string written = lake_.get("raw", "framed.csv");
  EXPECT_TRUE(written == framed) << written.substr(0, 40);
  EXPECT_EQ(out["objects"][0]["etag"], awsCliUploadEtag(framed));
}

TEST_F(StepsTest, ConvertPartitionsByColumn) {
  lake_.put("raw", "in.csv", "year,month,v\n2025,1,a\n2025,2,b\n2024,12,c\n");
  auto out = convertStep({{"input", "lake://raw/in.csv"},
                          {"output",
                           {{"path", "lake://raw/part/"},
                            {"format", "parquet"},
                            {"partition_by", {"year", "month"}}}}},
                         env());
  EXPECT_EQ(out["objects"].size(), 3u);
  EXPECT_EQ(lake_.list("raw", {"part/year=2025/", "", "", "", 1000}).objects.size(), 2u);
  EXPECT_EQ(rows("SELECT v, year, month FROM read_parquet('" + path("part/*/*/*.parquet") +
                 "', hive_partitioning=true) ORDER BY v"),
            "{\"month\":1,\"v\":\"a\",\"year\":2025}\n{\"month\":2,\"v\":\"b\",\"year\":2025}\n"
            "{\"month\":12,\"v\":\"c\",\"year\":2024}\n");
}

TEST_F(StepsTest, EveryWrittenObjectHasTheEtagOfItsBytesAsTheAwsCliWouldUploadThem) {
  // Large enough that DuckDB writes it in many pieces while it is being hashed; the CSV
  // and JSON lines outputs span several 8 MiB parts, the Parquet one is under one.
  const std::string sql =
      "SELECT i AS id, 'name-' || i AS name, i * 0.25 AS amount FROM range(400000) t(i)";
  for (const std::string key : {"big.parquet", "big.csv", "big.jsonl", "big_crlf.csv"}) {
    json output = {{"path", "lake://raw/" + key}};
    if (key == "big_crlf.csv") output["csv"] = {{"line_ending", "\r\n"}, {"bom", true}};
    auto out = sqlStep({{"sql", sql}, {"output", output}}, env());
    ASSERT_EQ(out["objects"].size(), 1u) << key;
    const std::string bytes = lake_.get("raw", key);
    EXPECT_GT(bytes.size(), 1'000'000u) << key;
    EXPECT_EQ(out["objects"][0]["etag"], awsCliUploadEtag(bytes)) << key;
    EXPECT_EQ(lake_.head("raw", key).etag, awsCliUploadEtag(bytes)) << key;
    if (key == "big_crlf.csv") {
      EXPECT_EQ(bytes.substr(0, 11), "\xEF\xBB\xBFid,name,") << key;
      EXPECT_NE(bytes.find("\r\n1,name-1,0.25\r\n"), std::string::npos) << key;
    }
  }
  EXPECT_NE(lake_.head("raw", "big.csv").etag.find('-'), std::string::npos);
}

TEST_F(StepsTest, NoOverwriteMakesAnExistingKeyAnError) {
  lake_.put("raw", "in.csv", "a\n1\n");
  lake_.put("raw", "out.parquet", "existing");
  try {
    convertStep({{"input", "lake://raw/in.csv"},
                 {"output", {{"path", "lake://raw/out.parquet"}, {"overwrite", false}}}},
                env());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "PreconditionFailed");
  }
  EXPECT_EQ(lake_.get("raw", "out.parquet"), "existing");
}

TEST_F(StepsTest, CsvInputOptions) {
  lake_.put("raw", "semi.csv", "\xEF\xBB\xBFid;name\r\n1;NA\r\n2;\"b;c\"\r\n");
  auto out = sqlStep(
      {{"inputs",
        {{"t", {{"path", "lake://raw/semi.csv"}, {"csv", {{"delimiter", ";"}, {"null", "NA"}}}}}}},
       {"sql", "SELECT * FROM t ORDER BY id"}},
      env());
  EXPECT_EQ(out["rows"].dump(), R"([{"id":1,"name":null},{"id":2,"name":"b;c"}])");
}

TEST_F(StepsTest, SqlStepReturnsRowsOrWritesAnOutput) {
  lake_.put("raw", "o.csv", "region,amount\nn,1\ns,2\nn,3\n");
  auto out =
      sqlStep({{"inputs", {{"orders", "lake://raw/o.csv"}}},
               {"sql", "SELECT region, sum(amount) AS total FROM orders GROUP BY 1 ORDER BY 1"},
               {"max_rows", 1}},
              env());
  EXPECT_EQ(out["rows"].dump(), R"([{"region":"n","total":4}])");
  EXPECT_EQ(out["truncated"], true);
  // Nested values come back as JSON, not as empty text.
  auto nested = sqlStep({{"inputs", {{"orders", "lake://raw/o.csv"}}},
                         {"sql",
                          "SELECT region, list(amount ORDER BY amount) AS amounts FROM orders "
                          "GROUP BY 1 ORDER BY 1 -- one row per region"}},
                        env());
  EXPECT_EQ(nested["rows"].dump(),
            R"([{"amounts":[1,3],"region":"n"},{"amounts":[2],"region":"s"}])");
  auto written = sqlStep({{"inputs", {{"orders", "lake://raw/o.csv"}}},
                          {"sql", "SELECT region, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1"},
                          {"output", "lake://raw/agg.jsonl"}},
                         env());
  EXPECT_EQ(written["rows"], 2);
  EXPECT_EQ(lake_.get("raw", "agg.jsonl"),
            "{\"region\":\"n\",\"n\":2}\n{\"region\":\"s\",\"n\":1}\n");
}

TEST_F(StepsTest, SqlStepWritesEachNamedOutput) {
  lake_.put("raw", "o.csv", "region,amount\nn,1\ns,2\nn,3\n");
  auto out = sqlStep(
      {{"inputs", {{"orders", "lake://raw/o.csv"}}},
       {"sql",
        "CREATE TABLE totals AS SELECT region, sum(amount) AS total FROM orders GROUP BY 1 "
        "ORDER BY 1; CREATE VIEW \"big orders\" AS SELECT * FROM orders WHERE amount > 1"},
       {"outputs",
        {{"totals", "lake://raw/totals.csv"}, {"big orders", "lake://raw/big/{day}.jsonl"}}},
       {"vars", {{"day", "2025-11-23"}}}},
      env());
  EXPECT_EQ(out["outputs"]["totals"]["rows"], 2);
  EXPECT_EQ(out["outputs"]["big orders"]["rows"], 2);
  EXPECT_EQ(out["outputs"]["big orders"]["objects"][0]["key"], "big/2025-11-23.jsonl");
  EXPECT_EQ(lake_.get("raw", "totals.csv"), "region,total\nn,4\ns,2\n");
  EXPECT_EQ(lake_.get("raw", "big/2025-11-23.jsonl"),
            "{\"region\":\"s\",\"amount\":2}\n{\"region\":\"n\",\"amount\":3}\n");
  try {
    sqlStep({{"sql", "CREATE TABLE a AS SELECT 1 AS x"}, {"outputs", {{"b", "lake://raw/b.csv"}}}},
            env());
    FAIL() << "no error for an output the SQL did not make";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("output 'b'"), std::string::npos) << e.what();
  }
}

TEST_F(StepsTest, DedupKeepsTheLatestVersionNullsLast) {
  lake_.put("raw", "c.csv",
            "customer_id,name,updated_at\n"
            "1,old,2025-01-01\n"
            "2,only,\n"
            "1,new,2025-03-01\n"
            "1,undated,\n"
            "3,first,2025-01-01\n"
            "3,second,2025-01-01\n");
  auto out = dedupStep({{"input", "lake://raw/c.csv"},
                        {"output", "lake://raw/c.jsonl"},
                        {"keys", {"customer_id"}},
                        {"order_by", "updated_at"}},
                       env());
  EXPECT_EQ(out["rows_in"], 6);
  EXPECT_EQ(out["removed"], 3);
  // Ties keep the first row of the input; output keeps input order.
  EXPECT_EQ(lake_.get("raw", "c.jsonl"),
            "{\"customer_id\":2,\"name\":\"only\",\"updated_at\":null}\n"
            "{\"customer_id\":1,\"name\":\"new\",\"updated_at\":\"2025-03-01\"}\n"
            "{\"customer_id\":3,\"name\":\"first\",\"updated_at\":\"2025-01-01\"}\n");
}

TEST_F(StepsTest, DedupWithoutKeysDropsExactDuplicates) {
  lake_.put("raw", "d.csv", "a,b\n1,x\n1,x\n1,y\n");
  auto out = dedupStep({{"input", "lake://raw/d.csv"}, {"output", "lake://raw/d.parquet"}}, env());
  EXPECT_EQ(out["removed"], 1);
  EXPECT_EQ(out["rows_out"], 2);
}

TEST_F(StepsTest, MaskPresetsFollowSeed003) {
  EXPECT_EQ(rows("SELECT " + maskExpression("v", "phone") +
                 " AS m FROM (VALUES ('980.978.6736'), "
                 "('(543)733-3308x32683'), ('12345')) t(v)"),
            "{\"m\":\"980***6736\"}\n{\"m\":\"(54***2683\"}\n{\"m\":\"***-***-****\"}\n");
  EXPECT_EQ(rows("SELECT " + maskExpression("v", "ssn") +
                 " AS m FROM (VALUES ('123-45-6789'), ('12')) t(v)"),
            "{\"m\":\"***-**-6789\"}\n{\"m\":\"***-**-****\"}\n");
  EXPECT_EQ(rows("SELECT " + maskExpression("v", "name") +
                 " AS m FROM (VALUES ('Jane Doe'), ('Al')) t(v)"),
            "{\"m\":\"J******e\"}\n{\"m\":\"***\"}\n");
  EXPECT_EQ(rows("SELECT " + maskExpression("v", "card") +
                 " AS m FROM (VALUES ('4111111111111111'), ('123')) t(v)"),
            "{\"m\":\"************1111\"}\n{\"m\":\"****\"}\n");
  EXPECT_EQ(rows("SELECT " + maskExpression("v", "email") +
                 " AS m FROM (VALUES ('ann@example.com')) t(v)"),
            "{\"m\":\"a***@example.com\"}\n");
  EXPECT_EQ(rows("SELECT " + maskExpression("v", json{{"regex", "[0-9]"}, {"replace", "#"}}) +
                 " AS m FROM (VALUES ('a1b22')) t(v)"),
            "{\"m\":\"a#b##\"}\n");
  EXPECT_THROW(maskExpression("v", "unknown"), Error);
}

TEST_F(StepsTest, NoFullCardNumberSurvivesMasking) {
  // 500 generated payments with 13- to 19-digit card numbers, some spaced or dashed.
  std::string csv = "payment_id,card_number,cvv,card_holder_name,amount\n";
  for (int i = 0; i < 500; i++) {
    int len = 13 + i % 7;
    std::string card;
    for (int d = 0; d < len; d++) card += static_cast<char>('0' + (i * 7 + d * 3) % 10);
    if (i % 5 == 0) card.insert(4, " ");
    if (i % 7 == 0) card.insert(4, "-");
    csv += std::to_string(i) + "," + card + "," + std::to_string(100 + i % 900) + ",Holder " +
           std::to_string(i) + "," + std::to_string(i * 1.5) + "\n";
  }
  lake_.put("raw", "payments.csv", csv);
  auto out =
      maskStep({{"input", {{"path", "lake://raw/payments.csv"}, {"csv", {{"header", true}}}}},
                {"output", "lake://raw/masked.csv"},
                {"columns",
                 {{"card_number", "card"},
                  {"cvv", "cvv"},
                  {"card_holder_name", "name"},
                  {"absent", "card"}}}},
               env());
  EXPECT_EQ(out["rows"], 500);
  EXPECT_EQ(out["masked_columns"].size(), 3u);
  std::string masked = lake_.get("raw", "masked.csv");
  // Every masked card is stars followed by its last four characters: no digit before them.
  std::istringstream lines(masked);
  std::string line;
  std::getline(lines, line);
  int checked = 0;
  while (std::getline(lines, line)) {
    std::string card = line.substr(line.find(',') + 1);
    card = card.substr(0, card.find(','));
    EXPECT_FALSE(std::regex_search(card.substr(0, card.size() - 4), std::regex("[0-9]"))) << card;
    EXPECT_EQ(card.find_first_not_of('*'), card.size() - 4) << card;
    checked++;
  }
  EXPECT_EQ(checked, 500);
  EXPECT_EQ(masked.find(",Holder "), std::string::npos);  // holder names masked too
}

}  // namespace
}  // namespace sluice::data
