#include "flow/definition.h"

#include <map>
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "flow/choice.h"
#include "flow/json_path.h"
#include "flow/scope.h"

namespace sluice::flow {

using nlohmann::json;

namespace {

const std::set<std::string> kCommon = {"Type", "Comment", "QueryLanguage"};
const std::map<std::string, std::set<std::string>> kFields = {
    {"Pass",
     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"}},
    {"Task",
     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
      "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
      "HeartbeatSecondsPath", "Retry", "Catch", "Assign", "Credentials"}},
    {"Choice", {"InputPath", "OutputPath", "Choices", "Default", "Assign"}},
    {"Wait",
     {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp",
      "TimestampPath", "Assign"}},
    {"Succeed", {"InputPath", "OutputPath"}},
    {"Fail", {"Error", "ErrorPath", "Cause", "CausePath"}},
    {"Parallel",
     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector",
      "Branches", "Retry", "Catch", "Assign"}},
    {"Map",
     {"Next",
      "End",
      "InputPath",
      "OutputPath",
      "ResultPath",
      "Parameters",
      "ResultSelector",
      "ItemsPath",
      "ItemSelector",
      "ItemProcessor",
      "Iterator",
      "MaxConcurrency",
      "MaxConcurrencyPath",
      "Retry",
      "Catch",
      "Assign",
      "ToleratedFailureCount",
      "ToleratedFailureCountPath",
      "ToleratedFailurePercentage",
      "ToleratedFailurePercentagePath",
      "ItemReader",
      "ItemBatcher",
      "ResultWriter",
      "Label"}},
};

std::string child(const std::string& path, const std::string& key) {
  bool simple = !key.empty();
  for (char c : key) simple = simple && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return simple ? path + "." + key : path + "['" + key + "']";
}

class Checker {
 public:
  std::vector<std::string> faults;

  void fault(const std::string& path, const std::string& what) {
    faults.push_back(path + ": " + what);
  }

  void checkPath(const json& state, const char* field, const std::string& path, bool nullable,
                 bool intrinsic_allowed = false) {
    if (!state.contains(field)) return;
    const json& v = state[field];
    if (v.is_null() && nullable) return;
    if (!v.is_string()) return fault(child(path, field), "must be a JSONPath string");
    if (intrinsic_allowed && isIntrinsicCall(v.get<std::string>())) return;
    try {
      std::string s = v.get<std::string>();
      if (s.rfind("$$", 0) == 0) s = s.substr(1);
      if (s.size() > 1 && s[0] == '$' && std::isalpha(static_cast<unsigned char>(s[1])))
        return;  // a variable
      JsonPath::parse(s);
    } catch (const Error& e) {
      fault(child(path, field), e.what());
    }
  }

  void checkTemplate(const json& tmpl, const std::string& path) {
    if (tmpl.is_array()) {
      for (size_t i = 0; i < tmpl.size(); i++)
        checkTemplate(tmpl[i], path + "[" + std::to_string(i) + "]");
      return;
    }
    if (!tmpl.is_object()) return;
    for (const auto& [k, v] : tmpl.items()) {
      if (k.size() > 2 && k.compare(k.size() - 2, 2, ".$") == 0) {
        if (!v.is_string()) {
          fault(child(path, k), "a '.$' field needs a path or intrinsic function string");
          continue;
        }
        const std::string s = v.get<std::string>();
        if (isIntrinsicCall(s)) continue;
        if (s.empty() || s[0] != '$') {
          fault(child(path, k), "'" + s + "' is neither a path nor an intrinsic function");
          continue;
        }
        std::string p = s.rfind("$$", 0) == 0 ? s.substr(1) : s;
        if (p.size() > 1 && std::isalpha(static_cast<unsigned char>(p[1]))) continue;  // a variable
        try {
          JsonPath::parse(p);
        } catch (const Error& e) {
          fault(child(path, k), e.what());
        }
      } else {
        checkTemplate(v, child(path, k));
      }
    }
  }

  enum class Kind { kText, kBoolean, kCount, kPositive, kPercentage, kObject, kTimestamp };

