#include "core/process_identity.h"

#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace sluice::core {

namespace {

std::string firstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::vector<std::string> splitAtSlashes(const std::string& s) {
  std::vector<std::string> parts;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, '/');) parts.push_back(part);
  return parts;
}

std::string hostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// Field 22 of /proc/PID/stat: the start time in clock ticks since boot; "" if the
// process does not exist. The command name (field 2) may hold spaces, so fields are
// counted from the closing parenthesis.
std::string startTicks(const std::string& pid) {
  const std::string stat = firstLine("/proc/" + pid + "/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; i++)
    if (i == 22) return field;
  return "";
}

}  // namespace

std::string currentProcessId() {
  // Computed once per process; a forked child (same memory, new pid) computes its own.
  static std::mutex mu;
  static pid_t cached_pid = 0;
  static std::string id;
  std::lock_guard lock(mu);
  const pid_t pid = ::getpid();
  if (pid != cached_pid) {
    const std::string p = std::to_string(pid);
    id = hostName() + "/" + firstLine("/proc/sys/kernel/random/boot_id") + "/" + p + "/" +
         startTicks(p);
    cached_pid = pid;
  }
  return id;
}

bool processMayBeAlive(const std::string& id) {
  if (id.empty()) return false;
  const std::string me = currentProcessId();
  if (id == me) return true;
  const std::vector<std::string> parts = splitAtSlashes(id);
  if (parts.size() != 4) return false;
  const std::vector<std::string> mine = splitAtSlashes(me);
  if (parts[0] != mine[0]) return true;   // another machine's: not ours to judge
  if (parts[1] != mine[1]) return false;  // an earlier boot of this machine
  return !parts[3].empty() && startTicks(parts[2]) == parts[3];
}

}  // namespace sluice::core
