#pragma once
// What a function is: a named handler taking a JSON event and returning a JSON result,
// or failing with an Error whose code is the error's name (Lambda's errorType), which
// Retry/Catch in workflows match on.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

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

// The platform a handler may use.
struct Services {
  lake::ObjectStore& lake;
  state::StateStore& state;
  data::Database& duckdb;
  std::string scratch_dir;  // private working space for temporary files
  // Publishes to a project topic (name or SNS ARN); returns the message id. Unset
  // outside a project.
  std::function<std::string(const std::string& topic, const std::string& subject,
                            const std::string& message)>
      publish;
  // Masks secret values in text before it is logged or stored; unset: text as it is.
  std::function<std::string(std::string)> redact;
};

class InvocationContext {
 public:
  InvocationContext(std::string request_id, std::string function, Services services,
                    std::function<void(const std::string&)> log_sink)
      : request_id_(std::move(request_id)),
        function_(std::move(function)),
        services_(services),
        log_sink_(std::move(log_sink)) {}

  const std::string& requestId() const { return request_id_; }
  const std::string& functionName() const { return function_; }
  const Services& services() const { return services_; }
  // A line for this invocation's log (kept with its record).
  void log(const std::string& line) const { log_sink_(line); }
  // The same invocation on other services (e.g. a DuckDB of its own).
  InvocationContext withServices(Services services) const {
    return InvocationContext(request_id_, function_, services, log_sink_);
  }

 private:
  std::string request_id_;
  std::string function_;
  Services services_;
  std::function<void(const std::string&)> log_sink_;
};

using Handler = std::function<nlohmann::json(const nlohmann::json& event, InvocationContext& ctx)>;

}  // namespace sluice::functions
