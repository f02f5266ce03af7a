// What a definition is compiled to before it runs: states by pointer, their types and
// data fields, nested machines, and whether anything reads the context object.
#include "flow/compiled_machine.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "flow/definition.h"
#include "flow/interpreter.h"

namespace sluice::flow {
namespace {

using nlohmann::json;

const json kMachine = json::parse(R"({
  "StartAt": "Plain",
  "States": {
    "Plain": {"Type": "Pass", "Next": "Shaped"},
    "Shaped": {"Type": "Pass", "Parameters": {"a.$": "$.a"}, "Next": "Fan"},
    "Fan": {"Type": "Map", "ItemsPath": "$.items", "Next": "Both",
            "ItemProcessor": {"StartAt": "Work", "States": {
              "Work": {"Type": "Task", "Resource": "function:f", "End": true}}}},
    "Both": {"Type": "Parallel", "Next": "Pick", "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]},
    "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "Done"}],
             "Default": "Done"},
    "Done": {"Type": "Succeed"}
  }
})");

TEST(CompiledMachine, ResolvesEveryStateOnce) {
  const CompiledMachine m(kMachine);
  const CompiledState& plain = m.start();
  EXPECT_EQ(plain.name, "Plain");
  EXPECT_EQ(plain.type, StateType::kPass);
  EXPECT_TRUE(plain.passes_through);
  ASSERT_NE(plain.next, nullptr);
  const CompiledState& shaped = *plain.next;
  EXPECT_EQ(shaped.name, "Shaped");
  EXPECT_FALSE(shaped.passes_through);  // Parameters reshape its output
  const CompiledState& fan = *shaped.next;
  EXPECT_EQ(fan.type, StateType::kMap);
  ASSERT_NE(fan.processor, nullptr);
  EXPECT_EQ(fan.processor->start().name, "Work");
  EXPECT_TRUE(fan.processor->start().can_retry);  // a Task has $$.State.RetryCount
  const CompiledState& both = *fan.next;
  ASSERT_EQ(both.branches.size(), 2u);
  EXPECT_EQ(both.branches[1]->start().type, StateType::kSucceed);
  EXPECT_EQ(m.state("Pick").next, nullptr);  // a Choice's successor is chosen as it runs
  EXPECT_EQ(m.state("Done").next, nullptr);
  EXPECT_EQ(&m.state("Pick"), both.next);
  EXPECT_THROW(m.state("Nowhere"), Error);
}

TEST(CompiledMachine, AMachineMayBlockWhenAnyNestedStateWaits) {
  EXPECT_TRUE(CompiledMachine(kMachine).mayBlock());  // the Task inside the Map
  EXPECT_FALSE(CompiledMachine(kMachine["States"]["Both"]["Branches"][0]).mayBlock());
}

TEST(CompiledMachine, ContextReadsAreFoundWhereverTheyAre) {
  EXPECT_FALSE(mentionsContext(kMachine));
  EXPECT_TRUE(mentionsContext(json::parse(R"({"P": {"Parameters": {"id.$": "$$.Execution.Id"}}})")));
  EXPECT_TRUE(mentionsContext(json::parse(R"({"P": {"ItemSelector": {"v.$": "$$.Map.Item.Value"}}})")));
  EXPECT_TRUE(mentionsContext(
      json::parse(R"j({"P": {"Parameters": {"s.$": "States.Format('{}', $$.State.Name)"}}})j")));
}

// A copy of a definition keeps working after the one it was copied from is gone: the
// compiled machine points into a document both share.
TEST(CompiledMachine, ADefinitionCopyOutlivesItsOriginal) {
  std::optional<Definition> original = Definition::parse(json::parse(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Parameters": {"x.$": "$.x", "at.$": "$$.State.Name"}, "Next": "B"},
      "B": {"Type": "Pass", "End": true}}})"));
  const Definition copy = *original;
  original.reset();
  EXPECT_TRUE(copy.readsContext());
  const ExecutionOutcome out = runExecution(copy, json{{"x", 7}}, ExecutionOptions{});
  EXPECT_EQ(out.output, (json{{"x", 7}, {"at", "A"}}));
}

}  // namespace
}  // namespace sluice::flow
