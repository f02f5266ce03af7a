#include "data/catalog.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "lake/local_store.h"
#include "state/sqlite_state_store.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

using nlohmann::json;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_.createBucket("raw");
    lake_.createBucket("processed");
  }
  StepEnv env() {
    return StepEnv{lake_, db_, dir_.path(), [](const std::string&) {}, 0};
  }
  void writeParquet(const std::string& csv, const std::string& key, json extra = json::object()) {
    lake_.put("raw", "tmp.csv", csv);
    json out{{"path", "lake://processed/" + key}};
    out.update(extra);
    convertStep({{"input", "lake://raw/tmp.csv"}, {"output", out}}, env());
  }
  std::string query(const std::string& sql) {
    Connection conn(db_);
    for (auto& w : attachCatalog(conn, state_.catalog(), lake_)) ADD_FAILURE() << w;
    auto r = conn.query(sql);
    std::string out;
    for (size_t i = 0; i < r.rowCount(); i++) out += r.rowJson(i).dump() + "\n";
    return out;
  }
  std::vector<CrawledTable> crawlProcessed() {
    Connection conn(db_);
    return crawl(conn, lake_, state_.catalog(), "processed", "", "");
  }

  testing::TempDir dir_;
  lake::LocalObjectStore lake_{dir_ / "lake"};
  Database db_;
  core::ManualClock clock_{0};
  state::SqliteStateStore state_{dir_ / "state.db", state::SecretBox(std::string(32, 'k')), clock_};
};

TEST_F(CatalogTest, CrawlFindsTablesFormatsAndPartitions) {
  writeParquet("year,month,units\n2025,1,10\n2025,2,5\n2024,12,7\n", "sales/",
               {{"partition_by", {"year", "month"}}});
  writeParquet("id,name\n1,a\n", "customers/part-0.parquet");
  lake_.put("processed", "customers/_SUCCESS", "");
  lake_.put("processed", "events/e.jsonl", "{\"k\":1}\n{\"k\":2}\n");
  auto report = crawlProcessed();
  ASSERT_EQ(report.size(), 3u);
  EXPECT_EQ(report[0].qualified_name, "processed.customers");
  EXPECT_EQ(report[0].status, "created");
  EXPECT_EQ(report[0].objects, 1);  // _SUCCESS is not data

  auto sales = *state_.catalog().getTable("processed", "sales");
  EXPECT_EQ(sales.format, "parquet");
  EXPECT_EQ(sales.location, "lake://processed/sales/");
  EXPECT_EQ(sales.partition_keys, (std::vector<std::string>{"year", "month"}));
  EXPECT_EQ(state_.catalog().getTable("processed", "events")->format, "jsonl");

  EXPECT_EQ(
      query("SELECT year, sum(units) AS units FROM processed.sales GROUP BY year ORDER BY year"),
      "{\"units\":7,\"year\":2024}\n{\"units\":15,\"year\":2025}\n");
  EXPECT_EQ(query("SELECT sum(k) AS s FROM processed.events"), "{\"s\":3}\n");
}

TEST_F(CatalogTest, PartitionFiltersPruneFiles) {
  writeParquet("year,units\n2025,10\n2024,7\n", "sales/", {{"partition_by", {"year"}}});
  crawlProcessed();
  // A corrupt file in another partition: only a query that opens it can fail.
  lake_.put("processed", "sales/year=2026/corrupt.parquet", "this is not parquet");
  EXPECT_EQ(query("SELECT sum(units) AS u FROM processed.sales WHERE year = 2025"), "{\"u\":10}\n");
  EXPECT_THROW(query("SELECT sum(units) FROM processed.sales WHERE year = 2026"), Error);
}

TEST_F(CatalogTest, FilesWithDifferentColumnsAreMatchedByName) {
  writeParquet("id,amount\n1,10\n", "orders/a.parquet");
  writeParquet("id,amount,status\n2,20,new\n", "orders/b.parquet");
  crawlProcessed();
  auto t = *state_.catalog().getTable("processed", "orders");
  EXPECT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(query("SELECT id, status FROM processed.orders ORDER BY id"),
            "{\"id\":1,\"status\":null}\n{\"id\":2,\"status\":\"new\"}\n");
}

