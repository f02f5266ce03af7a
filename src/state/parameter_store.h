#pragma once
// Versioned key/value parameters in the manner of SSM Parameter Store: hierarchical
// names ("/app/db/host"), every put a new version, SecureString values encrypted at
// rest. Callers decide whether to show a secure value; the store hands it back
// decrypted only through getDecrypted-style calls of the CLI and API (see --with-decryption).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace sluice::state {

enum class ParameterType { kString, kStringList, kSecureString };

const char* toString(ParameterType t);
// "String", "StringList", "SecureString"; throws Error(ValidationException).
ParameterType parseParameterType(const std::string& s);

struct Parameter {
  std::string name;
  ParameterType type = ParameterType::kString;
  std::string value;  // decrypted
  int64_t version = 0;
  core::TimeNs last_modified = 0;
  std::string description;
};

struct PutParameterRequest {
  std::string name;
  std::string value;
  ParameterType type = ParameterType::kString;
  std::string description;
  bool overwrite = false;  // without it an existing name is ParameterAlreadyExists
};

class ParameterStore {
 public:
  virtual ~ParameterStore() = default;
  // Returns the new version (1 for a new name).
  virtual int64_t put(const PutParameterRequest& request) = 0;
  // `selector` is "NAME" (latest) or "NAME:VERSION".
  virtual Parameter get(const std::string& selector) = 0;
  // Latest versions of the parameters below `path` ("/a" lists "/a/x", and with
  // `recursive` also "/a/x/y"), sorted by name.
  virtual std::vector<Parameter> listByPath(const std::string& path, bool recursive) = 0;
  // Every version, oldest first.
  virtual std::vector<Parameter> history(const std::string& name) = 0;
  // Removes every version; ParameterNotFound if there is none.
  virtual void remove(const std::string& name) = 0;
};

// The latest value of `name`, or nullopt when there is no such parameter: for steps that
// keep their own progress (watermarks, packet ids) in the store.
std::optional<std::string> findParameterValue(ParameterStore& store, const std::string& name);
// Sets a String parameter, overwriting any earlier value (a new version).
void setStringParameter(ParameterStore& store, const std::string& name, const std::string& value,
                        const std::string& description);

// Throws Error(ValidationException) unless `name` is a valid parameter name.
void validateParameterName(const std::string& name);

}  // namespace sluice::state
