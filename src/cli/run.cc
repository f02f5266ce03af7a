#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "app/environment.h"
#include "cli/cli.h"
#include "core/error.h"
#include "functions/registry.h"
#include "project/loader.h"
#include "runtime/project_runtime.h"

namespace sluice::cli {

app::Environment& CliContext::environment() {
  if (!env) env = std::make_unique<app::Environment>(data_dir, lake_url);
  return *env;
}

CliContext::~CliContext() { project_runtime.reset(); }

runtime::ProjectRuntime& CliContext::runtime(const runtime::S3Access* s3) {
  if (!project_runtime) {
    if (project_dir.empty())
      throw UsageError("no project: give PROJECT_DIR, --project DIR or SLUICE_PROJECT");
    auto& e = environment();
    std::set<std::string> builtins;
    for (const auto* f : e.functions().all()) builtins.insert(f->name);
    project_runtime =
        std::make_unique<runtime::ProjectRuntime>(e, project::loadProject(project_dir, builtins));
    project_runtime->apply(s3 ? *s3 : runtime::S3Access{});
  }
  return *project_runtime;
}

void CliContext::applyProjectIfNamed() {
  if (!project_dir.empty()) runtime();
}

bool hasLakeScheme(const std::string& text) {
  return text.rfind("lake://", 0) == 0 || text.rfind("s3://", 0) == 0;
}

LakeLocation parseLakeLocation(const std::string& text) {
  std::string rest = text;
  if (rest.rfind("lake://", 0) == 0)
    rest = rest.substr(7);
  else if (rest.rfind("s3://", 0) == 0)
    rest = rest.substr(5);
  if (rest.empty() || rest.front() == '/')
    throw UsageError("'" + text + "' is not a lake location (expected BUCKET[/KEY])");
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return {rest, ""};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

std::string readArgOrFile(const std::string& arg) {
  if (arg.empty() || arg.front() != '@') return arg;
  std::ifstream in(arg.substr(1), std::ios::binary);
  if (!in) throw Error(errc::kIo, "cannot read file '" + arg.substr(1) + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int runCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CliContext ctx{".sluice", "", out, err, "", nullptr, nullptr};
  if (const char* env = std::getenv("SLUICE_DATA_DIR"); env && *env) ctx.data_dir = env;
  if (const char* env = std::getenv("SLUICE_LAKE"); env && *env) ctx.lake_url = env;
  if (const char* env = std::getenv("SLUICE_PROJECT"); env && *env) ctx.project_dir = env;

  CLI::App app{"sluice: event-driven data pipelines in one program", "sluice"};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();
  app.add_option("--data-dir", ctx.data_dir,
                 "data folder: lake, state database, keys (env SLUICE_DATA_DIR)");
  app.add_option("--project", ctx.project_dir,
                 "the project folder (with sluice.yaml) whose functions, workflows, rules and "
                 "schedules commands use (env SLUICE_PROJECT)");
  app.add_option("--lake", ctx.lake_url,
                 "keep the lake in an S3-compatible store instead of DATA_DIR/lake: "
                 "s3://?endpoint=URL[&region=R][&addressing=path|virtual], credentials from "
                 "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (env SLUICE_LAKE)");
  addLakeCommands(app, ctx);
  addParamsCommands(app, ctx);
  addItemsCommands(app, ctx);
  addQueryCommand(app, ctx);
  addInvokeCommands(app, ctx);
  addCatalogCommands(app, ctx);
  addWorkflowCommands(app, ctx);
  addUpCommand(app, ctx);
  addScheduleCommands(app, ctx);
  addProjectCommands(app, ctx);

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      throw;
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) throw;
      throw UsageError(e.what());
    }
    return 0;
  } catch (const CLI::CallForHelp& e) {
    std::streambuf* saved = std::cout.rdbuf(out.rdbuf());
    app.exit(e);
    std::cout.rdbuf(saved);
    return 0;
  } catch (const CLI::Success&) {
    return 0;
  } catch (const CLI::ParseError& e) {
    std::streambuf* saved = std::cout.rdbuf(out.rdbuf());
    int rc = app.exit(e);
    std::cout.rdbuf(saved);
    return rc;
  } catch (const UsageError& e) {
    err << "sluice: " << e.what() << "\n(run with --help for usage)\n";
    return 2;
  } catch (const Error& e) {
    err << "sluice: " << e.code() << ": " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    err << "sluice: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace sluice::cli
