#include "workflows/workflow_service.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/process_identity.h"
#include "flow/definition.h"
#include "flow/history_shape.h"
#include "state/state_store.h"
#include "workflows/durable_progress.h"

namespace sluice::workflows {

using nlohmann::json;

namespace {

std::string workflowOfArn(const std::string& arn) {
  size_t at = arn.find(":stateMachine:");
  return at == std::string::npos ? arn : arn.substr(at + 14);
}

}  // namespace

json outcomeJson(const state::ExecutionRecord& r) {
  if (r.status == "SUCCEEDED") return {{"status", r.status}, {"output", r.output}};
  if (r.status == "RUNNING") return {{"status", r.status}};
  return {{"status", r.status}, {"error", r.error}, {"cause", r.cause}};
}

json executionListItemJson(const state::ExecutionRecord& r) {
  json j = {{"executionArn", r.id},
            {"stateMachineName", r.workflow},
            {"name", r.name},
            {"status", r.status},
            {"startDate", core::formatIso8601Ms(r.started)}};
  if (r.stopped) j["stopDate"] = core::formatIso8601Ms(r.stopped);
  return j;
}

json historyJson(state::ExecutionStore& store, const std::string& execution_id) {
  json events = json::array();
  for (const auto& e : store.history(execution_id))
    events.push_back(flow::awsHistoryEvent({e.id, e.previous_id, e.timestamp, e.type, e.details}));
  return events;
}

WorkflowService::WorkflowService(const functions::Registry& registry, functions::Services services,
                                 WorkflowServiceOptions options)
    : services_(services),
      options_(options),
      dispatcher_(registry, services, this, *options.clock) {
  if (!options_.sleeper) {
    own_sleeper_ = std::make_unique<flow::RealSleeper>();
    options_.sleeper = own_sleeper_.get();
  }
  if (!options_.tasks) options_.tasks = &dispatcher_;
}

WorkflowService::~WorkflowService() = default;

state::ExecutionStore& WorkflowService::store() { return services_.state.executions(); }

std::string WorkflowService::executionArn(const std::string& workflow,
                                          const std::string& name) const {
  return "arn:aws:states:" + options_.region + ":" + options_.account + ":execution:" + workflow +
         ":" + name;
}

int64_t WorkflowService::putWorkflow(const std::string& name, const json& definition) {
  state::validateCatalogName(name, "workflow name");
  flow::Definition::parse(definition);
  return store().putWorkflow(name, definition);
}

flow::Definition WorkflowService::currentDefinition(const std::string& workflow) {
  const auto missing = [&] {
    return Error("StateMachineDoesNotExist", "workflow '" + workflow + "' does not exist");
  };
  const std::optional<int64_t> version = store().workflowVersion(workflow);
  if (!version) throw missing();
  {
    std::lock_guard lock(definitions_mu_);
    auto it = definitions_.find(workflow);
    if (it != definitions_.end() && it->second.version == *version) return it->second.definition;
  }
  auto wf = store().getWorkflow(workflow);
  if (!wf) throw missing();
  flow::Definition def = flow::Definition::parse(wf->definition);
  std::lock_guard lock(definitions_mu_);
  definitions_.insert_or_assign(workflow, CompiledVersion{wf->version, def});
  return def;
}

state::ExecutionRecord WorkflowService::newRecord(const std::string& workflow, const json& input,
                                                  std::string name,
                                                  const std::string& parent) const {
  if (name.empty()) name = core::uuid4();
  state::ExecutionRecord r;
  r.id = executionArn(workflow, name);
  r.workflow = workflow;
  r.name = name;
  r.status = "RUNNING";
  r.input = input;
  r.started = options_.clock->now();
  r.parent = parent;
  r.owner = core::currentProcessId();
  return r;
}

state::ExecutionRecord WorkflowService::start(const std::string& workflow, const json& input,
                                              std::string name, const std::string& parent) {
  bool created = false;
  return store().createExecution(newRecord(workflow, input, std::move(name), parent), created);
}

// Marks an execution as being run by this process for the scope; `held()` is false when
// another thread of this process was running it already.
class WorkflowService::RunningHere {
 public:
  RunningHere(WorkflowService& service, std::string id) : service_(service), id_(std::move(id)) {
    std::lock_guard lock(service_.running_mu_);
    held_ = service_.running_.insert(id_).second;
  }
  ~RunningHere() {
    if (!held_) return;
    {
      std::lock_guard lock(service_.running_mu_);
      service_.running_.erase(id_);
    }
    service_.running_cv_.notify_all();
  }
  bool held() const { return held_; }
  void waitForTheOther() {
    std::unique_lock lock(service_.running_mu_);
    service_.running_cv_.wait(lock, [this] { return !service_.running_.count(id_); });
  }

