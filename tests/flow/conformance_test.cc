// Runs every case of ../shared/conformance/asl (recorded against AWS Step Functions)
// through the interpreter. Compare rule from that folder's README: the status is equal;
// for SUCCEEDED the output is JSON-equal (placeholders such as <ArnPart_0idx> in the
// recording match any text); for FAILED the error name is equal. Waits and retry
// intervals do not sleep.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "core/clock.h"
#include "core/error.h"
#include "flow/definition.h"
#include "flow/history_shape.h"
#include "flow/interpreter.h"

namespace sluice::flow {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Cases whose recorded history cannot be compared, each with the reason; their outcome is.
const char* kTimestampPlaceholder =
    "the recording replaced the input's timestamp with the word 'timestamp' but kept the real "
    "one in the error's cause";
const std::map<std::string, std::string> kHistoryNotComparable = {
    {"test_base_scenarios__test_parallel_state_order__get_execution_history",
     "the events of the Parallel branches are interleaved as AWS happened to run them"},
    {"test_base_scenarios__test_wait_timestamp_path_INVALID_DATE___get_execution_history",
     kTimestampPlaceholder},
    {"test_base_scenarios__test_wait_timestamp_path_INVALID_ISO___get_execution_history",
     kTimestampPlaceholder},
    {"test_base_scenarios__test_wait_timestamp_path_INVALID_TIME___get_execution_history",
     kTimestampPlaceholder},
    {"test_base_scenarios__test_wait_timestamp_path_NO_T___get_execution_history",
     kTimestampPlaceholder},
};

// Cases skipped, each with the reason. Nothing else is skipped.
const char* kDatePlaceholder =
    "the recording replaced the timestamps of the input and the rule with the word 'date', so the "
    "case compares 'date' with 'date'";
const std::map<std::string, std::string> kSkipped = {
    {"test_math_operations__test_math_random__exec_hist_resp_1",
     "the recording replaced the random number with the text RandomNumberGenerated"},
    {"choiceop__TimestampEquals__0", kDatePlaceholder},
    {"choiceop__TimestampEquals__4", kDatePlaceholder},
    {"choiceop__TimestampEquals__5", kDatePlaceholder},
    {"choiceop__TimestampEquals__7", kDatePlaceholder},
    {"choiceop__TimestampEquals__14", kDatePlaceholder},
    {"choiceop__TimestampEquals__15", kDatePlaceholder},
    {"choiceop__TimestampEquals__16", kDatePlaceholder},
    {"choiceop__TimestampGreaterThan__1", kDatePlaceholder},
    {"choiceop__TimestampGreaterThanEquals__0", kDatePlaceholder},
    {"choiceop__TimestampGreaterThanEquals__1", kDatePlaceholder},
    {"choiceop__TimestampGreaterThanEquals__2", kDatePlaceholder},
    {"choiceop__TimestampLessThan__0", kDatePlaceholder},
    {"choiceop__TimestampLessThanPath__0", kDatePlaceholder},
    {"choiceop__TimestampLessThanEqualsPath__0", kDatePlaceholder},
};

std::string casesDir() { return std::string(SLUICE_SOURCE_DIR) + "/../shared/conformance/asl"; }

struct Case {
  std::string id;
  std::string query_language;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.id; }

std::vector<Case> loadCases() {
  std::ifstream in(casesDir() + "/_manifest.json");
  if (!in) return {};
  json manifest = json::parse(in);
  std::vector<Case> cases;
  for (const auto& m : manifest) cases.push_back({m["id"], m["query_language"]});
  return cases;
}

// Recorded strings may hold <Placeholder> tokens standing for run-specific text.
bool matches(const json& expected, const json& actual) {
  if (expected.is_string() && actual.is_string()) {
    const std::string e = expected, a = actual;
    // Words the recording put in place of account-specific ARNs.
    if (e == "snf_role_arn" || e == "map_run_arn") return true;
    if (e == "date") {  // a time the recording replaced
      try {
        return core::parseIso8601(a) > 0;
      } catch (const Error&) {
        return false;
      }
    }
    if (e.find('<') == std::string::npos) return e == a;
    std::string re;
    for (size_t i = 0; i < e.size(); i++) {
      if (e[i] == '<') {
        size_t close = e.find('>', i);
        if (close != std::string::npos) {
          re += ".+?";
          i = close;
          continue;
        }
      }
      if (std::string("\\^$.|?*+()[]{}").find(e[i]) != std::string::npos) re += '\\';
      re += e[i];
    }
    return std::regex_match(a, std::regex(re));
  }
  if (expected.is_object() && actual.is_object()) {
    if (expected.size() != actual.size()) return false;
    for (const auto& [k, v] : expected.items())
      if (!actual.contains(k) || !matches(v, actual[k])) return false;
    return true;
  }
  if (expected.is_array() && actual.is_array()) {
    if (expected.size() != actual.size()) return false;
    for (size_t i = 0; i < expected.size(); i++)
      if (!matches(expected[i], actual[i])) return false;
    return true;
  }
  if (expected.is_number() && actual.is_number())
    return expected.get<double>() == actual.get<double>();
  return expected == actual;
}

class ThrowingTasks : public TaskRunner {
 public:
  json run(const TaskRequest& r) override {
    throw Error("States.TaskFailed", "no task runner in conformance cases: " + r.resource);
  }
};

class Conformance : public ::testing::TestWithParam<Case> {};

// A recorded event's details made comparable with ours: JSON payloads parsed (the
// recording keeps them parsed, the API gives text), and what an account on AWS has but
// sluice does not (an IAM role) left out.
json comparableDetails(json details) {
  if (!details.is_object()) return details;
  details.erase("roleArn");
  auto parsed = [](json& v) {
    if (!v.is_string()) return;
    json p = json::parse(v.get<std::string>(), nullptr, false);
    if (!p.is_discarded()) v = std::move(p);
  };
  for (const char* payload : {"input", "output"})
    if (details.contains(payload)) parsed(details[payload]);
  if (details.contains("assignedVariables"))
    for (auto& [name, value] : details["assignedVariables"].items()) parsed(value);
  return details;
}

// The recorded events against ours, in AWS's shape; ids and times are not compared.
void expectSameEvents(const json& recorded, const std::vector<HistoryEvent>& events) {
  ASSERT_EQ(recorded.size(), events.size());
  for (size_t i = 0; i < events.size(); i++) {
    const json ours = awsHistoryEvent(events[i]);
    const json& theirs = recorded[i];
    ASSERT_EQ(ours["type"], theirs["type"]) << "event " << i;
    for (const auto& [key, value] : theirs.items()) {
      if (key.size() < 12 || key.compare(key.size() - 12, 12, "EventDetails") != 0) continue;
      ASSERT_TRUE(ours.contains(key)) << "event " << i << " " << ours.dump();
      const json want = comparableDetails(value), got = comparableDetails(ours[key]);
      EXPECT_TRUE(matches(want, got)) << "event " << i << " (" << theirs["type"] << ")\n  expected "
                                      << want.dump() << "\n       got " << got.dump();
    }
  }
}

TEST_P(Conformance, MatchesAws) {
  const Case& c = GetParam();
  if (auto skip = kSkipped.find(c.id); skip != kSkipped.end()) GTEST_SKIP() << skip->second;
  std::ifstream in(casesDir() + "/" + c.id + ".json");
  ASSERT_TRUE(in) << c.id;
  json doc = json::parse(in);
  const json& expected = doc["expected"];

  if (c.query_language == "JSONata") {
    // Not part of this engine yet: such definitions are refused with a clear message.
    try {
      Definition::parse(doc["definition"]);
      FAIL() << "a JSONata definition was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not supported yet"), std::string::npos) << e.what();
    }
    return;
  }

  Definition def = Definition::parse(doc["definition"]);
  RecordingSleeper sleeper;
  ThrowingTasks tasks;
  MemoryHistory history;
  ExecutionOptions options;
  options.sleeper = &sleeper;
  options.tasks = &tasks;
  options.history = &history;
  options.seed = 42;
  options.account = "111111111111";  // the account the cases were recorded in
  auto outcome = runExecution(def, doc["input"], options);
  ASSERT_EQ(outcome.status, expected["status"].get<std::string>()) << outcome.toJson().dump();
  if (outcome.status == "SUCCEEDED") {
    EXPECT_TRUE(matches(expected["output"], outcome.output))
        << "expected " << expected["output"].dump() << "\n     got " << outcome.output.dump();
  } else {
    EXPECT_EQ(outcome.error, expected["error"]) << outcome.toJson().dump();
  }
  // The recorded history: its event types in order, and for test_* cases every event's
  // details, except where kHistoryNotComparable says why not.
  if (doc.contains("event_types") && doc["event_types"].is_array() &&
      !kHistoryNotComparable.count(c.id)) {
    std::vector<std::string> want = doc["event_types"].get<std::vector<std::string>>();
    std::vector<std::string> got = history.types();
    auto joined = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& t : v) out += t + " ";
      return out;
    };
    EXPECT_EQ(joined(got), joined(want));
    // test_* cases also keep every event's details.
    if (doc.contains("events") && doc["events"].is_array() && joined(got) == joined(want))
      expectSameEvents(doc["events"], history.events());
  }
}

INSTANTIATE_TEST_SUITE_P(Asl, Conformance, ::testing::ValuesIn(loadCases()), [](const auto& info) {
  std::string name;
  for (char ch : info.param.id) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
});

TEST(ConformanceSuite, CasesArePresent) {
  EXPECT_GE(loadCases().size(), 400u) << "looked in " << casesDir();
}

}  // namespace
}  // namespace sluice::flow
