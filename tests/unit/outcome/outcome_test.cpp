#include "outcome/outcome.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hr::outcome {
namespace {

using features::LoadPattern;
using features::TimeWindow;
using features::Workload;

// Stats whose response quantiles rise linearly from `lo` to `hi` (so exceedance is exact).
Stats Linear(double n, double lo, double hi, double cost = 1e-6) {
  Stats s;
  s.n = n;
  s.response_mean_ms = (lo + hi) / 2;
  s.response_sd_ms = (hi - lo) / std::sqrt(12.0);
  for (size_t i = 0; i < kQuantiles; ++i)
    s.response_quantiles_ms[i] = lo + (hi - lo) * kQuantileLevels[i];
  s.execution_mean_ms = s.response_mean_ms / 2;
  s.cost_mean_usd = {cost, cost / 2, cost / 4};
  return s;
}

OutcomeSpec Tables() {
  OutcomeSpec spec;
  spec.default_slo_ms = 1000;
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    Cell c;
    c.workload = static_cast<Workload>(w);
    c.platform = {Linear(100, 0, 1000), Linear(100, 0, 2000)};
    spec.cells.push_back(c);
  }
  Cell small;  // lightweight_api at 1 KB and 10 KB
  small.workload = Workload::kLightweightApi;
  small.payload_kb = 1;
  small.platform = {Linear(50, 100, 300), Linear(50, 200, 400)};
  spec.cells.push_back(small);
  Cell big = small;
  big.payload_kb = 10;
  big.platform = {Linear(50, 500, 700), std::nullopt};  // never measured on ECS at 10 KB
  spec.cells.push_back(big);
  Cell full = small;  // 1 KB at midday under low load
  full.time_window = TimeWindow::kMidday;
  full.load_pattern = LoadPattern::kLowLoad;
  full.platform = {Linear(10, 1000, 1200), Linear(10, 0, 100)};
  spec.cells.push_back(full);
  return spec;
}

features::Request At(double kb, TimeWindow t = TimeWindow::kMidday,
                     LoadPattern l = LoadPattern::kLowLoad) {
  features::Request r;
  r.workload = Workload::kLightweightApi;
  r.payload_kb = kb;
  r.time_window = t;
  r.load_pattern = l;
  return r;
}

TEST(Outcome, TheFullCellAnswersAndItsParentsFillTheGaps) {
  auto m = OutcomeModel::Create(Tables());
  ASSERT_TRUE(m) << m.error().message;
  std::array<Estimate, 2> e;
  (*m)->Estimate(At(1), e);
  EXPECT_DOUBLE_EQ(e[0].response_mean_ms, 1100);  // the full cell
  EXPECT_DOUBLE_EQ(e[1].response_mean_ms, 50);
  (*m)->Estimate(At(1, TimeWindow::kEvening), e);  // no such cell: the (workload, payload) row
  EXPECT_DOUBLE_EQ(e[0].response_mean_ms, 200);
  EXPECT_DOUBLE_EQ(e[1].response_mean_ms, 300);
  (*m)->Estimate(At(10), e);  // ECS never ran 10 KB: the workload's row
  EXPECT_DOUBLE_EQ(e[0].response_mean_ms, 600);
  EXPECT_DOUBLE_EQ(e[1].response_mean_ms, 1000);
  (*m)->Estimate(At(1000), e);  // beyond the largest size: the nearest
  EXPECT_DOUBLE_EQ(e[0].response_mean_ms, 600);
  (*m)->Estimate(At(0.1), e);  // below the smallest
  EXPECT_DOUBLE_EQ(e[0].response_mean_ms, 1100);
  features::Request heavy = At(5);
  heavy.workload = Workload::kHeavyProcessing;  // no payload rows at all
  (*m)->Estimate(heavy, e);
  EXPECT_DOUBLE_EQ(e[1].response_mean_ms, 1000);
}

