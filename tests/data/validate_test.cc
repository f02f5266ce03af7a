#include <gtest/gtest.h>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "data/steps/step.h"
#include "lake/local_store.h"
#include "testing/temp_dir.h"

namespace sluice::data {
namespace {

using nlohmann::json;

class ValidateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_.createBucket("raw");
    lake_.put("raw", "orders.csv",
              "order_id,customer_id,status,amount,email\n"
              "1,10,new,12.50,a@x.com\n"
              "2,11,paid,abc,b@x\n"
              "2,99,weird,-3,c@x.com\n"
              "3,,new,4,d@x.com\n");
    lake_.put("raw", "customers.csv", "customer_id\n10\n11\n");
  }
  StepEnv env() {
    return StepEnv{lake_, db_, dir_.path(), [](const std::string&) {}, 0};
  }
  json orderRules() {
    return json::parse(R"json({
      "order_id": {"type": "BIGINT", "unique": true},
      "customer_id": {"type": "BIGINT", "nullable": false,
                      "references": {"input": "lake://raw/customers.csv", "column": "customer_id"}},
      "status": {"allowed": ["new", "paid"]},
      "amount": {"type": "DECIMAL(10,2)", "min": 0},
      "email": {"regex": "[^@]+@[^@]+\\.[a-z]+"}})json");
  }
  std::vector<std::string> lines(const std::string& key) {
    std::vector<std::string> out;
    std::string text = lake_.get("raw", key);
    for (size_t s = 0, e; s < text.size(); s = e + 1)
      out.push_back(text.substr(s, (e = text.find('\n', s)) - s));
    return out;
  }
  testing::TempDir dir_;
  lake::LocalObjectStore lake_{dir_ / "lake"};
  Database db_;
};

TEST_F(ValidateTest, EveryColumnRuleReportsRowFieldAndReason) {
  auto out = validateStep({{"input", "lake://raw/orders.csv"},
                           {"columns", orderRules()},
                           {"output", "lake://raw/valid/orders.csv"}},
                          env());
  EXPECT_EQ(out["rows_in"], 4);
  EXPECT_EQ(out["rows_valid"], 1);
  EXPECT_EQ(out["rows_invalid"], 3);
  EXPECT_EQ(out["errors"], 7);
  auto q = lines("quarantine/orders.csv.errors.jsonl");
  ASSERT_EQ(q.size(), 7u);
  std::vector<std::string> got;
  for (auto& l : q) {
    json f = json::parse(l);
    EXPECT_EQ(f["source"], "lake://raw/orders.csv");
    got.push_back(f["row"].dump() + " " + f["field"].get<std::string>() + ": " +
                  f["reason"].get<std::string>());
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "2 amount: not a valid DECIMAL(10,2)",
                     "2 email: does not match [^@]+@[^@]+\\.[a-z]+",
                     "3 amount: below the minimum 0",
                     "3 customer_id: no matching customer_id in lake://raw/customers.csv",
                     "3 order_id: duplicate of row 2",
                     "3 status: not one of [\"new\",\"paid\"]",
                     "4 customer_id: missing value",
                 }));
  // The quarantined record carries the whole row, so nothing is lost.
  EXPECT_EQ(json::parse(q.back())["record"].dump(),
            R"({"amount":"4","customer_id":null,"email":"d@x.com","order_id":"3","status":"new"})");
  // Valid rows are written with their declared types.
  EXPECT_EQ(lake_.get("raw", "valid/orders.csv"),
            "order_id,customer_id,status,amount,email\n1,10,new,12.50,a@x.com\n");
}

TEST_F(ValidateTest, CompositeUniqueKeys) {
  lake_.put("raw", "k.csv", "a,b\n1,x\n1,y\n1,x\n");
  auto out = validateStep(
      {{"input", "lake://raw/k.csv"}, {"unique", json::array({json::array({"a", "b"})})}}, env());
  EXPECT_EQ(out["rows_invalid"], 1);
  EXPECT_EQ(out["sample"][0]["row"], 3);
  EXPECT_EQ(out["sample"][0]["reason"], "duplicate of row 1");
}

