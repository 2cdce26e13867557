// A router log with real body sizes, trained on and replayed: the shipped measurements written
// as `route --outcome-log` writes them (route::FormatAttempt), each payload the body the client
// sent (the campaign's nominal size a little over or under, as 1,024.3 KB for 1,024), read by
// train::TrainModel (what `train` runs) and replayed by eval::Evaluate (what `evaluate` runs).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "core/civil_time.h"
#include "core/mix.h"
#include "data/ingest.h"
#include "eval/evaluate.h"
#include "model/mlp.h"
#include "outcome/outcome.h"
#include "route/outcome_log.h"
#include "train/train_model.h"

namespace hr::eval {
namespace {

const std::string kShipped = std::string(HR_SOURCE_DIR) + "/data/aws-measurements";

// A deterministic number in [0, 1) for record `i` and stream `s`.
double Uniform(uint64_t i, uint64_t s) {
  return static_cast<double>(core::Mix64(i * 2 + s) >> 11) * 0x1.0p-53;
}

// The body size a client sends for a nominal size: up to 0.05 % off either way, plus up to 50
// bytes of envelope.
double BodyKb(double nominal_kb, uint64_t i) {
  return nominal_kb * (1 + 0.001 * (Uniform(i, 0) - 0.5)) + 0.05 * Uniform(i, 1);
}

// Writes the shipped records as one outcome log file of `dir`; returns the lines written.
size_t WriteRouterLog(const std::string& dir) {
  auto ds = data::Ingest({kShipped});
  EXPECT_TRUE(ds) << ds.error().message;
  if (!ds) return 0;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream out(dir + "/route-20251122T000000Z-1-0.jsonl", std::ios::binary);
  for (size_t i = 0; i < ds->records.size(); ++i) {
    const data::Record& r = ds->records[i];
    route::AttemptLine a;
    a.request_id = std::to_string(i);
    a.platform = r.platform;
    a.workload = r.workload;
    a.timestamp = core::FormatWallClockMicros(core::FromUnixSeconds(r.timestamp_us / 1000000));
    a.http_status = 200;
    a.response_time_ms = r.response_time_ms;
    a.target_payload_kb = BodyKb(r.target_payload_kb, i);  // no target named: the body's size
    a.actual_payload_kb = a.target_payload_kb;
    a.time_window = r.time_window.value_or(features::TimeWindow::kOther);
    a.load_pattern = r.load_pattern.value_or(features::LoadPattern::kLowLoad);
    a.metrics.execution_time_ms = r.execution_time_ms;
    a.metrics.memory_used_mb = r.memory_used_mb;
    if (std::isfinite(r.memory_limit_mb)) a.metrics.memory_limit_mb = r.memory_limit_mb;
    if (r.cold_start >= 0) a.metrics.cold_start = r.cold_start == 1;
    a.metrics.found = true;
    a.decision = "explore";
    a.policy = "model";
    a.propensity = 0.5;
    a.outcome = "answered";
    out << route::FormatAttempt(a) << '\n';
  }
  return ds->records.size();
}

TEST(RouterLogReplay, TablesLearnTheSizesTheTrafficHadAndTheReplayDrawsFromTheirCells) {
  const std::string dir = ::testing::TempDir() + "/hr_router_log";
  const size_t lines = WriteRouterLog(dir);
  ASSERT_GT(lines, 80000u);

  train::TrainModelConfig tc;
  tc.data = {dir};
  tc.mlp.hidden = {8};
  tc.mlp.max_epochs = 3;
  tc.training_date = "2026-01-02T03:04:05.000000Z";
  auto trained = train::TrainModel(tc);
  ASSERT_TRUE(trained) << trained.error().message;
  auto m = model::Model::Create(trained->spec);
  ASSERT_TRUE(m) << m.error().message;

  // The tables have one payload row per size the traffic had (the campaign's 17), each the
  // median body of its size, not one row per body size.
  const auto& tables = *(*m)->spec().outcomes;
  std::map<features::Workload, std::set<double>> rows;
  for (const outcome::Cell& c : tables.spec().cells) {
    if (c.payload_kb) rows[c.workload].insert(*c.payload_kb);
  }
  const std::map<features::Workload, std::vector<double>> nominal = {
      {features::Workload::kLightweightApi, {0.5, 1, 5, 10}},
      {features::Workload::kThumbnailProcessing, {50, 100, 200, 500, 1024}},
      {features::Workload::kMediumProcessing, {1024, 2048, 3072, 4096}},
      {features::Workload::kHeavyProcessing, {2048, 3072, 4096, 5120}}};
  for (const auto& [w, sizes] : nominal) {
    ASSERT_EQ(rows[w].size(), sizes.size()) << features::Name(w);
    size_t k = 0;
    for (double kb : rows[w]) {
      EXPECT_NEAR(kb, sizes[k], 0.001 * sizes[k] + 0.05) << features::Name(w);
      ++k;
    }
  }

  // Replayed on its held-out test split, a request of 1,024.3 KB draws from the 1,024 KB cell:
  // almost no draw falls back to the whole workload.
  EvaluateConfig ec;
  ec.data = {dir};
  ec.model = *m;
  ec.model_name = "router-log";
  ec.replay.draws = 1;
  auto e = Evaluate(ec);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->held_out, "test split");
  ASSERT_GT(e->result.draws_made, 100000u);
  const double whole_workload =
      static_cast<double>(e->result.coarse_fallbacks) / static_cast<double>(e->result.draws_made);
  std::printf("router log: %llu of %llu draws fell back to the whole workload (%.2f %%)\n",
              static_cast<unsigned long long>(e->result.coarse_fallbacks),
              static_cast<unsigned long long>(e->result.draws_made), 100 * whole_workload);
  EXPECT_LT(whole_workload, 0.01);
  if (!std::getenv("HR_KEEP_TEST_LOGS")) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hr::eval
