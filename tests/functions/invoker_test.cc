#include "functions/invoker.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "lake/local_store.h"
#include "state/sqlite_state_store.h"
#include "testing/temp_dir.h"

namespace sluice::functions {
namespace {

class InvokerTest : public ::testing::Test {
 protected:
  InvokerTest()
      : lake_(dir_ / "lake"),
        state_(dir_ / "state.db", state::SecretBox(std::string(32, 'k')), clock_),
        services_{lake_, state_, duckdb_, dir_.path(), {}, {}} {
    registry_.add("echo", "returns its event", [](const nlohmann::json& e, InvocationContext& ctx) {
      ctx.log("echoing");
      return e;
    });
    registry_.add("fails", "raises a named error",
                  [this](const nlohmann::json&, InvocationContext&) -> nlohmann::json {
                    clock_.advance(5'000'000);
                    throw Error("Custom.Failure", "it broke");
                  });
    registry_.add("throws", "raises something else",
                  [](const nlohmann::json&, InvocationContext&) -> nlohmann::json {
                    throw std::runtime_error("plain exception");
                  });
  }
  testing::TempDir dir_;
  core::ManualClock clock_{1'000'000'000'000'000'000};
  lake::LocalObjectStore lake_;
  state::SqliteStateStore state_;
  data::Database duckdb_;
  Services services_;
  Registry registry_;
};

TEST_F(InvokerTest, RecordsSuccessWithLogs) {
  Invoker invoker(registry_, services_, clock_);
  auto r = invoker.invoke("echo", {{"a", 1}});
  EXPECT_EQ(r.result, (nlohmann::json{{"a", 1}}));
  auto record = state_.invocations().find(r.request_id);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->status, "Succeeded");
  EXPECT_EQ(record->function, "echo");
  auto logs = state_.invocations().logs(r.request_id);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].line, "echoing");
}

TEST_F(InvokerTest, ErrorsKeepTheirNamesAndAreRecorded) {
  Invoker invoker(registry_, services_, clock_);
  try {
    invoker.invoke("fails", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "Custom.Failure");
  }
  auto recent = state_.invocations().recent("fails", 1);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].status, "Failed");
  EXPECT_EQ(recent[0].error_type, "Custom.Failure");
  EXPECT_EQ(recent[0].error_message, "it broke");
  EXPECT_EQ(recent[0].duration_ns, 5'000'000);

  try {
    invoker.invoke("throws", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "Unhandled");
  }
}

TEST_F(InvokerTest, UnknownFunctionIsResourceNotFound) {
  Invoker invoker(registry_, services_, clock_);
  try {
    invoker.invoke("missing", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ResourceNotFoundException");
  }
  EXPECT_THROW(registry_.add("echo", "again", nullptr), Error);
}

TEST_F(InvokerTest, BuiltinsAreRegistered) {
  Registry builtins;
  registerBuiltins(builtins);
  for (const char* name :
       {"convert", "sql", "dedup", "mask", "validate", "profile", "quality_score", "extract_sql"})
    EXPECT_TRUE(builtins.contains(name)) << name;
}

}  // namespace
}  // namespace sluice::functions
