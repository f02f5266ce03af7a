// The `command` and `sql` function runtimes, run through the invoker as projects use them.
#include <gtest/gtest.h>

#include <chrono>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "functions/command_function.h"
#include "functions/concurrency_limit.h"
#include "functions/invoker.h"
#include "functions/memory_limit.h"
#include "functions/sql_function.h"
#include "lake/local_store.h"
#include "state/sqlite_state_store.h"
#include "testing/error_code.h"
#include "testing/temp_dir.h"

namespace sluice::functions {
namespace {

class RuntimesTest : public ::testing::Test {
 protected:
  RuntimesTest()
      : lake_(dir_ / "lake"),
        state_(dir_ / "state.db", state::SecretBox(std::string(32, 'k'))),
        services_{lake_, state_, duckdb_, dir_.path(), {}, {}} {}

  nlohmann::json invoke(const std::string& name, const nlohmann::json& event) {
    Invoker invoker(registry_, services_);
    return invoker.invoke(name, event).result;
  }
  std::vector<std::string> logsOf(const std::string& name) {
    std::vector<std::string> lines;
    for (const auto& l :
         state_.invocations().logs(state_.invocations().recent(name, 1)[0].request_id))
      lines.push_back(l.line);
    return lines;
  }
  void command(const std::string& name, const std::string& script, double timeout = 10,
               int memory_mb = 0) {
    testing::writeFile(dir_ / (name + ".sh"), script);
    CommandSpec spec;
    spec.argv = {"/bin/sh", dir_ / (name + ".sh")};
    spec.environment = {{"GREETING", "hello"}};
    spec.memory_mb = memory_mb;
    registry_.add(name, "", commandHandler(spec), timeout);
  }

