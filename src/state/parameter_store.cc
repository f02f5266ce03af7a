#include "state/parameter_store.h"

#include <cctype>

#include "core/error.h"

namespace sluice::state {

const char* toString(ParameterType t) {
  switch (t) {
    case ParameterType::kString:
      return "String";
    case ParameterType::kStringList:
      return "StringList";
    case ParameterType::kSecureString:
      return "SecureString";
  }
  return "String";
}

ParameterType parseParameterType(const std::string& s) {
  if (s == "String") return ParameterType::kString;
  if (s == "StringList") return ParameterType::kStringList;
  if (s == "SecureString") return ParameterType::kSecureString;
  throw Error(errc::kValidation,
              "unknown parameter type '" + s + "' (expected String, StringList or SecureString)");
}

void validateParameterName(const std::string& name) {
  auto bad = [&](const std::string& why) {
    throw Error(errc::kValidation, "invalid parameter name '" + name + "': " + why);
  };
  if (name.empty()) bad("must not be empty");
  if (name.size() > 2048) bad("longer than 2048 characters");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
          c == '/'))
      bad("only letters, digits, '_', '.', '-' and '/' are allowed");
  }
  if (name.find('/') != std::string::npos) {
    if (name.front() != '/') bad("a hierarchical name must begin with '/'");
    if (name.back() == '/') bad("must not end with '/'");
    if (name.find("//") != std::string::npos) bad("must not contain '//'");
    int levels = 0;
    for (char c : name) levels += c == '/';
    if (levels > 15) bad("more than 15 levels");
  }
}

std::optional<std::string> findParameterValue(ParameterStore& store, const std::string& name) {
  try {
    return store.get(name).value;
  } catch (const Error& e) {
    if (e.code() == errc::kParameterNotFound) return std::nullopt;
    throw;
  }
}

void setStringParameter(ParameterStore& store, const std::string& name, const std::string& value,
                        const std::string& description) {
  store.put({name, value, ParameterType::kString, description, true});
}

}  // namespace sluice::state
