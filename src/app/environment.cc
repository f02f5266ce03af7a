#include "app/environment.h"

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "functions/registry.h"
#include "lake/local_store.h"
#include "lake/staging_store.h"
#include "s3/remote_store.h"
#include "state/sqlite_state_store.h"
#include "workflows/workflow_service.h"

namespace sluice::app {

namespace {
void ensureDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(errc::kIo, "cannot create data folder '" + dir + "': " + ec.message());
}
}  // namespace

Environment::Environment(std::string data_dir, std::string lake_url)
    : data_dir_(std::filesystem::absolute(data_dir).lexically_normal().string()),
      lake_url_(std::move(lake_url)) {
  if (data_dir_.size() > 1 && data_dir_.back() == '/') data_dir_.pop_back();
}
Environment::~Environment() = default;

lake::ObjectStore& Environment::lake() {
  std::lock_guard lock(mu_);
  if (!lake_) {
    if (lake_url_.empty())
      base_lake_ = std::make_unique<lake::LocalObjectStore>(data_dir_ + "/lake");
    else
      base_lake_ = std::make_unique<s3::RemoteObjectStore>(s3::clientConfigFromUrl(lake_url_));
    lake_ = std::make_unique<lake::StagingObjectStore>(*base_lake_, data_dir_ + "/tmp/staging");
  }
  return *lake_;
}

state::StateStore& Environment::state() {
  std::lock_guard lock(mu_);
  if (!state_) {
    ensureDir(data_dir_);
    state_ = std::make_unique<state::SqliteStateStore>(
        data_dir_ + "/state.db",
        state::SecretBox::fromEnvironmentOrKeyFile(data_dir_ + "/master.key"));
  }
  return *state_;
}

data::Database& Environment::duckdb() {
  std::lock_guard lock(mu_);
  if (!duckdb_) {
    data::EngineOptions options;
    options.temp_directory = data_dir_ + "/tmp/duckdb";
    if (const char* limit = std::getenv("SLUICE_MEMORY_LIMIT"); limit && *limit)
      options.memory_limit = limit;
    if (const char* threads = std::getenv("SLUICE_THREADS"); threads && *threads)
      options.threads = std::atoi(threads);
    ensureDir(options.temp_directory);
    duckdb_ = std::make_unique<data::Database>(options);
  }
  return *duckdb_;
}

}  // namespace sluice::app

namespace sluice::app {

const functions::Registry& Environment::functions() {
  std::lock_guard lock(mu_);
  if (!functions_) {
    functions_ = std::make_unique<functions::Registry>();
    functions::registerBuiltins(*functions_);
  }
  return *functions_;
}

functions::Services Environment::services() {
  std::string scratch = data_dir_ + "/tmp/work";
  ensureDir(scratch);
  return functions::Services{lake(), state(), duckdb(), scratch};
}

workflows::WorkflowService& Environment::workflows() {
  const auto& registry = functions();
  auto svc = services();
  std::lock_guard lock(mu_);
  if (!workflows_) workflows_ = std::make_unique<workflows::WorkflowService>(registry, svc);
  return *workflows_;
}

}  // namespace sluice::app
