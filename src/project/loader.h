#pragma once
// Reads PROJECT_DIR/sluice.yaml into a Project, checking everything that can be checked
// without running it: unknown keys, types, names, schedule expressions and time zones,
// that files exist and workflows are valid ASL, and that every target names a declared
// or built-in function or a declared workflow. All faults are reported together, each as
// "FILE:LINE: KEY.PATH: what is wrong", in one Error(InvalidProject).
#include <set>
#include <string>

#include "project/project.h"

namespace sluice::project {

inline constexpr const char* kInvalidProject = "InvalidProject";

// `builtins`: the names of built-in functions a `builtin` function may run and a target
// may name directly.
Project loadProject(const std::string& dir, const std::set<std::string>& builtins);

}  // namespace sluice::project
