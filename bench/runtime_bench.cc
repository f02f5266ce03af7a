// The serverless runtime: how soon an upload starts its function (p50/p99 of
// object-created → handler start, the dispatcher running as under `sluice up`), how long
// a burst of 10k uploads takes to be dispatched, and what one invocation costs in each
// runtime (built-in, SQL file, command).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/environment.h"
#include "functions/command_function.h"
#include "functions/invoker.h"
#include "functions/sql_function.h"
#include "lake/object_store.h"
#include "project/loader.h"
#include "runtime/project_runtime.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A data folder and a project whose rule sends every upload under in/ to `noop`.
struct BenchProject {
  BenchProject()
      : dir(fs::temp_directory_path() / ("sluice-rt-bench-" + std::to_string(::getpid()))) {
    fs::create_directories(dir + "/project");
    std::ofstream(dir + "/project/sluice.yaml")
        << "buckets: [raw]\nevents:\n  uploads: {bucket: raw, prefix: in/, function: noop}\n";
    env = std::make_unique<sluice::app::Environment>(dir + "/data");
    env->addFunction("noop", "records when it started",
                     [this](const nlohmann::json&, sluice::functions::InvocationContext&) {
                       started_at = Clock::now();
                       started.fetch_add(1);
                       return nlohmann::json::object();
                     });
    runtime = std::make_unique<sluice::runtime::ProjectRuntime>(
        *env, sluice::project::loadProject(dir + "/project", {"noop"}));
    runtime->apply();
    runtime->start();
  }
  ~BenchProject() {
    runtime.reset();
    env.reset();
    fs::remove_all(dir);
  }
  void waitFor(int64_t n) {
    while (started.load() < n) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  std::string dir;
  std::unique_ptr<sluice::app::Environment> env;
  std::unique_ptr<sluice::runtime::ProjectRuntime> runtime;
  std::atomic<int64_t> started{0};
  Clock::time_point started_at;
};

void BM_UploadToFunctionStart(benchmark::State& state) {
  BenchProject p;
  std::vector<double> ms;
  int64_t i = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    p.env->lake().put("raw", "in/" + std::to_string(i++), "x");
    p.waitFor(i);
    ms.push_back(std::chrono::duration<double, std::milli>(p.started_at - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
}
BENCHMARK(BM_UploadToFunctionStart)->Iterations(1000)->UseRealTime()->Unit(benchmark::kMillisecond);

// 10k uploads from N writers (2, and 10 as the AWS CLI sends at once by default); the
// time until every one has started its function.
void BM_Burst10kUploads(benchmark::State& state) {
  const int writer_count = static_cast<int>(state.range(0));
  for (auto _ : state) {
    BenchProject p;
    const auto t0 = Clock::now();
    std::vector<std::thread> writers;
    for (int w = 0; w < writer_count; ++w)
      writers.emplace_back([&, w] {
        for (int i = w; i < 10000; i += writer_count)
          p.env->lake().put("raw", "in/" + std::to_string(w) + "/" + std::to_string(i), "x");
      });
    for (auto& t : writers) t.join();
    const double uploaded = std::chrono::duration<double>(Clock::now() - t0).count();
    p.waitFor(10000);
    const double all = std::chrono::duration<double>(Clock::now() - t0).count();
    state.counters["uploads_s"] = uploaded;
    state.counters["dispatched_s"] = all;
    state.counters["events_per_s"] = 10000 / all;
  }
}
BENCHMARK(BM_Burst10kUploads)->Arg(2)->Arg(10)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

// A 4 KiB put through the Environment's lake, which checks every write against the
// object-event rules: beside BM_LakePut/4096 in lake_bench (the store alone), this is
// what the trigger check costs a write that matches no rule.
void BM_LakePutCheckingRules(benchmark::State& state) {
  BenchProject p;
  const std::string body(4096, 'x');
  int64_t i = 0;
  for (auto _ : state) p.env->lake().put("raw", "other/" + std::to_string(i++ % 1000), body);
}
BENCHMARK(BM_LakePutCheckingRules)->UseRealTime()->Unit(benchmark::kMicrosecond);

// One recorded invocation through the Invoker, per runtime.
void BM_InvokeOverhead(benchmark::State& state) {
  BenchProject p;
  const std::string sql = p.dir + "/one.sql";
  std::ofstream(sql) << "SELECT $n + 1 AS n";
  sluice::functions::CommandSpec cat;
  cat.argv = {"/bin/cat"};
  p.env->addFunction("sql_one", "", sluice::functions::sqlFileHandler(sql));
  p.env->addFunction("command_cat", "", sluice::functions::commandHandler(cat));
  const char* names[] = {"noop", "sql_one", "command_cat"};
  sluice::functions::Invoker invoker(p.env->functions(), p.env->services());
  const std::string name = names[state.range(0)];
  for (auto _ : state) benchmark::DoNotOptimize(invoker.invoke(name, {{"n", 1}}));
  state.SetLabel(name);
}
BENCHMARK(BM_InvokeOverhead)->DenseRange(0, 2)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
