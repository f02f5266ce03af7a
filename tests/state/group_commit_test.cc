#include "state/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace sluice::state {
namespace {

TEST(GroupCommit, ConcurrentCallersShareCommitsAndEachGetsItsOwnResult) {
  std::atomic<int> commits{0}, committed{0};
  GroupCommit<int, int> group([&](const std::vector<int>& items) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the fsync
    commits++;
    committed += static_cast<int>(items.size());
    std::vector<int> doubled;
    for (int i : items) doubled.push_back(2 * i);
    return doubled;
  });
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; t++)
    callers.emplace_back([&, t] {
      for (int i = 0; i < 100; i++)
        if (group.submit(t * 1000 + i) != 2 * (t * 1000 + i)) wrong++;
    });
  for (auto& c : callers) c.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(committed, 800);
  EXPECT_LT(commits, 400) << "callers waiting behind a commit should share the next one";
}

TEST(GroupCommit, AFailedCommitFailsItsCallersOnly) {
  GroupCommit<int, int> group([](const std::vector<int>& items) -> std::vector<int> {
    for (int i : items)
      if (i < 0) throw std::runtime_error("disk full");
    return items;
  });
  EXPECT_THROW(group.submit(-1), std::runtime_error);
  EXPECT_EQ(group.submit(7), 7);  // the next commit is not tainted
}

}  // namespace
}  // namespace sluice::state
