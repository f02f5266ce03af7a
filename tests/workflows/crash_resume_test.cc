// Kills `sluice start` at random moments and checks that `sluice executions resume`
// finishes every execution exactly once with the right output.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "testing/sluice_up.h"
#include "testing/temp_dir.h"

namespace sluice {
namespace {

using nlohmann::json;

std::string arnOf(const std::string& name) {
  return "arn:aws:states:local:000000000000:execution:counter:" + name;
}

std::string runCommand(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

// A workflow that takes 2 × `wait_seconds` (two Waits) and adds 111 to its input's n.
void putCounter(const testing::TempDir& dir, const std::string& data, int wait_seconds = 1) {
  const std::string wait = std::to_string(wait_seconds);
  testing::writeFile(dir / "wf.asl.json", R"asl({"StartAt": "S0", "States": {
      "S0": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "W1"},
      "W1": {"Type": "Wait", "Seconds": )asl" +
                                              wait + R"asl(, "Next": "S1"},
      "S1": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 10)"}, "Next": "W2"},
      "W2": {"Type": "Wait", "Seconds": )asl" +
                                              wait + R"asl(, "Next": "S2"},
      "S2": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 100)"}, "End": true}}})asl");
  ASSERT_EQ(std::system((std::string(SLUICE_BINARY) + " --data-dir " + data +
                         " workflows put counter " + (dir / "wf.asl.json") + " >/dev/null")
                            .c_str()),
            0);
}

// `sluice start counter --name NAME --wait` as a child process, once its execution is
// recorded (its first commit, at the first Wait).
pid_t startRecorded(const std::string& data, const std::string& name) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, 1);
    ::execl(SLUICE_BINARY, SLUICE_BINARY, "--data-dir", data.c_str(), "start", "counter", "--input",
            "{\"n\": 0}", "--name", name.c_str(), "--wait", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string describe = std::string(SLUICE_BINARY) + " --data-dir " + data +
                               " executions describe " + arnOf(name) + " 2>/dev/null";
  for (int i = 0; i < 500 && runCommand(describe).empty(); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(runCommand(describe).empty()) << name << " was not recorded within 10 s";
  return pid;
}

TEST(CrashResume, KilledExecutionsResumeAndCompleteOnce) {
  testing::TempDir dir;
  const std::string bin = SLUICE_BINARY;
  const std::string data = dir / "data";
  putCounter(dir, data);

  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> delay_ms(300, 2300);  // after the start is recorded
  const int runs = 4;
  for (int i = 0; i < runs; i++) {
    pid_t pid = ::fork();
    if (pid == 0) {
      std::string name = "run-" + std::to_string(i);
      ::execl(bin.c_str(), bin.c_str(), "--data-dir", data.c_str(), "start", "counter", "--input",
              "{\"n\": 0}", "--name", name.c_str(), "--wait", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGKILL);
    int status;
    ::waitpid(pid, &status, 0);
  }

  runCommand(bin + " --data-dir " + data + " executions resume");
  for (int i = 0; i < runs; i++) {
    const std::string arn =
        "arn:aws:states:local:000000000000:execution:counter:run-" + std::to_string(i);
    json d = json::parse(runCommand(bin + " --data-dir " + data + " executions describe " + arn),
                         nullptr, false);
    ASSERT_FALSE(d.is_discarded()) << "execution " << i << " was never recorded";
    EXPECT_EQ(d["status"], "SUCCEEDED") << d.dump();
    EXPECT_EQ(d["output"], (json{{"n", 111}})) << d.dump();
    std::string history = runCommand(bin + " --data-dir " + data + " executions history " + arn);
    auto count = [&](const std::string& type) {
      size_t n = 0;
      for (size_t p = history.find("\"type\":\"" + type + "\""); p != std::string::npos;
           p = history.find("\"type\":\"" + type + "\"", p + 1))
        n++;
      return n;
    };
    EXPECT_EQ(count("ExecutionStarted"), 1u) << history;
    EXPECT_EQ(count("ExecutionSucceeded"), 1u) << history;
    // Shown as GetExecutionHistory shows it.
    const json first = json::parse(history.substr(0, history.find('\n')));
    EXPECT_EQ(first["executionStartedEventDetails"]["input"], "{\"n\":0}") << first.dump();
    EXPECT_EQ(first["executionStartedEventDetails"]["inputDetails"]["truncated"], false);
  }
  // Nothing is left running, and resuming again changes nothing.
  EXPECT_EQ(runCommand(bin + " --data-dir " + data + " executions list --status RUNNING"), "");
  EXPECT_EQ(runCommand(bin + " --data-dir " + data + " executions resume"), "");
}

// An execution whose process is alive belongs to it: `executions resume` elsewhere leaves
// it alone (running it a second time would repeat its steps).
TEST(CrashResume, ResumeLeavesTheExecutionsOfALiveProcessAlone) {
  testing::TempDir dir;
  const std::string data = dir / "data";
  putCounter(dir, data, 2);  // four seconds: time enough to look at it while it runs
  const pid_t pid = startRecorded(data, "live");
  const std::string sluice = std::string(SLUICE_BINARY) + " --data-dir " + data;
  EXPECT_EQ(runCommand(sluice + " executions resume 2>/dev/null"), "");
  const std::string told = runCommand(sluice + " executions resume 2>&1 >/dev/null");
  EXPECT_NE(told.find(arnOf("live") + " is being run by process "), std::string::npos) << told;
  EXPECT_NE(told.find("/" + std::to_string(pid) + "/"), std::string::npos) << told;
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  json d = json::parse(runCommand(sluice + " executions describe " + arnOf("live")));
  EXPECT_EQ(d["output"], (json{{"n", 111}})) << d.dump();
  const std::string history = runCommand(sluice + " executions history " + arnOf("live"));
  size_t waits = 0;
  for (size_t p = history.find("\"WaitStateEntered\""); p != std::string::npos;
       p = history.find("\"WaitStateEntered\"", p + 1))
    waits++;
  EXPECT_EQ(waits, 2u) << history;
}

// `sluice up` takes over what a crash left RUNNING, without `executions resume`.
TEST(CrashResume, UpRunsOnTheExecutionsOfAKilledProcess) {
  testing::TempDir dir;
  const std::string data = dir / "data";
  putCounter(dir, data);
  const pid_t pid = startRecorded(data, "orphan");
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  const std::string describe = std::string(SLUICE_BINARY) + " --data-dir " + data +
                               " executions describe " + arnOf("orphan");
  ASSERT_EQ(json::parse(runCommand(describe))["status"], "RUNNING");

  testing::SluiceUp up(data);
  ASSERT_TRUE(up.ok());
  json d;
  for (int i = 0; i < 100; i++) {
    d = json::parse(runCommand(describe));
    if (d["status"] != "RUNNING") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(d["status"], "SUCCEEDED") << d.dump();
  EXPECT_EQ(d["output"], (json{{"n", 111}})) << d.dump();
}

}  // namespace
}  // namespace sluice
