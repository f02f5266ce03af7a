#include "project/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "data/steps/event_schema.h"
#include "flow/definition.h"
#include "lake/names.h"
#include "schedule/expression.h"
#include "state/catalog_store.h"

namespace sluice::project {

namespace fs = std::filesystem;

const FunctionDecl* Project::function(const std::string& name) const {
  for (const auto& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

std::string Project::path(const std::string& relative) const {
  return fs::path(relative).is_absolute() ? relative : (fs::path(dir) / relative).string();
}

namespace {

// A YAML scalar or tree as JSON: quoted scalars stay strings, plain ones become
// booleans, numbers or null when they read as such.
nlohmann::json toJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      auto out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = toJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      auto out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(toJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = node.Scalar();
      if (node.Tag() == "!") return s;
      if (s == "true" || s == "false") return s == "true";
      if (s == "null" || s == "~") return nullptr;
      static const std::regex integer("-?[0-9]+"), real("-?[0-9]+\\.[0-9]*([eE][-+]?[0-9]+)?");
      if (std::regex_match(s, integer)) return std::stoll(s);
      if (std::regex_match(s, real)) return std::stod(s);
      return s;
    }
    default:
      return nullptr;
  }
}

class Reader {
 public:
  Reader(std::string file, const std::set<std::string>& builtins)
      : file_(std::move(file)), builtins_(builtins) {}

  void fault(const YAML::Node& at, const std::string& path, const std::string& what) {
    faults_.push_back({at.Mark().line, fs::path(file_).filename().string() + ":" +
                                           std::to_string(at.Mark().line + 1) + ": " + path + ": " +
                                           what});
  }
  // In the order of their lines in the file, as a user reads it.
  std::vector<std::string> faults() const {
    auto sorted = faults_;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> texts;
    for (auto& f : sorted) texts.push_back(std::move(f.second));
    return texts;
  }

  // Checks that `node` is a map whose keys are all in `known` (an empty `known`: a map
  // of names the caller reads itself, any key allowed).
  bool map(const YAML::Node& node, const std::string& path, const std::set<std::string>& known) {
    if (!node.IsMap()) {
      fault(node, path, "must be a mapping");
      return false;
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (!seen.insert(key).second)
        fault(kv.first, path.empty() ? key : path + "." + key,
              "'" + key + "' is given twice (the first would be ignored)");
      if (!known.empty() && known.count(key) == 0) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fault(kv.first, path.empty() ? key : path + "." + key,
              "unknown key '" + key + "' (known: " + list + ")");
      }
    }
    return true;
  }

  std::string text(const YAML::Node& node, const std::string& key, const std::string& path,
                   const std::string& fallback = "") {
    const YAML::Node v = node[key];
    if (!v) return fallback;
    return scalar(v, path + "." + key, fallback);
  }

  // `v`'s text, or a fault at `path` (and `fallback`) when it is a list or a mapping.
  std::string scalar(const YAML::Node& v, const std::string& path,
                     const std::string& fallback = "") {
    if (v.IsScalar()) return v.Scalar();
    fault(v, path, "must be a single value");
    return fallback;
  }

  std::string required(const YAML::Node& node, const std::string& key, const std::string& path) {
    if (!node[key]) {
      fault(node, path, "missing '" + key + "'");
      return "";
    }
    return text(node, key, path);
  }

  double number(const YAML::Node& node, const std::string& key, const std::string& path,
                double fallback, double min, double max) {
    const std::string s = text(node, key, path);
    if (s.empty()) return fallback;
    try {
      size_t used = 0;
      double v = std::stod(s, &used);
      if (used == s.size() && v >= min && v <= max) return v;
    } catch (const std::exception&) {
    }
    std::ostringstream range;
    range << min << " to " << max;
    fault(node[key], path + "." + key, "must be a number from " + range.str());
    return fallback;
  }

  std::string oneOf(const YAML::Node& node, const std::string& key, const std::string& path,
                    const std::set<std::string>& allowed, const std::string& fallback) {
    const std::string v = text(node, key, path, fallback);
    if (allowed.count(v) == 0) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fault(node[key], path + "." + key, "'" + v + "' is not one of " + list);
    }
    return v;
  }

