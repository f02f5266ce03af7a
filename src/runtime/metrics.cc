#include "runtime/metrics.h"

#include <sstream>

#include "state/state_store.h"

namespace sluice::runtime {

namespace {

// A label value with \, " and newlines escaped, as the format requires.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::string prometheusMetrics(state::StateStore& state) {
  std::ostringstream out;
  const auto functions = state.invocations().summaries(1000);
  header(out, "sluice_function_invocations_total", "counter", "Invocations of each function.");
  for (const auto& f : functions)
    out << "sluice_function_invocations_total{function=\"" << label(f.function) << "\"} "
        << f.invocations << '\n';
  header(out, "sluice_function_errors_total", "counter", "Invocations that failed.");
  for (const auto& f : functions)
    out << "sluice_function_errors_total{function=\"" << label(f.function) << "\"} " << f.errors
        << '\n';
  header(out, "sluice_function_throttles_total", "counter",
         "Invocations refused at the function's reserved concurrency.");
  for (const auto& f : functions)
    out << "sluice_function_throttles_total{function=\"" << label(f.function) << "\"} "
        << f.throttles << '\n';
  header(out, "sluice_function_warnings_total", "counter",
         "Log lines of each function that begin with WARNING.");
  for (const auto& f : functions)
    out << "sluice_function_warnings_total{function=\"" << label(f.function) << "\"} " << f.warnings
        << '\n';
  header(out, "sluice_function_duration_seconds", "summary",
         "Duration of the last 1000 finished invocations.");
  for (const auto& f : functions) {
    const std::string fn = label(f.function);
    out << "sluice_function_duration_seconds{function=\"" << fn << "\",quantile=\"0.5\"} "
        << f.p50_seconds << '\n'
        << "sluice_function_duration_seconds{function=\"" << fn << "\",quantile=\"0.9\"} "
        << f.p90_seconds << '\n'
        << "sluice_function_duration_seconds{function=\"" << fn << "\",quantile=\"0.99\"} "
        << f.p99_seconds << '\n';
  }
  header(out, "sluice_workflow_executions", "gauge", "Executions of each workflow by status.");
  for (const auto& [workflow, status, count] : state.executions().statusCounts())
    out << "sluice_workflow_executions{workflow=\"" << label(workflow) << "\",status=\"" << status
        << "\"} " << count << '\n';
  header(out, "sluice_event_deliveries", "gauge", "Deliveries of object events by status.");
  for (const auto& [status, count] : state.triggers().countByStatus())
    out << "sluice_event_deliveries{status=\"" << status << "\"} " << count << '\n';
  return out.str();
}

}  // namespace sluice::runtime
