// Calibration of the per-request probability (policy::LambdaWinProbability) under the latency
// objective, on the shipped measurements: outcome tables learnt from a seeded stratified 70 % of
// the records, and over the held-out 30 % each record paired with a random held-out record of the
// same cell on the other platform; a pair is a win when Lambda's response time is the lower (ties
// count a half). Binned by the reported probability into 10 bins, each bin with enough pairs must
// win at its mean reported probability within 5 points, for each of five seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "data/ingest.h"
#include "policy/objective.h"
#include "train/outcome_tables.h"
#include "train/split.h"
#include "train/training_set.h"

namespace hr::policy {
namespace {

constexpr int kBins = 10;
constexpr double kMinPairs = 200;
constexpr double kTolerance = 0.05;

struct Bin {
  double pairs = 0;
  double reported = 0;  // sum of reported probabilities
  double wins = 0;
};

const data::Dataset& Shipped() {
  static const data::Dataset ds = [] {
    auto r = data::Ingest({std::string(HR_SOURCE_DIR) + "/data/aws-measurements"});
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }();
  return ds;
}

std::array<Bin, kBins> Calibration(uint64_t seed) {
  const data::Dataset& ds = Shipped();
  const auto& records = ds.records;
  // Stratified by platform, so both parts have the mix of the whole.
  std::vector<int8_t> platform(records.size());
  for (size_t i = 0; i < records.size(); ++i)
    platform[i] = records[i].platform == Platform::kLambda ? 1 : 0;
  const auto parts = train::StratifiedSplit(platform, 0, 0.3, seed);
  std::vector<uint32_t> seen;
  using Key = std::tuple<int, double, int, int>;
  std::map<Key, std::array<std::vector<uint32_t>, 2>> held;  // per cell: [lambda, ecs] records
  for (size_t i = 0; i < records.size(); ++i) {
    const data::Record& r = records[i];
    if (parts[i] != train::Part::kTest) {
      seen.push_back(static_cast<uint32_t>(i));
      continue;
    }
    if (!r.time_window || !r.load_pattern) continue;
    held[{static_cast<int>(r.workload), r.target_payload_kb, static_cast<int>(*r.time_window),
          static_cast<int>(*r.load_pattern)}][r.platform == Platform::kLambda ? 0 : 1]
        .push_back(static_cast<uint32_t>(i));
  }
  auto tables = outcome::OutcomeModel::Create(train::LearnOutcomes(records, seen, {}));
  EXPECT_TRUE(tables.ok());
  Objective latency;
  latency.kind = ObjectiveKind::kLatency;
  std::mt19937_64 rng(seed);
  std::array<Bin, kBins> bins{};
  for (const auto& [key, both] : held) {
    if (both[0].empty() || both[1].empty()) continue;
    std::array<outcome::Estimate, 2> e;
    (*tables)->Estimate(train::RequestOf(records[both[0].front()]), e);
    const double p = LambdaWinProbability(e, latency, (*tables)->spec().default_slo_ms);
    Bin& b = bins[std::min(kBins - 1, static_cast<int>(p * kBins))];
    for (size_t side = 0; side < 2; ++side) {
      const auto& other = both[1 - side];
      std::uniform_int_distribution<size_t> pick(0, other.size() - 1);
      for (uint32_t i : both[side]) {
        const uint32_t j = other[pick(rng)];
        const double lambda = records[side == 0 ? i : j].response_time_ms;
        const double ecs = records[side == 0 ? j : i].response_time_ms;
        b.pairs += 1;
        b.reported += p;
        b.wins += lambda < ecs ? 1 : lambda == ecs ? 0.5 : 0;
      }
    }
  }
  return bins;
}

TEST(ProbabilityCalibration, LatencyWinsAtTheReportedRateOnHeldOutRecords) {
  for (uint64_t seed : {42u, 7u, 2026u, 1u, 99u}) {
    const auto bins = Calibration(seed);
    std::printf("seed %llu: bin, mean reported p, win rate, pairs\n",
                static_cast<unsigned long long>(seed));
    double checked = 0;
    for (int k = 0; k < kBins; ++k) {
      const Bin& b = bins[static_cast<size_t>(k)];
      if (b.pairs == 0) continue;
      const double reported = b.reported / b.pairs, rate = b.wins / b.pairs;
      std::printf("  [%.1f, %.1f)  %.3f  %.3f  %.0f\n", k / 10.0, (k + 1) / 10.0, reported, rate,
                  b.pairs);
      if (b.pairs < kMinPairs) continue;
      checked += b.pairs;
      EXPECT_NEAR(rate, reported, kTolerance) << "seed " << seed << ", bin " << k;
    }
    EXPECT_GT(checked, 1000) << "seed " << seed;
  }
}

}  // namespace
}  // namespace hr::policy
