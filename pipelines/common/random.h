#pragma once
// Deterministic randomness for the sample-data generators: splitmix64, whose sequence
// is the same on every platform and standard library (std::uniform_int_distribution's
// is not), so a seed always makes the same data.
#include <array>
#include <cstdint>

namespace sluice::pipelines {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int64_t between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[next() % N];
  }
  bool chance(int percent) { return between(1, 100) <= percent; }

 private:
  uint64_t state_;
};

}  // namespace sluice::pipelines