// A bucket is a database: a file at its root is a table of its own. A crawled folder is
// a table: the files directly in it, not those of the folders below.
TEST_F(CatalogTest, FilesBesideFoldersAreTablesOfTheirOwn) {
  writeParquet("id,amount\n1,10\n2,20\n", "orders.parquet");
  writeParquet("id,name\n1,a\n", "customers.parquet");
  writeParquet("id,amount\n3,30\n", "sales/part-0.parquet");
  auto report = crawlProcessed();
  ASSERT_EQ(report.size(), 3u);
  EXPECT_EQ(report[0].qualified_name, "processed.customers");
  EXPECT_EQ(report[1].qualified_name, "processed.orders");
  EXPECT_EQ(report[2].qualified_name, "processed.sales");
  auto orders = *state_.catalog().getTable("processed", "orders");
  EXPECT_EQ(orders.location, "lake://processed/");
  EXPECT_EQ(orders.options.value("pattern", ""), "orders.parquet");
  EXPECT_EQ(query("SELECT sum(amount) AS s FROM processed.orders"), "{\"s\":30}\n");
  EXPECT_EQ(query("SELECT name FROM processed.customers"), "{\"name\":\"a\"}\n");
  EXPECT_EQ(crawlProcessed()[1].status, "unchanged");

  // The tables an earlier crawl found whose objects are gone are removed.
  lake_.remove("processed", "customers.parquet");
  report = crawlProcessed();
  ASSERT_EQ(report.size(), 3u);
  EXPECT_EQ(report[2].qualified_name + " " + report[2].status, "processed.customers removed");
  EXPECT_FALSE(state_.catalog().getTable("processed", "customers"));

  writeParquet("id,amount\n4,40\n", "sales/2025/part-1.parquet");
  Connection conn(db_);
  report = crawl(conn, lake_, state_.catalog(), "processed", "sales", "");
  ASSERT_EQ(report.size(), 2u);
  EXPECT_EQ(report[0].qualified_name, "processed.sales");
  EXPECT_EQ(report[0].status, "updated");  // now only the files directly in sales/
  EXPECT_EQ(report[1].qualified_name, "processed.t_2025");
  EXPECT_EQ(query("SELECT sum(amount) AS s FROM processed.sales"), "{\"s\":30}\n");
  EXPECT_EQ(query("SELECT sum(amount) AS s FROM processed.t_2025"), "{\"s\":40}\n");
  // A crawl of the whole bucket again does not find t_2025 (it is inside sales/), but its
  // objects are there, so it stays.
  report = crawlProcessed();
  EXPECT_TRUE(state_.catalog().getTable("processed", "t_2025"));
  for (const auto& r : report) EXPECT_NE(r.status, "removed") << r.qualified_name;
}

// Compressed and tab-separated files are tables like any other.
TEST_F(CatalogTest, CompressedAndTabSeparatedFilesAreFound) {
  writeParquet("id,amount\n1,10\n2,20\n", "logs/day=1/a.csv.gz");
  writeParquet("id,amount\n3,30\n", "logs/day=2/b.csv.gz");
  lake_.put("processed", "rates.tsv", "code\trate\nEUR\t1.5\nGBP\t2\n");
  auto report = crawlProcessed();
  ASSERT_EQ(report.size(), 2u);
  auto logs = *state_.catalog().getTable("processed", "logs");
  EXPECT_EQ(logs.format, "csv");
  EXPECT_EQ(logs.options.value("pattern", ""), "**/*.csv.gz");
  EXPECT_EQ(query("SELECT day, sum(amount) AS s FROM processed.logs GROUP BY day ORDER BY day"),
            "{\"day\":1,\"s\":30}\n{\"day\":2,\"s\":30}\n");
  EXPECT_EQ(report[1].qualified_name, "processed.rates");
  EXPECT_EQ(state_.catalog().getTable("processed", "rates")->options.value("pattern", ""),
            "rates.tsv");
  EXPECT_EQ(query("SELECT sum(rate) AS s FROM processed.rates"), "{\"s\":3.5}\n");
}

TEST_F(CatalogTest, RecrawlReportsSchemaChanges) {
  writeParquet("id,amount\n1,10\n", "orders/a.parquet");
  crawlProcessed();
  EXPECT_EQ(crawlProcessed()[0].status, "unchanged");
  lake_.remove("processed", "orders/a.parquet");
  writeParquet("id,amount,status\n1,ten,new\n", "orders/b.parquet");
  auto report = crawlProcessed();
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].status, "updated");
  EXPECT_EQ(report[0].changes, (std::vector<std::string>{"column amount: BIGINT -> VARCHAR",
                                                         "added column status VARCHAR"}));
}

TEST_F(CatalogTest, DeclaredTablesAndClearErrors) {
  state::CatalogTable t;
  t.database = "curated";
  t.name = "orders";
  t.location = "lake://processed/orders/";
  t.format = "parquet";
  state_.catalog().putTable(t);
  writeParquet("id\n1\n2\n", "orders/x.parquet");
  EXPECT_EQ(query("SELECT count(*) AS n FROM curated.orders"), "{\"n\":2}\n");
  try {
    query("SELECT missing_column FROM curated.orders");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing_column"), std::string::npos);
  }
  state::CatalogTable bad = t;
  bad.database = "bad-name";
  EXPECT_THROW(state_.catalog().putTable(bad), Error);
  // A declared table with no objects yet is reported, not fatal.
  state::CatalogTable empty = t;
  empty.name = "empty";
  empty.location = "lake://processed/nothing/";
  state_.catalog().putTable(empty);
  Connection conn(db_);
  auto warnings = attachCatalog(conn, state_.catalog(), lake_);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("curated.empty"), std::string::npos);
}

}  // namespace
}  // namespace sluice::data
