// Local lake throughput: put/get/list of small and 1 MiB objects, beside the floor a
// hand-written durable file write (write, fdatasync, rename, fsync folder) sets.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "lake/local_store.h"

namespace {

namespace fs = std::filesystem;
using sluice::lake::LocalObjectStore;

struct BenchLake {
  BenchLake()
      : root(fs::temp_directory_path() / ("sluice-bench-" + std::to_string(::getpid()))),
        store(root) {
    store.createBucket("bench");
  }
  ~BenchLake() { fs::remove_all(root); }
  std::string root;
  LocalObjectStore store;
};

void BM_LakePut(benchmark::State& state) {
  BenchLake lake;
  std::string body(static_cast<size_t>(state.range(0)), 'x');
  int64_t i = 0;
  for (auto _ : state) lake.store.put("bench", "put/" + std::to_string(i++ % 1000), body);
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LakePut)->Arg(4 << 10)->Arg(1 << 20)->UseRealTime();

void BM_DurableFileWriteFloor(benchmark::State& state) {
  BenchLake lake;
  std::string body(static_cast<size_t>(state.range(0)), 'x');
  std::string dir = lake.root + "/floor";
  fs::create_directories(dir);
  int64_t i = 0;
  for (auto _ : state) {
    std::string tmp = dir + "/.tmp" + std::to_string(i),
                dst = dir + "/" + std::to_string(i++ % 1000);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    benchmark::DoNotOptimize(::write(fd, body.data(), body.size()));
    ::fdatasync(fd);
    ::close(fd);
    ::rename(tmp.c_str(), dst.c_str());
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    ::fsync(dfd);
    ::close(dfd);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DurableFileWriteFloor)->Arg(4 << 10)->Arg(1 << 20)->UseRealTime();

void BM_LakeGet(benchmark::State& state) {
  BenchLake lake;
  std::string body(static_cast<size_t>(state.range(0)), 'x');
  for (int i = 0; i < 100; i++) lake.store.put("bench", "get/" + std::to_string(i), body);
  int64_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(lake.store.get("bench", "get/" + std::to_string(i++ % 100)));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LakeGet)->Arg(4 << 10)->Arg(1 << 20)->UseRealTime();

void BM_LakeList1000(benchmark::State& state) {
  BenchLake lake;
  for (int i = 0; i < 1000; i++)
    lake.store.put("bench", "list/" + std::to_string(i % 10) + "/" + std::to_string(i), "x");
  for (auto _ : state) benchmark::DoNotOptimize(lake.store.list("bench", {}));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_LakeList1000)->UseRealTime();

}  // namespace
