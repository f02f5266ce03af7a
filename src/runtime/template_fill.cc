#include "runtime/template_fill.h"

namespace sluice::runtime {

void fillPlaceholders(nlohmann::json& value, const std::map<std::string, std::string>& values) {
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    for (const auto& [placeholder, text] : values)
      for (size_t at = s.find(placeholder); at != std::string::npos;
           at = s.find(placeholder, at + text.size()))
        s.replace(at, placeholder.size(), text);
    value = s;
  } else if (value.is_structured()) {
    for (auto& child : value) fillPlaceholders(child, values);
  }
}

}  // namespace sluice::runtime
