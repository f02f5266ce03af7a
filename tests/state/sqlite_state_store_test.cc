#include "state/sqlite_state_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "state/sqlite_db.h"
#include "state/sqlite_schema.h"
#include "testing/error_code.h"
#include "testing/temp_dir.h"

namespace sluice::state {
namespace {

using nlohmann::json;

std::string codeOf(const std::function<void()>& fn) { return testing::errorCodeOf(fn); }

class StateStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<StateStore> open() {
    return std::make_unique<SqliteStateStore>(
        dir_ / "state.db", SecretBox::fromEnvironmentOrKeyFile(dir_ / "master.key"), clock_);
  }
  testing::TempDir dir_;
  core::ManualClock clock_{1'700'000'000'000'000'000};
};

TEST_F(StateStoreTest, MigratesToTheLatestSchemaOnceAndReopens) {
  EXPECT_EQ(open()->schemaVersion(), 10);
  EXPECT_EQ(open()->schemaVersion(), 10);
}

// History written one row per event (schema 9) reads back the same after the move to one
// row per commit (schema 10), and new events follow the old ones.
TEST_F(StateStoreTest, HistoryFromBeforeTheBatchedFormatSurvivesTheMigration) {
  const std::string arn = "arn:aws:states:local:000000000000:execution:wf:old";
  {
    SqliteDb db(dir_ / "state.db");
    for (int i = 0; i < 9; i++) db.exec(sqliteMigrations()[i]);
    db.exec("PRAGMA user_version = 9");
    db.exec(
        "INSERT INTO workflows VALUES ('wf', '{}', 1, 0);"
        "INSERT INTO executions(id, workflow, name, status, input, started_ns) VALUES ('" +
        arn +
        "', 'wf', 'old', 'RUNNING', '{}', 5);"
        "INSERT INTO execution_events VALUES ('" +
        arn +
        "', 1, 0, 10, 'ExecutionStarted', '{\"input\":\"{}\"}');"
        "INSERT INTO execution_events VALUES ('" +
        arn + "', 2, 1, 11, 'PassStateEntered', '{\"name\":\"A\",\"input\":\"{}\"}');");
  }
  auto store = open();
  auto& executions = store->executions();
  EXPECT_EQ(executions.lastEventId(arn), 2);
  ASSERT_TRUE(executions.commitProgress(
      arn, {{3, 2, 12, "PassStateExited", {{"name", "A"}, {"output", "{}"}}}}, json(), nullptr,
      nullptr));
  const auto history = executions.history(arn);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].type, "ExecutionStarted");
  EXPECT_EQ(history[0].details, (json{{"input", "{}"}}));
  EXPECT_EQ(history[1].id, 2);
  EXPECT_EQ(history[1].previous_id, 1);
  EXPECT_EQ(history[1].timestamp, 11);
  EXPECT_EQ(history[1].details, (json{{"name", "A"}, {"input", "{}"}}));
  EXPECT_EQ(history[2].type, "PassStateExited");
  EXPECT_EQ(history[2].id, 3);
  // Events must follow the last stored one: a gap or a repeat is refused.
  EXPECT_THROW(executions.commitProgress(arn, {{5, 4, 13, "PassStateEntered", json::object()}},
                                         json(), nullptr, nullptr),
               Error);
  EXPECT_EQ(executions.history(arn).size(), 3u);
}

TEST_F(StateStoreTest, ParametersAreVersioned) {
  auto store = open();
  auto& p = store->parameters();
  EXPECT_EQ(p.put({"/app/watermark", "2025-01-01", ParameterType::kString, "last run", false}), 1);
  EXPECT_EQ(codeOf([&] {
              p.put({"/app/watermark", "x", ParameterType::kString, "", false});
            }),
            "ParameterAlreadyExists");
  clock_.advance(1'000'000'000);
  EXPECT_EQ(p.put({"/app/watermark", "2025-01-02", ParameterType::kString, "", true}), 2);

  EXPECT_EQ(p.get("/app/watermark").value, "2025-01-02");
  EXPECT_EQ(p.get("/app/watermark").version, 2);
  EXPECT_EQ(p.get("/app/watermark:1").value, "2025-01-01");
  EXPECT_EQ(p.get("/app/watermark:1").description, "last run");
  EXPECT_EQ(codeOf([&] { p.get("/app/watermark:9"); }), "ParameterVersionNotFound");
  auto history = p.history("/app/watermark");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].value, "2025-01-01");
  EXPECT_LT(history[0].last_modified, history[1].last_modified);

  p.remove("/app/watermark");
  EXPECT_EQ(codeOf([&] { p.get("/app/watermark"); }), "ParameterNotFound");
  EXPECT_EQ(codeOf([&] { p.remove("/app/watermark"); }), "ParameterNotFound");
}

TEST_F(StateStoreTest, ParametersListByPath) {
  auto store = open();
  auto& p = store->parameters();
  for (std::string n : {"/a/x", "/a/y", "/a/sub/z", "/ab/w", "/b/v", "top"})
    p.put({n, "v", ParameterType::kString, "", false});
  auto names = [](const std::vector<Parameter>& ps) {
    std::vector<std::string> out;
    for (auto& x : ps) out.push_back(x.name);
    return out;
  };
  EXPECT_EQ(names(p.listByPath("/a", false)), (std::vector<std::string>{"/a/x", "/a/y"}));
  EXPECT_EQ(names(p.listByPath("/a", true)),
            (std::vector<std::string>{"/a/sub/z", "/a/x", "/a/y"}));
  EXPECT_EQ(names(p.listByPath("/", true)).size(), 5u);
  EXPECT_EQ(codeOf([&] { p.listByPath("a", false); }), "ValidationException");
}

