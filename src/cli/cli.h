#pragma once
// The `sluice` command line. Each command group registers itself on the CLI11 app;
// runCli() maps outcomes to exit codes: 0 ok, 1 failed, 2 usage.
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>

namespace CLI {
class App;
}
namespace sluice::app {
class Environment;
}
namespace sluice::runtime {
class ProjectRuntime;
struct S3Access;
}  // namespace sluice::runtime

namespace sluice::cli {

// A mistake in how a command was called (exit code 2), as opposed to a failure (1).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CliContext {
  std::string data_dir;
  std::string lake_url;  // empty: the lake folder in data_dir
  std::ostream& out;
  std::ostream& err;
  std::string project_dir;  // --project or SLUICE_PROJECT; empty: no project
  std::unique_ptr<app::Environment> env;
  std::unique_ptr<runtime::ProjectRuntime> project_runtime;
  app::Environment& environment();
  // The project applied to the environment (its functions registered, rules and
  // schedules stored), not started. UsageError when no project was named.
  runtime::ProjectRuntime& runtime(const runtime::S3Access* s3 = nullptr);
  // Applies the project when one was named, so its functions can be invoked.
  void applyProjectIfNamed();
  ~CliContext();
};

// "BUCKET/KEY", "lake://BUCKET/KEY" or "s3://BUCKET/KEY"; the key may be empty.
struct LakeLocation {
  std::string bucket;
  std::string key;
};
LakeLocation parseLakeLocation(const std::string& text);
bool hasLakeScheme(const std::string& text);
// A literal argument, or the contents of FILE when written "@FILE".
std::string readArgOrFile(const std::string& arg);

void addLakeCommands(CLI::App& app, CliContext& ctx);
void addParamsCommands(CLI::App& app, CliContext& ctx);
void addItemsCommands(CLI::App& app, CliContext& ctx);
void addQueryCommand(CLI::App& app, CliContext& ctx);
void addInvokeCommands(CLI::App& app, CliContext& ctx);
void addCatalogCommands(CLI::App& app, CliContext& ctx);
void addWorkflowCommands(CLI::App& app, CliContext& ctx);
void addUpCommand(CLI::App& app, CliContext& ctx);
void addScheduleCommands(CLI::App& app, CliContext& ctx);
void addProjectCommands(CLI::App& app, CliContext& ctx);

int runCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace sluice::cli
