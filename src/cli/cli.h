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
  std::unique_ptr<app::Environment> env;
  app::Environment& environment();
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

int runCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace sluice::cli
