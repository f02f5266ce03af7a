#pragma once
// A sluice project as declared in PROJECT_DIR/sluice.yaml (docs/project-file.md): what
// buckets, parameters, functions, workflows, rules, schedules, tables and topics a
// pipeline needs. Plain data; project/loader.h reads and validates it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state/catalog_store.h"
#include "state/schedule_store.h"
#include "state/trigger_store.h"

namespace sluice::project {

struct ParameterDecl {
  std::string name;
  std::string value;
  std::string type = "String";  // String, StringList, SecureString
  std::string description;
};

// A secret is a reference, never a value: an environment variable or a file, read when
// the project is applied and stored as a SecureString parameter.
struct SecretDecl {
  std::string name;  // the parameter name it is stored under
  std::string env;
  std::string file;  // relative to the project folder
};

struct FunctionDecl {
  std::string name;
  std::string runtime = "builtin";   // builtin, sql, command
  std::string handler;               // builtin: the built-in function it runs
  std::string sql;                   // sql: the SQL file, relative to the project folder
  std::vector<std::string> command;  // command: argv (paths relative to the project folder)
  double timeout_seconds = 60;
  int memory_mb = 0;        // the function's memory limit (functions/memory_limit.h)
  int concurrency = 0;      // reserved concurrency; 0 = unlimited
  int retries = 2;          // asynchronous retries after the first attempt
  std::string dead_letter;  // lake://BUCKET/PREFIX/ or topic:NAME
  std::map<std::string, std::string> environment;
  // builtin: settings merged beneath every event (the event's own fields win), so a
  // project configures a generic step once; "<project.dir>" and "<data.dir>" in its
  // strings become the project's folder and the data directory. A JSON object, as text.
  std::string config;
  std::string description;
};

struct WorkflowDecl {
  std::string name;
  std::string definition;  // the ASL file, relative to the project folder
};

struct TableDecl {
  std::string name;
  std::string partition_key;
  std::string partition_key_type = "S";
  std::string sort_key;
  std::string sort_key_type = "S";
};

struct Subscription {
  std::string protocol;  // file, email, webhook
  std::string endpoint;  // a path, an e-mail address, a URL
};

struct TopicDecl {
  std::string name;
  std::vector<Subscription> subscriptions;
};

// An HTTP route: "METHOD /path/{param}" to a function, API Gateway proxy style.
struct RouteDecl {
  std::string method;  // GET, POST, PUT, PATCH, DELETE or ANY
  std::string path;    // "/orders/{id}"; a final "{name+}" takes the rest of the path
  std::string function;
  bool cors = false;
  std::string api_key;  // the parameter holding the key callers send as x-api-key
  std::string schema;   // a JSON Schema file the request body must satisfy
};

// A CloudWatch-style alarm on a function's metric over a sliding window; it publishes to
// a topic when it goes into ALARM and when it returns to OK.
struct AlarmDecl {
  std::string name;
  std::string function;
  std::string metric = "errors";  // invocations, errors, throttles, duration
  std::string statistic = "sum";  // sum (counts); for duration: max, average or p99
  std::string comparison = ">=";  // >=, >, <=, <
  double threshold = 1;
  double window_seconds = 300;
  std::string topic;
};

struct Project {
  std::string name;
  std::string dir;   // absolute folder of sluice.yaml
  std::string file;  // absolute path of sluice.yaml
  std::vector<std::string> buckets;
  std::vector<ParameterDecl> parameters;
  std::vector<SecretDecl> secrets;
  std::vector<FunctionDecl> functions;
  std::vector<WorkflowDecl> workflows;
  std::vector<state::TriggerRule> events;
  std::vector<state::ScheduleRecord> schedules;
  std::vector<TableDecl> tables;
  std::vector<TopicDecl> topics;
  std::vector<RouteDecl> routes;
  std::vector<AlarmDecl> alarms;
  std::vector<state::CatalogTable> catalog;  // declared tables, queryable by name

  const FunctionDecl* function(const std::string& name) const;
  std::string path(const std::string& relative) const;  // resolved against dir
};

}  // namespace sluice::project
