// Workflow engine speed: state transitions per second for a 10-state Pass chain and a
// 1,000-item Map, in memory and durable (every event in SQLite), and the latency of
// starting and finishing a one-state execution. bench/flow/run compares these with the
// aws-local-stepfunctions npm package on the same definitions.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "data/duckdb_engine.h"
#include "flow/interpreter.h"
#include "functions/registry.h"
#include "lake/local_store.h"
#include "state/sqlite_state_store.h"
#include "workflows/workflow_service.h"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// `with_data`: each state builds its output from its input with Parameters (a path and
// a constant), as real Pass states do; without it they only hand their input on.
json passChain(int n, bool with_data = false) {
  json states = json::object();
  for (int i = 0; i < n; i++) {
    json s = {{"Type", "Pass"}};
    if (with_data) s["Parameters"] = {{"n.$", "$.n"}, {"step", i}};
    if (i + 1 < n)
      s["Next"] = "P" + std::to_string(i + 1);
    else
      s["End"] = true;
    states["P" + std::to_string(i)] = s;
  }
  return {{"StartAt", "P0"}, {"States", states}};
}

json map1000() {
  return json::parse(R"({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
      "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}})");
}

json items1000() {
  json items = json::array();
  for (int i = 0; i < 1000; i++) items.push_back({{"i", i}});
  return {{"items", items}};
}

// Transitions = states entered. In memory means no history is kept, as in the peer.
void runInMemory(benchmark::State& state, const json& def_json, const json& input,
                 int transitions) {
  auto def = sluice::flow::Definition::parse(def_json);
  sluice::flow::RecordingSleeper sleeper;
  sluice::flow::ExecutionOptions o;  // no history, like the peer
  o.sleeper = &sleeper;
  for (auto _ : state) benchmark::DoNotOptimize(sluice::flow::runExecution(def, input, o));
  state.SetItemsProcessed(state.iterations() * transitions);
}

struct Durable {
  Durable()
      : dir(fs::temp_directory_path() / ("sluice-bench-flow-" + std::to_string(::getpid()))),
        lake((fs::create_directories(dir), dir + "/lake")),
        state(dir + "/state.db", sluice::state::SecretBox(std::string(32, 'k'))),
        services{lake, state, duckdb, dir, {}, {}},
        service(registry, services) {}
  ~Durable() { fs::remove_all(dir); }
  std::string dir;
  sluice::lake::LocalObjectStore lake;
  sluice::state::SqliteStateStore state;
  sluice::data::Database duckdb;
  sluice::functions::Registry registry;
  sluice::functions::Services services;
  sluice::workflows::WorkflowService service;
};

void runDurable(benchmark::State& state, const json& def, const json& input, int transitions) {
  Durable d;
  d.service.putWorkflow("bench", def);
  for (auto _ : state) benchmark::DoNotOptimize(d.service.startAndRun("bench", input));
  state.SetItemsProcessed(state.iterations() * transitions);
}

void BM_PassChain10_InMemory(benchmark::State& s) {
  runInMemory(s, passChain(10), json::object(), 10);
}
void BM_PassChain10Data_InMemory(benchmark::State& s) {
  runInMemory(s, passChain(10, true), json{{"n", 1}}, 10);
}
void BM_PassChain10_Durable(benchmark::State& s) {
  runDurable(s, passChain(10), json::object(), 10);
}
// Many executions at once, as a burst of uploads or API calls starts them: 32 threads
// each start and run executions of the chain, every one durable before it is reported.
void BM_PassChain10_Durable32Concurrent(benchmark::State& s) {
  constexpr int kThreads = 32, kEach = 8;
  Durable d;
  const json def = passChain(10);
  d.service.putWorkflow("bench", def);
  for (auto _ : s) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
      threads.emplace_back([&] {
        for (int i = 0; i < kEach; i++) d.service.startAndRun("bench", json::object());
      });
    for (auto& t : threads) t.join();
  }
  s.SetItemsProcessed(s.iterations() * kThreads * kEach * 10);
}
void BM_Map1000_InMemory(benchmark::State& s) { runInMemory(s, map1000(), items1000(), 1001); }
void BM_Map1000_Durable(benchmark::State& s) { runDurable(s, map1000(), items1000(), 1001); }
void BM_StartOneState_Durable(benchmark::State& s) {
  runDurable(s, passChain(1), json::object(), 1);
}

BENCHMARK(BM_PassChain10_InMemory)->UseRealTime();
BENCHMARK(BM_PassChain10Data_InMemory)->UseRealTime();
BENCHMARK(BM_PassChain10_Durable)->UseRealTime();
BENCHMARK(BM_PassChain10_Durable32Concurrent)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Map1000_InMemory)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Map1000_Durable)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StartOneState_Durable)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