  // A field that holds one kind of value, as AWS checks it when a definition is created.
  void checkKind(const json& holder, const char* field, const std::string& path, Kind kind) {
    if (!holder.contains(field)) return;
    const json& v = holder[field];
    const bool integer = v.is_number_integer();
    switch (kind) {
      case Kind::kText:
        if (!v.is_string()) fault(child(path, field), "must be a string");
        break;
      case Kind::kBoolean:
        if (!v.is_boolean()) fault(child(path, field), "must be true or false");
        break;
      case Kind::kCount:
        if (!integer || v.get<int64_t>() < 0)
          fault(child(path, field), "must be a non-negative integer");
        break;
      case Kind::kPositive:
        if (!integer || v.get<int64_t>() < 1)
          fault(child(path, field), "must be a positive integer");
        break;
      case Kind::kPercentage:
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 100)
          fault(child(path, field), "must be a number from 0 to 100");
        break;
      case Kind::kObject:
        if (!v.is_object()) fault(child(path, field), "must be an object");
        break;
      case Kind::kTimestamp: {
        bool valid = v.is_string();
        try {
          if (valid) core::parseIso8601(v.get<std::string>());
        } catch (const Error&) {
          valid = false;
        }
        if (!valid)
          fault(child(path, field), "must be an ISO-8601 timestamp such as 2025-11-01T00:00:00Z");
        break;
      }
    }
  }

  void checkErrorList(const json& entry, const std::string& path, bool last) {
    if (!entry.contains("ErrorEquals") || !entry["ErrorEquals"].is_array() ||
        entry["ErrorEquals"].empty()) {
      fault(path, "needs a non-empty ErrorEquals list");
      return;
    }
    for (const auto& e : entry["ErrorEquals"])
      if (!e.is_string()) fault(child(path, "ErrorEquals"), "error names must be strings");
    bool has_all = std::find(entry["ErrorEquals"].begin(), entry["ErrorEquals"].end(),
                             "States.ALL") != entry["ErrorEquals"].end();
    if (has_all && (entry["ErrorEquals"].size() != 1 || !last))
      fault(child(path, "ErrorEquals"),
            "States.ALL must appear alone and in the last retrier or catcher");
  }

  void checkRetryCatch(const json& state, const std::string& path, const json& states) {
    if (state.contains("Retry")) {
      if (!state["Retry"].is_array())
        fault(child(path, "Retry"), "must be an array");
      else
        for (size_t i = 0; i < state["Retry"].size(); i++) {
          const json& r = state["Retry"][i];
          std::string rp = child(path, "Retry") + "[" + std::to_string(i) + "]";
          checkErrorList(r, rp, i + 1 == state["Retry"].size());
          checkKind(r, "MaxAttempts", rp, Kind::kCount);
          checkKind(r, "IntervalSeconds", rp, Kind::kPositive);
          if (r.contains("BackoffRate") &&
              (!r["BackoffRate"].is_number() || r["BackoffRate"].get<double>() < 1.0))
            fault(child(rp, "BackoffRate"), "must be a number of at least 1.0");
          checkKind(r, "MaxDelaySeconds", rp, Kind::kPositive);
          if (r.contains("JitterStrategy") && r["JitterStrategy"] != "FULL" &&
              r["JitterStrategy"] != "NONE")
            fault(child(rp, "JitterStrategy"), "must be FULL or NONE");
        }
    }
    if (state.contains("Catch")) {
      if (!state["Catch"].is_array())
        fault(child(path, "Catch"), "must be an array");
      else
        for (size_t i = 0; i < state["Catch"].size(); i++) {
          const json& c = state["Catch"][i];
          std::string cp = child(path, "Catch") + "[" + std::to_string(i) + "]";
          checkErrorList(c, cp, i + 1 == state["Catch"].size());
          checkTarget(c, "Next", cp, states, true);
          checkPath(c, "ResultPath", cp, true);
        }
    }
  }

  void checkTarget(const json& holder, const char* field, const std::string& path,
                   const json& states, bool required) {
    if (!holder.contains(field)) {
      if (required) fault(path, std::string("missing ") + field);
      return;
    }
    if (!holder[field].is_string() || !states.contains(holder[field].get<std::string>()))
      fault(child(path, field), "no state named " + holder[field].dump());
  }

