#include "core/clock.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ids.h"

namespace sluice::core {

TEST(Clock, FormatsMillisecondsInUtc) {
  EXPECT_EQ(formatIso8601Ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatIso8601Ms(1'763'806'517'123'456'789), "2025-11-22T10:15:17.123Z");
}

TEST(Clock, ParsesZonesAndFractions) {
  EXPECT_EQ(parseIso8601("2025-11-22T10:15:17Z"), 1'763'806'517'000'000'000);
  EXPECT_EQ(parseIso8601("2025-11-22T10:15:17.5Z"), 1'763'806'517'500'000'000);
  EXPECT_EQ(parseIso8601("2025-11-22T11:15:17+01:00"), 1'763'806'517'000'000'000);
  EXPECT_THROW(parseIso8601("2025-11-22T10:15:17"), Error);
  EXPECT_THROW(parseIso8601("yesterday"), Error);
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(100);
  EXPECT_EQ(clock.now(), 100);
  clock.advance(50);
  EXPECT_EQ(clock.now(), 150);
}

TEST(Ids, Uuid4HasVersionAndVariant) {
  std::string id = uuid4();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_NE(uuid4(), id);
}

}  // namespace sluice::core
