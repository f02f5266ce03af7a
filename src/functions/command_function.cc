#include "functions/command_function.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <optional>

#include "core/cancellation.h"
#include "core/error.h"

namespace sluice::functions {

namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw Error(errc::kIo, "cannot create a pipe");
  }
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close(int end) {
    if (fd[end] >= 0) ::close(fd[end]);
    fd[end] = -1;
  }
};

struct Outcome {
  int status = 0;
  std::string out;
};

// Runs the child, feeding `input` and collecting stdout; stderr lines go to `log`.
Outcome runChild(const CommandSpec& spec, const std::string& input,
                 const std::function<void(const std::string&)>& log) {
  Pipe in, out, err;
  // Everything the child needs is built before fork(): between fork and exec a child of
  // a multithreaded process may only make async-signal-safe calls (no malloc, no setenv).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (spec.environment.count(entry.substr(0, entry.find('='))) == 0) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : spec.environment) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string cannot_run = "cannot run '" + spec.argv[0] + "'\n";
  const char* working_dir = spec.working_dir.empty() ? nullptr : spec.working_dir.c_str();
  const rlim_t memory_bytes = static_cast<rlim_t>(spec.memory_mb) * 1024 * 1024;

  // A command that exits without reading its event closes the pipe: writing to it must
  // fail with EPIPE, not kill sluice with SIGPIPE.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });

  const pid_t pid = ::fork();
  if (pid < 0) throw Error(errc::kIo, "cannot start '" + spec.argv[0] + "'");
  if (pid == 0) {
    ::setpgid(0, 0);  // its own group, so a timeout kills its children too
    if (memory_bytes > 0) {
      const struct rlimit limit = {memory_bytes, memory_bytes};
      ::setrlimit(RLIMIT_DATA, &limit);
    }
    ::signal(SIGPIPE, SIG_DFL);  // an ignored signal would stay ignored across exec
    ::dup2(in.fd[0], 0);
    ::dup2(out.fd[1], 1);
    ::dup2(err.fd[1], 2);
    if (working_dir && ::chdir(working_dir) != 0) ::_exit(126);
    ::execvpe(argv[0], argv.data(), envp.data());
    (void)!::write(2, cannot_run.data(), cannot_run.size());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  in.close(0);
  out.close(1);
  err.close(1);

  Outcome o;
  std::string err_buf;
  size_t written = 0;
  // Cancelling the invocation kills the group; its pipes then close and the loop ends.
  std::optional<core::Cancellation::Registration> kill_on_cancel;
  if (auto* c = core::Cancellation::current())
    kill_on_cancel.emplace(c->onCancel([pid] { ::kill(-pid, SIGKILL); }));
  auto flushLines = [&](bool all) {
    size_t nl;
    while ((nl = err_buf.find('\n')) != std::string::npos) {
      log(err_buf.substr(0, nl));
      err_buf.erase(0, nl + 1);
    }
    if (all && !err_buf.empty()) log(err_buf), err_buf.clear();
  };
  if (input.empty()) in.close(1);
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    std::vector<pollfd> fds;
    if (in.fd[1] >= 0) fds.push_back({in.fd[1], POLLOUT, 0});
    if (out.fd[0] >= 0) fds.push_back({out.fd[0], POLLIN, 0});
    if (err.fd[0] >= 0) fds.push_back({err.fd[0], POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 1000) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (const auto& p : fds) {
      if (!p.revents) continue;
      if (p.fd == in.fd[1]) {
        const ssize_t n = ::write(p.fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 || written == input.size()) in.close(1);  // EPIPE: it stopped reading
        continue;
      }
      char buf[65536];
      const ssize_t n = ::read(p.fd, buf, sizeof buf);
      if (n <= 0) {
        (p.fd == out.fd[0] ? out : err).close(0);
      } else if (p.fd == out.fd[0]) {
        o.out.append(buf, static_cast<size_t>(n));
      } else {
        err_buf.append(buf, static_cast<size_t>(n));
        flushLines(false);
      }
    }
  }
  flushLines(true);
  kill_on_cancel.reset();  // before the child is reaped and its process group id freed
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::kill(-pid, SIGKILL);  // anything it left running in its group
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

}  // namespace

Handler commandHandler(CommandSpec spec) {
  if (spec.argv.empty()) throw Error(errc::kInvalidArgument, "a command function needs a program");
  return [spec](const nlohmann::json& event, InvocationContext& ctx) -> nlohmann::json {
    std::string last_log;
    const Outcome o = runChild(spec, event.dump(), [&](const std::string& line) {
      last_log = line;
      ctx.log(line);
    });
    nlohmann::json result;
    const bool empty = o.out.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!empty) {
      try {
        result = nlohmann::json::parse(o.out);
      } catch (const nlohmann::json::exception&) {
        if (o.status == 0)
          throw Error("Runtime.InvalidResponse",
                      "'" + ctx.functionName() + "' printed output that is not JSON");
      }
    }
    if (result.is_object() && result.contains("errorType") && result["errorType"].is_string())
      throw Error(result["errorType"].get<std::string>(), result.value("errorMessage", ""));
    if (o.status != 0)
      throw Error("Runtime.ExitError", "'" + ctx.functionName() + "' exited with status " +
                                           std::to_string(o.status) +
                                           (last_log.empty() ? "" : ": " + last_log));
    return result;
  };
}

}  // namespace sluice::functions
