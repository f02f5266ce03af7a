#pragma once
// Named functions. Built-in handlers register with one line in builtins.cc; the
// runtime issue adds SQL-file and external-command functions declared by projects.
#include <map>
#include <string>
#include <vector>

#include "functions/function.h"

namespace sluice::data {
struct StepEnv;
}

namespace sluice::functions {

struct FunctionInfo {
  std::string name;
  std::string description;
  Handler handler;
  double timeout_seconds = 0;  // 0: runs as long as it takes
};

class Registry {
 public:
  // Throws Error(AlreadyExists) for a name already taken.
  void add(const std::string& name, const std::string& description, Handler handler,
           double timeout_seconds = 0);
  // Throws Error(ResourceNotFoundException) naming the function.
  const FunctionInfo& find(const std::string& name) const;
  bool contains(const std::string& name) const { return functions_.count(name) > 0; }
  std::vector<const FunctionInfo*> all() const;

 private:
  std::map<std::string, FunctionInfo> functions_;
};

// Registers every built-in function (the generic data steps).
void registerBuiltins(Registry& registry);

// A data step (data/steps/step.h) as a handler: it gets the invocation's lake, DuckDB,
// scratch space, log and parameter store.
using DataStepFn = nlohmann::json (*)(const nlohmann::json&, const data::StepEnv&);
Handler dataStep(DataStepFn step);

}  // namespace sluice::functions
