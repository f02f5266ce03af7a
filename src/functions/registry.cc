#include "functions/registry.h"

#include "core/error.h"

namespace sluice::functions {

void Registry::add(const std::string& name, const std::string& description, Handler handler,
                   double timeout_seconds) {
  if (name.empty()) throw Error(errc::kInvalidArgument, "a function needs a name");
  if (!functions_
           .emplace(name, FunctionInfo{name, description, std::move(handler), timeout_seconds})
           .second)
    throw Error(errc::kAlreadyExists, "function '" + name + "' is already registered");
}

const FunctionInfo& Registry::find(const std::string& name) const {
  auto it = functions_.find(name);
  if (it == functions_.end())
    throw Error(errc::kResourceNotFound, "function '" + name + "' does not exist");
  return it->second;
}

std::vector<const FunctionInfo*> Registry::all() const {
  std::vector<const FunctionInfo*> out;
  for (const auto& [name, info] : functions_) out.push_back(&info);
  return out;
}

}  // namespace sluice::functions