TEST_F(ValidateTest, ThresholdsFailTheStepAfterQuarantining) {
  json event{{"input", "lake://raw/orders.csv"},
             {"columns", orderRules()},
             {"max_invalid_fraction", 0.5},
             {"quarantine", "lake://raw/q/orders.jsonl"}};
  try {
    validateStep(event, env());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ValidationFailed");
    EXPECT_NE(std::string(e.what()).find("3 of 4 rows"), std::string::npos) << e.what();
  }
  EXPECT_EQ(lines("q/orders.jsonl").size(), 7u);
  event["max_invalid_fraction"] = 0.75;
  EXPECT_NO_THROW(validateStep(event, env()));
  event.erase("max_invalid_fraction");
  event["max_invalid_rows"] = 2;
  EXPECT_THROW(validateStep(event, env()), Error);
}

TEST_F(ValidateTest, MissingDeclaredColumnIsAClearError) {
  try {
    validateStep({{"input", "lake://raw/customers.csv"},
                  {"columns", {{"customer_ref", {{"type", "BIGINT"}}}}}},
                 env());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ValidationException");
    EXPECT_NE(std::string(e.what()).find("no column 'customer_ref'"), std::string::npos)
        << e.what();
  }
}

const char* kSchema = R"({
  "type": "object",
  "required": ["id", "items"],
  "properties": {
    "id": {"type": "integer"},
    "items": {"type": "array", "items": {"type": "object", "properties": {"price": {"type": "number", "minimum": 0}}}}
  }})";

TEST_F(ValidateTest, JsonSchemaOnAnInlineDocument) {
  auto ok = validateStep(
      {{"schema", json::parse(kSchema)}, {"document", {{"id", 1}, {"items", json::array()}}}},
      env());
  EXPECT_EQ(ok["valid"], true);
  auto bad = validateStep(
      {{"schema", json::parse(kSchema)}, {"document", {{"id", "x"}, {"items", {{{"price", -1}}}}}}},
      env());
  EXPECT_EQ(bad["valid"], false);
  std::set<std::string> paths;
  for (auto& e : bad["errors"]) paths.insert(e["path"].get<std::string>());
  EXPECT_TRUE(paths.count("/id")) << bad.dump();
  EXPECT_TRUE(paths.count("/items/0/price")) << bad.dump();
}

TEST_F(ValidateTest, JsonSchemaOverJsonLinesQuarantinesBadAndMalformedLines) {
  lake_.put("raw", "schemas/order.json", kSchema);
  lake_.put("raw", "in/orders.jsonl",
            "{\"id\":1,\"items\":[]}\n"
            "{\"id\":2}\n"
            "{not json\n"
            "\n"
            "{\"id\":4,\"items\":[{\"price\":3}]}\n");
  auto out = validateStep({{"schema", "lake://raw/schemas/order.json"},
                           {"input", "lake://raw/in/orders.jsonl"},
                           {"output", "lake://raw/valid/orders.jsonl"}},
                          env());
  EXPECT_EQ(out["rows_in"], 4);
  EXPECT_EQ(out["rows_invalid"], 2);
  EXPECT_EQ(lake_.get("raw", "valid/orders.jsonl"),
            "{\"id\":1,\"items\":[]}\n{\"id\":4,\"items\":[{\"price\":3}]}\n");
  auto q = lines("quarantine/in/orders.jsonl.errors.jsonl");
  ASSERT_GE(q.size(), 2u);
  EXPECT_EQ(json::parse(q[0])["row"], 2);
  EXPECT_EQ(json::parse(q.back())["row"], 3);
  EXPECT_EQ(json::parse(q.back())["reason"], "malformed JSON");
  EXPECT_EQ(json::parse(q.back())["record"], "{not json");
}

TEST_F(ValidateTest, BadSchemaIsAnErrorNotACrash) {
  EXPECT_THROW(validateStep({{"schema", {{"type", 12}}}, {"document", 1}}, env()), Error);
}

}  // namespace
}  // namespace sluice::data