  void fileExists(const YAML::Node& at, const std::string& path, const Project& p,
                  const std::string& relative) {
    if (!relative.empty() && !fs::exists(p.path(relative)))
      fault(at, path, "file '" + relative + "' does not exist");
  }

  void name(const YAML::Node& at, const std::string& path, const std::string& n) {
    static const std::regex valid("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    if (!std::regex_match(n, valid))
      fault(at, path, "'" + n + "' is not a valid name (letters, digits, '_', '-', '.'; 1-64)");
  }

  // "function: NAME" or "workflow: NAME" on a rule or schedule.
  state::Target target(const YAML::Node& node, const std::string& path) {
    const bool f = static_cast<bool>(node["function"]), w = static_cast<bool>(node["workflow"]);
    if (f == w) {
      fault(node, path, "needs exactly one target: 'function' or 'workflow'");
      return {};
    }
    return f ? state::Target{"function", text(node, "function", path)}
             : state::Target{"workflow", text(node, "workflow", path)};
  }

  std::vector<std::pair<YAML::Node, std::string>> targets;  // checked once all are declared
  const std::set<std::string>& builtins() const { return builtins_; }

 private:
  std::string file_;
  const std::set<std::string>& builtins_;
  std::vector<std::pair<int, std::string>> faults_;  // by line (0-based)
};

// The node a JSON pointer from the step checks names below `node`, and its path as the
// loader writes paths (`.tables[0].name`); stops at the deepest node that exists.
YAML::Node nodeAt(const YAML::Node& node, std::string_view pointer, std::string& where) {
  if (pointer.empty()) return node;
  pointer.remove_prefix(1);
  const size_t slash = pointer.find('/');
  const std::string segment(pointer.substr(0, slash));
  const YAML::Node child = node.IsSequence() ? node[std::stoul(segment)] : node[segment];
  if (!child.IsDefined()) return node;
  where += node.IsSequence() ? "[" + segment + "]" : "." + segment;
  return nodeAt(child, slash == std::string_view::npos ? "" : pointer.substr(slash), where);
}

// A built-in step's settings, checked as the part of its events they are.
void checkStepConfig(Reader& r, const YAML::Node& config, const std::string& path,
                     const std::string& step) {
  for (const auto& fault : data::stepEventFaults(step, toJson(config), true)) {
    std::string where = path;
    const YAML::Node at = nodeAt(config, fault.pointer, where);
    r.fault(at, where, fault.what);
  }
}

void readFunctions(Reader& r, const YAML::Node& node, Project& p) {
  if (!r.map(node, "functions", {})) return;
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string path = "functions." + name;
    r.name(kv.first, path, name);
    const YAML::Node& f = kv.second;
    if (!r.map(f, path,
               {"runtime", "handler", "sql", "command", "timeout", "memory", "concurrency",
                "retries", "dead_letter", "environment", "config", "description"}))
      continue;
    FunctionDecl d;
    d.name = name;
    d.runtime = r.oneOf(f, "runtime", path, {"builtin", "sql", "command"}, "builtin");
    d.description = r.text(f, "description", path);
    d.timeout_seconds = r.number(f, "timeout", path, 60, 0.001, 86400);
    d.memory_mb = static_cast<int>(r.number(f, "memory", path, 0, 0, 1 << 20));
    d.concurrency = static_cast<int>(r.number(f, "concurrency", path, 0, 0, 10000));
    d.retries = static_cast<int>(r.number(f, "retries", path, 2, 0, 2));
    d.dead_letter = r.text(f, "dead_letter", path);
    if (!d.dead_letter.empty() && d.dead_letter.rfind("lake://", 0) != 0 &&
        d.dead_letter.rfind("topic:", 0) != 0)
      r.fault(f["dead_letter"], path + ".dead_letter",
              "must be lake://BUCKET/PREFIX/ or topic:NAME");
    if (f["environment"] && r.map(f["environment"], path + ".environment", {})) {
      for (const auto& e : f["environment"])
        d.environment[e.first.Scalar()] =
            r.scalar(e.second, path + ".environment." + e.first.Scalar());
    }
    if (f["config"]) {
      if (d.runtime != "builtin")
        r.fault(f["config"], path + ".config", "only built-in functions take a config");
      else if (!f["config"].IsMap())
        r.fault(f["config"], path + ".config", "must be a mapping of settings");
      else
        d.config = toJson(f["config"]).dump();
    }
    if (d.runtime == "builtin") {
      d.handler = r.required(f, "handler", path);
      if (!d.handler.empty() && r.builtins().count(d.handler) == 0)
        r.fault(f["handler"], path + ".handler", "no built-in function named '" + d.handler + "'");
      else if (!d.config.empty() && data::hasStepEventSchema(d.handler))
        checkStepConfig(r, f["config"], path + ".config", d.handler);
    } else if (d.runtime == "sql") {
      d.sql = r.required(f, "sql", path);
      r.fileExists(f["sql"], path + ".sql", p, d.sql);
    } else {
      const YAML::Node c = f["command"];
      if (!c) {
        r.fault(f, path, "missing 'command'");
      } else if (c.IsScalar()) {
        d.command = {c.Scalar()};
      } else if (c.IsSequence() && c.size() > 0) {
        for (const auto& a : c) d.command.push_back(r.scalar(a, path + ".command"));
      } else {
        r.fault(c, path + ".command", "must be a program or a list [program, args…]");
      }
    }
    p.functions.push_back(d);
  }
}

