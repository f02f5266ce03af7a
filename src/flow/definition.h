#pragma once
// A state machine definition in Amazon States Language (JSONPath mode), checked before
// it runs: every fault is reported at once, each with the JSON path where it is.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sluice::flow {

class Definition {
 public:
  // Parses and validates; throws Error("States.InvalidDefinition") listing every
  // fault as "PATH: problem", one per line.
  static Definition parse(const nlohmann::json& document);
  static Definition parse(const std::string& text);

  const nlohmann::json& document() const { return doc_; }
  const std::string& startAt() const { return start_at_; }
  const nlohmann::json& states() const { return doc_["States"]; }
  const nlohmann::json& state(const std::string& name) const { return doc_["States"][name]; }
  // TimeoutSeconds of the whole execution, 0 when absent.
  double timeoutSeconds() const { return doc_.value("TimeoutSeconds", 0.0); }

 private:
  nlohmann::json doc_;
  std::string start_at_;
};

// The faults of a (sub-)machine at `path` (e.g. "$" or "$.States.M.ItemProcessor").
std::vector<std::string> validateMachine(const nlohmann::json& machine, const std::string& path);

}  // namespace sluice::flow
