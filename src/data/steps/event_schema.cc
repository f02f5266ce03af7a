#include "data/steps/event_schema.h"

#include <algorithm>
#include <map>
#include <vector>

#include "core/error.h"

namespace sluice::data {

using nlohmann::json;

namespace {

// The shapes steps share, which their schemas name as {"$ref": NAME}: inputs and outputs
// (docs/data-steps.md) and their CSV options.
const json& definitions() {
  static const json defs = json::parse(R"json({
  "lake_url": {"type": "string", "pattern": "^lake://"},
  "csv_read": {"type": "object", "additionalProperties": false, "properties": {
    "delimiter": {"type": "string"}, "header": {"type": "boolean"}, "null": {"type": "string"},
    "quote": {"type": "string"}, "all_varchar": {"type": "boolean"}}},
  "input": {"type": ["string", "object"], "pattern": "^lake://", "required": ["path"],
    "additionalProperties": false, "properties": {
      "path": {"$ref": "lake_url"},
      "format": {"enum": ["auto", "csv", "json", "jsonl", "parquet"]},
      "csv": {"$ref": "csv_read"}, "hive_partitioning": {"type": "boolean"}}},
  "csv_write": {"type": "object", "additionalProperties": false, "properties": {
    "delimiter": {"type": "string"}, "header": {"type": "boolean"}, "quote": {"type": "string"},
    "bom": {"type": "boolean"}, "line_ending": {"enum": ["\n", "\r\n"]}}},
  "output": {"type": ["string", "object"], "pattern": "^lake://", "required": ["path"],
    "additionalProperties": false, "properties": {
      "path": {"$ref": "lake_url"},
      "format": {"enum": ["parquet", "csv", "jsonl", "json"]},
      "compression": {"type": "string"}, "row_group_size": {"type": "integer", "minimum": 1},
      "csv": {"$ref": "csv_write"},
      "partition_by": {"type": "array", "items": {"type": "string"}},
      "overwrite": {"type": "boolean"}}},
  "columns": {"type": "array", "items": {"type": "string"}},
  "vars": {"type": "object"}
})json");
  return defs;
}

// `schema` with each {"$ref": NAME} replaced by definition NAME, so that every step's
// schema stands alone (and is what `sluice functions describe` prints).
json expanded(const json& schema) {
  if (schema.is_object() && schema.contains("$ref"))
    return expanded(definitions().at(schema["$ref"].get<std::string>()));
  if (!schema.is_structured()) return schema;
  json out = schema;
  for (auto& [key, value] : out.items()) value = expanded(value);
  return out;
}

const std::map<std::string, json>& schemas() {
  static const std::map<std::string, json> all = [] {
    std::map<std::string, json> s;
    const auto step = [&](const char* name, const char* text) {
      s[name] = expanded(json::parse(text));
    };
    step("convert", R"json({"type": "object", "required": ["input", "output"], "properties": {
      "input": {"$ref": "input"}, "output": {"$ref": "output"}, "vars": {"$ref": "vars"}}})json");
    step("sql", R"json({"type": "object", "required": ["sql"], "properties": {
      "sql": {"type": "string"},
      "inputs": {"type": "object", "additionalProperties": {"$ref": "input"}},
      "output": {"$ref": "output"},
      "outputs": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "output"}},
      "max_rows": {"type": "integer", "minimum": 0}, "vars": {"$ref": "vars"}}})json");
    step("dedup", R"json({"type": "object", "required": ["input", "output"], "properties": {
      "input": {"$ref": "input"}, "output": {"$ref": "output"}, "keys": {"$ref": "columns"},
      "order_by": {"type": "string"}, "vars": {"$ref": "vars"}}})json");
    step("mask", R"json({"type": "object", "required": ["input", "output", "columns"],
      "properties": {
      "input": {"$ref": "input"}, "output": {"$ref": "output"}, "vars": {"$ref": "vars"},
      "columns": {"type": "object", "minProperties": 1, "additionalProperties": {
        "type": ["string", "object"], "required": ["regex"], "additionalProperties": false,
        "properties": {"regex": {"type": "string"}, "replace": {"type": "string"}},
        "enum_strings": ["card", "cvv", "name", "ssn", "phone", "email"]}}}})json");
    step("profile", R"json({"type": "object", "required": ["input"], "properties": {
      "input": {"$ref": "input"}}})json");
    step("quality_score", R"json({"type": "object", "required": ["input"], "properties": {
      "input": {"$ref": "input"}, "key": {"$ref": "columns"},
      "validity_columns": {"type": "string"}, "email_column": {"type": "string"},
      "warn_below": {"type": "number", "minimum": 0, "maximum": 1}}})json");
    step("extract_sql", R"json({"type": "object", "required": ["source", "tables", "output"],
      "properties": {
      "source": {"type": "object", "minProperties": 1, "maxProperties": 1,
        "additionalProperties": false,
        "properties": {"sqlite": {"type": "string"}, "postgres": {"type": "string"}}},
      "tables": {"type": "array", "items": {"type": ["string", "object"], "required": ["name"],
        "additionalProperties": false,
        "properties": {"name": {"type": "string"}, "full": {"type": "boolean"}}}},
      "watermark_column": {"type": "string"}, "parameter_prefix": {"type": "string"},
      "parameter_names": {"type": "object", "additionalProperties": false, "properties": {
        "watermark": {"type": "string"}, "packet_id": {"type": "string"}}},
      "output": {"type": ["string", "object"], "pattern": "^lake://", "required": ["path"],
        "additionalProperties": false, "properties": {
        "path": {"$ref": "lake_url"}, "format": {"enum": ["jsonl", "json"]}}},
      "vars": {"$ref": "vars"}}})json");
    step("validate", R"json({"type": "object", "properties": {
      "input": {"$ref": "input"}, "output": {"$ref": "output"}, "quarantine": {"$ref": "output"},
      "columns": {"type": "object", "additionalProperties": {"type": "object",
        "additionalProperties": false, "properties": {
        "type": {"type": "string"}, "nullable": {"type": "boolean"}, "regex": {"type": "string"},
        "allowed": {"type": "array"}, "min": {"type": "number"}, "max": {"type": "number"},
        "unique": {"type": "boolean"},
        "references": {"type": "object", "required": ["input", "column"],
          "additionalProperties": false,
          "properties": {"input": {"$ref": "input"}, "column": {"type": "string"}}}}}},
      "unique": {"type": "array", "items": {"$ref": "columns"}},
      "document": {},
      "schema": {"type": ["object", "boolean", "string"], "pattern": "^lake://"},
      "max_invalid_rows": {"type": "integer", "minimum": 0},
      "max_invalid_fraction": {"type": "number", "minimum": 0, "maximum": 1},
      "vars": {"$ref": "vars"}}})json");
    return s;
  }();
  return all;
}

