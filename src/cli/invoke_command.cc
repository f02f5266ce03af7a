// sluice invoke NAME --payload JSON|@FILE, and sluice functions list|describe|invocations|logs
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "core/ids.h"
#include "data/steps/event_schema.h"
#include "functions/invoker.h"
#include "runtime/event_dispatcher.h"
#include "state/state_store.h"

namespace sluice::cli {

void addInvokeCommands(CLI::App& app, CliContext& ctx) {
  {
    auto* cmd =
        app.add_subcommand("invoke", "run a function with a JSON event and print its result");
    auto name = std::make_shared<std::string>();
    auto payload = std::make_shared<std::string>("{}");
    cmd->add_option("FUNCTION", *name, "function name (see `sluice functions list`)")->required();
    cmd->add_option("--payload", *payload, "the event: JSON, or @FILE");
    auto async = std::make_shared<bool>(false);
    cmd->add_flag("--async", *async,
                  "queue the event durably and return; `sluice up` runs it, with the "
                  "function's retries and dead-letter destination");
    cmd->callback([&ctx, name, payload, async] {
      auto event = nlohmann::json::parse(readArgOrFile(*payload), nullptr, false);
      if (event.is_discarded()) throw UsageError("--payload is not valid JSON");
      ctx.applyProjectIfNamed();
      auto& env = ctx.environment();
      env.functions().find(*name);  // ResourceNotFoundException now, not later
      if (*async) {
        state::Delivery d;
        d.rule = std::string(runtime::kInvokeRulePrefix) + *name;
        d.bucket = "-";
        d.key = "-";
        d.sequencer = core::randomHex(16);
        d.payload = event.dump();
        d.created = core::SystemClock::instance().now();
        env.state().triggers().enqueue(d);
        ctx.out << nlohmann::json{{"StatusCode", 202}, {"RequestId", d.sequencer}}.dump(2) << '\n';
        return;
      }
      functions::Invoker invoker(env.functions(), env.services());
      invoker.echoLogs([&ctx](const std::string& fn, const std::string&, const std::string& line) {
        ctx.err << "[" << fn << "] " << line << '\n';
      });
      try {
        auto result = invoker.invoke(*name, event);
        ctx.out << result.result.dump(2) << '\n';
      } catch (const Error& e) {
        // The Lambda-style error document on stdout, the one-line error on stderr.
        ctx.out << nlohmann::json{{"errorType", e.code()}, {"errorMessage", e.what()}}.dump(2)
                << '\n';
        throw;
      }
    });
  }
  auto* fns = app.add_subcommand("functions", "list functions and their recent invocations");
  fns->require_subcommand(1);
  fns->add_subcommand("list", "list the functions")->callback([&ctx] {
    ctx.applyProjectIfNamed();
    for (const auto* f : ctx.environment().functions().all())
      ctx.out << f->name << '\t' << f->description << '\n';
  });
  {
    auto* cmd = fns->add_subcommand("describe",
                                    "what a function does and, for a built-in step, "
                                    "the shape of its event (JSON Schema)");
    auto name = std::make_shared<std::string>();
    cmd->add_option("FUNCTION", *name, "a function's name")->required();
    cmd->callback([&ctx, name] {
      ctx.applyProjectIfNamed();
      const auto& f = ctx.environment().functions().find(*name);
      nlohmann::json described{{"name", f.name}, {"description", f.description}};
      if (f.timeout_seconds > 0) described["timeout_seconds"] = f.timeout_seconds;
      if (data::hasStepEventSchema(f.name)) described["event"] = data::stepEventSchema(f.name);
      ctx.out << described.dump(2) << '\n';
    });
  }
  {
    auto* cmd = fns->add_subcommand("invocations", "recent invocations, newest first");
    auto name = std::make_shared<std::string>();
    auto limit = std::make_shared<int>(20);
    cmd->add_option("FUNCTION", *name, "only this function");
    cmd->add_option("--limit", *limit, "how many");
    cmd->callback([&ctx, name, limit] {
      for (const auto& r : ctx.environment().state().invocations().recent(*name, *limit)) {
        ctx.out << r.request_id << '\t' << r.function << '\t' << core::formatIso8601Ms(r.start)
                << '\t' << r.status << '\t' << (r.duration_ns / 1'000'000.0) << " ms";
        if (!r.error_type.empty()) ctx.out << '\t' << r.error_type << ": " << r.error_message;
        ctx.out << '\n';
      }
    });
  }
  {
    auto* cmd = fns->add_subcommand("logs", "the log lines of one invocation");
    auto id = std::make_shared<std::string>();
    cmd->add_option("REQUEST_ID", *id, "from `sluice functions invocations`")->required();
    cmd->callback([&ctx, id] {
      for (const auto& l : ctx.environment().state().invocations().logs(*id))
        ctx.out << core::formatIso8601Ms(l.time) << ' ' << l.line << '\n';
    });
  }
}

}  // namespace sluice::cli