  void checkChoiceRule(const json& rule, const std::string& path, bool top) {
    if (!rule.is_object()) return fault(path, "a Choice rule must be an object");
    int combinators = rule.contains("And") + rule.contains("Or") + rule.contains("Not");
    if (combinators > 0) {
      for (const char* c : {"And", "Or"})
        if (rule.contains(c)) {
          if (!rule[c].is_array() || rule[c].empty())
            fault(child(path, c), "must be a non-empty array of rules");
          else
            for (size_t i = 0; i < rule[c].size(); i++)
              checkChoiceRule(rule[c][i], child(path, c) + "[" + std::to_string(i) + "]", false);
        }
      if (rule.contains("Not")) checkChoiceRule(rule["Not"], child(path, "Not"), false);
      return;
    }
    if (!rule.contains("Variable"))
      return fault(path, "a Choice rule needs Variable (or And, Or, Not)");
    checkPath(rule, "Variable", path, false);
    int ops = 0;
    for (const auto& [k, v] : rule.items()) {
      if (k == "Variable" || k == "Next" || k == "Comment" || k == "Assign") continue;
      std::string base =
          k.size() > 4 && k.compare(k.size() - 4, 4, "Path") == 0 ? k.substr(0, k.size() - 4) : k;
      if (!isComparisonOperator(base)) {
        fault(child(path, k), "unknown field in a Choice rule");
        continue;
      }
      ops++;
      if (base != k) checkPath(rule, k.c_str(), path, false);
    }
    if (ops != 1) fault(path, "a Choice rule needs exactly one comparison operator");
    if (!top && rule.contains("Next"))
      fault(child(path, "Next"), "only top-level Choice rules have Next");
  }

  void checkState(const std::string& name, const json& s, const std::string& path,
                  const json& states) {
    if (!s.is_object()) return fault(path, "a state must be an object");
    if (s.value("QueryLanguage", "JSONPath") == "JSONata")
      return fault(path,
                   "state '" + name + "' uses QueryLanguage JSONata, which is not supported yet");
    if (!s.contains("Type") || !s["Type"].is_string()) return fault(path, "missing Type");
    const std::string type = s["Type"];
    auto fields = kFields.find(type);
    if (fields == kFields.end())
      return fault(child(path, "Type"), "unknown state type '" + type + "'");
    for (const auto& [k, v] : s.items())
      if (!kCommon.count(k) && !fields->second.count(k))
        fault(child(path, k), "is not a field of a " + type + " state");

    bool terminal = type == "Choice" || type == "Succeed" || type == "Fail";
    if (!terminal) {
      const bool end = s.contains("End") && s["End"] == true;  // a non-boolean is a fault below
      if (end && s.contains("Next"))
        fault(path, "has both Next and End");
      else if (!end && !s.contains("Next"))
        fault(path, "needs Next or End: true");
      else if (!end)
        checkTarget(s, "Next", path, states, true);
    }
    for (const char* p : {"InputPath", "OutputPath", "ResultPath"}) checkPath(s, p, path, true);
    for (const char* p : {"ErrorPath", "CausePath"}) checkPath(s, p, path, false, true);
    for (const char* p :
         {"ItemsPath", "SecondsPath", "TimestampPath", "MaxConcurrencyPath", "TimeoutSecondsPath",
          "HeartbeatSecondsPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"})
      checkPath(s, p, path, false);
    for (const char* t : {"Parameters", "ResultSelector", "ItemSelector", "Assign"})
      if (s.contains(t)) checkTemplate(s[t], child(path, t));
    for (const char* f : {"Comment", "Error", "Cause", "Label"}) checkKind(s, f, path, Kind::kText);
    checkKind(s, "End", path, Kind::kBoolean);
    for (const char* f : {"TimeoutSeconds", "HeartbeatSeconds"})
      checkKind(s, f, path, Kind::kPositive);
    for (const char* f : {"Seconds", "MaxConcurrency", "ToleratedFailureCount"})
      checkKind(s, f, path, Kind::kCount);
    checkKind(s, "ToleratedFailurePercentage", path, Kind::kPercentage);
    for (const char* f : {"ItemReader", "ItemBatcher", "ResultWriter"})
      checkKind(s, f, path, Kind::kObject);
    checkKind(s, "Timestamp", path, Kind::kTimestamp);
    if (type == "Task" && (!s.contains("Resource") || !s["Resource"].is_string()))
      fault(path, "a Task state needs a Resource");
    if (type == "Wait") {
      int n = s.contains("Seconds") + s.contains("SecondsPath") + s.contains("Timestamp") +
              s.contains("TimestampPath");
      if (n != 1)
        fault(path,
              "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath");
    }
    if (type == "Choice") {
      if (!s.contains("Choices") || !s["Choices"].is_array() || s["Choices"].empty()) {
        fault(path, "a Choice state needs a non-empty Choices array");
      } else {
        for (size_t i = 0; i < s["Choices"].size(); i++) {
          std::string cp = child(path, "Choices") + "[" + std::to_string(i) + "]";
          checkChoiceRule(s["Choices"][i], cp, true);
          checkTarget(s["Choices"][i], "Next", cp, states, true);
        }
      }
      checkTarget(s, "Default", path, states, false);
    }
    if (type == "Task" || type == "Parallel" || type == "Map") checkRetryCatch(s, path, states);
    if (type == "Parallel") {
      if (!s.contains("Branches") || !s["Branches"].is_array() || s["Branches"].empty()) {
        fault(path, "a Parallel state needs a non-empty Branches array");
      } else {
        for (size_t i = 0; i < s["Branches"].size(); i++) {
          auto sub = validateMachine(s["Branches"][i],
                                     child(path, "Branches") + "[" + std::to_string(i) + "]");
          faults.insert(faults.end(), sub.begin(), sub.end());
        }
      }
    }
    if (type == "Map") {
      const char* proc = s.contains("ItemProcessor") ? "ItemProcessor" : "Iterator";
      if (!s.contains(proc)) {
        fault(path, "a Map state needs ItemProcessor (or Iterator)");
      } else {
        auto sub = validateMachine(s[proc], child(path, proc));
        faults.insert(faults.end(), sub.begin(), sub.end());
      }
    }
  }

