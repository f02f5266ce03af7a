#include "flow/json_path.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace sluice::flow {
namespace {

using nlohmann::json;

TEST(JsonPathCache, APathIsParsedOncePerThreadAndStillEvaluates) {
  const JsonPath& first = JsonPath::parseCached("$.order.items[1]");
  const JsonPath& again = JsonPath::parseCached("$.order.items[1]");
  EXPECT_EQ(&first, &again);
  EXPECT_EQ(again.evaluate(json{{"order", {{"items", {10, 20, 30}}}}}), 20);
}

TEST(JsonPathCache, ABadPathFailsEveryTime) {
  for (int i = 0; i < 2; i++) {
    try {
      JsonPath::parseCached("order.items");
      FAIL() << "expected States.Runtime";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "States.Runtime");
    }
  }
}

// Past its bound the cache starts again; paths still come out right.
TEST(JsonPathCache, ManyDistinctPathsStayCorrect) {
  json doc = json::object();
  for (int i = 0; i < 5000; i++) doc["k" + std::to_string(i)] = i;
  for (int i = 0; i < 5000; i++)
    ASSERT_EQ(JsonPath::parseCached("$.k" + std::to_string(i)).evaluate(doc), i);
  EXPECT_EQ(JsonPath::parseCached("$.k7").evaluate(doc), 7);
}

}  // namespace
}  // namespace sluice::flow
