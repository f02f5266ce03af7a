#pragma once
// A real SMTP server for tests: Python's smtpd DebuggingServer from Debian, which
// prints every message it receives; received() returns what it printed so far.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "testing/temp_dir.h"

namespace sluice::testing {

class SmtpSink {
 public:
  SmtpSink() : port_(20000 + static_cast<int>(::getpid() % 20000)), log_(dir_ / "smtp.log") {
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl("/usr/bin/python3", "python3", "-u", "-W", "ignore", "-m", "smtpd", "-n", "-c",
              "DebuggingServer", ("127.0.0.1:" + std::to_string(port_)).c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~SmtpSink() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // Waits up to `seconds` for `text` to arrive; returns everything received.
  std::string waitFor(const std::string& text, double seconds = 5) const {
    std::string got;
    for (int i = 0; i < seconds * 20; ++i) {
      got = readFile(log_);
      if (got.find(text) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return got;
  }

 private:
  TempDir dir_;
  int port_;
  std::string log_;
  pid_t pid_ = -1;
};

}  // namespace sluice::testing