  // States reachable from StartAt by Next, Default, Choices[].Next and Catch[].Next.
  void checkReachable(const json& machine, const std::string& path) {
    const json& states = machine["States"];
    std::set<std::string> seen;
    std::vector<std::string> todo{machine["StartAt"].get<std::string>()};
    while (!todo.empty()) {
      std::string n = todo.back();
      todo.pop_back();
      if (!states.contains(n) || !seen.insert(n).second) continue;
      const json& s = states[n];
      if (!s.is_object()) continue;
      auto push = [&](const json& holder, const char* f) {
        if (holder.is_object() && holder.contains(f) && holder[f].is_string())
          todo.push_back(holder[f]);
      };
      push(s, "Next");
      push(s, "Default");
      for (const char* list : {"Choices", "Catch"})
        if (s.contains(list) && s[list].is_array())
          for (const auto& c : s[list]) push(c, "Next");
    }
    for (const auto& [name, s] : states.items())
      if (!seen.count(name))
        fault(child(child(path, "States"), name), "is not reachable from StartAt");
  }
};

}  // namespace

std::vector<std::string> validateMachine(const json& machine, const std::string& path) {
  Checker c;
  if (!machine.is_object()) {
    c.fault(path, "a state machine must be a JSON object");
    return c.faults;
  }
  if (machine.value("QueryLanguage", "JSONPath") == "JSONata") {
    c.fault(child(path, "QueryLanguage"), "JSONata is not supported yet; use JSONPath");
    return c.faults;
  }
  if (!machine.contains("States") || !machine["States"].is_object() || machine["States"].empty()) {
    c.fault(path, "needs a non-empty States object");
    return c.faults;
  }
  if (!machine.contains("StartAt") || !machine["StartAt"].is_string()) {
    c.fault(path, "needs StartAt");
  } else if (!machine["States"].contains(machine["StartAt"].get<std::string>())) {
    c.fault(child(path, "StartAt"), "no state named " + machine["StartAt"].dump());
  }
  for (const auto& [name, s] : machine["States"].items()) {
    if (name.empty() || name.size() > 80)
      c.fault(child(path, "States"), "state names must be 1 to 80 characters");
    c.checkState(name, s, child(child(path, "States"), name), machine["States"]);
  }
  if (machine.contains("StartAt") && machine["StartAt"].is_string() &&
      machine["States"].contains(machine["StartAt"].get<std::string>()))
    c.checkReachable(machine, path);
  return c.faults;
}

Definition Definition::parse(const json& document) {
  auto faults = validateMachine(document, "$");
  if (!faults.empty()) {
    std::string msg = "the state machine definition has " + std::to_string(faults.size()) +
                      (faults.size() == 1 ? " fault:" : " faults:");
    for (const auto& f : faults) msg += "\n  " + f;
    throw Error("States.InvalidDefinition", msg);
  }
  Definition d;
  d.parsed_ = std::make_shared<const Parsed>(document);
  return d;
}

Definition Definition::parse(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded())
    throw Error("States.InvalidDefinition", "the state machine definition is not valid JSON");
  return parse(doc);
}

}  // namespace sluice::flow
