#include "state/catalog_store.h"

#include <cctype>

#include "core/error.h"

namespace sluice::state {

void validateCatalogName(const std::string& name, const char* what) {
  bool ok =
      !name.empty() && name.size() <= 255 && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok)
    throw Error(errc::kValidation,
                std::string(what) + " '" + name +
                    "' must be letters, digits and '_', not starting with a digit");
}

}  // namespace sluice::state
