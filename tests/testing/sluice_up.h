#pragma once
// `sluice up` as a child process on a free port, the way users run it, plus a shell
// helper: for tests that drive it with real clients (the AWS CLI, curl, boto3).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace sluice::testing {

struct ShellResult {
  int code;
  std::string out;  // stdout and stderr together
};

inline ShellResult shell(const std::string& cmd) {
  ShellResult r{0, ""};
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  std::array<char, 4096> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class SluiceUp {
 public:
  static constexpr const char* kAccessKey = "AKIDSLUICETEST";
  static constexpr const char* kSecret = "test-secret-do-not-print";

  // Starts `sluice --data-dir DATA_DIR up [PROJECT_DIR]` on free ports and waits
  // for its ready line; `ok()` tells whether it came.
  SluiceUp(const std::string& data_dir, const std::string& project_dir = "",
           const std::vector<std::string>& extra_args = {}) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::setenv("SLUICE_S3_ACCESS_KEY_ID", kAccessKey, 1);
      ::setenv("SLUICE_S3_SECRET_ACCESS_KEY", kSecret, 1);
      std::vector<const char*> argv = {SLUICE_BINARY, "--data-dir", data_dir.c_str(), "up"};
      if (!project_dir.empty()) argv.push_back(project_dir.c_str());
      argv.insert(argv.end(), {"--s3-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0"});
      for (const auto& a : extra_args) argv.push_back(a.c_str());
      argv.push_back(nullptr);
      ::execv(SLUICE_BINARY, const_cast<char* const*>(argv.data()));
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
    char line[1024] = {0};
    if (!std::fgets(line, sizeof line, out_)) return;
    ready_line_ = line;
    std::smatch m;
    if (std::regex_search(ready_line_, m, std::regex("(https?)://127\\.0\\.0\\.1:(\\d+)")))
      endpoint_ = m[1].str() + "://127.0.0.1:" + m[2].str();
    if (std::regex_search(ready_line_, m, std::regex("HTTP API on (http://127\\.0\\.0\\.1:\\d+)")))
      api_ = m[1].str();
  }
  ~SluiceUp() {
    stop();
    if (out_) std::fclose(out_);
  }
  // Sends SIGTERM and returns the wait status (-1 if it was already stopped).
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  // The next line it printed after the ready line ("" at the end).
  std::string nextLine() {
    char line[1024] = {0};
    return out_ && std::fgets(line, sizeof line, out_) ? line : "";
  }
  SluiceUp(const SluiceUp&) = delete;
  SluiceUp& operator=(const SluiceUp&) = delete;

  // The server's peak resident memory so far (VmHWM), in KiB; -1 when it cannot be read.
  int64_t peakMemoryKiB() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
    return -1;
  }
  bool ok() const { return !endpoint_.empty(); }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& api() const { return api_; }  // the HTTP API's base URL
  const std::string& readyLine() const { return ready_line_; }
  // The AWS CLI (`program`, default the one on PATH) against this server, with its
  // credentials (or `secret` instead).
  ShellResult aws(const std::string& args, const std::string& secret = kSecret,
                  const std::string& program = "aws") const {
    return shell(credentialsEnv(secret) + " " + program + " --endpoint-url " + endpoint_ + " " +
                 args);
  }
  // Environment assignments that give a client this server's credentials and region.
  static std::string credentialsEnv(const std::string& secret = kSecret) {
    return std::string("AWS_ACCESS_KEY_ID=") + kAccessKey + " AWS_SECRET_ACCESS_KEY=" + secret +
           " AWS_DEFAULT_REGION=us-east-1";
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string ready_line_, endpoint_, api_;
};

}  // namespace sluice::testing
