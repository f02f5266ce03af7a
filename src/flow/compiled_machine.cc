#include "flow/compiled_machine.h"

#include "core/error.h"

namespace sluice::flow {

using nlohmann::json;

namespace {

StateType typeOf(const std::string& name) {
  static const std::unordered_map<std::string, StateType> kTypes = {
      {"Pass", StateType::kPass},         {"Task", StateType::kTask},
      {"Choice", StateType::kChoice},     {"Wait", StateType::kWait},
      {"Succeed", StateType::kSucceed},   {"Fail", StateType::kFail},
      {"Parallel", StateType::kParallel}, {"Map", StateType::kMap}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) throw Error("States.Runtime", "unknown state type " + name);
  return it->second;
}

}  // namespace

CompiledMachine::CompiledMachine(const json& machine) : doc_(&machine) {
  const json& states = machine["States"];
  states_.resize(states.size());
  size_t i = 0;
  for (const auto& [name, doc] : states.items()) {
    CompiledState& s = states_[i++];
    s.name = name;
    s.doc = &doc;
    s.type_name = &doc["Type"].get_ref<const std::string&>();
    s.type = typeOf(*s.type_name);
    s.can_retry = s.type == StateType::kTask || doc.contains("Retry");
    s.passes_through = s.type == StateType::kPass;
    for (const char* field :
         {"InputPath", "Parameters", "Result", "ResultPath", "OutputPath", "Assign"})
      s.passes_through = s.passes_through && !doc.contains(field);
    may_block_ = may_block_ || s.type == StateType::kTask || s.type == StateType::kWait;
    if (s.type == StateType::kMap) {
      nested_.push_back(std::make_unique<CompiledMachine>(
          doc.contains("ItemProcessor") ? doc["ItemProcessor"] : doc["Iterator"]));
      s.processor = nested_.back().get();
    }
    if (s.type == StateType::kParallel)
      for (const auto& branch : doc["Branches"]) {
        nested_.push_back(std::make_unique<CompiledMachine>(branch));
        s.branches.push_back(nested_.back().get());
      }
  }
  for (const auto& nested : nested_) may_block_ = may_block_ || nested->mayBlock();
  for (const CompiledState& s : states_) by_name_.emplace(s.name, &s);
  for (CompiledState& s : states_)
    if (s.doc->contains("Next")) s.next = &state((*s.doc)["Next"].get_ref<const std::string&>());
  start_ = &state(machine["StartAt"].get_ref<const std::string&>());
}

const CompiledState& CompiledMachine::state(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end())
    throw Error("States.Runtime",
                "the state machine has no state named '" + std::string(name) + "'");
  return *it->second;
}

bool mentionsContext(const json& document) {
  if (document.is_string())
    return document.get_ref<const std::string&>().find("$$") != std::string::npos;
  if (document.is_object()) {
    for (const auto& [key, value] : document.items())
      if (key.find("$$") != std::string::npos || mentionsContext(value)) return true;
    return false;
  }
  if (document.is_array()) {
    for (const auto& value : document)
      if (mentionsContext(value)) return true;
  }
  return false;
}

}  // namespace sluice::flow
