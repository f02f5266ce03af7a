#include "flow/interpreter.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/ids.h"
#include "flow/choice.h"
#include "flow/compiled_machine.h"
#include "flow/json_path.h"
#include "flow/payload.h"
#include "flow/scope.h"

namespace sluice::flow {

using nlohmann::json;

void RealSleeper::sleep(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

json ExecutionOutcome::toJson() const {
  if (status == "SUCCEEDED") return {{"status", status}, {"output", output}};
  return {{"status", status}, {"error", error}, {"cause", cause}};
}

namespace {

// A Fail state's error: the name may be absent (null), unlike every other error.
constexpr const char* kNoErrorName = "";

bool errorMatches(const json& names, const std::string& code) {
  for (const auto& n : names) {
    if (n == code) return true;
    // States.ALL matches every error but States.Runtime, which is never caught.
    if (n == "States.ALL" && code != "States.Runtime") return true;
    if (n == "States.TaskFailed" && code != "States.Runtime" && code != "States.Timeout" &&
        code != kNoErrorName)
      return true;
  }
  return false;
}

struct Step {
  json output;
  const CompiledState* next = nullptr;  // nullptr: the machine ends here
};

class Run {
 public:
  // The context object is built by `make_context` when something first reads it.
  Run(const ExecutionOptions& options, std::function<json()> make_context, bool reads_context)
      : o_(options), make_context_(std::move(make_context)), reads_context_(reads_context) {}
  Run(const ExecutionOptions& options, json context, bool reads_context)
      : o_(options), ctx_(std::move(context)), reads_context_(reads_context) {}

  bool recording() const { return o_.history != nullptr && !quiet_; }

  // Records an event; returns its id (0 when nothing is recorded).
  int64_t event(const std::string& type, json details) {
    if (!recording()) return 0;
    HistoryEvent e;
    e.timestamp = o_.clock->now();
    e.type = type;
    e.details = std::move(details);
    o_.history->append(e);
    return e.id;
  }

  // Runs a (sub-)machine from StartAt (or `start`) to an end state. `top` marks the
  // execution's own machine, whose transitions are checkpointed.
  json runMachine(const CompiledMachine& machine, json input, Variables& vars, bool top = false,
                  const std::string& start = "") {
    const CompiledState* current = start.empty() ? &machine.start() : &machine.state(start);
    for (;;) {
      if (o_.should_stop)
        if (auto stop = o_.should_stop()) throw Error(stop->first, stop->second);
      const CompiledState& cs = *current;
      const std::string& name = cs.name;
      const json& state = *cs.doc;
      const std::string& type = *cs.type_name;
      enterState(name, cs.can_retry);
      assigned_ = nullptr;
      if (recording())
        current_.entered_event_id =
            event(type + "StateEntered", {{"name", name}, {"input", input.dump()}});
      Step step;
      if (cs.passes_through) {
        step = {std::move(input), cs.next};
      } else {
        try {
          step = runWithRetry(machine, cs, input, vars);
        } catch (const Error& e) {
          const json* catcher = findCatcher(state, e.code());
          if (!catcher) throw;
          json error_output = {{"Error", e.code()}, {"Cause", e.what()}};
          applyAssign(*catcher, error_output, vars, name);
          step.output = applyResultPath(name, *catcher, input, error_output);
          step.next = &machine.state((*catcher)["Next"].get_ref<const std::string&>());
        }
      }
      if (cs.type != StateType::kFail && recording()) {
        json exited = {{"name", name}, {"output", step.output.dump()}};
        if (!assigned_.is_null()) exited["assignedVariables"] = std::exchange(assigned_, nullptr);
        event(type + "StateExited", std::move(exited));
      }
      if (top && o_.checkpoint) {
        json vars_json = json::object();
        for (const auto& [k, v] : vars.own()) vars_json[k] = v;
        o_.checkpoint({{"state", step.next ? step.next->name : std::string()},
                       {"input", step.output},
                       {"variables", vars_json}});
      }
      if (!step.next) return std::move(step.output);
      current = step.next;
      input = std::move(step.output);
    }
  }

 private:
  const json* findCatcher(const json& state, const std::string& code) {
    if (!state.contains("Catch")) return nullptr;
    for (const auto& c : state["Catch"])
      if (errorMatches(c["ErrorEquals"], code)) return &c;
    return nullptr;
  }

  Step runWithRetry(const CompiledMachine& machine, const CompiledState& cs, const json& input,
                    Variables& vars) {
    const json& state = *cs.doc;
    std::vector<int> attempts(state.contains("Retry") ? state["Retry"].size() : 0, 0);
    for (int retry_count = 0;; retry_count++) {
      current_.retry_count = retry_count;
      context_dirty_ = true;
      try {
        return runState(machine, cs, input, vars);
      } catch (const Error& e) {
        const std::string failed_event = std::exchange(state_failed_event_, "");
        const std::optional<double> delay = retryDelay(state, e.code(), attempts);
        if (!delay) {
          // A Map or Parallel reports its failure once, when no retry follows (as AWS does).
          if (!failed_event.empty()) event(failed_event, nullptr);
          throw;
        }
        if (!o_.sleeper) throw Error("States.Runtime", "retrying needs a sleeper");
        o_.sleeper->sleep(*delay);
      }
    }
  }

  // How long to wait before retrying after `code`, counting the attempt; nullopt when no
  // retrier matches or the matching one has used its attempts.
  std::optional<double> retryDelay(const json& state, const std::string& code,
                                   std::vector<int>& attempts) {
    if (!state.contains("Retry")) return std::nullopt;
    const json& retriers = state["Retry"];
    size_t i = 0;
    for (; i < retriers.size(); i++)
      if (errorMatches(retriers[i]["ErrorEquals"], code)) break;
    if (i == retriers.size()) return std::nullopt;
    const json& r = retriers[i];
    if (attempts[i] >= r.value("MaxAttempts", 3)) return std::nullopt;
    double delay =
        r.value("IntervalSeconds", 1.0) * std::pow(r.value("BackoffRate", 2.0), attempts[i]);
    if (r.contains("MaxDelaySeconds")) delay = std::min(delay, r["MaxDelaySeconds"].get<double>());
    if (r.value("JitterStrategy", "NONE") == "FULL")
      delay = std::uniform_real_distribution<double>(0, delay)(rng());
    attempts[i]++;
    return delay;
  }

  // $$.State is filled in only when an expression may read it: most states never do.
  struct CurrentState {
    std::string name;
    core::TimeNs entered = 0;
    int retry_count = 0;
    int64_t entered_event_id = 0;  // its StateEntered event (0 when nothing is recorded)
    bool can_retry = false;        // $$.State.RetryCount exists (Tasks and states with Retry)
  };
  void enterState(const std::string& name, bool can_retry) {
    // Only $$.State.EnteredTime reads the time: a machine that never mentions $$ skips the clock.
    current_ = {name, reads_context_ ? o_.clock->now() : 0, 0, 0, can_retry};
    context_dirty_ = true;
  }

  // An error in the current state, worded as AWS words it (naming the event that entered it).
  [[noreturn]] void runtimeError(const std::string& state, const std::string& what) const {
    const std::string entered =
        current_.entered_event_id > 0
            ? " (entered at the event id #" + std::to_string(current_.entered_event_id) + ")"
            : "";
    throw Error("States.Runtime", "An error occurred while executing the state '" + state + "'" +
                                      entered + ". " + what);
  }
  // The context object, built on first use.
  json& ctx() {
    if (make_context_) ctx_ = std::exchange(make_context_, nullptr)();
    return ctx_;
  }
  const json& context() {
    ctx();
    if (context_dirty_) {
      ctx_["State"] = {{"Name", current_.name},
                       {"EnteredTime", core::formatIso8601Ms(current_.entered)}};
      // AWS gives RetryCount only where retrying is possible (a recorded Pass state has none).
      if (current_.can_retry) ctx_["State"]["RetryCount"] = current_.retry_count;
      context_dirty_ = false;
    }
    return ctx_;
  }
  // A machine that never mentions $$ gets an empty context object, not an up-to-date one.
  Scope scope(const json& value, const Variables& vars) {
    static const json kUnread = json::object();
    return Scope{value, reads_context_ ? context() : kUnread, &vars};
  }

  json applyInputPath(const std::string& name, const json& state, const json& input,
                      const Variables& vars) {
    if (!state.contains("InputPath")) return input;
    if (state["InputPath"].is_null()) return json::object();
    return evaluatePath(name, state["InputPath"].get<std::string>(), input, vars);
  }

  json evaluatePath(const std::string& name, const std::string& path, const json& value,
                    const Variables& vars) {
    try {
      return evaluateExpression(path, scope(value, vars));
    } catch (const Error& e) {
      if (e.code() == "States.Runtime") runtimeError(name, e.what());
      throw;
    }
  }

  json applyTemplate(const std::string& name, const json& tmpl, const json& value,
                     const Variables& vars) {
    try {
      return applyPayloadTemplate(tmpl, scope(value, vars));
    } catch (const Error& e) {
      if (e.code() == "States.Runtime") runtimeError(name, e.what());
      throw;
    }
  }

  // The spec's second input step (after InputPath): Parameters, when the state has them.
  json applyParameters(const std::string& name, const json& state, json effective,
                       const Variables& vars) {
    if (!state.contains("Parameters")) return effective;
    return applyTemplate(name, state["Parameters"], effective, vars);
  }

  json applyResultPath(const std::string& name, const json& holder, const json& raw_input,
                       json result) {
    if (!holder.contains("ResultPath")) return result;
    if (holder["ResultPath"].is_null()) return raw_input;
    const std::string path = holder["ResultPath"];
    if (path == "$") return result;
    json out = raw_input;
    try {
      JsonPath::parseCached(path).assign(out, std::move(result));
    } catch (const Error& e) {
      runtimeError(name, e.what());
    }
    return out;
  }

  json applyOutputPath(const std::string& name, const json& state, json output,
                       const Variables& vars) {
    if (!state.contains("OutputPath")) return output;
    if (state["OutputPath"].is_null()) return json::object();
    return evaluatePath(name, state["OutputPath"].get<std::string>(), output, vars);
  }

  // Assign: every value is computed from the variables as they were, then all are set.
  void applyAssign(const json& holder, const json& value, Variables& vars,
                   const std::string& name) {
    if (!holder.contains("Assign")) return;
    json assigned = applyTemplate(name, holder["Assign"], value, vars);
    for (auto& [k, v] : assigned.items()) {
      if (recording()) assigned_[k] = v.dump();  // for the state's Exited event
      vars.set(k, v);
    }
  }

  // Result → ResultSelector → Assign → ResultPath → OutputPath, as Task, Map and Parallel share.
  Step finishWithResult(const CompiledState& cs, const json& raw_input, json result,
                        Variables& vars) {
    const std::string& name = cs.name;
    const json& state = *cs.doc;
    if (state.contains("ResultSelector"))
      result = applyTemplate(name, state["ResultSelector"], result, vars);
    applyAssign(state, result, vars, name);
    json out = applyOutputPath(name, state,
                               applyResultPath(name, state, raw_input, std::move(result)), vars);
    return {std::move(out), cs.next};
  }

  int64_t integerField(const std::string& name, const json& state, const std::string& field,
                       const json& input, const Variables& vars, int64_t fallback) {
    if (state.contains(field)) return state[field].get<int64_t>();
    if (!state.contains(field + "Path")) return fallback;
    const std::string path = state[field + "Path"];
    json v = evaluatePath(name, path, input, vars);
    if (!v.is_number_integer() || v.get<int64_t>() < 0)
      runtimeError(name, "The " + field + "Path field refers to value \"" +
                             (v.is_string() ? v.get<std::string>() : v.dump()) +
                             "\" which is not a valid integer: " + path);
    return v.get<int64_t>();
  }

  Step runState(const CompiledMachine& machine, const CompiledState& cs, const json& raw,
                Variables& vars) {
    const std::string& name = cs.name;
    const json& state = *cs.doc;
    switch (cs.type) {
      case StateType::kPass:
        return pass(cs, raw, vars);
      case StateType::kSucceed:
        return {applyOutputPath(name, state, applyInputPath(name, state, raw, vars), vars),
                nullptr};
      case StateType::kFail:
        return fail(name, state, raw, vars);
      case StateType::kChoice:
        return choice(machine, name, state, raw, vars);
      case StateType::kWait:
        return wait(cs, raw, vars);
      case StateType::kTask:
        return task(cs, raw, vars);
      case StateType::kMap:
        return map(cs, raw, vars);
      case StateType::kParallel:
        return parallel(cs, raw, vars);
    }
    runtimeError(name, "unknown state type " + *cs.type_name);
  }

  Step pass(const CompiledState& cs, const json& raw, Variables& vars) {
    const std::string& name = cs.name;
    const json& state = *cs.doc;
    json effective = applyParameters(name, state, applyInputPath(name, state, raw, vars), vars);
    json result = state.contains("Result") ? state["Result"] : std::move(effective);
    applyAssign(state, result, vars, name);
    return {
        applyOutputPath(name, state, applyResultPath(name, state, raw, std::move(result)), vars),
        cs.next};
  }

  Step fail(const std::string& name, const json& state, const json& raw, const Variables& vars) {
    auto field = [&](const char* f) -> json {
      if (state.contains(f)) return state[f];
      std::string pf = std::string(f) + "Path";
      if (!state.contains(pf)) return nullptr;
      json v = evaluatePath(name, state[pf].get<std::string>(), raw, vars);
      if (!v.is_string())
        runtimeError(name, "The " + pf + " field must resolve to a string, got " + v.dump());
      return v;
    };
    json error = field("Error"), cause = field("Cause");
    failed_cause_ = cause;
    throw Error(error.is_string() ? error.get<std::string>() : kNoErrorName,
                cause.is_string() ? cause.get<std::string>() : "");
  }

  Step choice(const CompiledMachine& machine, const std::string& name, const json& state,
              const json& raw, Variables& vars) {
    json effective = applyInputPath(name, state, raw, vars);
    const CompiledState* next = nullptr;
    for (const auto& rule : state["Choices"]) {
      bool hit;
      try {
        hit = evaluateChoiceRule(rule, scope(effective, vars));
      } catch (const Error& e) {
        if (e.code() == "States.Runtime") runtimeError(name, e.what());
        throw;
      }
      if (hit) {
        applyAssign(rule, effective, vars, name);
        next = &machine.state(rule["Next"].get_ref<const std::string&>());
        break;
      }
    }
    if (!next) {
      if (!state.contains("Default"))
        throw Error("States.NoChoiceMatched", "No Matches! (state '" + name + "')");
      next = &machine.state(state["Default"].get_ref<const std::string&>());
    }
    applyAssign(state, effective, vars, name);
    return {applyOutputPath(name, state, std::move(effective), vars), next};
  }

  Step wait(const CompiledState& cs, const json& raw, Variables& vars) {
    const std::string& name = cs.name;
    const json& state = *cs.doc;
    json effective = applyInputPath(name, state, raw, vars);
    double seconds = 0;
    if (state.contains("Seconds")) {
      seconds = state["Seconds"].get<double>();
    } else if (state.contains("SecondsPath")) {
      const std::string path = state["SecondsPath"];
      json v = evaluatePath(name, path, effective, vars);
      if (!v.is_number_integer() || v.get<int64_t>() < 0)
        runtimeError(name, "The SecondsPath parameter cannot be parsed as a long value: " + path +
                               " == " + v.dump());
      seconds = static_cast<double>(v.get<int64_t>());
    } else {
      json ts = state.contains("Timestamp")
                    ? state["Timestamp"]
                    : evaluatePath(name, state["TimestampPath"], effective, vars);
      core::TimeNs until = 0;
      bool ok =
          ts.is_string() && ts.get<std::string>().size() >= 20 && ts.get<std::string>()[10] == 'T';
      if (ok) {
        try {
          until = core::parseIso8601(ts.get<std::string>());
        } catch (const Error&) {
          ok = false;
        }
      }
      if (!ok)
        runtimeError(name,
                     "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                     "offset date-time format string: " +
                         state.value("TimestampPath", "Timestamp") +
                         " == " + (ts.is_string() ? ts.get<std::string>() : ts.dump()));
      seconds = std::max(0.0, static_cast<double>(until - o_.clock->now()) / 1e9);
    }
    if (seconds > 0) {
      if (!o_.sleeper) throw Error("States.Runtime", "waiting needs a sleeper");
      o_.sleeper->sleep(seconds);
    }
    applyAssign(state, effective, vars, name);
    return {applyOutputPath(name, state, std::move(effective), vars), cs.next};
  }

  Step task(const CompiledState& cs, const json& raw, Variables& vars) {
    const std::string& name = cs.name;
    const json& state = *cs.doc;
    if (!o_.tasks) runtimeError(name, "no task runner is configured for Task states");
    json effective = applyInputPath(name, state, raw, vars);
    TaskRequest req;
    req.execution_id = ctx()["Execution"]["Id"];
    req.state_name = name;
    req.resource = state["Resource"];
    const bool wants_token =
        req.resource.size() > 17 && req.resource.find(".waitForTaskToken") != std::string::npos;
    if (wants_token) {
      req.task_token = core::randomHex(24);
      ctx()["Task"] = {{"Token", req.task_token}};
    }
    req.parameters = applyParameters(name, state, effective, vars);
    if (wants_token) ctx_.erase("Task");
    req.timeout_seconds =
        static_cast<double>(integerField(name, state, "TimeoutSeconds", effective, vars, 0));
    req.heartbeat_seconds =
        static_cast<double>(integerField(name, state, "HeartbeatSeconds", effective, vars, 0));
    // A Lambda function named as the Resource is recorded with AWS's LambdaFunction*
    // events; service integrations (arn:aws:states:::…) with Task* events.
    const bool lambda =
        req.resource.rfind("arn:aws:lambda:", 0) == 0 || req.resource.rfind("function:", 0) == 0;
    const std::string prefix = lambda ? "LambdaFunction" : "Task";
    json scheduled = {{"resource", req.resource}};
    scheduled[lambda ? "input" : "parameters"] = req.parameters.dump();
    if (req.timeout_seconds > 0)
      scheduled["timeoutInSeconds"] = static_cast<int64_t>(req.timeout_seconds);
    if (req.heartbeat_seconds > 0 && !lambda)
      scheduled["heartbeatInSeconds"] = static_cast<int64_t>(req.heartbeat_seconds);
    event(prefix + "Scheduled", std::move(scheduled));
    event(prefix + "Started", lambda ? json(nullptr) : json{{"resource", req.resource}});
    auto details = [&](json fields) {
      if (!lambda) fields["resource"] = req.resource;
      return fields;
    };
    json result;
    try {
      result = o_.tasks->run(req);
    } catch (const Error& e) {
      // As AWS records them: a task past its TimeoutSeconds timed out, it did not fail.
      const bool timed_out = e.code() == std::string("States.Timeout") ||
                             e.code() == std::string("States.HeartbeatTimeout");
      event(prefix + (timed_out ? "TimedOut" : "Failed"),
            details({{"error", e.code()}, {"cause", e.what()}}));
      throw;
    }
    event(prefix + "Succeeded", details({{"output", result.dump()}}));
    return finishWithResult(cs, raw, std::move(result), vars);
  }

  double numberField(const std::string& name, const json& state, const std::string& field,
                     const json& input, const Variables& vars, bool& present) {
    present = true;
    if (state.contains(field)) return state[field].get<double>();
    if (!state.contains(field + "Path")) {
      present = false;
      return 0;
    }
    const std::string path = state[field + "Path"];
    json v = evaluatePath(name, path, input, vars);
    if (!v.is_number())
      runtimeError(
          name, "The " + field + "Path field refers to value \"" +
                    (v.is_string() ? v.get<std::string>() : v.dump()) + "\" which is not a valid " +
                    (field.find("Count") != std::string::npos ? "integer" : "float") + ": " + path);
    return v.get<double>();
  }

  Step map(const CompiledState& cs, const json& raw, Variables& vars) {
    const std::string& name = cs.name;
    const json& state = *cs.doc;
    json effective = applyInputPath(name, state, raw, vars);
    json items = state.contains("ItemsPath")
                     ? evaluatePath(name, state["ItemsPath"], effective, vars)
                     : effective;
    if (!items.is_array())
      runtimeError(
          name, "Invalid input: the ItemsPath field does not resolve to an array: " + items.dump());
    const int64_t max_concurrency = integerField(name, state, "MaxConcurrency", effective, vars, 0);
    const CompiledMachine& processor = *cs.processor;
    const json* selector = state.contains("ItemSelector") ? &state["ItemSelector"]
                           : state.contains("Parameters") ? &state["Parameters"]
                                                          : nullptr;
    std::vector<json> inputs;
    for (size_t i = 0; i < items.size(); i++) {
      if (!selector) {
        inputs.push_back(std::move(items[i]));
        continue;
      }
      ctx()["Map"] = {{"Item", {{"Index", i}, {"Value", items[i]}}}};
      inputs.push_back(applyTemplate(name, *selector, effective, vars));
      ctx_.erase("Map");
    }
    event("MapStateStarted", {{"length", items.size()}});
    // Evaluated once the Map has started, as AWS records it.
    bool has_count, has_pct;
    double tolerated_count =
        numberField(name, state, "ToleratedFailureCount", effective, vars, has_count);
    double tolerated_pct =
        numberField(name, state, "ToleratedFailurePercentage", effective, vars, has_pct);
    if (has_count && (tolerated_count < 0 || tolerated_count != std::floor(tolerated_count)))
      runtimeError(name, "ToleratedFailureCount must be a non-negative integer");
    if (has_pct && (tolerated_pct < 0 || tolerated_pct > 100))
      runtimeError(name, "ToleratedFailurePercentage must be between 0 and 100");
    // A distributed Map runs its iterations as child executions of a Map Run: this
    // history records the run, not their states.
    const bool distributed =
        processor.doc().contains("ProcessorConfig") &&
        processor.doc()["ProcessorConfig"].value("Mode", "INLINE") == std::string("DISTRIBUTED");
    if (distributed) event("MapRunStarted", {{"mapRunArn", mapRunArn(state.value("Label", name))}});
    const bool tolerant = has_count || has_pct;
    // Whether `failures` failed iterations end the Map (always, when nothing is tolerated).
    auto exceeded = [&](size_t failures) {
      bool over_count = has_count && static_cast<double>(failures) > tolerated_count;
      bool over_pct =
          has_pct &&
          100.0 * static_cast<double>(failures) / static_cast<double>(items.size()) > tolerated_pct;
      if (!tolerant) return failures > 0;
      return (has_count && !has_pct && over_count) || (has_pct && !has_count && over_pct) ||
             (has_count && has_pct && over_count && over_pct);
    };
    const size_t workers = concurrencyFor({&processor}, max_concurrency, inputs.size());
    auto outcomes = runConcurrently(inputs.size(), workers, exceeded, [&](size_t i, Run& run) {
      const bool was_quiet = std::exchange(run.quiet_, run.quiet_ || distributed);
      struct Restore {
        Run& run;
        bool quiet;
        ~Restore() { run.quiet_ = quiet; }
      } restore{run, was_quiet};
      if (run.recording()) run.event("MapIterationStarted", {{"name", name}, {"index", i}});
      Variables iteration_vars(&vars);
      try {
        json out = run.runMachine(processor, std::move(inputs[i]), iteration_vars);
        if (run.recording()) run.event("MapIterationSucceeded", {{"name", name}, {"index", i}});
        return out;
      } catch (const Error&) {
        run.event("MapIterationFailed", {{"name", name}, {"index", i}});
        throw;
      }
    });
    json results = json::array();
    size_t failures = 0;
    for (auto& o : outcomes) {
      if (o.error) failures++;
      results.push_back(o.error ? json() : std::move(o.value));
    }
    if (exceeded(failures)) {
      if (distributed) event("MapRunFailed", nullptr);
      state_failed_event_ = "MapStateFailed";
      if (!tolerant) throw *firstError(outcomes);
      throw Error("States.ExceedToleratedFailureThreshold",
                  "The specified tolerated failure threshold was exceeded");
    }
    if (distributed) event("MapRunSucceeded", nullptr);
    event("MapStateSucceeded", nullptr);
    return finishWithResult(cs, raw, std::move(results), vars);
  }

  Step parallel(const CompiledState& cs, const json& raw, Variables& vars) {
    const std::string& name = cs.name;
    const json& state = *cs.doc;
    const json effective =
        applyParameters(name, state, applyInputPath(name, state, raw, vars), vars);
    event("ParallelStateStarted", nullptr);
    const std::vector<const CompiledMachine*>& branches = cs.branches;
    const size_t workers = concurrencyFor(branches, 0, branches.size());
    auto outcomes = runConcurrently(
        branches.size(), workers, [](size_t failures) { return failures > 0; },
        [&](size_t i, Run& run) {
          Variables branch_vars(&vars);
          return run.runMachine(*branches[i], effective, branch_vars);
        });
    if (auto error = firstError(outcomes)) {
      state_failed_event_ = "ParallelStateFailed";
      throw *error;
    }
    json results = json::array();
    for (auto& o : outcomes) results.push_back(std::move(o.value));
    event("ParallelStateSucceeded", nullptr);
    return finishWithResult(cs, raw, std::move(results), vars);
  }

  struct Outcome {
    json value;
    std::optional<Error> error;
  };

  static std::optional<Error> firstError(const std::vector<Outcome>& outcomes) {
    for (const auto& o : outcomes)
      if (o.error) return o.error;
    return std::nullopt;
  }

  // Threads for `n` iterations: MaxConcurrency when given (0 means Step Functions'
  // inline default of 40), one when nothing in them can block.
  static size_t concurrencyFor(const std::vector<const CompiledMachine*>& machines,
                               int64_t max_concurrency, size_t n) {
    bool blocking = false;
    for (const CompiledMachine* m : machines) blocking = blocking || m->mayBlock();
    if (!blocking || n < 2) return 1;
    size_t limit = max_concurrency > 0 ? static_cast<size_t>(max_concurrency) : 40;
    return std::min(limit, n);
  }

  // Runs fn(i, run) for every i < n, on this Run when `workers` is 1, else on that many
  // threads, each with its own Run (its own context object). After each failure
  // `stop_after(failures)` decides whether to start no more.
  template <typename Fn>
  std::vector<Outcome> runConcurrently(size_t n, size_t workers,
                                       const std::function<bool(size_t)>& stop_after, Fn fn) {
    std::vector<Outcome> outcomes(n);
    std::mutex mu;
    size_t next = 0, failures = 0;
    bool stopped = false;
    const CurrentState saved_state = current_;
    const json& parent_context = ctx();  // built before the workers copy it
    auto work = [&](Run& run) {
      for (;;) {
        size_t i;
        {
          std::lock_guard lock(mu);
          if (stopped || next >= n) return;
          i = next++;
        }
        try {
          json value = fn(i, run);
          std::lock_guard lock(mu);
          outcomes[i].value = std::move(value);
        } catch (const Error& e) {
          std::lock_guard lock(mu);
          outcomes[i].error = e;
          if (stop_after(++failures)) stopped = true;
        }
      }
    };
    if (workers <= 1) {
      work(*this);
    } else {
      std::vector<std::thread> threads;
      for (size_t w = 0; w < workers; w++)
        threads.emplace_back([&] {
          Run child(o_, parent_context, reads_context_);
          child.current_ = current_;
          child.quiet_ = quiet_;
          work(child);
        });
      for (auto& t : threads) t.join();
    }
    restoreState(saved_state);
    // After a stop, iterations never started stay empty: the caller fails the state.
    return outcomes;
  }

 public:
  json failed_cause_;

 private:
  // arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID, as AWS names a Map Run (the
  // label is the Map's Label, else its name).
  std::string mapRunArn(const std::string& label) {
    std::string arn = ctx()["StateMachine"]["Id"];
    const size_t at = arn.find(":stateMachine:");
    if (at != std::string::npos) arn.replace(at, 14, ":mapRun:");
    return arn + "/" + label + ":" + core::uuid4();
  }

  // Seeded on first use: asking the OS for a seed costs more than running a state.
  std::mt19937_64& rng() {
    if (!rng_) rng_.emplace(o_.seed ? o_.seed : std::random_device{}());
    return *rng_;
  }

  void restoreState(const CurrentState& s) {
    current_ = s;
    context_dirty_ = true;
  }

  const ExecutionOptions& o_;
  std::function<json()> make_context_;  // until the context object is first needed
  json ctx_;
  const bool reads_context_;
  CurrentState current_;
  json assigned_;  // the current state's Assign as its Exited event shows it (null: none)
  // Set by a Map or Parallel that fails; recorded by runWithRetry unless it retries.
  std::string state_failed_event_;
  bool quiet_ = false;  // a distributed Map's iterations: child executions, not recorded here
  bool context_dirty_ = true;
  std::optional<std::mt19937_64> rng_;
};

}  // namespace

namespace {

std::string stateMachineArn(const ExecutionOptions& o) {
  return "arn:aws:states:" + o.region + ":" + o.account + ":stateMachine:" + o.state_machine_name;
}
std::string roleArn(const ExecutionOptions& o) {
  return "arn:aws:iam::" + o.account + ":role/sluice";
}

// $$ without its State part (which the run keeps up to date).
json contextObject(const ExecutionOptions& o, const json& input, core::TimeNs start) {
  const std::string execution_arn = "arn:aws:states:" + o.region + ":" + o.account +
                                    ":execution:" + o.state_machine_name + ":" + o.execution_name;
  return {{"Execution",
           {{"Id", execution_arn},
            {"Input", input},
            {"Name", o.execution_name},
            {"RoleArn", roleArn(o)},
            {"StartTime", core::formatIso8601Ms(start)},
            {"RedriveCount", o.redrive_count}}},
          {"StateMachine", {{"Id", stateMachineArn(o)}, {"Name", o.state_machine_name}}}};
}

}  // namespace

ExecutionOutcome runExecution(const Definition& definition, const json& input,
                              const ExecutionOptions& options) {
  const core::TimeNs start = options.start_time ? options.start_time : options.clock->now();
  Run run(
      options, [&] { return contextObject(options, input, start); }, definition.readsContext());
  const bool resuming = options.resume_from.is_object();
  if (!resuming && run.recording())
    run.event("ExecutionStarted", {{"input", input.dump()},
                                   {"roleArn", roleArn(options)},
                                   {"stateMachineArn", stateMachineArn(options)}});
  ExecutionOutcome outcome;
  try {
    Variables vars;
    json state_input = input;
    std::string first;
    if (resuming) {
      first = options.resume_from.value("state", "");
      state_input = options.resume_from.value("input", json());
      const json saved_vars = options.resume_from.value("variables", json::object());
      for (const auto& [k, v] : saved_vars.items()) vars.set(k, v);
    }
    outcome.output =
        resuming && first.empty()
            ? state_input
            : run.runMachine(definition.machine(), std::move(state_input), vars, true, first);
    outcome.status = "SUCCEEDED";
    if (run.recording()) run.event("ExecutionSucceeded", {{"output", outcome.output.dump()}});
  } catch (const Error& e) {
    outcome.status = "FAILED";
    outcome.error = e.code() == kNoErrorName ? json() : json(e.code());
    outcome.cause =
        e.code() == kNoErrorName && std::string(e.what()).empty() ? json() : json(e.what());
    if (e.code() == kNoErrorName && run.failed_cause_.is_null()) outcome.cause = nullptr;
    json details = json::object();
    if (!outcome.error.is_null()) details["error"] = outcome.error;
    // A Fail state without a Cause has none in the event either.
    if (!outcome.cause.is_null() && outcome.cause != "") details["cause"] = outcome.cause;
    run.event("ExecutionFailed", details);
  }
  return outcome;
}

}  // namespace sluice::flow
