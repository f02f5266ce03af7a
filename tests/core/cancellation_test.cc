#include "core/cancellation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(Cancellation, ADeadlineRunsTheInterruptersRegisteredThen) {
  Cancellation c;
  std::atomic<int> interrupted{0};
  {
    auto gone = c.onCancel([&] { interrupted += 100; });  // its work ended before the deadline
  }
  auto running = c.onCancel([&] { interrupted += 1; });
  Deadline d(c, steady_clock::now() + milliseconds(50));
  EXPECT_FALSE(c.cancelled());
  for (int i = 0; i < 200 && !c.cancelled(); i++) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_TRUE(c.cancelled());
  EXPECT_EQ(interrupted, 1);
  c.cancel();  // once only
  EXPECT_EQ(interrupted, 1);
  auto late = c.onCancel([&] { interrupted += 10; });  // registered after: runs at once
  EXPECT_EQ(interrupted, 11);
}

TEST(Cancellation, ADisarmedDeadlineNeverFires) {
  Cancellation c;
  { Deadline d(c, steady_clock::now() + milliseconds(30)); }
  Cancellation other;
  Deadline fires(other, steady_clock::now() + milliseconds(60));
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_TRUE(other.cancelled());  // the timer ran past the disarmed deadline's time
  EXPECT_FALSE(c.cancelled());
}

TEST(Cancellation, AScopeMakesItCurrentOnItsThreadOnly) {
  Cancellation outer, inner;
  EXPECT_EQ(Cancellation::current(), nullptr);
  {
    Cancellation::Scope a(&outer);
    EXPECT_EQ(Cancellation::current(), &outer);
    {
      Cancellation::Scope b(&inner);
      EXPECT_EQ(Cancellation::current(), &inner);
      std::thread([] { EXPECT_EQ(Cancellation::current(), nullptr); }).join();
    }
    EXPECT_EQ(Cancellation::current(), &outer);
  }
  EXPECT_EQ(Cancellation::current(), nullptr);
}

}  // namespace
}  // namespace sluice::core
