#include "runtime/project_runtime.h"

#include <cstdlib>

#include "app/environment.h"
#include "core/error.h"
#include "core/text.h"
#include "functions/command_function.h"
#include "functions/concurrency_limit.h"
#include "functions/memory_limit.h"
#include "functions/registry.h"
#include "functions/sql_function.h"
#include "lake/object_store.h"
#include "runtime/template_fill.h"
#include "runtime/trigger_recorder.h"
#include "state/state_store.h"
#include "workflows/workflow_service.h"

namespace sluice::runtime {

namespace {

state::KeyAttribute keyOf(const std::string& name, const std::string& type) {
  return {name, type == "N" ? state::KeyType::kNumber : state::KeyType::kString};
}

// A built-in step with the project's settings beneath each event: the event's own
// top-level fields win, so a workflow or a test can still override any of them.
functions::Handler withConfig(functions::Handler handler, const std::string& config_text,
                              const std::string& project_dir, const std::string& data_dir) {
  nlohmann::json config = nlohmann::json::parse(config_text);
  fillPlaceholders(config, {{"<project.dir>", project_dir}, {"<data.dir>", data_dir}});
  return [handler = std::move(handler), config](const nlohmann::json& event,
                                                functions::InvocationContext& ctx) {
    if (!event.is_object()) return handler(event, ctx);
    nlohmann::json merged = config;
    for (const auto& [k, v] : event.items()) merged[k] = v;
    return handler(merged, ctx);
  };
}

}  // namespace

ProjectRuntime::ProjectRuntime(app::Environment& env, project::Project project,
                               const core::Clock& clock)
    : env_(env), project_(std::move(project)), clock_(clock) {
  topics_ =
      std::make_unique<Topics>(project_.topics, env_.dataDir(), SmtpSettings::fromEnvironment());
  targets_ = std::make_unique<TargetRunner>(env_.functions(), env_.services(), env_.workflows());
  auto policy = [this](const state::TriggerRule& rule) {
    RetryPolicy p;
    if (rule.target.kind == "function")
      if (const auto* f = project_.function(rule.target.name)) {
        p.max_attempts = 1 + f->retries;
        p.dead_letter = f->dead_letter;
      }
    return p;
  };
  dispatcher_ = std::make_unique<EventDispatcher>(
      env_.state().triggers(), *targets_, policy,
      [this](const std::string& destination, const state::Delivery& d) {
        deadLetter(destination, d);
      },
      [this](const state::Delivery& d) { return changeHappened(env_.lake(), d); },
      DispatcherOptions{}, clock_);
  scheduler_ = std::make_unique<Scheduler>(env_.state().schedules(), *targets_, clock_);
  alarms_ = std::make_unique<AlarmEvaluator>(project_.alarms, env_.state().invocations(), *topics_,
                                             clock_);
}

ProjectRuntime::~ProjectRuntime() { stop(); }

void ProjectRuntime::apply(const S3Access& s3) {
  auto& lake = env_.lake();
  auto& state = env_.state();
  for (const auto& b : project_.buckets)
    if (!lake.bucketExists(b)) lake.createBucket(b);
  for (const auto& p : project_.parameters) {
    try {
      state.parameters().put(
          {p.name, p.value, state::parseParameterType(p.type), p.description, false});
    } catch (const Error& e) {
      if (e.code() != errc::kParameterAlreadyExists) throw;  // initial values only
    }
  }
  for (const auto& s : project_.secrets) {
    std::string value;
    if (!s.env.empty()) {
      const char* v = std::getenv(s.env.c_str());
      if (!v)
        throw Error(errc::kInvalidArgument, "secret '" + s.name +
                                                "' comes from the environment "
                                                "variable " +
                                                s.env + ", which is not set");
      value = v;
    } else {
      value = core::readFile(project_.path(s.file));
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    }
    env_.redactor().add(value);
    state.parameters().put(
        {s.name, value, state::ParameterType::kSecureString, "secret from the project file", true});
  }
  for (const auto& t : project_.tables) {
    if (state.items().describeTable(t.name)) continue;
    state::TableSchema schema{t.name, keyOf(t.partition_key, t.partition_key_type), std::nullopt};
    if (!t.sort_key.empty()) schema.sort_key = keyOf(t.sort_key, t.sort_key_type);
    state.items().createTable(schema);
  }
  for (const auto& f : project_.functions)
    if (!env_.functions().contains(f.name)) registerFunction(f, s3);
  for (const auto& w : project_.workflows)
    env_.workflows().putWorkflow(
        w.name, nlohmann::json::parse(core::readFile(project_.path(w.definition))));
  for (const auto& table : project_.catalog) state.catalog().putTable(table);
  state.triggers().replaceRules(project_.events);
  state.schedules().syncSchedules(project_.schedules, clock_.now());
  env_.setPublisher(
      [this](const std::string& topic, const std::string& subject, const std::string& message) {
        return topics_->publish(topic, subject, message);
      });
}

void ProjectRuntime::registerFunction(const project::FunctionDecl& f, const S3Access& s3) {
  functions::Handler handler;
  if (f.runtime == "builtin") {
    handler = env_.functions().find(f.handler).handler;
    if (!f.config.empty()) handler = withConfig(handler, f.config, project_.dir, env_.dataDir());
  } else if (f.runtime == "sql") {
    handler = functions::sqlFileHandler(project_.path(f.sql));
  } else {
    functions::CommandSpec spec;
    spec.argv = f.command;
    // A program named by a relative path is the project's own.
    if (spec.argv[0].find('/') != std::string::npos) spec.argv[0] = project_.path(spec.argv[0]);
    spec.working_dir = project_.dir;
    spec.environment = {{"SLUICE_DATA_DIR", env_.dataDir()},
                        {"SLUICE_FUNCTION", f.name},
                        {"SLUICE_PROJECT_DIR", project_.dir},
                        {"AWS_REGION", "us-east-1"},
                        {"AWS_DEFAULT_REGION", "us-east-1"}};
    if (!s3.endpoint.empty()) {
      spec.environment["AWS_ENDPOINT_URL"] = s3.endpoint;
      spec.environment["AWS_ENDPOINT_URL_S3"] = s3.endpoint;
      spec.environment["AWS_ACCESS_KEY_ID"] = s3.access_key_id;
      spec.environment["AWS_SECRET_ACCESS_KEY"] = s3.secret_access_key;
      if (!s3.ca_bundle.empty()) spec.environment["AWS_CA_BUNDLE"] = s3.ca_bundle;
    }
    if (f.memory_mb > 0) {
      spec.memory_mb = f.memory_mb;
      spec.environment["SLUICE_MEMORY_LIMIT"] = std::to_string(f.memory_mb) + "MB";
    }
    for (const auto& [k, v] : f.environment) spec.environment[k] = v;
    handler = functions::commandHandler(spec);
  }
  if (f.memory_mb > 0 && f.runtime != "command")
    handler = functions::limitDuckDbMemory(handler, f.memory_mb);
  if (f.concurrency > 0) handler = functions::limitConcurrency(handler, f.concurrency);
  env_.addFunction(f.name, f.description.empty() ? f.runtime + " function" : f.description, handler,
                   f.timeout_seconds);
}

void ProjectRuntime::deadLetter(const std::string& destination, const state::Delivery& d) {
  const nlohmann::json record = {{"rule", d.rule},
                                 {"bucket", d.bucket},
                                 {"key", d.key},
                                 {"sequencer", d.sequencer},
                                 {"attempts", d.attempts},
                                 {"error", d.last_error},
                                 {"event", nlohmann::json::parse(d.payload)}};
  if (destination.rfind("topic:", 0) == 0) {
    topics_->publish(destination.substr(6), "sluice: delivery failed for rule " + d.rule,
                     record.dump(2));
    return;
  }
  std::string rest = destination.substr(7);  // after lake://
  const size_t slash = rest.find('/');
  const std::string bucket = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  lake::PutOptions opts;
  opts.content_type = "application/json";
  env_.lake().put(bucket, prefix + d.rule + "/" + d.sequencer + ".json", record.dump(), opts);
}

void ProjectRuntime::setLog(RuntimeLog* log) {
  targets_->setLog(log);
  dispatcher_->setLog(log);
  scheduler_->setLog(log);
}

void ProjectRuntime::start() {
  env_.onTriggersRecorded([this] { dispatcher_->wake(); });
  dispatcher_->start();
  scheduler_->start();
  alarms_->start();
}

void ProjectRuntime::stop() {
  env_.onTriggersRecorded(nullptr);
  if (dispatcher_) dispatcher_->stop();
  if (scheduler_) scheduler_->stop();
  if (alarms_) alarms_->stop();
}

}  // namespace sluice::runtime
