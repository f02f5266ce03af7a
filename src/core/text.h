#pragma once
// Small text and file helpers used across modules.
#include <string>
#include <string_view>

namespace sluice::core {

// ASCII lower case (header names, keys compared case-insensitively).
std::string toLower(std::string s);
// Whether `a` and `b` are equal ignoring ASCII case (header names and tokens).
bool equalsIgnoringCase(std::string_view a, std::string_view b);

// `s` without the spaces and tabs around it (header values).
std::string_view trim(std::string_view s);

// The whole file at `path`; throws Error(IOError) "cannot read 'PATH'".
std::string readFile(const std::string& path);

}  // namespace sluice::core