TEST_F(StateStoreTest, ParameterNamesAreValidated) {
  auto store = open();
  for (std::string bad : {"", "a b", "no/leading", "/trailing/", "/a//b", "semi;colon"})
    EXPECT_EQ(codeOf([&] {
                store->parameters().put({bad, "v", ParameterType::kString, "", false});
              }),
              "ValidationException")
        << bad;
}

TEST_F(StateStoreTest, SecureStringsAreEncryptedAtRest) {
  {
    auto store = open();
    store->parameters().put(
        {"/db/password", "hunter2-very-secret", ParameterType::kSecureString, "", false});
    EXPECT_EQ(store->parameters().get("/db/password").value, "hunter2-very-secret");
  }
  // Neither the database file nor its WAL holds the plaintext.
  for (std::string file : {"state.db", "state.db-wal"}) {
    std::ifstream in(dir_ / file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find("hunter2-very-secret"), std::string::npos) << file;
  }
  EXPECT_EQ(open()->parameters().get("/db/password").value, "hunter2-very-secret");
}

TEST_F(StateStoreTest, SecretsNeedTheirKey) {
  open()->parameters().put({"/s", "value", ParameterType::kSecureString, "", false});
  std::filesystem::remove(dir_ / "master.key");  // a new key is made: the old secret is unreadable
  EXPECT_EQ(codeOf([&] { open()->parameters().get("/s"); }), "InternalError");
}

TEST_F(StateStoreTest, StateSurvivesReopen) {
  {
    auto store = open();
    store->parameters().put({"/k", "v", ParameterType::kStringList, "", false});
    store->items().createTable({"events", {"id", KeyType::kString}, std::nullopt});
    store->items().put("events", {{"id", "e1"}, {"n", 1}});
  }
  auto store = open();
  EXPECT_EQ(store->parameters().get("/k").type, ParameterType::kStringList);
  EXPECT_EQ((*store->items().get("events", {{"id", "e1"}}))["n"], 1);
}

TEST_F(StateStoreTest, ItemTablesPutGetDelete) {
  auto store = open();
  auto& items = store->items();
  items.createTable({"metrics", {"name", KeyType::kString}, KeyAttribute{"ts", KeyType::kNumber}});
  EXPECT_EQ(codeOf([&] {
              items.createTable({"metrics", {"x", KeyType::kString}, std::nullopt});
            }),
            "ResourceInUseException");
  items.put("metrics", {{"name", "rows"}, {"ts", 1}, {"value", 10}});
  items.put("metrics", {{"name", "rows"}, {"ts", 1.0}, {"value", 11}});  // same key: replaced
  EXPECT_EQ((*items.get("metrics", {{"name", "rows"}, {"ts", 1}}))["value"], 11);
  EXPECT_FALSE(items.get("metrics", {{"name", "rows"}, {"ts", 2}}).has_value());
  EXPECT_TRUE(items.remove("metrics", {{"name", "rows"}, {"ts", 1}}));
  EXPECT_FALSE(items.remove("metrics", {{"name", "rows"}, {"ts", 1}}));

  EXPECT_EQ(codeOf([&] { items.put("metrics", {{"name", "rows"}}); }), "ValidationException");
  EXPECT_EQ(codeOf([&] {
              items.put("metrics", {{"name", "rows"}, {"ts", "one"}});
            }),
            "ValidationException");
  EXPECT_EQ(codeOf([&] {
              items.get("metrics", {{"name", "rows"}, {"ts", 1}, {"extra", 1}});
            }),
            "ValidationException");
  EXPECT_EQ(codeOf([&] { items.put("nope", {{"id", "x"}}); }), "ResourceNotFoundException");
}

TEST_F(StateStoreTest, QueriesUseSortKeyOrderAndConditions) {
  auto store = open();
  auto& items = store->items();
  items.createTable({"runs", {"job", KeyType::kString}, KeyAttribute{"n", KeyType::kNumber}});
  for (int n : {10, 2, 33, 4}) items.put("runs", {{"job", "etl"}, {"n", n}});
  items.put("runs", {{"job", "other"}, {"n", 1}});
  auto ns = [&](ItemQuery q) {
    std::vector<int> out;
    for (auto& i : items.query(q)) out.push_back(i["n"].get<int>());
    return out;
  };
  using Op = SortKeyCondition::Op;
  // Numeric order, not text order (10 after 4).
  EXPECT_EQ(ns({"runs", "etl", std::nullopt, false, 0}), (std::vector<int>{2, 4, 10, 33}));
  EXPECT_EQ(ns({"runs", "etl", std::nullopt, true, 2}), (std::vector<int>{33, 10}));
  EXPECT_EQ(ns({"runs", "etl", SortKeyCondition{Op::kGt, 4, nullptr}, false, 0}),
            (std::vector<int>{10, 33}));
  EXPECT_EQ(ns({"runs", "etl", SortKeyCondition{Op::kBetween, 3, 10}, false, 0}),
            (std::vector<int>{4, 10}));
  EXPECT_EQ(ns({"runs", "etl", SortKeyCondition{Op::kLe, 4, nullptr}, false, 0}),
            (std::vector<int>{2, 4}));

  items.createTable({"files", {"bucket", KeyType::kString}, KeyAttribute{"key", KeyType::kString}});
  for (std::string k : {"2025/01/a", "2025/02/b", "2026/01/c", "2025/01/b"})
    items.put("files", {{"bucket", "raw"}, {"key", k}});
  auto keys = items.query(
      {"files", "raw", SortKeyCondition{Op::kBeginsWith, "2025/01/", nullptr}, false, 0});
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]["key"], "2025/01/a");
  EXPECT_EQ(keys[1]["key"], "2025/01/b");
}

}  // namespace
}  // namespace sluice::state