void readEvents(Reader& r, const YAML::Node& node, Project& p) {
  if (!r.map(node, "events", {})) return;
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string path = "events." + name;
    r.name(kv.first, path, name);
    const YAML::Node& e = kv.second;
    if (!r.map(e, path,
               {"bucket", "prefix", "suffix", "on", "function", "workflow", "shape", "input"}))
      continue;
    state::TriggerRule rule;
    rule.name = name;
    rule.bucket = r.required(e, "bucket", path);
    rule.prefix = r.text(e, "prefix", path);
    rule.suffix = r.text(e, "suffix", path);
    rule.shape = r.oneOf(e, "shape", path, {"s3", "eventbridge"}, "s3");
    rule.target = r.target(e, path);
    r.targets.emplace_back(e, path);
    if (e["input"]) rule.input = toJson(e["input"]).dump();
    if (e["on"]) {
      rule.on_created = false;
      std::vector<std::string> types;
      if (e["on"].IsScalar()) types = {e["on"].Scalar()};
      if (e["on"].IsSequence())
        for (const auto& t : e["on"])
          if (const std::string type = r.scalar(t, path + ".on"); t.IsScalar())
            types.push_back(type);
      for (const auto& t : types) {
        if (t == "created")
          rule.on_created = true;
        else if (t == "removed")
          rule.on_removed = true;
        else
          r.fault(e["on"], path + ".on", "'" + t + "' is not created or removed");
      }
      if (types.empty())
        r.fault(e["on"], path + ".on", "must be created, removed or a list of them");
    }
    p.events.push_back(rule);
  }
}

void readSchedules(Reader& r, const YAML::Node& node, Project& p) {
  if (!r.map(node, "schedules", {})) return;
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string path = "schedules." + name;
    r.name(kv.first, path, name);
    const YAML::Node& s = kv.second;
    if (!r.map(s, path, {"expression", "timezone", "function", "workflow", "input", "catch_up"}))
      continue;
    state::ScheduleRecord rec;
    rec.name = name;
    rec.expression = r.required(s, "expression", path);
    rec.time_zone = r.text(s, "timezone", path, "UTC");
    rec.catch_up = r.oneOf(s, "catch_up", path, {"none", "latest", "all"}, "none");
    rec.target = r.target(s, path);
    r.targets.emplace_back(s, path);
    if (s["input"]) rec.input = toJson(s["input"]).dump();
    try {
      if (!rec.expression.empty()) schedule::ScheduleExpression::parse(rec.expression);
    } catch (const Error& e) {
      r.fault(s["expression"], path + ".expression", e.what());
    }
    try {
      schedule::validateTimeZone(rec.time_zone);
    } catch (const Error& e) {
      r.fault(s["timezone"], path + ".timezone", e.what());
    }
    p.schedules.push_back(rec);
  }
}

