#pragma once
// The stores one sluice process works with, opened lazily from a data folder:
//   DATA_DIR/lake/        the embedded lake (LocalObjectStore), unless a lake URL names an
//                         S3-compatible store (RemoteObjectStore)
//   DATA_DIR/state.db     the embedded state store (SQLite)
//   DATA_DIR/master.key   the key that encrypts secrets at rest (unless SLUICE_MASTER_KEY)
//   DATA_DIR/tmp/duckdb/  where DuckDB spills (SLUICE_MEMORY_LIMIT, e.g. 2GB, bounds its memory;
//                         SLUICE_THREADS its threads)
//   DATA_DIR/tmp/work/    scratch space of functions
//   DATA_DIR/tmp/staging/ copies of remote objects for DuckDB to read
// The CLI and the server (`sluice up`) both build on this; scale-out backends plug in
// here by choosing other implementations of the same interfaces.
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/redactor.h"

namespace sluice::lake {
class ObjectStore;
}
namespace sluice::state {
class StateStore;
}
namespace sluice::data {
class Database;
}
namespace sluice::functions {
class Registry;
class InvocationContext;
struct Services;
}  // namespace sluice::functions
namespace sluice::workflows {
class WorkflowService;
}
namespace sluice::runtime {
class TriggerRecorder;
}

namespace sluice::app {

class Environment {
 public:
  // `lake_url`: empty for the folder lake, else "s3://?endpoint=…" (s3::clientConfigFromUrl).
  explicit Environment(std::string data_dir, std::string lake_url = "");
  ~Environment();

  const std::string& dataDir() const { return data_dir_; }
  lake::ObjectStore& lake();
  state::StateStore& state();
  data::Database& duckdb();
  // Built-in functions (project functions join them with the runtime).
  const functions::Registry& functions();
  // Adds a project's function beside the built-ins (before anything runs); an invocation
  // that runs longer than `timeout_seconds` (0: no limit) is cancelled.
  void addFunction(
      const std::string& name, const std::string& description,
      std::function<nlohmann::json(const nlohmann::json&, functions::InvocationContext&)> handler,
      double timeout_seconds = 0);
  // Where functions and workflows publish to topics (the runtime's topics).
  void setPublisher(
      std::function<std::string(const std::string&, const std::string&, const std::string&)>
          publisher);
  // Secret values to mask in logs and stored invocation records.
  core::Redactor& redactor() { return redactor_; }
  // Called after an object event queued deliveries (the runtime wakes its dispatcher).
  void onTriggersRecorded(std::function<void()> callback);
  functions::Services services();
  workflows::WorkflowService& workflows();

 private:
  runtime::TriggerRecorder& triggerRecorder();

  std::string data_dir_;
  std::string lake_url_;
  std::mutex mu_;
  std::unique_ptr<lake::ObjectStore> base_lake_;  // where objects live
  std::unique_ptr<lake::ObjectStore> lake_;       // the same, with staging for DuckDB when remote
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<runtime::TriggerRecorder> trigger_recorder_;  // the lake's events → state_
  std::unique_ptr<data::Database> duckdb_;
  std::unique_ptr<functions::Registry> functions_;
  std::unique_ptr<workflows::WorkflowService> workflows_;
  std::function<void()> on_triggers_recorded_;
  core::Redactor redactor_;
  std::function<std::string(const std::string&, const std::string&, const std::string&)> publisher_;
};

}  // namespace sluice::app
