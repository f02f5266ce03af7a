// sluice validate PROJECT_DIR, sluice events, sluice backfill, sluice logs
#include <CLI/CLI.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "functions/registry.h"
#include "project/loader.h"
#include "runtime/project_runtime.h"
#include "state/state_store.h"

namespace sluice::cli {

namespace {

core::TimeNs parseSince(const std::string& text, core::TimeNs now) {
  try {
    return core::parseSince(text, now);
  } catch (const Error& e) {
    throw UsageError(std::string("--") + e.what());
  }
}

}  // namespace

void addProjectCommands(CLI::App& app, CliContext& ctx) {
  {
    auto* cmd =
        app.add_subcommand("validate", "check a project folder's sluice.yaml without running it");
    auto dir = std::make_shared<std::string>(".");
    cmd->add_option("PROJECT_DIR", *dir, "the project folder");
    cmd->callback([&ctx, dir] {
      std::set<std::string> builtins;
      for (const auto* f : ctx.environment().functions().all()) builtins.insert(f->name);
      const auto p = project::loadProject(*dir, builtins);
      ctx.out << "project " << p.name << " is valid: " << p.buckets.size() << " buckets, "
              << p.functions.size() << " functions, " << p.workflows.size() << " workflows, "
              << p.events.size() << " event rules, " << p.schedules.size() << " schedules, "
              << p.topics.size() << " topics\n";
    });
  }
  {
    auto* cmd = app.add_subcommand("events", "object-event deliveries, newest first");
    auto status = std::make_shared<std::string>();
    auto limit = std::make_shared<int>(20);
    cmd->add_option("--status", *status, "pending, running, done, failed or abandoned")
        ->check(CLI::IsMember({"pending", "running", "done", "failed", "abandoned"}));
    cmd->add_option("--limit", *limit, "how many");
    cmd->callback([&ctx, status, limit] {
      for (const auto& d : ctx.environment().state().triggers().deliveries(*status, *limit))
        ctx.out << core::formatIso8601Ms(d.created) << '\t' << d.rule << '\t' << d.bucket << '/'
                << d.key << '\t' << d.status << '\t' << d.attempts
                << (d.last_error.empty() ? "" : "\t" + d.last_error) << '\n';
    });
  }
  {
    auto* cmd = app.add_subcommand("backfill", "run the firings of a past interval of a schedule");
    auto name = std::make_shared<std::string>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    cmd->add_option("SCHEDULE", *name, "the schedule's name")->required();
    cmd->add_option("--from", *from, "ISO-8601 start (inclusive)")->required();
    cmd->add_option("--to", *to, "ISO-8601 end (inclusive)")->required();
    cmd->callback([&ctx, name, from, to] {
      core::TimeNs f, t;
      try {
        f = core::parseIso8601(*from);
        t = core::parseIso8601(*to);
      } catch (const Error& e) {
        throw UsageError(e.what());
      }
      const auto ran = ctx.runtime().scheduler().backfill(*name, f, t);
      size_t failed = 0;
      for (const auto& firing : ran) {
        // One line each: an error's first line (DuckDB's say what and where there).
        ctx.out << core::formatIso8601Ms(firing.scheduled_time) << '\t' << firing.status << '\t'
                << firing.detail.substr(0, firing.detail.find('\n')) << '\n';
        failed += firing.status == "failed";
      }
      ctx.out << "backfill " << *name << ": " << ran.size() << " firings ran, " << failed
              << " failed\n";
      if (failed > 0)
        throw Error("FiringFailed", std::to_string(failed) + " of " + std::to_string(ran.size()) +
                                        " firings of " + *name + " failed");
    });
  }
  {
    auto* cmd =
        app.add_subcommand("logs", "the log lines of a function's invocations, oldest first");
    auto name = std::make_shared<std::string>();
    auto since = std::make_shared<std::string>("1h");
    auto follow = std::make_shared<bool>(false);
    cmd->add_option("FUNCTION", *name, "the function")->required();
    cmd->add_option("--since", *since, "from this long ago (10m, 2h, 1d) or this ISO-8601 time");
    cmd->add_flag("--follow", *follow, "keep printing new lines until interrupted");
    cmd->callback([&ctx, name, since, follow] {
      auto& invocations = ctx.environment().state().invocations();
      core::TimeNs from = parseSince(*since, core::SystemClock::instance().now());
      std::set<std::pair<std::string, size_t>> printed;  // (request id, line index)
      for (;;) {
        auto recent = invocations.recent(*name, 1000);
        for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
          if (it->start < from) continue;
          auto lines = invocations.logs(it->request_id);
          for (size_t i = 0; i < lines.size(); ++i)
            if (printed.insert({it->request_id, i}).second)
              ctx.out << core::formatIso8601Ms(lines[i].time) << ' ' << it->request_id.substr(0, 8)
                      << ' ' << lines[i].line << '\n';
        }
        ctx.out.flush();
        if (!*follow) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
  }
}

}  // namespace sluice::cli