void readRoutes(Reader& r, const YAML::Node& node, Project& p) {
  if (!r.map(node, "routes", {})) return;
  static const std::regex route_key("(GET|POST|PUT|PATCH|DELETE|ANY) (/[^ ]*)");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>(), path = "routes." + key;
    std::smatch m;
    if (!std::regex_match(key, m, route_key)) {
      r.fault(kv.first, path, "a route is 'METHOD /path' (GET, POST, PUT, PATCH, DELETE or ANY)");
      continue;
    }
    if (!r.map(kv.second, path, {"function", "cors", "api_key", "schema"})) continue;
    RouteDecl route{m[1],
                    m[2],
                    r.required(kv.second, "function", path),
                    r.text(kv.second, "cors", path, "false") == "true",
                    r.text(kv.second, "api_key", path),
                    r.text(kv.second, "schema", path)};
    r.fileExists(kv.second["schema"], path + ".schema", p, route.schema);
    r.targets.emplace_back(kv.second, path);
    p.routes.push_back(route);
  }
}

void readAlarms(Reader& r, const YAML::Node& node, Project& p) {
  if (!r.map(node, "alarms", {})) return;
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>(), path = "alarms." + name;
    r.name(kv.first, path, name);
    const YAML::Node& a = kv.second;
    if (!r.map(a, path,
               {"function", "metric", "statistic", "comparison", "threshold", "window", "topic"}))
      continue;
    AlarmDecl d;
    d.name = name;
    d.function = r.required(a, "function", path);
    d.metric =
        r.oneOf(a, "metric", path, {"invocations", "errors", "throttles", "duration"}, "errors");
    d.statistic = r.oneOf(a, "statistic", path,
                          d.metric == "duration" ? std::set<std::string>{"max", "average", "p99"}
                                                 : std::set<std::string>{"sum"},
                          d.metric == "duration" ? "max" : "sum");
    d.comparison = r.oneOf(a, "comparison", path, {">=", ">", "<=", "<"}, ">=");
    d.threshold = r.number(a, "threshold", path, 1, -1e18, 1e18);
    d.window_seconds = r.number(a, "window", path, 300, 1, 86400 * 7);
    d.topic = r.required(a, "topic", path);
    r.targets.emplace_back(a, path);  // its function must exist
    p.alarms.push_back(d);
  }
}

void readCatalog(Reader& r, const YAML::Node& node, Project& p) {
  if (!r.map(node, "catalog", {})) return;
  static const std::regex qualified("([a-z0-9_]+)\\.([a-z0-9_]+)");
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>(), path = "catalog." + key;
    std::smatch m;
    if (!std::regex_match(key, m, qualified)) {
      r.fault(kv.first, path, "a catalog table is named DATABASE.TABLE (lower case, digits, '_')");
      continue;
    }
    if (!r.map(kv.second, path, {"location", "format", "partition_keys", "pattern"})) continue;
    state::CatalogTable t;
    t.database = m[1];
    t.name = m[2];
    t.location = r.required(kv.second, "location", path);
    if (!t.location.empty() && t.location.rfind("lake://", 0) != 0)
      r.fault(kv.second["location"], path + ".location", "must be lake://BUCKET/PREFIX/");
    if (!t.location.empty() && t.location.back() != '/') t.location += '/';
    t.format = r.oneOf(kv.second, "format", path, {"parquet", "csv", "jsonl", "json"}, "parquet");
    if (kv.second["pattern"]) t.options["pattern"] = r.text(kv.second, "pattern", path);
    if (const auto keys = kv.second["partition_keys"]) {
      if (!keys.IsSequence())
        r.fault(keys, path + ".partition_keys", "must be a list of columns");
      else
        for (const auto& k : keys)
          t.partition_keys.push_back(r.scalar(k, path + ".partition_keys"));
    }
    p.catalog.push_back(t);
  }
}

