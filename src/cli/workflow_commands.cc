// sluice workflows put|list|get, sluice start, sluice executions list|describe|history|
// stop|redrive|resume, sluice tasks send-success|send-failure|send-heartbeat
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "flow/definition.h"
#include "flow/interpreter.h"
#include "state/state_store.h"
#include "workflows/mock_tasks.h"
#include "workflows/workflow_service.h"

namespace sluice::cli {

namespace {

using nlohmann::json;

json parseJson(const std::string& text, const std::string& what) {
  json j = json::parse(readArgOrFile(text), nullptr, false);
  if (j.is_discarded()) throw UsageError(what + " is not valid JSON");
  return j;
}

json executionJson(const state::ExecutionRecord& r) {
  json j = workflows::executionListItemJson(r);
  j["input"] = r.input;
  if (r.status == "SUCCEEDED") j["output"] = r.output;
  if (!r.error.is_null()) j["error"] = r.error;
  if (!r.cause.is_null()) j["cause"] = r.cause;
  if (r.redrive_count) j["redriveCount"] = r.redrive_count;
  return j;
}

// Prints an execution's outcome. One that did not succeed also fails the command (exit 1,
// its error on stderr), so that scripts and cron jobs can tell.
void printOutcome(CliContext& ctx, const json& outcome) {
  ctx.out << outcome.dump(2) << '\n';
  const std::string status = outcome.value("status", "");
  if (status == "SUCCEEDED") return;
  const std::string code = status == "TIMED_OUT" ? "ExecutionTimedOut"
                           : status == "ABORTED" ? "ExecutionAborted"
                                                 : "ExecutionFailed";
  std::string message = "the execution ended " + status;
  if (outcome.contains("error") && outcome["error"].is_string())
    message += ": " + outcome["error"].get<std::string>();
  if (outcome.contains("cause") && outcome["cause"].is_string() &&
      !outcome["cause"].get<std::string>().empty())
    message += " (" + outcome["cause"].get<std::string>() + ")";
  throw Error(code, message);
}

// A workflow definition run once in memory (sluice start --definition).
json runAdHoc(app::Environment& env, const std::string& file, const json& input,
              const std::string& mocks, const std::string& test_case) {
  flow::Definition def = flow::Definition::parse(readArgOrFile("@" + file));
  auto& service = env.workflows();
  std::unique_ptr<workflows::MockTaskRunner> mock;
  workflows::TaskDispatcher dispatcher(env.functions(), env.services(), &service);
  flow::TaskRunner* tasks = &dispatcher;
  std::string name = std::filesystem::path(file).filename().string();
  name = name.substr(0, name.find('.'));
  if (!mocks.empty()) {
    mock = std::make_unique<workflows::MockTaskRunner>(parseJson("@" + mocks, "--mock-config"),
                                                       name, test_case, tasks);
    tasks = mock.get();
  }
  flow::RealSleeper sleeper;
  flow::ExecutionOptions o;
  o.tasks = tasks;
  o.sleeper = &sleeper;
  o.state_machine_name = name;
  return flow::runExecution(def, input, o).toJson();
}

}  // namespace

void addWorkflowCommands(CLI::App& app, CliContext& ctx) {
  auto* wf =
      app.add_subcommand("workflows", "state machines (Amazon States Language) registered by name");
  wf->require_subcommand(1);
  {
    auto* cmd = wf->add_subcommand("put", "register or update a workflow from an ASL JSON file");
    auto name = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    cmd->add_option("NAME", *name, "workflow name")->required();
    cmd->add_option("FILE", *file, "the .asl.json definition")->required();
    cmd->callback([&ctx, name, file] {
      int64_t v = ctx.environment().workflows().putWorkflow(*name, parseJson("@" + *file, *file));
      ctx.out << "workflow " << *name << " version " << v << '\n';
    });
  }
  wf->add_subcommand("list", "list workflows")->callback([&ctx] {
    for (const auto& w : ctx.environment().state().executions().listWorkflows())
      ctx.out << w.name << "\tv" << w.version << '\t' << core::formatIso8601Ms(w.updated) << '\n';
  });
  {
    auto* cmd = wf->add_subcommand("get", "print a workflow's definition");
    auto name = std::make_shared<std::string>();
    cmd->add_option("NAME", *name, "workflow name")->required();
    cmd->callback([&ctx, name] {
      auto w = ctx.environment().state().executions().getWorkflow(*name);
      if (!w) throw Error("StateMachineDoesNotExist", "workflow '" + *name + "' does not exist");
      ctx.out << w->definition.dump(2) << '\n';
    });
  }

  {
    auto* cmd = app.add_subcommand("start", "start an execution of a workflow and run it");
    auto workflow = std::make_shared<std::string>();
    auto definition = std::make_shared<std::string>();
    auto input = std::make_shared<std::string>("{}");
    auto name = std::make_shared<std::string>();
    auto wait = std::make_shared<bool>(false);
    auto mocks = std::make_shared<std::string>();
    auto test_case = std::make_shared<std::string>();
    cmd->add_option("WORKFLOW", *workflow, "a registered workflow");
    cmd->add_option("--definition", *definition,
                    "run this .asl.json once, in memory, instead of a workflow");
    cmd->add_option("--input", *input, "the input: JSON, or @FILE");
    cmd->add_option("--name", *name, "execution name (an idempotency key; default: a UUID)");
    cmd->add_flag("--wait", *wait,
                  "print the outcome ({status, output} or {status, error, cause}); exit 1 "
                  "unless it succeeded");
    cmd->add_option("--mock-config", *mocks,
                    "with --definition: a Step Functions Local MockConfigFile");
    cmd->add_option("--test-case", *test_case, "the mock configuration's test case to use");
    cmd->callback([&ctx, workflow, definition, input, name, wait, mocks, test_case] {
      json in = parseJson(*input, "--input");
      ctx.applyProjectIfNamed();
      auto& env = ctx.environment();
      if (!definition->empty()) {
        printOutcome(ctx, runAdHoc(env, *definition, in, *mocks, *test_case));
        return;
      }
      if (workflow->empty()) throw UsageError("give a WORKFLOW or --definition FILE");
      auto& service = env.workflows();
      if (*wait) {
        printOutcome(ctx, workflows::outcomeJson(service.startAndRun(*workflow, in, *name)));
        return;
      }
      auto record = service.start(*workflow, in, *name);
      ctx.out << json{{"executionArn", record.id},
                      {"startDate", core::formatIso8601Ms(record.started)}}
                     .dump(2)
              << '\n';
      // Runs here to its end; a crash leaves it RUNNING for `executions resume`.
      service.run(record.id);
    });
  }

  auto* ex = app.add_subcommand(
      "executions", "executions of workflows: list, describe, history, stop, redrive, resume");
  ex->require_subcommand(1);
  {
    auto* cmd = ex->add_subcommand("list", "list executions, newest first");
    auto workflow = std::make_shared<std::string>();
    auto status = std::make_shared<std::string>();
    auto limit = std::make_shared<int>(50);
    cmd->add_option("--workflow", *workflow, "only this workflow");
    cmd->add_option("--status", *status, "RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED")
        ->check(CLI::IsMember(state::kExecutionStatuses));
    cmd->add_option("--limit", *limit, "how many");
    cmd->callback([&ctx, workflow, status, limit] {
      for (const auto& r :
           ctx.environment().state().executions().listExecutions(*workflow, *status, *limit))
        ctx.out << r.id << '\t' << r.status << '\t' << core::formatIso8601Ms(r.started) << '\n';
    });
  }
  {
    auto* cmd = ex->add_subcommand("describe", "an execution's status, input and output as JSON");
    auto id = std::make_shared<std::string>();
    cmd->add_option("EXECUTION_ARN", *id, "the execution")->required();
    cmd->callback([&ctx, id] {
      auto r = ctx.environment().state().executions().getExecution(*id);
      if (!r) throw Error("ExecutionDoesNotExist", "execution '" + *id + "' does not exist");
      ctx.out << executionJson(*r).dump(2) << '\n';
    });
  }
  {
    auto* cmd = ex->add_subcommand("history", "an execution's events as JSON lines");
    auto id = std::make_shared<std::string>();
    cmd->add_option("EXECUTION_ARN", *id, "the execution")->required();
    cmd->callback([&ctx, id] {
      auto& store = ctx.environment().state().executions();
      if (!store.getExecution(*id))
        throw Error("ExecutionDoesNotExist", "execution '" + *id + "' does not exist");
      // As GetExecutionHistory gives them, one event per line.
      for (const auto& event : workflows::historyJson(store, *id)) ctx.out << event.dump() << '\n';
    });
  }
  {
    auto* cmd = ex->add_subcommand("stop", "stop a running execution (ABORTED)");
    auto id = std::make_shared<std::string>();
    auto error = std::make_shared<std::string>();
    auto cause = std::make_shared<std::string>();
    cmd->add_option("EXECUTION_ARN", *id, "the execution")->required();
    cmd->add_option("--error", *error, "error name to record");
    cmd->add_option("--cause", *cause, "cause to record");
    cmd->callback([&ctx, id, error, cause] {
      if (!ctx.environment().workflows().stop(*id, *error, *cause))
        throw Error("ExecutionNotRunning", "execution '" + *id + "' is not running");
      ctx.out << "stopped: " << *id << '\n';
    });
  }
  {
    auto* cmd =
        ex->add_subcommand("redrive", "run a failed execution again from the state that failed");
    auto id = std::make_shared<std::string>();
    cmd->add_option("EXECUTION_ARN", *id, "the execution")->required();
    cmd->callback([&ctx, id] {
      auto& service = ctx.environment().workflows();
      service.redrive(*id);
      printOutcome(ctx, workflows::outcomeJson(service.run(*id)));
    });
  }
  ex->add_subcommand("resume",
                     "run to its end every RUNNING execution whose process is gone (a crash)")
      ->callback([&ctx] {
        auto& service = ctx.environment().workflows();
        auto& executions = ctx.environment().state().executions();
        for (const auto& id : service.resumeAll())
          ctx.out << id << '\t' << executions.getExecution(id)->status << '\n';
        // What is still RUNNING belongs to a live process, which finishes it.
        for (const auto& r : executions.listExecutions("", "RUNNING", 0))
          ctx.err << "sluice: " << r.id << " is being run by process " << r.owner
                  << "; left to it\n";
      });

  auto* tasks =
      app.add_subcommand("tasks", "answer tasks waiting for a task token (.waitForTaskToken)");
  tasks->require_subcommand(1);
  {
    auto* cmd = tasks->add_subcommand("send-success", "complete a task with its output");
    auto token = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>("{}");
    cmd->add_option("TOKEN", *token, "the task token")->required();
    cmd->add_option("--output", *output, "the task's output: JSON or @FILE");
    cmd->callback([&ctx, token, output] {
      state::TaskTokenRecord r;
      r.token = *token;
      r.status = "SUCCEEDED";
      r.output = parseJson(*output, "--output");
      ctx.environment().state().executions().completeTaskToken(r);
    });
  }
  {
    auto* cmd = tasks->add_subcommand("send-failure", "fail a task with an error name and cause");
    auto token = std::make_shared<std::string>();
    auto error = std::make_shared<std::string>("States.TaskFailed");
    auto cause = std::make_shared<std::string>();
    cmd->add_option("TOKEN", *token, "the task token")->required();
    cmd->add_option("--error", *error, "error name (Retry/Catch match it)");
    cmd->add_option("--cause", *cause, "what went wrong");
    cmd->callback([&ctx, token, error, cause] {
      state::TaskTokenRecord r;
      r.token = *token;
      r.status = "FAILED";
      r.error = *error;
      r.cause = *cause;
      ctx.environment().state().executions().completeTaskToken(r);
    });
  }
  {
    auto* cmd = tasks->add_subcommand("send-heartbeat", "tell a waiting task its worker is alive");
    auto token = std::make_shared<std::string>();
    cmd->add_option("TOKEN", *token, "the task token")->required();
    cmd->callback([&ctx, token] {
      ctx.environment().state().executions().heartbeatTaskToken(
          *token, core::SystemClock::instance().now());
    });
  }
}

}  // namespace sluice::cli
