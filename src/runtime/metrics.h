#pragma once
// Metrics in Prometheus's text exposition format, read from the state store so that they
// count the work of every sluice process sharing it: per function invocations, errors,
// throttles, WARNING log lines and duration quantiles; per workflow executions by status; deliveries of
// object events by status.
#include <string>

namespace sluice::state {
class StateStore;
}

namespace sluice::runtime {

std::string prometheusMetrics(state::StateStore& state);

}  // namespace sluice::runtime