void readRest(Reader& r, const YAML::Node& root, Project& p) {
  if (const auto b = root["buckets"]) {
    if (!b.IsSequence())
      r.fault(b, "buckets", "must be a list of bucket names");
    else
      for (const auto& item : b) {
        try {
          const std::string bucket = r.scalar(item, "buckets");
          if (!item.IsScalar()) continue;  // already a fault
          lake::validateBucketName(bucket);
          p.buckets.push_back(bucket);
        } catch (const Error& e) {
          r.fault(item, "buckets", e.what());
        }
      }
  }
  if (const auto params = root["parameters"]; params && r.map(params, "parameters", {})) {
    for (const auto& kv : params) {
      const std::string name = kv.first.as<std::string>(), path = "parameters." + name;
      ParameterDecl d;
      d.name = name;
      if (kv.second.IsScalar()) {
        d.value = kv.second.Scalar();
      } else if (r.map(kv.second, path, {"value", "type", "description"})) {
        d.value = r.required(kv.second, "value", path);
        d.type = r.oneOf(kv.second, "type", path, {"String", "StringList"}, "String");
        d.description = r.text(kv.second, "description", path);
      }
      p.parameters.push_back(d);
    }
  }
  if (const auto secrets = root["secrets"]; secrets && r.map(secrets, "secrets", {})) {
    for (const auto& kv : secrets) {
      const std::string name = kv.first.as<std::string>(), path = "secrets." + name;
      if (!r.map(kv.second, path, {"env", "file"})) continue;
      SecretDecl d{name, r.text(kv.second, "env", path), r.text(kv.second, "file", path)};
      if (d.env.empty() == d.file.empty())
        r.fault(kv.second, path,
                "needs exactly one of 'env' (a variable) or 'file' (a path); "
                "secret values never go in the project file");
      p.secrets.push_back(d);
    }
  }
  if (const auto wfs = root["workflows"]; wfs && r.map(wfs, "workflows", {})) {
    for (const auto& kv : wfs) {
      const std::string name = kv.first.as<std::string>(), path = "workflows." + name;
      r.name(kv.first, path, name);
      try {
        state::validateCatalogName(name, "a workflow name");  // the rule workflows apply
      } catch (const Error& e) {
        r.fault(kv.first, path, e.what());
      }
      std::string file;
      if (kv.second.IsScalar())
        file = kv.second.Scalar();
      else if (r.map(kv.second, path, {"definition"}))
        file = r.required(kv.second, "definition", path);
      if (file.empty()) continue;
      std::ifstream in(p.path(file));
      if (!in) {
        r.fault(kv.second, path, "file '" + file + "' does not exist");
        continue;
      }
      try {
        nlohmann::json definition = nlohmann::json::parse(in);
        flow::Definition::parse(definition);
      } catch (const std::exception& e) {
        r.fault(kv.second, path, "'" + file + "' is not a valid workflow: " + e.what());
      }
      p.workflows.push_back({name, file});
    }
  }
  if (const auto tables = root["tables"]; tables && r.map(tables, "tables", {})) {
    for (const auto& kv : tables) {
      const std::string name = kv.first.as<std::string>(), path = "tables." + name;
      if (!r.map(kv.second, path,
                 {"partition_key", "partition_key_type", "sort_key", "sort_key_type"}))
        continue;
      TableDecl t;
      t.name = name;
      t.partition_key = r.required(kv.second, "partition_key", path);
      t.partition_key_type = r.oneOf(kv.second, "partition_key_type", path, {"S", "N"}, "S");
      t.sort_key = r.text(kv.second, "sort_key", path);
      t.sort_key_type = r.oneOf(kv.second, "sort_key_type", path, {"S", "N"}, "S");
      p.tables.push_back(t);
    }
  }
  if (const auto topics = root["topics"]; topics && r.map(topics, "topics", {})) {
    for (const auto& kv : topics) {
      const std::string name = kv.first.as<std::string>(), path = "topics." + name;
      r.name(kv.first, path, name);
      TopicDecl t{name, {}};
      if (r.map(kv.second, path, {"subscriptions"}) && kv.second["subscriptions"]) {
        for (const auto& s : kv.second["subscriptions"]) {
          if (!r.map(s, path + ".subscriptions", {"protocol", "endpoint"})) continue;
          t.subscriptions.push_back({r.oneOf(s, "protocol", path + ".subscriptions",
                                             {"file", "email", "webhook"}, "file"),
                                     r.required(s, "endpoint", path + ".subscriptions")});
        }
      }
      p.topics.push_back(t);
    }
  }
}