// "a string", "an object", …: a schema type as a message names it.
std::string typeName(const std::string& type) {
  if (type == "null") return "null";
  return (type == "object" || type == "array" || type == "integer" ? "an " : "a ") + type;
}

std::string typeOf(const json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return v.type_name();  // "object", "array", "string", "boolean", "null"
}

bool hasType(const json& v, const std::string& type) {
  return typeOf(v) == type || (type == "number" && v.is_number());
}

// Edit distance, for taking an unknown field for a misspelt known one.
size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string quotedList(const json& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n.dump();
  return out;
}

// Checks `value` against `schema`, a subset of JSON Schema draft 7 (type, enum, pattern
// as a prefix, minimum, maximum, required, properties, additionalProperties, min/max
// Properties, items) plus "enum_strings" (the strings allowed where objects are too).
class Checker {
 public:
  Checker(std::vector<StepEventFault>& faults, bool partial) : faults_(faults), partial_(partial) {}

  void check(const json& schema, const json& value, const std::string& at, bool top = false) {
    if (schema.contains("enum")) {
      if (std::find(schema["enum"].begin(), schema["enum"].end(), value) == schema["enum"].end())
        fault(at, "must be one of " + quotedList(schema["enum"]) + ", not " + value.dump());
      return;
    }
    if (schema.contains("type") && !typeMatches(schema["type"], value, at)) return;
    if (value.is_string()) checkString(schema, value.get<std::string>(), at);
    if (value.is_number()) checkNumber(schema, value.get<double>(), at);
    if (value.is_object()) checkObject(schema, value, at, top);
    if (value.is_array() && schema.contains("items"))
      for (size_t i = 0; i < value.size(); i++)
        check(schema["items"], value[i], at + "/" + std::to_string(i));
  }

 private:
  void fault(const std::string& at, const std::string& what) { faults_.push_back({at, what}); }

