#include "data/lake_sql.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "lake/local_store.h"
#include "lake/staging_store.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

class LakeSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.createBucket("raw");
    store_.put("raw", "2025-01/a.jsonl", "{\"id\":1,\"v\":\"x\"}\n{\"id\":2,\"v\":\"y\"}\n");
    store_.put("raw", "2025-02/b.jsonl", "{\"id\":3,\"v\":\"x\"}\n");
    store_.put("raw", "sales.csv", "region,amount\nnorth,10.5\nsouth,4\nnorth,1.5\n");
    store_.put("raw", "pipe.txt", "a|b\n1|two\n");
  }
  QueryResult run(const std::string& sql) {
    Connection conn(db_);
    return conn.query(resolveLakeUrls(sql, store_).sql);
  }
  testing::TempDir dir_;
  lake::LocalObjectStore store_{dir_ / "lake"};
  Database db_;
};

TEST_F(LakeSqlTest, ReadsObjectsByExtension) {
  auto r =
      run("SELECT region, sum(amount) AS total FROM 'lake://raw/sales.csv' GROUP BY 1 ORDER BY 1");
  ASSERT_EQ(r.rowCount(), 2u);
  EXPECT_EQ(r.rowJson(0).dump(), R"({"region":"north","total":12.0})");
  EXPECT_EQ(r.rowJson(1).dump(), R"({"region":"south","total":4.0})");
}

TEST_F(LakeSqlTest, GlobsReadManyObjects) {
  auto r = run("SELECT count(*) AS n, sum(id) AS s FROM 'lake://raw/2025-*/*.jsonl'");
  EXPECT_EQ(r.rowJson(0).dump(), R"({"n":3,"s":6})");
}

TEST_F(LakeSqlTest, UrlsWorkInsideReaderFunctions) {
  auto r = run("SELECT b FROM read_csv('lake://raw/pipe.txt', delim='|', header=true)");
  EXPECT_EQ(*r.cell(0, 0), "two");
}

// A bucket or folder URL keeps its '/', so SQL can build an object's path from parts
// (a SQL function's parameters, say).
TEST_F(LakeSqlTest, PathsBuiltFromAFolderUrlReadTheLake) {
  EXPECT_EQ(*run("SELECT count(*) FROM read_csv('lake://raw/' || 'sales' || '.csv')").cell(0, 0),
            "3");
  EXPECT_EQ(*run("SELECT sum(id) FROM read_json('lake://raw/2025-01/' || 'a.jsonl')").cell(0, 0),
            "3");
  auto resolved = resolveLakeUrls("SELECT 'lake://raw/' || 'x.csv'", store_);
  ASSERT_EQ(resolved.substitutions.size(), 1u);
  EXPECT_EQ(resolved.describe("No files found that match the pattern \"" +
                              resolved.substitutions[0].second + "x.csv\""),
            "No files found that match the pattern \"lake://raw/x.csv\"");
}

// A lake that keeps no local files (a remote S3 store) has objects staged for DuckDB; a
// folder URL stages everything below it, since the paths SQL builds from it are known
// only when it runs.
TEST_F(LakeSqlTest, PathsBuiltFromAFolderUrlReadARemoteLake) {
  struct NoLocalFiles : lake::ForwardingObjectStore {
    using ForwardingObjectStore::ForwardingObjectStore;
    std::optional<std::string> localPath(const std::string&, const std::string&) override {
      return std::nullopt;
    }
  } remote(store_);
  lake::StagingObjectStore staged(remote, dir_ / "staging");
  Connection conn(db_);
  const auto query = [&](const std::string& sql) {
    return *conn.query(resolveLakeUrls(sql, staged).sql).cell(0, 0);
  };
  EXPECT_EQ(query("SELECT sum(id) FROM read_json('lake://raw/2025-01/' || 'a.jsonl')"), "3");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "staging/raw/sales.csv"));  // not below it
  EXPECT_EQ(query("SELECT count(*) FROM read_csv('lake://raw/' || 'sales' || '.csv')"), "3");
  EXPECT_EQ(query("SELECT count(*) FROM read_json('lake://raw' || '/2025-02/b.jsonl')"), "1");
}

TEST_F(LakeSqlTest, OnlyLiteralsAreRewritten) {
  auto resolved = resolveLakeUrls(
      "SELECT 'it''s' AS q, \"lake://raw/x\" -- 'lake://raw/comment'\n FROM 'lake://raw/sales.csv'",
      store_);
  EXPECT_NE(resolved.sql.find("'it''s'"), std::string::npos);
  EXPECT_NE(resolved.sql.find("\"lake://raw/x\""), std::string::npos);
  EXPECT_NE(resolved.sql.find("'lake://raw/comment'"), std::string::npos);
  EXPECT_EQ(resolved.sql.find("'lake://raw/sales.csv'"), std::string::npos);
  ASSERT_EQ(resolved.substitutions.size(), 1u);
}

TEST_F(LakeSqlTest, ErrorsNameTheLakeUrlNotTheFolder) {
  auto resolved = resolveLakeUrls("SELECT * FROM 'lake://raw/missing.csv'", store_);
  Connection conn(db_);
  try {
    conn.query(resolved.sql);
    FAIL();
  } catch (const Error& e) {
    std::string msg = resolved.describe(e.what());
    EXPECT_NE(msg.find("lake://raw/missing.csv"), std::string::npos) << msg;
    EXPECT_EQ(msg.find(dir_.path()), std::string::npos) << msg;
  }
}

TEST_F(LakeSqlTest, WritingIntoTheLakeFromSqlIsRefused) {
  EXPECT_THROW(resolveLakeUrls("COPY (SELECT 1) TO 'lake://raw/out.parquet'", store_), Error);
}

TEST_F(LakeSqlTest, UnknownBucketAndEscapesAreErrors) {
  EXPECT_THROW(resolveLakeUrls("SELECT * FROM 'lake://nobucket/x.csv'", store_), Error);
  EXPECT_THROW(resolveLakeUrls("SELECT * FROM 'lake://raw/../../etc/passwd'", store_), Error);
}

}  // namespace
}  // namespace sluice::data
