#pragma once
// Small text and file helpers used across modules.
#include <string>

namespace sluice::core {

// ASCII lower case (header names, keys compared case-insensitively).
std::string toLower(std::string s);

// The whole file at `path`; throws Error(IOError) "cannot read 'PATH'".
std::string readFile(const std::string& path);

}  // namespace sluice::core
