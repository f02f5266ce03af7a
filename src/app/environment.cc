#include "app/environment.h"

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "data/duckdb_engine.h"
#include "functions/registry.h"
#include "lake/local_store.h"
#include "lake/staging_store.h"
#include "pipelines/registry.h"
#include "runtime/trigger_recorder.h"
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
    // Every process records the deliveries its writes cause, before the write is
    // visible; `sluice up` dispatches them.
    lake_->addListener(
        [this](const lake::ObjectEvent& event) {
          if (triggerRecorder().record(event) > 0) {
            std::function<void()> wake;
            {
              std::lock_guard lock(mu_);
              wake = on_triggers_recorded_;
            }
            if (wake) wake();
          }
        },
        /*every_phase=*/true);
  }
  return *lake_;
}

runtime::TriggerRecorder& Environment::triggerRecorder() {
  state::StateStore& store = state();
  std::lock_guard lock(mu_);
  if (!trigger_recorder_)
    trigger_recorder_ = std::make_unique<runtime::TriggerRecorder>(store.triggers());
  return *trigger_recorder_;
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
    pipelines::registerPipelineFunctions(*functions_);
  }
  return *functions_;
}

void Environment::addFunction(
    const std::string& name, const std::string& description,
    std::function<nlohmann::json(const nlohmann::json&, functions::InvocationContext&)> handler,
    double timeout_seconds) {
  functions();
  std::lock_guard lock(mu_);
  functions_->add(name, description, std::move(handler), timeout_seconds);
}

void Environment::setPublisher(
    std::function<std::string(const std::string&, const std::string&, const std::string&)>
        publisher) {
  std::lock_guard lock(mu_);
  publisher_ = std::move(publisher);
}

void Environment::onTriggersRecorded(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  on_triggers_recorded_ = std::move(callback);
}

functions::Services Environment::services() {
  std::string scratch = data_dir_ + "/tmp/work";
  ensureDir(scratch);
  functions::Services services{lake(), state(), duckdb(), scratch, {}, {}};
  services.redact = [this](std::string text) { return redactor_(std::move(text)); };
  // Looked up at each call, so services handed out before the runtime set topics see them.
  services.publish = [this](const std::string& topic, const std::string& subject,
                            const std::string& message) {
    std::function<std::string(const std::string&, const std::string&, const std::string&)> publish;
    {
      std::lock_guard lock(mu_);
      publish = publisher_;
    }
    if (!publish)
      throw Error(errc::kNotFound, "no topic named '" + topic + "' (no project loaded)");
    return publish(topic, subject, message);
  };
  return services;
}

workflows::WorkflowService& Environment::workflows() {
  const auto& registry = functions();
  auto svc = services();
  std::lock_guard lock(mu_);
  if (!workflows_) workflows_ = std::make_unique<workflows::WorkflowService>(registry, svc);
  return *workflows_;
}

}  // namespace sluice::app
