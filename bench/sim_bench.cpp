// One simulated day at 100 requests per second (8.64 million requests) with service times from
// the shipped measurements, both platforms and ECS autoscaling: the goal is under 5 s on
// one core (and under 100 MB resident: measured on the CLI with /usr/bin/time, docs/speed.md).
#include <benchmark/benchmark.h>

#include "builtin/default_model.h"
#include "data/ingest.h"
#include "modelfile/model_file.h"
#include "sim/simulate.h"

namespace {

using namespace hr;

const sim::ServiceTimes& Times() {
  static const sim::ServiceTimes times = [] {
    auto ds = data::Ingest({data::DefaultDataDir()});
    if (!ds) std::abort();
    auto t = sim::ServiceTimes::FromRecords(ds->records);
    if (!t) std::abort();
    return std::move(*t);
  }();
  return times;
}

void Day(benchmark::State& state, sim::SimPolicy policy) {
  sim::SimConfig c;
  c.arrivals.rate = 100;
  c.arrivals.mix = Times().WorkloadShares();
  c.duration_s = 86400;
  c.policy = std::move(policy);
  c.ecs.tasks = 10;
  uint64_t requests = 0;
  for (auto _ : state) {
    auto r = sim::Simulate(c, Times());
    if (!r) state.SkipWithError(r.error().message.c_str());
    requests += r->requests_total;
    benchmark::DoNotOptimize(r->cost_usd.total);
  }
  state.SetItemsProcessed(static_cast<int64_t>(requests));
}

void BM_DaySplit(benchmark::State& state) {
  sim::SimPolicy p = sim::Fixed("split:0.5");
  Day(state, p);
}
BENCHMARK(BM_DaySplit)->Unit(benchmark::kSecond)->Iterations(1)->Repetitions(3);

void BM_DayModel(benchmark::State& state) {
  sim::SimPolicy p;
  p.spec.kind = policy::PolicyKind::kModel;
  auto m = modelfile::Parse(builtin::DefaultModelText());
  if (!m) std::abort();
  p.model = *m;
  p.objective.kind = policy::ObjectiveKind::kLatency;
  Day(state, p);
}
BENCHMARK(BM_DayModel)->Unit(benchmark::kSecond)->Iterations(1)->Repetitions(3);

}  // namespace

BENCHMARK_MAIN();
