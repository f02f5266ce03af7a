#pragma once
// MD5 of several messages of one length at once, one message per SIMD lane.
//
// A single MD5 cannot be parallelised: each 64-byte block depends on the one before, and
// one core hashes about 0.8 GB/s. The parts of a multipart ETag are independent messages
// of the same size, so up to 16 of them go through the rounds side by side (AVX-512 or
// AVX2 when the CPU has them, chosen at load time); the digests are the same as MD5's.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::core {

class Md5Lanes {
 public:
  static constexpr size_t kMaxLanes = 16;
  static constexpr size_t kBlock = 64;

  // Hashes `lanes` messages (1..kMaxLanes).
  explicit Md5Lanes(size_t lanes);

  // Hashes the next `bytes` of every message; data[i] points at message i's next bytes.
  // `bytes` is a multiple of kBlock: only the end of a message may be a partial block.
  void update(const unsigned char* const* data, size_t bytes);

  // Hashes the last `bytes` (any number) of every message and returns each message's
  // 16-byte digest. Call once.
  std::vector<std::string> finish(const unsigned char* const* data, size_t bytes);

 private:
  size_t lanes_;
  uint64_t length_ = 0;  // bytes hashed so far per message
  std::array<std::array<uint32_t, kMaxLanes>, 4> state_;
};

}  // namespace sluice::core