  testing::TempDir dir_;
  lake::LocalObjectStore lake_;
  state::SqliteStateStore state_;
  data::Database duckdb_;
  Services services_;
  Registry registry_;
};

TEST_F(RuntimesTest, CommandReadsTheEventAndPrintsTheResult) {
  command("greet",
          "read event\n"
          "echo \"got $event\" >&2\n"
          "echo \"second line\" >&2\n"
          "printf '{\"greeting\":\"%s\",\"event\":%s}' \"$GREETING\" \"$event\"\n");
  EXPECT_EQ(invoke("greet", {{"n", 1}}),
            nlohmann::json::parse(R"({"greeting":"hello","event":{"n":1}})"));
  EXPECT_EQ(logsOf("greet"), (std::vector<std::string>{"got {\"n\":1}", "second line"}));
}

TEST_F(RuntimesTest, CommandErrorsKeepTheirNames) {
  command("named",
          "echo '{\"errorType\":\"Data.Invalid\",\"errorMessage\":\"row 3 is bad\"}'\n"
          "exit 1\n");
  command("crashes", "echo 'something broke' >&2\nexit 3\n");
  command("garbage", "echo 'not json'\n");
  try {
    invoke("named", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "Data.Invalid");
    EXPECT_STREQ(e.what(), "row 3 is bad");
  }
  try {
    invoke("crashes", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "Runtime.ExitError");
    EXPECT_STREQ(e.what(), "'crashes' exited with status 3: something broke");
  }
  EXPECT_EQ(testing::errorCodeOf([&] { invoke("garbage", {}); }), "Runtime.InvalidResponse");
}

// A command that exits without reading a large event closes the pipe under sluice's
// write; that is EPIPE for sluice (the command's own outcome stands), not a SIGPIPE death.
TEST_F(RuntimesTest, ACommandThatIgnoresItsEventDoesNotTakeSluiceDown) {
  command("deaf", "echo '{\"ignored\": true}'\n");
  const std::string big(4 << 20, 'x');
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(invoke("deaf", {{"payload", big}}), nlohmann::json({{"ignored", true}}));
}

TEST_F(RuntimesTest, CommandTimeoutKillsTheWholeProcessGroup) {
  // The child leaves a grandchild that would write a file later if it survived.
  command("slow", "(sleep 2; touch " + (dir_ / "survivor") + ") &\nsleep 30\n", 0.3);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(testing::errorCodeOf([&] { invoke("slow", {}); }), "Sandbox.Timedout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "survivor"));
}

TEST_F(RuntimesTest, SqlAndBuiltInFunctionsStopAtTheirTimeout) {
  // About 10^10 rows to sum: minutes if it were not interrupted.
  const std::string endless = "SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b";
  testing::writeFile(dir_ / "endless.sql", endless + ";\n");
  registry_.add("endless_sql", "", sqlFileHandler(dir_ / "endless.sql"), 0.3);
  registry_.add(
      "endless_builtin", "",
      [&](const nlohmann::json&, InvocationContext&) {
        data::Connection conn(duckdb_);
        conn.query(endless);
        return nlohmann::json::object();
      },
      0.3);
  for (const std::string name : {"endless_sql", "endless_builtin"}) {
    const auto start = std::chrono::steady_clock::now();
    try {
      invoke(name, {});
      FAIL() << name;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "Sandbox.Timedout") << name;
      EXPECT_NE(std::string(e.what()).find("Task timed out after 0.30 seconds"), std::string::npos)
          << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << name;
    const auto record = state_.invocations().recent(name, 1).at(0);
    EXPECT_EQ(record.status, "Failed");
    EXPECT_EQ(record.error_type, "Sandbox.Timedout");
  }
  // The connection of a cancelled invocation is usable again by the next one.
  registry_.add("quick", "", sqlFileHandler(dir_ / "quick.sql"), 0.3);
  testing::writeFile(dir_ / "quick.sql", "SELECT 41 + 1 AS n;\n");
  EXPECT_EQ(invoke("quick", {}), nlohmann::json::parse(R"([{"n":42}])"));
}

TEST_F(RuntimesTest, AShorterTaskLimitWinsAndIsTheTasksTimeout) {
  command("slow", "sleep 30\n", 10);
  const auto start = std::chrono::steady_clock::now();
  Invoker invoker(registry_, services_);
  try {
    invoker.invoke("slow", {}, 0.3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "States.Timeout");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(RuntimesTest, MemoryLimitsACommandsDataAndAFunctionsDuckDb) {
  const std::string grab = "exec /usr/bin/python3 -c 'x = bytearray(200 * 1024 * 1024)'\n";
  command("grab64", grab, 10, 64);
  command("grab0", grab, 10, 0);
  try {
    invoke("grab64", {});
    FAIL() << "200 MB fitted in 64";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "Runtime.ExitError");
    EXPECT_NE(std::string(e.what()).find("MemoryError"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(invoke("grab0", {}));

  testing::writeFile(dir_ / "limit.sql", "SELECT current_setting('memory_limit') AS m;\n");
  registry_.add("limited", "", limitDuckDbMemory(sqlFileHandler(dir_ / "limit.sql"), 64));
  EXPECT_EQ(invoke("limited", {}), nlohmann::json::parse(R"([{"m":"61.0 MiB"}])"));
  registry_.add("shared", "", sqlFileHandler(dir_ / "limit.sql"));
  EXPECT_NE(invoke("shared", {})[0]["m"], "61.0 MiB") << "the process's own DuckDB is untouched";
}

TEST_F(RuntimesTest, SqlBindsEventFieldsAndReadsTheLake) {
  lake_.createBucket("raw");
  lake_.put("raw", "sales.csv", "region,amount\nnorth,10\nsouth,5\nnorth,1\n");
  testing::writeFile(dir_ / "totals.sql",
                     "-- totals of one region\n"
                     "CREATE TEMP TABLE s AS SELECT * FROM 'lake://raw/sales.csv';\n"
                     "SELECT region, sum(amount)::BIGINT AS total FROM s WHERE region = $region "
                     "AND amount >= $min GROUP BY region;\n");
  registry_.add("totals", "", sqlFileHandler(dir_ / "totals.sql"));
  EXPECT_EQ(invoke("totals", {{"region", "north"}, {"min", 1}}),
            nlohmann::json::parse(R"([{"region":"north","total":11}])"));
  EXPECT_EQ(invoke("totals", {{"region", "east"}, {"min", 0}}), nlohmann::json::array());
  try {
    invoke("totals", {{"region", "north"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("uses $min but the event has no field 'min'"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(RuntimesTest, ReservedConcurrencyThrottles) {
  std::atomic<bool> release{false};
  registry_.add("busy", "",
                limitConcurrency(
                    [&](const nlohmann::json&, InvocationContext&) {
                      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                      return nlohmann::json("done");
                    },
                    1));
  std::thread first([&] { invoke("busy", {}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(testing::errorCodeOf([&] { invoke("busy", {}); }), "TooManyRequestsException");
  release = true;
  first.join();
  EXPECT_EQ(invoke("busy", {}), "done");
}

}  // namespace
}  // namespace sluice::functions
