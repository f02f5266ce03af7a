#include "core/md5_lanes.h"

#include <bit>
#include <cstring>

#include "core/error.h"

namespace sluice::core {

namespace {

static_assert(std::endian::native == std::endian::little, "MD5 words are read little-endian");

using Lanes = uint32_t __attribute__((vector_size(4 * Md5Lanes::kMaxLanes)));
using State = std::array<std::array<uint32_t, Md5Lanes::kMaxLanes>, 4>;

// RFC 1321: the sine table and the per-step rotations.
constexpr uint32_t kSine[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
constexpr int kRotation[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                               5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                               4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                               6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

// The 64 steps over `blocks` consecutive blocks of every lane. One clone per instruction
// set; the vector type is 16 lanes wide, which the narrower sets split into registers.
__attribute__((target_clones("avx512f", "avx2", "default"))) void compress(
    State& state, const unsigned char* const* data, size_t blocks) {
  Lanes s[4];
  for (int i = 0; i < 4; i++) std::memcpy(&s[i], state[i].data(), sizeof(Lanes));
  for (size_t block = 0; block < blocks; block++) {
    // Word j of every lane's block, side by side.
    alignas(64) uint32_t words[16][Md5Lanes::kMaxLanes];
    for (size_t lane = 0; lane < Md5Lanes::kMaxLanes; lane++)
      for (int j = 0; j < 16; j++)
        std::memcpy(&words[j][lane], data[lane] + block * Md5Lanes::kBlock + 4 * j, 4);
    Lanes m[16];
    std::memcpy(m, words, sizeof m);
    Lanes a = s[0], b = s[1], c = s[2], d = s[3];
#pragma GCC unroll 64
    for (int i = 0; i < 64; i++) {
      Lanes f;
      int g;
      if (i < 16) {
        f = d ^ (b & (c ^ d));
        g = i;
      } else if (i < 32) {
        f = c ^ (d & (b ^ c));
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const Lanes t = a + f + kSine[i] + m[g];
      a = d;
      d = c;
      c = b;
      b = b + ((t << kRotation[i]) | (t >> (32 - kRotation[i])));
    }
    s[0] += a;
    s[1] += b;
    s[2] += c;
    s[3] += d;
  }
  for (int i = 0; i < 4; i++) std::memcpy(state[i].data(), &s[i], sizeof(Lanes));
}

}  // namespace

Md5Lanes::Md5Lanes(size_t lanes) : lanes_(lanes) {
  if (lanes == 0 || lanes > kMaxLanes)
    throw Error(errc::kInvalidArgument, "Md5Lanes hashes 1 to 16 messages at once");
  constexpr uint32_t kInitial[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  for (int i = 0; i < 4; i++) state_[i].fill(kInitial[i]);
}

void Md5Lanes::update(const unsigned char* const* data, size_t bytes) {
  if (bytes % kBlock != 0)
    throw Error(errc::kInvalidArgument, "Md5Lanes::update takes whole 64-byte blocks");
  // Unused lanes repeat the first message; their digests are not returned.
  const unsigned char* lanes[kMaxLanes];
  for (size_t i = 0; i < kMaxLanes; i++) lanes[i] = data[i < lanes_ ? i : 0];
  compress(state_, lanes, bytes / kBlock);
  length_ += bytes;
}

std::vector<std::string> Md5Lanes::finish(const unsigned char* const* data, size_t bytes) {
  const size_t whole = bytes / kBlock * kBlock;
  update(data, whole);
  // The rest, 0x80, zeros and the length in bits: one block, or two when the rest leaves
  // no room for the length.
  const size_t rest = bytes - whole;
  const size_t tail = rest + 9 <= kBlock ? kBlock : 2 * kBlock;
  const uint64_t bits = (length_ + rest) * 8;
  std::vector<unsigned char> tails(lanes_ * tail, 0);
  const unsigned char* lanes[kMaxLanes] = {};
  for (size_t i = 0; i < lanes_; i++) {
    unsigned char* t = tails.data() + i * tail;
    if (rest > 0) std::memcpy(t, data[i] + whole, rest);
    t[rest] = 0x80;
    std::memcpy(t + tail - 8, &bits, 8);
    lanes[i] = t;
  }
  update(lanes, tail);
  std::vector<std::string> digests(lanes_, std::string(16, '\0'));
  for (size_t i = 0; i < lanes_; i++)
    for (int w = 0; w < 4; w++) std::memcpy(digests[i].data() + 4 * w, &state_[w][i], 4);
  return digests;
}

}  // namespace sluice::core
