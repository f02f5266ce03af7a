// Step events are checked before a step runs: wrong types, missing fields, unknown options
// inside inputs and outputs, and misspelt top-level options are errors naming where.
#include "data/steps/event_schema.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace sluice::data {
namespace {

using nlohmann::json;

// The error checkStepEvent raises for `event`, or "" when it passes.
std::string faults(const std::string& step, const std::string& event) {
  try {
    checkStepEvent(step, json::parse(event));
    return "";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), errc::kInvalidArgument);
    return e.what();
  }
}

TEST(StepEventSchema, WellFormedEventsPass) {
  EXPECT_EQ(faults("convert", R"({"input": "lake://raw/a.csv", "output": "lake://c/a.parquet"})"),
            "");
  EXPECT_EQ(faults("convert", R"({"input": {"path": "lake://raw/*.csv", "format": "csv",
      "csv": {"delimiter": ";", "header": false, "null": "NA", "all_varchar": true},
      "hive_partitioning": true},
      "output": {"path": "lake://c/{day}/a.csv.gz", "csv": {"delimiter": "|", "bom": false,
      "line_ending": "\r\n"}, "overwrite": false}, "vars": {"day": 1}})"),
            "");
  EXPECT_EQ(faults("mask", R"({"input": "lake://r/a.csv", "output": "lake://r/b.csv",
      "columns": {"card": "card", "note": {"regex": "\\d+", "replace": "#"}}})"),
            "");
  EXPECT_EQ(faults("extract_sql", R"({"source": {"sqlite": "x.db"},
      "tables": ["a", {"name": "b", "full": true}], "output": "lake://i/{table}.jsonl",
      "parameter_names": {"watermark": "w", "packet_id": "p"}})"),
            "");
  // A workflow may hand a step its whole state: unrelated fields are no faults.
  EXPECT_EQ(faults("profile", R"({"input": "lake://r/a.csv", "day": "2025-11-01", "Records": []})"),
            "");
}

TEST(StepEventSchema, EveryFaultIsNamedByItsPointer) {
  EXPECT_EQ(faults("dedup", R"({"input": 5, "output": {"path": "lake://c/x.parquet",
      "csv": {"delimiter": 1}, "partition_by": "day", "row_group_size": 0}, "keys": "id"})"),
            "the dedup event has 5 faults:\n"
            "  /input: must be a string or an object, not an integer\n"
            "  /keys: must be an array, not a string\n"
            "  /output/csv/delimiter: must be a string, not an integer\n"
            "  /output/partition_by: must be an array, not a string\n"
            "  /output/row_group_size: must be at least 1");
  EXPECT_EQ(faults("convert", R"({"input": "s3://raw/a.csv", "output": {"format": "xml"}})"),
            "the convert event has 3 faults:\n"
            "  /input: \"s3://raw/a.csv\" must start with lake://\n"
            "  /output: needs \"path\"\n"
            "  /output/format: must be one of \"parquet\", \"csv\", \"jsonl\", \"json\", not "
            "\"xml\"");
  EXPECT_EQ(faults("convert", "[1]"),
            "the convert event has 1 fault:\n"
            "  the event: must be an object, not an array");
  EXPECT_EQ(faults("sql", R"({})"), "the sql event has 1 fault:\n  the event: needs \"sql\"");
}

TEST(StepEventSchema, TyposAreCaughtAndUnknownNestedFieldsListed) {
  // "key" for "keys" would otherwise drop exact duplicates only, silently.
  EXPECT_EQ(faults("dedup", R"({"input": "lake://r/a.csv", "output": "lake://r/b.csv",
      "key": ["id"], "orderby": "t"})"),
            "the dedup event has 2 faults:\n"
            "  /key: unknown field; did you mean \"keys\"?\n"
            "  /orderby: unknown field; did you mean \"order_by\"?");
  EXPECT_EQ(faults("convert", R"({"input": {"path": "lake://r/a.csv", "csv": {"delim": ";"},
      "partitioning": true}, "output": "lake://r/b.parquet"})"),
            "the convert event has 2 faults:\n"
            "  /input/csv/delim: unknown field (known: \"all_varchar\", \"delimiter\", \"header\", "
            "\"null\", \"quote\")\n"
            "  /input/partitioning: unknown field (known: \"csv\", \"format\", "
            "\"hive_partitioning\", \"path\")");
  EXPECT_EQ(faults("mask", R"({"input": "lake://r/a.csv", "output": "lake://r/b.csv",
      "columns": {"c": "credit_card", "d": {"replace": "x"}}})"),
            "the mask event has 2 faults:\n"
            "  /columns/c: must be one of \"card\", \"cvv\", \"name\", \"ssn\", \"phone\", "
            "\"email\" or an object, not \"credit_card\"\n"
            "  /columns/d: needs \"regex\"");
  EXPECT_EQ(faults("extract_sql", R"({"source": {"sqlite": "a", "postgres": "b"},
      "tables": [{"full": true}], "output": {"path": "lake://i/x", "format": "csv"}})"),
            "the extract_sql event has 3 faults:\n"
            "  /output/format: must be one of \"jsonl\", \"json\", not \"csv\"\n"
            "  /source: may have only 1 of \"postgres\", \"sqlite\"\n"
            "  /tables/0: needs \"name\"");
  EXPECT_THROW(stepEventSchema("no_such_step"), Error);
}

}  // namespace
}  // namespace sluice::data