// Reads the parsed `root` into `p`; throws Error(InvalidProject) listing every fault.
void readProject(const YAML::Node& root, const std::set<std::string>& builtins, Project& p) {
  Reader r(p.file, builtins);
  if (!r.map(root, "",
             {"name", "buckets", "parameters", "secrets", "functions", "workflows", "events",
              "schedules", "tables", "topics", "alarms", "routes", "catalog"})) {
    throw Error(kInvalidProject, r.faults().front());
  }
  p.name = r.text(root, "name", "name", fs::path(p.dir).filename().string());
  readRest(r, root, p);
  if (root["functions"]) readFunctions(r, root["functions"], p);
  if (root["events"]) readEvents(r, root["events"], p);
  if (root["schedules"]) readSchedules(r, root["schedules"], p);
  if (root["routes"]) readRoutes(r, root["routes"], p);
  if (root["alarms"]) readAlarms(r, root["alarms"], p);
  if (root["catalog"]) readCatalog(r, root["catalog"], p);

  for (const auto& [node, path] : r.targets) {
    // A target that is not a single value is already a fault.
    if (node["function"] && node["function"].IsScalar()) {
      const std::string f = node["function"].Scalar();
      if (!p.function(f) && builtins.count(f) == 0)
        r.fault(node["function"], path + ".function", "no function named '" + f + "'");
    } else if (node["workflow"] && node["workflow"].IsScalar()) {
      const std::string w = node["workflow"].Scalar();
      bool found = false;
      for (const auto& d : p.workflows) found = found || d.name == w;
      if (!found) r.fault(node["workflow"], path + ".workflow", "no workflow named '" + w + "'");
    }
  }
  for (const auto& a : p.alarms) {
    bool found = false;
    for (const auto& t : p.topics) found = found || t.name == a.topic;
    if (!found)
      r.fault(root["alarms"][a.name]["topic"], "alarms." + a.name + ".topic",
              "no topic named '" + a.topic + "'");
  }
  if (!r.faults().empty()) {
    std::string all;
    for (const auto& f : r.faults()) all += (all.empty() ? "" : "\n") + f;
    throw Error(kInvalidProject, all);
  }
}

}  // namespace

Project loadProject(const std::string& dir, const std::set<std::string>& builtins) {
  Project p;
  p.dir = fs::absolute(dir).lexically_normal().string();
  if (!p.dir.empty() && p.dir.back() == '/') p.dir.pop_back();
  p.file = p.dir + "/sluice.yaml";
  YAML::Node root;
  try {
    root = YAML::LoadFile(p.file);
  } catch (const YAML::BadFile&) {
    throw Error(kInvalidProject, "no project file at " + p.file);
  } catch (const YAML::Exception& e) {
    throw Error(kInvalidProject, "sluice.yaml:" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  try {
    readProject(root, builtins, p);
  } catch (const YAML::Exception& e) {
    // A value of a kind no reader above expected, such as a list used as a key.
    throw Error(kInvalidProject, "sluice.yaml:" + std::to_string(e.mark.line + 1) +
                                     ": a value of an unexpected kind (" + e.msg + ")");
  }
  return p;
}

}  // namespace sluice::project