 private:
  WorkflowService& service_;
  std::string id_;
  bool held_ = false;
};

state::ExecutionRecord WorkflowService::startAndRun(const std::string& workflow, const json& input,
                                                    std::string name, const std::string& parent) {
  // A name given twice is the idempotent path: the first execution is the answer.
  if (!name.empty() && store().getExecution(executionArn(workflow, name)))
    return run(start(workflow, input, std::move(name), parent).id);
  const state::ExecutionRecord record = newRecord(workflow, input, name, parent);
  {
    RunningHere here(*this, record.id);
    if (here.held()) {
      DurableProgress progress(store(), record.id, *options_.clock, 1, &record);
      state::ExecutionRecord done = execute(record, progress);
      if (!progress.lost()) return done;
    }
  }
  // The name was taken meanwhile, by another process or another thread of this one;
  // ours touched nothing, and theirs is the answer.
  return run(start(workflow, input, record.name, parent).id);
}

state::ExecutionRecord WorkflowService::run(const std::string& id) {
  const std::string me = core::currentProcessId();
  for (;;) {
    {
      // Held before the record is read: a record read while another thread here was
      // still running the execution could be out of date by the time we hold it.
      RunningHere here(*this, id);
      if (!here.held()) {
        here.waitForTheOther();  // another thread here runs it: its end is the answer
        continue;
      }
      auto record = store().getExecution(id);
      if (!record) throw Error("ExecutionDoesNotExist", "execution '" + id + "' does not exist");
      if (record->status != "RUNNING") return *record;
      if (record->owner == me || takeOverIfOrphaned(*record, me)) {
        record->owner = me;
        DurableProgress progress(store(), id, *options_.clock, store().lastEventId(id) + 1,
                                 nullptr);
        return execute(*record, progress);
      }
    }
    // Another live process runs it: its end is the answer, unless that process dies.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool WorkflowService::takeOverIfOrphaned(const state::ExecutionRecord& record,
                                         const std::string& me) {
  return !core::processMayBeAlive(record.owner) &&
         store().claimExecution(record.id, record.owner, me);
}

std::vector<std::string> WorkflowService::claimOrphans() {
  const std::string me = core::currentProcessId();
  std::vector<std::string> ids;
  for (const auto& r : store().listExecutions("", "RUNNING", 0))
    if (r.owner != me && takeOverIfOrphaned(r, me)) ids.push_back(r.id);
  return ids;
}

state::ExecutionRecord WorkflowService::execute(const state::ExecutionRecord& record,
                                                DurableProgress& history) {
  const std::string& id = record.id;
  const flow::Definition def = currentDefinition(record.workflow);
  flow::ExecutionOptions o;
  o.tasks = options_.tasks;
  o.sleeper = options_.sleeper;
  o.history = &history;
  o.clock = options_.clock;
  o.execution_name = record.name;
  o.state_machine_name = record.workflow;
  o.region = options_.region;
  o.account = options_.account;
  o.start_time = record.started;
  o.redrive_count = record.redrive_count;
  o.resume_from = record.checkpoint;
  o.checkpoint = [&](const json& cp) { history.checkpoint(cp); };
  const double timeout = def.timeoutSeconds();
  std::atomic<core::TimeNs> last_check{0};
  o.should_stop = [&]() -> std::optional<std::pair<std::string, std::string>> {
    const core::TimeNs now = options_.clock->now();
    if (timeout > 0 && now - record.started > static_cast<core::TimeNs>(timeout * 1e9))
      return std::make_pair(std::string("States.Timeout"),
                            "the execution ran longer than its TimeoutSeconds");
    if (now - last_check.load() >
        200'000'000) {  // a stop request is read at most five times a second
      last_check = now;
      auto current = store().getExecution(id);
      if (current && current->status != "RUNNING")
        return std::make_pair(std::string("States.Aborted"), std::string("stopped"));
    }
    return std::nullopt;
  };

  flow::ExecutionOutcome outcome = flow::runExecution(def, record.input, o);
  state::ExecutionRecord done = record;
  done.stopped = options_.clock->now();
  done.output = outcome.output;
  done.error = outcome.error;
  done.cause = outcome.cause;
  done.status = outcome.status;
  if (outcome.status == "FAILED" && outcome.error == "States.Timeout") done.status = "TIMED_OUT";
  // The commit does not end an execution that was stopped meanwhile: the stop stands.
  if (history.commit(&done) || history.lost()) return done;
  return *store().getExecution(id);
}

std::vector<std::string> WorkflowService::resumeAll() {
  const std::vector<std::string> ids = claimOrphans();
  for (const auto& id : ids) run(id);
  return ids;
}

bool WorkflowService::stop(const std::string& id, const std::string& error,
                           const std::string& cause) {
  auto record = store().getExecution(id);
  if (!record) throw Error("ExecutionDoesNotExist", "execution '" + id + "' does not exist");
  state::ExecutionRecord r = *record;
  r.status = "ABORTED";
  r.error = error.empty() ? json() : json(error);
  r.cause = cause.empty() ? json() : json(cause);
  r.stopped = options_.clock->now();
  if (!store().finishExecution(r)) return false;
  store().appendEvent(id, "ExecutionAborted", {{"error", r.error}, {"cause", r.cause}}, r.stopped);
  return true;
}

state::ExecutionRecord WorkflowService::redrive(const std::string& id) {
  auto record = store().getExecution(id);
  if (!record) throw Error("ExecutionDoesNotExist", "execution '" + id + "' does not exist");
  auto wf = store().getWorkflow(record->workflow);
  if (!wf)
    throw Error("StateMachineDoesNotExist", "workflow '" + record->workflow + "' does not exist");
  // Start again at the last top-level state that was entered, with the input it had,
  // and the variables of the last checkpoint.
  json cp;
  for (const auto& e : store().history(id)) {
    bool entered =
        e.type.size() > 12 && e.type.compare(e.type.size() - 12, 12, "StateEntered") == 0;
    if (entered && e.details.contains("name") &&
        wf->definition["States"].contains(e.details["name"].get<std::string>()))
      cp = {{"state", e.details["name"]}, {"input", json::parse(e.details.value("input", "null"))}};
  }
  if (!store().reopenExecution(id))
    throw Error("ExecutionNotRedrivable",
                "only FAILED, TIMED_OUT or ABORTED executions can be redriven");
  if (cp.is_object())
    cp["variables"] = record->checkpoint.is_object()
                          ? record->checkpoint.value("variables", json::object())
                          : json::object();
  store().saveCheckpoint(id, cp);
  store().appendEvent(id, "ExecutionRedriven", {{"redriveCount", record->redrive_count + 1}},
                      options_.clock->now());
  return *store().getExecution(id);
}

json WorkflowService::startChild(const json& p, const std::string& parent_id,
                                 const std::string& mode) {
  if (!p.contains("StateMachineArn"))
    throw Error("States.Runtime", "startExecution needs StateMachineArn");
  const std::string workflow = workflowOfArn(p["StateMachineArn"].get<std::string>());
  json input = p.value("Input", json::object());
  if (input.is_string()) {
    json parsed = json::parse(input.get<std::string>(), nullptr, false);
    if (!parsed.is_discarded()) input = parsed;
  }
  // Children run to their end here, also for the fire-and-forget form; a crash leaves
  // them RUNNING and resumable like any execution once their first progress is stored,
  // and before that the parent's resume starts them again.
  auto done = startAndRun(workflow, input, p.value("Name", ""), parent_id);
  const std::string started = core::formatIso8601Ms(done.started);
  if (mode.empty()) return {{"ExecutionArn", done.id}, {"StartDate", started}};
  json result = {{"ExecutionArn", done.id},
                 {"Name", done.name},
                 {"StateMachineArn", "arn:aws:states:" + options_.region + ":" + options_.account +
                                         ":stateMachine:" + workflow},
                 {"StartDate", started},
                 {"StopDate", core::formatIso8601Ms(done.stopped)},
                 {"Status", done.status}};
  if (mode == "sync:2") {
    result["Input"] = done.input;
    result["Output"] = done.output;
  } else {
    result["Input"] = done.input.dump();
    result["Output"] = done.output.is_null() ? json() : json(done.output.dump());
  }
  if (done.status != "SUCCEEDED") {
    result["Error"] = done.error;
    result["Cause"] = done.cause;
    throw Error("States.TaskFailed", result.dump());
  }
  return result;
}

}  // namespace sluice::workflows
