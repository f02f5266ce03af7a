#pragma once
// A validated (sub-)machine resolved once, when its definition is parsed: each state's
// type as an enum, its successor as a pointer, which data fields it has, and its nested
// machines. The interpreter walks these instead of looking state names and field names
// up in the JSON document at every transition. The document must outlive the machine
// and stay unchanged (Definition keeps both together).
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sluice::flow {

enum class StateType : uint8_t { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };

class CompiledMachine;

struct CompiledState {
  std::string name;
  StateType type = StateType::kPass;
  const std::string* type_name = nullptr;  // "Pass", "Task", … as the document spells it
  const nlohmann::json* doc = nullptr;     // the state's JSON, for the fields read rarely
  const CompiledState* next = nullptr;     // its Next state; nullptr when it ends or chooses
  bool can_retry = false;       // $$.State.RetryCount exists (a Task, or any state with Retry)
  bool passes_through = false;  // a Pass without InputPath, Parameters, Result, ResultPath,
                                // OutputPath or Assign: its output is its input
  const CompiledMachine* processor = nullptr;    // a Map's ItemProcessor (or Iterator)
  std::vector<const CompiledMachine*> branches;  // a Parallel's branches
};

class CompiledMachine {
 public:
  explicit CompiledMachine(const nlohmann::json& machine);
  CompiledMachine(const CompiledMachine&) = delete;
  CompiledMachine& operator=(const CompiledMachine&) = delete;

  const nlohmann::json& doc() const { return *doc_; }
  const CompiledState& start() const { return *start_; }
  // The state named `name`; throws Error(States.Runtime) when there is none.
  const CompiledState& state(std::string_view name) const;
  // Whether a state here or in a nested machine waits on the world (a Task or a Wait), so
  // that running iterations or branches side by side pays.
  bool mayBlock() const { return may_block_; }

 private:
  const nlohmann::json* doc_;
  std::vector<CompiledState> states_;  // sized once: pointers into it stay valid
  std::unordered_map<std::string_view, const CompiledState*> by_name_;
  const CompiledState* start_ = nullptr;
  bool may_block_ = false;
  std::vector<std::unique_ptr<CompiledMachine>> nested_;
};

// Whether any string in `document` mentions the context object ("$$"): if none does, no
// expression can read it and the interpreter need not keep it up to date.
bool mentionsContext(const nlohmann::json& document);

}  // namespace sluice::flow
