#pragma once
// A state machine definition in Amazon States Language (JSONPath mode), checked before
// it runs: every fault is reported at once, each with the JSON path where it is.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flow/compiled_machine.h"

namespace sluice::flow {

class Definition {
 public:
  // Parses and validates; throws Error("States.InvalidDefinition") listing every
  // fault as "PATH: problem", one per line.
  static Definition parse(const nlohmann::json& document);
  static Definition parse(const std::string& text);

  const nlohmann::json& document() const { return parsed_->doc; }
  const std::string& startAt() const { return parsed_->machine.start().name; }
  const nlohmann::json& states() const { return document()["States"]; }
  const nlohmann::json& state(const std::string& name) const { return states()[name]; }
  // TimeoutSeconds of the whole execution, 0 when absent.
  double timeoutSeconds() const { return document().value("TimeoutSeconds", 0.0); }
  // The machine as the interpreter walks it.
  const CompiledMachine& machine() const { return parsed_->machine; }
  // Whether any expression may read the context object ($$).
  bool readsContext() const { return parsed_->reads_context; }

 private:
  // The document and what was compiled from it, together: the machine points into the
  // document. Shared, so copies of a Definition stay cheap and valid.
  struct Parsed {
    explicit Parsed(nlohmann::json document)
        : doc(std::move(document)), machine(doc), reads_context(mentionsContext(doc)) {}
    const nlohmann::json doc;
    const CompiledMachine machine;
    const bool reads_context;
  };
  std::shared_ptr<const Parsed> parsed_;
};

// The faults of a (sub-)machine at `path` (e.g. "$" or "$.States.M.ItemProcessor").
std::vector<std::string> validateMachine(const nlohmann::json& machine, const std::string& path);

}  // namespace sluice::flow
