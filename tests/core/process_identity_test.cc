#include "core/process_identity.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace sluice::core {
namespace {

std::string withField(const std::string& id, int index, const std::string& value) {
  std::string out;
  size_t start = 0;
  for (int i = 0; i < 4; i++) {
    const size_t end = id.find('/', start);
    const std::string field = id.substr(start, end == std::string::npos ? end : end - start);
    out += (i ? "/" : "") + (i == index ? value : field);
    start = end + 1;
  }
  return out;
}

TEST(ProcessIdentity, NamesThisProcessAndItsMachine) {
  const std::string id = currentProcessId();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(id.rfind(std::string(host) + "/", 0), 0u) << id;
  EXPECT_NE(id.find("/" + std::to_string(::getpid()) + "/"), std::string::npos) << id;
  EXPECT_TRUE(processMayBeAlive(id));
}

TEST(ProcessIdentity, AProcessThatExitedIsGone) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const std::string id = currentProcessId();
    (void)!::write(pipe_fds[1], id.data(), id.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  char buf[512];
  const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
  ::close(pipe_fds[0]);
  ASSERT_GT(n, 0);
  const std::string child_id(buf, static_cast<size_t>(n));
  ::waitpid(child, nullptr, 0);
  EXPECT_FALSE(processMayBeAlive(child_id)) << child_id;
}

TEST(ProcessIdentity, ARecycledPidOrAnEarlierBootIsNotTheSameProcess) {
  const std::string id = currentProcessId();
  EXPECT_FALSE(processMayBeAlive(withField(id, 3, "1")));  // another start time
  EXPECT_FALSE(processMayBeAlive(withField(id, 1, "00000000-0000-0000-0000-000000000000")));
  EXPECT_FALSE(processMayBeAlive(""));
  EXPECT_FALSE(processMayBeAlive("not an id"));
  // A process of another machine cannot be checked from here: it may be alive.
  EXPECT_TRUE(processMayBeAlive(withField(id, 0, "elsewhere.example")));
}

}  // namespace
}  // namespace sluice::core