  bool typeMatches(const json& types, const json& value, const std::string& at) {
    const json list = types.is_array() ? types : json::array({types});
    std::string wanted;
    for (size_t i = 0; i < list.size(); i++) {
      if (hasType(value, list[i])) return true;
      wanted += (i == 0 ? "" : i + 1 == list.size() ? " or " : ", ") + typeName(list[i]);
    }
    fault(at, "must be " + wanted + ", not " + typeName(typeOf(value)));
    return false;
  }

  void checkString(const json& schema, const std::string& s, const std::string& at) {
    if (schema.contains("enum_strings")) {
      const json& allowed = schema["enum_strings"];
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
        fault(at, "must be one of " + quotedList(allowed) + " or an object, not \"" + s + "\"");
    }
    // Every pattern here is a required prefix, such as "^lake://".
    if (schema.contains("pattern") &&
        !s.starts_with(schema["pattern"].get<std::string>().substr(1)))
      fault(at, "\"" + s + "\" must start with " + schema["pattern"].get<std::string>().substr(1));
  }

  void checkNumber(const json& schema, double n, const std::string& at) {
    if (schema.contains("minimum") && n < schema["minimum"].get<double>())
      fault(at, "must be at least " + schema["minimum"].dump());
    if (schema.contains("maximum") && n > schema["maximum"].get<double>())
      fault(at, "must be at most " + schema["maximum"].dump());
  }

  void checkObject(const json& schema, const json& object, const std::string& at, bool top) {
    const json properties = schema.value("properties", json::object());
    for (const auto& name : schema.value("required", json::array()))
      if (!object.contains(name.get<std::string>()) && !(top && partial_))
        fault(at, "needs " + name.dump());
    if (schema.contains("minProperties") && object.size() < schema["minProperties"].get<size_t>())
      fault(at, schema["minProperties"] == 1
                    ? "must not be empty"
                    : "needs at least " + schema["minProperties"].dump() + " fields");
    if (schema.contains("maxProperties") && object.size() > schema["maxProperties"].get<size_t>())
      fault(at, "may have only " + schema["maxProperties"].dump() + " of " +
                    quotedList(keysOf(properties)));
    const json extra = schema.value("additionalProperties", json(true));
    for (const auto& [name, value] : object.items()) {
      const std::string where = at + "/" + name;
      if (properties.contains(name)) {
        check(properties[name], value, where);
      } else if (extra.is_object()) {
        check(extra, value, where);
      } else if (std::string near = nearest(name, properties); !near.empty()) {
        fault(where, "unknown field; did you mean \"" + near + "\"?");
      } else if (!top && extra == false) {
        fault(where, "unknown field (known: " + quotedList(keysOf(properties)) + ")");
      }
    }
  }

  static json keysOf(const json& properties) {
    json keys = json::array();
    for (const auto& [k, v] : properties.items()) keys.push_back(k);
    return keys;
  }

  // The known field `name` is most likely a typo of, or "".
  static std::string nearest(const std::string& name, const json& properties) {
    std::string best;
    size_t best_distance = 3;
    for (const auto& [known, schema] : properties.items()) {
      const size_t d = distance(name, known);
      if (d < best_distance && d < known.size() / 2 + 1) {
        best = known;
        best_distance = d;
      }
    }
    return best;
  }

  std::vector<StepEventFault>& faults_;
  const bool partial_;
};

}  // namespace

const json& stepEventSchema(const std::string& step) {
  const auto it = schemas().find(step);
  if (it == schemas().end()) throw Error(errc::kInvalidArgument, "no built-in step '" + step + "'");
  return it->second;
}

bool hasStepEventSchema(const std::string& step) { return schemas().count(step) > 0; }

std::vector<StepEventFault> stepEventFaults(const std::string& step, const json& event,
                                            bool partial) {
  std::vector<StepEventFault> faults;
  Checker(faults, partial).check(stepEventSchema(step), event, "", true);
  return faults;
}

void checkStepEvent(const std::string& step, const json& event) {
  const auto faults = stepEventFaults(step, event);
  if (faults.empty()) return;
  std::string message = "the " + step + " event has " + std::to_string(faults.size()) +
                        (faults.size() == 1 ? " fault:" : " faults:");
  for (const auto& f : faults)
    message += "\n  " + (f.pointer.empty() ? "the event" : f.pointer) + ": " + f.what;
  throw Error(errc::kInvalidArgument, message);
}

}  // namespace sluice::data
