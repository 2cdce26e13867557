// Reading the shipped measurements (60 gzip files, 88,286 lines) into typed records, and the
// labels and audit on top. HYBRID_ROUTER_DATA overrides the directory.
#include <benchmark/benchmark.h>

#include "data/audit.h"
#include "data/ingest.h"
#include "data/labels.h"

namespace {

void BM_IngestShipped(benchmark::State& state) {
  const std::string dir = hr::data::DefaultDataDir();
  size_t lines = 0;
  for (auto _ : state) {
    auto ds = hr::data::Ingest({dir});
    if (!ds) {
      state.SkipWithError(ds.error().message.c_str());
      return;
    }
    lines = ds->records.size() + ds->rejections.size();
    benchmark::DoNotOptimize(ds->records.data());
  }
  state.counters["lines"] = static_cast<double>(lines);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines));
}
BENCHMARK(BM_IngestShipped)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LabelsAndAudit(benchmark::State& state) {
  auto ds = hr::data::Ingest({hr::data::DefaultDataDir()});
  for (auto _ : state) {
    auto labels = hr::data::SeedBalancedLabels(ds->records);
    auto report = hr::data::Audit(*ds);
    benchmark::DoNotOptimize(labels.lambda);
    benchmark::DoNotOptimize(report.findings.data());
  }
}
BENCHMARK(BM_LabelsAndAudit)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
