// sluice schedules preview EXPR [--tz ZONE] [--from TIME] [--count N]
#include <CLI/CLI.hpp>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "runtime/project_runtime.h"
#include "runtime/scheduler.h"
#include "schedule/expression.h"
#include "state/state_store.h"

namespace sluice::cli {

void addScheduleCommands(CLI::App& app, CliContext& ctx) {
  auto* schedules = app.add_subcommand(
      "schedules", "the project's schedules and their next firings; preview any expression");
  schedules->require_subcommand(0, 1);
  schedules->callback([&ctx, schedules] {
    if (!schedules->get_subcommands().empty()) return;
    ctx.applyProjectIfNamed();  // the file's schedules, when a project is named
    auto& env = ctx.environment();
    for (const auto& s : env.state().schedules().schedules()) {
      ctx.out << s.name << '\t' << s.expression << '\t' << s.time_zone << '\t' << s.target.kind
              << ':' << s.target.name << '\t';
      const auto next = runtime::nextFiring(s, core::SystemClock::instance().now());
      ctx.out << "next " << (next ? schedule::formatLocal(*next, s.time_zone) : "never") << '\n';
    }
  });
  auto* run = schedules->add_subcommand(
      "run", "fire a schedule of the project now, as if its time had come, and wait for it");
  auto run_name = std::make_shared<std::string>();
  run->add_option("SCHEDULE", *run_name, "the schedule's name")->required();
  run->callback([&ctx, run_name] {
    const std::string detail = ctx.runtime().scheduler().runNow(*run_name);
    ctx.out << "fired " << *run_name << ": " << detail << '\n';
  });
  auto* preview = schedules->add_subcommand(
      "preview", "print the next firings of cron(…), rate(…) or a Unix cron expression");
  struct Options {
    std::string expression, zone = "UTC", from;
    int count = 5;
  };
  auto o = std::make_shared<Options>();
  preview->add_option("EXPRESSION", o->expression, "e.g. 'cron(0 1 * * ? *)' or '0 1 * * *'")
      ->required();
  preview->add_option("--tz", o->zone, "IANA time zone the expression is read in");
  preview->add_option("--from", o->from, "start after this ISO-8601 time (default: now)");
  preview->add_option("--count", o->count, "how many firings")->check(CLI::Range(1, 10000));
  preview->callback([&ctx, o] {
    schedule::ScheduleExpression expression;
    core::TimeNs from;
    try {
      expression = schedule::ScheduleExpression::parse(o->expression);
      schedule::validateTimeZone(o->zone);
      from = o->from.empty() ? core::SystemClock::instance().now() : core::parseIso8601(o->from);
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    core::TimeNs t = from;
    for (int i = 0; i < o->count; ++i) {
      auto next = expression.next(t, o->zone, from);
      if (!next) break;
      ctx.out << schedule::formatLocal(*next, o->zone) << '\n';
      t = *next;
    }
  });
}

}  // namespace sluice::cli
