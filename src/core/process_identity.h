#pragma once
// Which process does a piece of work, in a form another process on the same machine can
// check: an execution records the process running it, and a process that finds one
// RUNNING resumes it only if that process is gone (a crash), never alongside it.
#include <string>

namespace sluice::core {

// "HOST/BOOT_ID/PID/START": the machine, its boot, and the process's id and start time
// (so a recycled pid is not taken for the same process).
std::string currentProcessId();

// Whether the process `id` names may still be running: true for this process, for a
// live process on this machine with that start time, and for any process of another
// machine (which this one cannot see); false for an empty or unreadable id, a process
// of an earlier boot, or one that has exited.
bool processMayBeAlive(const std::string& id);

}  // namespace sluice::core
