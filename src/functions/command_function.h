#pragma once
// The `command` runtime: any executable as a function. The event goes to its stdin as
// JSON and its stdout is the result (JSON; empty means null); every stderr line becomes
// a log line of the invocation. A non-zero exit, or a result of the form
// {"errorType": …, "errorMessage": …}, is a named error (Runtime.ExitError when the
// output names none). When the invocation is cancelled (its timeout, see Invoker) the
// whole process group is killed.
#include <map>
#include <string>
#include <vector>

#include "functions/function.h"

namespace sluice::functions {

struct CommandSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it has a '/'
  std::string working_dir;
  std::map<std::string, std::string> environment;  // added to sluice's own environment
  // The process's data segment (heap and private writable mappings) is limited to this
  // many MB (0: no limit): beyond it allocations fail, as in a Lambda of that size.
  int memory_mb = 0;
};

Handler commandHandler(CommandSpec spec);

}  // namespace sluice::functions
