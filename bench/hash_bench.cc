// ETag hashing: one MD5 over 128 MiB against the same bytes as sixteen 8 MiB parts hashed
// side by side (core::Md5Lanes), the form data steps' outputs over 8 MiB are hashed in.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/hash.h"
#include "core/md5_lanes.h"

namespace {

using sluice::core::Md5Lanes;
constexpr size_t kPart = 8 << 20;

const std::string& sixteenParts() {
  static const std::string bytes = [] {
    std::string s(Md5Lanes::kMaxLanes * kPart, '\0');
    uint32_t x = 1;
    for (auto& c : s) c = static_cast<char>((x = x * 1103515245 + 12345) >> 16);
    return s;
  }();
  return bytes;
}

void BM_Md5OneStream(benchmark::State& state) {
  const std::string& bytes = sixteenParts();
  for (auto _ : state) benchmark::DoNotOptimize(sluice::core::md5Hex(bytes));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_Md5OneStream)->Unit(benchmark::kMillisecond);

void BM_Md5SixteenLanes(benchmark::State& state) {
  const std::string& bytes = sixteenParts();
  std::vector<const unsigned char*> parts;
  for (size_t i = 0; i < Md5Lanes::kMaxLanes; i++)
    parts.push_back(reinterpret_cast<const unsigned char*>(bytes.data()) + i * kPart);
  for (auto _ : state) benchmark::DoNotOptimize(Md5Lanes(parts.size()).finish(parts.data(), kPart));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_Md5SixteenLanes)->Unit(benchmark::kMillisecond);

}  // namespace