TEST(Outcome, PayloadsBetweenMeasuredSizesAreInterpolatedInLogSize) {
  auto m = OutcomeModel::Create(Tables());
  ASSERT_TRUE(m);
  std::array<Estimate, 2> e;
  const double kb = 3;
  (*m)->Estimate(At(kb, TimeWindow::kEvening), e);
  const double f = (std::log1p(kb) - std::log1p(1.0)) / (std::log1p(10.0) - std::log1p(1.0));
  EXPECT_NEAR(e[0].response_mean_ms, 200 * (1 - f) + 600 * f, 1e-9);
  EXPECT_NEAR(e[0].response_quantiles_ms.back(), 300 * (1 - f) + 700 * f, 1e-9);
  EXPECT_NEAR(e[0].cost_mean_usd[0], 1e-6, 1e-18);
}

TEST(Outcome, ShrinkagePullsThinCellsTowardTheirParent) {
  OutcomeSpec spec = Tables();
  spec.shrinkage = 10;
  auto m = OutcomeModel::Create(spec);
  ASSERT_TRUE(m);
  std::array<Estimate, 2> e;
  (*m)->Estimate(At(1), e);
  // (workload, payload) row: (50 * 200 + 10 * 500) / 60; the full cell: (10 * 1100 + 10 * that) /
  // 20
  const double mid = (50.0 * 200 + 10 * 500) / 60;
  EXPECT_NEAR(e[0].response_mean_ms, (10 * 1100 + 10 * mid) / 20, 1e-9);
  EXPECT_DOUBLE_EQ(e[0].n, 20);
}

TEST(Outcome, ExceedanceIsReadOffTheQuantiles) {
  const Stats s = Linear(1, 1000, 2000);
  EXPECT_DOUBLE_EQ(ExceedProbability(s, 500), 1);
  EXPECT_NEAR(ExceedProbability(s, 1500), 0.5, 1e-12);
  EXPECT_NEAR(ExceedProbability(s, 1950), 0.05, 1e-12);
  EXPECT_DOUBLE_EQ(ExceedProbability(s, 2000), 0);
}

// Data without a workload gives tables without it: they cover the others, and say so.
TEST(Outcome, TablesWithoutAWorkloadCoverTheOthers) {
  OutcomeSpec s = Tables();
  s.cells.erase(s.cells.begin() + 2);  // no medium_processing row (it had no other)
  auto m = OutcomeModel::Create(std::move(s));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_FALSE((*m)->Covers(Workload::kMediumProcessing));
  for (auto w :
       {Workload::kLightweightApi, Workload::kThumbnailProcessing, Workload::kHeavyProcessing})
    EXPECT_TRUE((*m)->Covers(w));
}

TEST(Outcome, BadTablesAreRefusedWithTheReason) {
  auto refused = [](OutcomeSpec spec, const char* says) {
    auto m = OutcomeModel::Create(std::move(spec));
    ASSERT_FALSE(m) << says;
    EXPECT_EQ(m.error().code, core::ErrorCode::kInvalidModel);
    EXPECT_NE(m.error().message.find(says), std::string::npos) << m.error().message;
  };
  OutcomeSpec s = Tables();
  s.cells.erase(s.cells.begin(), s.cells.begin() + 4);  // no workload row, payload rows left
  refused(s, "rows of workload lightweight_api without its workload row");
  s.cells.clear();
  refused(s, "no row for any workload");
  s = Tables();
  s.cells.erase(s.cells.begin() + 4);  // the full cell loses its (workload, payload) row
  refused(s, "no (workload, payload) row");
  s = Tables();
  s.cells[0].platform[1] = std::nullopt;
  refused(s, "needs both platforms");
  s = Tables();
  s.cells[4].platform[0]->response_quantiles_ms[3] = 1e9;
  refused(s, "quantiles ascending");
  s = Tables();
  s.cells[4].platform[0]->cost_mean_usd[1] = NAN;
  refused(s, "finite");
  s = Tables();
  s.default_slo_ms = 0;
  refused(s, "default_slo_ms");
  s = Tables();
  s.cells.push_back(s.cells[4]);
  refused(s, "appears twice");
}

}  // namespace
}  // namespace hr::outcome
