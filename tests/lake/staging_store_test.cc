#include "lake/staging_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "lake/local_store.h"
#include "testing/temp_dir.h"

namespace sluice::lake {
namespace {

// Stands in for a remote S3 lake: same objects, but no local files to hand DuckDB.
class NoLocalFiles : public ForwardingObjectStore {
 public:
  using ForwardingObjectStore::ForwardingObjectStore;
  std::optional<std::string> localPath(const std::string&, const std::string&) override {
    return std::nullopt;
  }
};

TEST(Glob, DuckDbStyleMatching) {
  EXPECT_TRUE(globMatches("raw/2025-*/*.jsonl", "raw/2025-01/a.jsonl"));
  EXPECT_FALSE(globMatches("raw/*.jsonl", "raw/2025-01/a.jsonl"));
  EXPECT_TRUE(globMatches("raw/**/*.jsonl", "raw/2025-01/x/a.jsonl"));
  EXPECT_TRUE(globMatches("raw/**/*.jsonl", "raw/a.jsonl"));
  EXPECT_TRUE(globMatches("p/file?.csv", "p/file1.csv"));
  EXPECT_FALSE(globMatches("p/file?.csv", "p/file12.csv"));
  EXPECT_TRUE(globMatches("p/[ab].csv", "p/b.csv"));
  EXPECT_FALSE(globMatches("p/[!ab].csv", "p/b.csv"));
}

TEST(StagingStore, DataStepsReadARemoteLikeLakeThroughStagedCopies) {
  testing::TempDir dir;
  LocalObjectStore local(dir / "lake");
  NoLocalFiles remote(local);
  StagingObjectStore staged(remote, dir / "staging");
  staged.createBucket("raw");
  staged.put("raw", "2025-01/a.jsonl", "{\"v\":1}\n{\"v\":2}\n");
  staged.put("raw", "2025-02/b.jsonl", "{\"v\":3}\n");
  staged.put("raw", "other/c.jsonl", "{\"v\":100}\n");
  int events = 0;
  staged.addListener([&](const ObjectEvent&) { events++; });

  data::Database db;
  data::StepEnv env{staged, db, dir / "scratch", [](const std::string&) {}, 0};
  auto out = data::sqlStep(
      {{"inputs", {{"t", "lake://raw/2025-*/*.jsonl"}}}, {"sql", "SELECT sum(v) AS s FROM t"}},
      env);
  EXPECT_EQ(out["rows"][0]["s"], 6);
  EXPECT_TRUE(std::filesystem::exists(dir / "staging/raw/2025-01/a.jsonl"));
  EXPECT_FALSE(std::filesystem::exists(dir / "staging/raw/other/c.jsonl"));

  // A changed object is staged again; the write raised an event through the wrapper.
  staged.put("raw", "2025-01/a.jsonl", "{\"v\":10}\n");
  EXPECT_EQ(events, 1);
  out = data::sqlStep(
      {{"inputs", {{"t", "lake://raw/2025-*/*.jsonl"}}}, {"sql", "SELECT sum(v) AS s FROM t"}},
      env);
  EXPECT_EQ(out["rows"][0]["s"], 13);

  // Outputs go through the store, not the staging folder.
  data::convertStep(
      {{"input", "lake://raw/2025-02/b.jsonl"}, {"output", "lake://raw/out/b.parquet"}}, env);
  EXPECT_EQ(local.head("raw", "out/b.parquet").content_type, "application/vnd.apache.parquet");
}

}  // namespace
}  // namespace sluice::lake
