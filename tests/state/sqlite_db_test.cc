#include "state/sqlite_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "testing/temp_dir.h"

namespace sluice::state {
namespace {

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = std::make_unique<SqliteDb>(dir.path() + "/state.db");
    db->exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'one');");
  }
  testing::TempDir dir;
  std::unique_ptr<SqliteDb> db;
};

// Statements come back from the cache reset and unbound: a reused one neither sees the
// last caller's bindings nor continues its rows.
TEST_F(SqliteDbTest, AReusedStatementStartsAfresh) {
  db->exec("INSERT INTO t VALUES (2, 'two')");
  {
    auto st = db->prepare("SELECT v FROM t WHERE k >= ?1 ORDER BY k");
    ASSERT_TRUE(st.bind(1, int64_t{1}).step());
    EXPECT_EQ(st.text(0), "one");  // left with a row unread
  }
  auto again = db->prepare("SELECT v FROM t WHERE k >= ?1 ORDER BY k");
  EXPECT_FALSE(again.step()) << "an unbound ?1 is NULL, so nothing matches";
  again.reset();
  ASSERT_TRUE(again.bind(1, int64_t{2}).step());
  EXPECT_EQ(again.text(0), "two");
}

// The same SQL prepared while an earlier one is still in use gets its own statement.
TEST_F(SqliteDbTest, NestedUsesOfTheSameSqlDoNotShareAStatement) {
  db->exec("INSERT INTO t VALUES (2, 'two')");
  auto outer = db->prepare("SELECT v FROM t ORDER BY k");
  ASSERT_TRUE(outer.step());
  std::vector<std::string> inner_rows;
  {
    auto inner = db->prepare("SELECT v FROM t ORDER BY k");
    while (inner.step()) inner_rows.push_back(inner.text(0));
  }
  EXPECT_EQ(inner_rows, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(outer.text(0), "one");
  ASSERT_TRUE(outer.step());
  EXPECT_EQ(outer.text(0), "two");
}

// A statement given back ends its read: another connection can then write and
// checkpoint the WAL fully, which an open read would prevent.
TEST_F(SqliteDbTest, AStatementGivenBackHoldsNoReadOpen) {
  {
    auto st = db->prepare("SELECT v FROM t");
    ASSERT_TRUE(st.step());
  }
  SqliteDb other(dir.path() + "/state.db");
  other.exec("INSERT INTO t VALUES (3, 'three')");
  auto cp = other.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(cp.step());
  EXPECT_EQ(cp.int64(0), 0) << "the checkpoint was blocked";
  auto st = db->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.int64(0), 2);
}

// SQL that varies (a LIMIT written into the text) beyond the cache's size still runs.
TEST_F(SqliteDbTest, ManyDistinctStatementsStillRun) {
  for (int i = 0; i < 600; i++) {
    auto st = db->prepare("SELECT count(*) FROM t LIMIT " + std::to_string(i + 1));
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.int64(0), 1);
  }
}

TEST_F(SqliteDbTest, ABadStatementNamesItself) {
  try {
    db->prepare("SELECT nope FROM t");
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("cannot prepare 'SELECT nope FROM t'"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("no such column: nope"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::state
