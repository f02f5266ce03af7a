// Parameter store latency on the embedded SQLite state store (synchronous=FULL).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "state/sqlite_state_store.h"

namespace {

namespace fs = std::filesystem;
using namespace sluice::state;

struct BenchState {
  BenchState()
      : dir(fs::temp_directory_path() / ("sluice-bench-state-" + std::to_string(::getpid()))),
        store((fs::create_directories(dir), dir + "/state.db"), SecretBox(std::string(32, 'k'))) {}
  ~BenchState() { fs::remove_all(dir); }
  std::string dir;
  SqliteStateStore store;
};

void BM_ParamPut(benchmark::State& state) {
  BenchState s;
  int64_t i = 0;
  for (auto _ : state)
    s.store.parameters().put(
        {"/bench/p" + std::to_string(i++ % 100), "value", ParameterType::kString, "", true});
}
BENCHMARK(BM_ParamPut)->UseRealTime();

void BM_ParamGet(benchmark::State& state) {
  BenchState s;
  for (int i = 0; i < 100; i++)
    s.store.parameters().put(
        {"/bench/p" + std::to_string(i), "value", ParameterType::kString, "", true});
  int64_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(s.store.parameters().get("/bench/p" + std::to_string(i++ % 100)));
}
BENCHMARK(BM_ParamGet)->UseRealTime();

void BM_SecureParamGet(benchmark::State& state) {
  BenchState s;
  s.store.parameters().put({"/bench/secret", "value", ParameterType::kSecureString, "", true});
  for (auto _ : state) benchmark::DoNotOptimize(s.store.parameters().get("/bench/secret"));
}
BENCHMARK(BM_SecureParamGet)->UseRealTime();

}  // namespace
