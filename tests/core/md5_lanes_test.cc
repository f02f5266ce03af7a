#include "core/md5_lanes.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "core/hash.h"

namespace sluice::core {
namespace {

std::vector<std::string> randomMessages(size_t count, size_t length, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> messages(count, std::string(length, '\0'));
  for (auto& m : messages)
    for (auto& c : m) c = static_cast<char>(rng());
  return messages;
}

std::vector<const unsigned char*> pointers(const std::vector<std::string>& messages, size_t at) {
  std::vector<const unsigned char*> p;
  for (const auto& m : messages) p.push_back(reinterpret_cast<const unsigned char*>(m.data()) + at);
  return p;
}

// Every length around the padding's edges (55/56 bytes leave or do not leave room for the
// length in the last block), with every number of lanes.
TEST(Md5Lanes, DigestsEqualMd5OfEachMessage) {
  for (size_t length : {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4099}) {
    for (size_t lanes = 1; lanes <= Md5Lanes::kMaxLanes; lanes += 5) {
      auto messages = randomMessages(lanes, length, static_cast<unsigned>(length * 31 + lanes));
      auto digests = Md5Lanes(lanes).finish(pointers(messages, 0).data(), length);
      ASSERT_EQ(digests.size(), lanes);
      for (size_t i = 0; i < lanes; i++)
        EXPECT_EQ(toHex(digests[i]), md5Hex(messages[i])) << "length " << length << " lane " << i;
    }
  }
}

TEST(Md5Lanes, MessagesMayArriveInPieces) {
  auto messages = randomMessages(16, 64 * 100 + 17, 7);
  Md5Lanes lanes(16);
  lanes.update(pointers(messages, 0).data(), 64 * 30);
  lanes.update(pointers(messages, 64 * 30).data(), 64 * 70);
  auto digests = lanes.finish(pointers(messages, 64 * 100).data(), 17);
  for (size_t i = 0; i < messages.size(); i++) EXPECT_EQ(toHex(digests[i]), md5Hex(messages[i]));
}

TEST(Md5Lanes, RefusesWhatItCannotHash) {
  EXPECT_THROW(Md5Lanes(0), Error);
  EXPECT_THROW(Md5Lanes(17), Error);
  auto messages = randomMessages(2, 100, 1);
  Md5Lanes lanes(2);
  EXPECT_THROW(lanes.update(pointers(messages, 0).data(), 100), Error);  // not whole blocks
}

}  // namespace
}  // namespace sluice::core
