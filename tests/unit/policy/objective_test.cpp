#include "policy/objective.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "../test_util.h"

namespace hr::policy {
namespace {

using features::Workload;

outcome::Stats Flat(double response_ms, double cost_usd, double sd_ms = 100) {
  outcome::Stats s;
  s.n = 100;
  s.response_mean_ms = response_ms;
  s.response_sd_ms = sd_ms;
  for (size_t i = 0; i < outcome::kQuantiles; ++i)  // uniform on mean +- 1000 ms
    s.response_quantiles_ms[i] = response_ms - 1000 + 2000 * outcome::kQuantileLevels[i];
  s.cost_mean_usd = {cost_usd, cost_usd, cost_usd};
  s.cost_sd_usd = {cost_usd / 10, cost_usd / 10, cost_usd / 10};
  return s;
}

// Lambda: faster but dearer; ECS: slower and cheaper.
std::shared_ptr<const model::Model> WithTables(std::optional<Workload> without = std::nullopt) {
  outcome::OutcomeSpec o;
  o.default_slo_ms = 2500;
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    if (without && static_cast<Workload>(w) == *without) continue;
    outcome::Cell c;
    c.workload = static_cast<Workload>(w);
    c.platform = {Flat(2000, 2e-5), Flat(2200, 1e-5)};
    o.cells.push_back(c);
  }
  model::ModelSpec spec = testing::SeedSpec();
  spec.outcomes = *outcome::OutcomeModel::Create(o);
  return *model::Model::Create(spec);
}

features::Request Heavy() {
  features::Request r;
  r.workload = Workload::kHeavyProcessing;
  r.payload_kb = 5120;
  return r;
}

TEST(Objective, EachObjectiveChoosesTheBetterExpectation) {
  auto m = WithTables();
  model::Scratch scratch;
  Objective o;
  Decision d = DecideFor(*m, Heavy(), o, scratch);
  EXPECT_EQ(d.objective, ObjectiveKind::kLatency);
  EXPECT_EQ(d.platform, Platform::kLambda);
  // Per request: uniform on 1000..3000 ms against 1200..3200 ms, P = 1 - 1800^2 / (2 x 2000^2).
  EXPECT_NEAR(d.lambda_probability, 0.595, 1e-12);
  EXPECT_DOUBLE_EQ(d.confidence, d.lambda_probability);
  // The means: 200 ms apart, 10 ms standard error each.
  ASSERT_TRUE(d.lambda_mean_lower_probability);
  EXPECT_GT(*d.lambda_mean_lower_probability, 0.99);
  ASSERT_TRUE(d.has_expected);
  EXPECT_DOUBLE_EQ(d.expected[0].response_mean_ms, 2000);
  EXPECT_DOUBLE_EQ(d.expected[1].cost_usd, 1e-5);
  EXPECT_NEAR(d.expected[1].response_p95_ms, 2200 - 1000 + 2000 * 0.95, 1e-9);

  o.kind = ObjectiveKind::kCost;
  d = DecideFor(*m, Heavy(), o, scratch);
  EXPECT_EQ(d.platform, Platform::kEcs);
  // Per request: 2e-5 +- 2e-6 against 1e-5 +- 1e-6 USD, 4.47 spreads apart.
  EXPECT_NEAR(d.lambda_probability, 0.5 * std::erfc(1e-5 / std::sqrt(5e-12) / std::sqrt(2.0)),
              1e-15);
  EXPECT_DOUBLE_EQ(d.ecs_probability, 1 - d.lambda_probability);
  EXPECT_LT(*d.lambda_mean_lower_probability, 1e-100);

  // Balanced: 200 ms are worth 1e-5 USD at 5e-5 USD/s: a tie goes to Lambda; more value of time
  // keeps Lambda, less moves to ECS.
  o.kind = ObjectiveKind::kBalanced;
  o.value_of_time_usd_per_s = 1e-4;
  EXPECT_EQ(DecideFor(*m, Heavy(), o, scratch).platform, Platform::kLambda);
  o.value_of_time_usd_per_s = 1e-5;
  EXPECT_EQ(DecideFor(*m, Heavy(), o, scratch).platform, Platform::kEcs);

  // p95: the SLO decides which is less likely to be exceeded.
  o.kind = ObjectiveKind::kP95;
  d = DecideFor(*m, Heavy(), o, scratch);  // the model's default 2500 ms
  EXPECT_EQ(d.platform, Platform::kLambda);
  o.slo_ms = 100;  // both always exceed it: a tie, Lambda
  d = DecideFor(*m, Heavy(), o, scratch);
  EXPECT_EQ(d.platform, Platform::kLambda);
  EXPECT_DOUBLE_EQ(d.lambda_probability, 0.5);
}

TEST(Objective, TheClassifierDecidesWhenAskedOrWhenThereAreNoTables) {
  auto m = WithTables();
  model::Scratch scratch;
  Objective o;
  o.kind = ObjectiveKind::kClassifier;
  const Decision classic = Decide(*m, features::SeedV1Features(Heavy()), scratch);
  Decision d = DecideFor(*m, Heavy(), o, scratch);
  EXPECT_EQ(d.objective, ObjectiveKind::kClassifier);
  EXPECT_EQ(d.lambda_probability, classic.lambda_probability);
  EXPECT_FALSE(d.lambda_mean_lower_probability);
  EXPECT_TRUE(d.has_expected);  // the tables still say what to expect
  EXPECT_FALSE(d.objective_unavailable);

  auto plain = *model::Model::Create(testing::SeedSpec());
  o.kind = ObjectiveKind::kLatency;
  d = DecideFor(*plain, Heavy(), o, scratch);
  EXPECT_EQ(d.objective, ObjectiveKind::kClassifier);
  EXPECT_TRUE(d.objective_unavailable);
  EXPECT_FALSE(d.has_expected);
}

// Tables learnt from data without heavy_processing: heavy requests are the classifier's, flagged,
// with no expected outcome; the other workloads decide by the objective as before.
TEST(Objective, AWorkloadTheTablesLackIsTheClassifiersAndSaysSo) {
  auto m = WithTables(Workload::kHeavyProcessing);
  ASSERT_FALSE(m->spec().outcomes->Covers(Workload::kHeavyProcessing));
  ASSERT_TRUE(m->spec().outcomes->Covers(Workload::kLightweightApi));
  model::Scratch scratch;
  Objective o;
  o.kind = ObjectiveKind::kLatency;
  const Decision classic = Decide(*m, features::SeedV1Features(Heavy()), scratch);
  Decision d = DecideFor(*m, Heavy(), o, scratch);
  EXPECT_EQ(d.objective, ObjectiveKind::kClassifier);
  EXPECT_TRUE(d.objective_unavailable);
  EXPECT_FALSE(d.has_expected);
  EXPECT_EQ(d.lambda_probability, classic.lambda_probability);
  EXPECT_TRUE(DecideWithFreeEcsSlot(*m, Heavy(), o, 0).objective_unavailable);
  features::Request light = Heavy();
  light.workload = Workload::kLightweightApi;
  d = DecideFor(*m, light, o, scratch);
  EXPECT_EQ(d.objective, ObjectiveKind::kLatency);
  EXPECT_FALSE(d.objective_unavailable);
  EXPECT_TRUE(d.has_expected);
}

TEST(Objective, AFreeEcsSlotCostsNothingButItsWaitCounts) {
  auto m = WithTables();  // Lambda 2000 ms at 2e-5 USD, ECS 2200 ms at 1e-5 USD
  Objective o;
  o.kind = ObjectiveKind::kCost;  // a paid-for slot beats any price, however long the wait
  Decision d = DecideWithFreeEcsSlot(*m, Heavy(), o, 0);
  EXPECT_EQ(d.platform, Platform::kEcs);
  EXPECT_DOUBLE_EQ(d.expected[1].cost_usd, 0);
  EXPECT_EQ(DecideWithFreeEcsSlot(*m, Heavy(), o, 60'000).platform, Platform::kEcs);

  o.kind = ObjectiveKind::kLatency;  // Lambda is faster: it takes the request despite the slot
  d = DecideWithFreeEcsSlot(*m, Heavy(), o, 0);
  EXPECT_EQ(d.platform, Platform::kLambda);
  EXPECT_NEAR(d.lambda_probability, 0.595, 1e-12);
  EXPECT_GT(*d.lambda_mean_lower_probability, 0.99);

  // Balanced at 1e-5 USD/s: Lambda 2e-5 + 2e-5, ECS 0 + 2.2e-5 with the slot free now; a
  // 3 s wait makes ECS 5.2e-5, worse than Lambda.
  o.kind = ObjectiveKind::kBalanced;
  o.value_of_time_usd_per_s = 1e-5;
  EXPECT_EQ(DecideWithFreeEcsSlot(*m, Heavy(), o, 0).platform, Platform::kEcs);
  d = DecideWithFreeEcsSlot(*m, Heavy(), o, 3000);
  EXPECT_EQ(d.platform, Platform::kLambda);
  EXPECT_DOUBLE_EQ(d.expected[1].response_mean_ms, 5200);

  o.kind = ObjectiveKind::kP95;
  o.slo_ms = 100;  // both always exceed it: a tie, which the paid-for slot takes
  d = DecideWithFreeEcsSlot(*m, Heavy(), o, 0);
  EXPECT_EQ(d.platform, Platform::kEcs);
  EXPECT_DOUBLE_EQ(d.lambda_probability, 0.5);

  // Without outcome tables, or for the classifier: the plain spill-over rule (ECS).
  auto plain = *model::Model::Create(testing::SeedSpec());
  o.kind = ObjectiveKind::kLatency;
  d = DecideWithFreeEcsSlot(*plain, Heavy(), o, 0);
  EXPECT_EQ(d.platform, Platform::kEcs);
  EXPECT_TRUE(d.objective_unavailable);
  o.kind = ObjectiveKind::kClassifier;
  EXPECT_EQ(DecideWithFreeEcsSlot(*m, Heavy(), o, 0).platform, Platform::kEcs);

  // The longest wait ECS is worth: never for latency (Lambda is faster already), any for cost,
  // and for balanced at 1e-5 USD/s until 2e-5 + 2e-5 = 1e-5 x (2.2 s + wait): 1.8 s.
  o.kind = ObjectiveKind::kLatency;
  EXPECT_LT(LongestEcsWaitMs(*m, Heavy(), o), 0);
  o.kind = ObjectiveKind::kCost;
  EXPECT_TRUE(std::isinf(LongestEcsWaitMs(*m, Heavy(), o)));
  o.kind = ObjectiveKind::kBalanced;
  o.value_of_time_usd_per_s = 1e-5;
  EXPECT_NEAR(LongestEcsWaitMs(*m, Heavy(), o), 1800, 0.02);
}

outcome::Stats Points(std::array<double, outcome::kQuantiles> q, double n = 100) {
  outcome::Stats s;
  s.n = n;
  s.response_quantiles_ms = q;
  double sum = 0;
  for (size_t i = 0; i + 1 < outcome::kQuantiles; ++i)  // the piecewise-uniform mean
    sum += (q[i] + q[i + 1]) / 2 * (outcome::kQuantileLevels[i + 1] - outcome::kQuantileLevels[i]);
  s.response_mean_ms = sum;
  s.response_sd_ms = 100;
  return s;
}

std::array<double, outcome::kQuantiles> Constant(double v) {
  std::array<double, outcome::kQuantiles> q;
  q.fill(v);
  return q;
}

TEST(ResponseLowerProbability, IsExactOnPiecewiseLinearCdfs) {
  const outcome::Stats a = Flat(2000, 0), b = Flat(2200, 0);
  EXPECT_NEAR(ResponseLowerProbability(a, a), 0.5, 1e-12);
  EXPECT_NEAR(ResponseLowerProbability(a, b), 0.595, 1e-12);
  EXPECT_NEAR(ResponseLowerProbability(b, a), 0.405, 1e-12);
  // Disjoint ranges; point masses (a constant response) against a range and each other.
  EXPECT_DOUBLE_EQ(ResponseLowerProbability(Flat(1000, 0), Flat(5000, 0)), 1);
  EXPECT_DOUBLE_EQ(ResponseLowerProbability(Flat(5000, 0), Flat(1000, 0)), 0);
  const outcome::Stats at1500 = Points(Constant(1500)), at2000 = Points(Constant(2000));
  EXPECT_NEAR(ResponseLowerProbability(at1500, a), 0.75, 1e-12);  // a is uniform on 1000..3000
  EXPECT_NEAR(ResponseLowerProbability(a, at1500), 0.25, 1e-12);
  EXPECT_DOUBLE_EQ(ResponseLowerProbability(at2000, at2000), 0.5);  // a tie, split
  EXPECT_DOUBLE_EQ(ResponseLowerProbability(at1500, at2000), 1);
  // Zeros (a workload the tables lack): a tie.
  EXPECT_DOUBLE_EQ(ResponseLowerProbability(outcome::Stats{}, outcome::Stats{}), 0.5);
  // Complementary: P(a < b) + P(b < a) = 1 with ties split.
  const outcome::Stats skew = Points(
      {100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220, 230, 5000, 9000, 20000});
  EXPECT_NEAR(ResponseLowerProbability(skew, a) + ResponseLowerProbability(a, skew), 1, 1e-12);
}

// The per-request probability answers for one request; the platform follows the means: with a
// rare long tail, Lambda's mean is the higher one while most single requests are faster there.
TEST(LambdaWinProbability, CanDisagreeWithThePlatformOfTheLowerMean) {
  const outcome::Stats lambda = Points(
      {100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220, 230, 5000, 9000, 20000});
  const outcome::Stats ecs = Points(Constant(300));
  ASSERT_GT(lambda.response_mean_ms, ecs.response_mean_ms);
  const std::array<outcome::Estimate, 2> e = {lambda, ecs};
  Objective o;
  const Decision d = DecideOnEstimates(e, o, 2500);
  EXPECT_EQ(d.platform, Platform::kEcs);
  EXPECT_LT(*d.lambda_mean_lower_probability, 0.5);
  // 95 % of Lambda's responses are under 230 ms, and 0.025 x 70 / 4770 more under 300 ms.
  EXPECT_NEAR(d.lambda_probability, 0.95 + 0.025 * 70 / 4770, 1e-12);
  EXPECT_DOUBLE_EQ(d.confidence, d.lambda_probability);
}

TEST(LambdaWinProbability, P95SplitsTiesAndCostUsesSingleRequestSpreads) {
  const std::array<outcome::Estimate, 2> e = {Flat(2000, 2e-5), Flat(2200, 1e-5)};
  Objective o;
  o.kind = ObjectiveKind::kP95;
  o.slo_ms = 2500;  // Lambda misses it with 0.25, ECS with 0.35
  const double pl = 0.25, pe = 0.35;
  EXPECT_NEAR(LambdaWinProbability(e, o, 0), (1 - pl) * pe + ((1 - pl) * (1 - pe) + pl * pe) / 2,
              1e-12);
  o.kind = ObjectiveKind::kCost;
  std::array<outcome::Estimate, 2> more = e;
  more[0].n = more[1].n = 1e6;  // the counts change the means' probability, not the request's
  EXPECT_DOUBLE_EQ(LambdaWinProbability(more, o, 0), LambdaWinProbability(e, o, 0));
  o.kind = ObjectiveKind::kBalanced;
  o.value_of_time_usd_per_s = 1e-4;  // Lambda 2e-5 + 2e-4, ECS 1e-5 + 2.2e-4 USD
  const double sl = std::hypot(2e-6, 1e-4 * 100 / 1000), se = std::hypot(1e-6, 1e-5);
  EXPECT_NEAR(LambdaWinProbability(e, o, 0),
              0.5 * std::erfc(-(2.3e-4 - 2.2e-4) / std::hypot(sl, se) / std::sqrt(2.0)), 1e-12);
  o.kind = ObjectiveKind::kClassifier;
  EXPECT_DOUBLE_EQ(LambdaWinProbability(e, o, 0), 0.5);
}

// The adaptive policy's Thompson sampling reads the means' probability, as before: the old
// quantity, normal from each spread over the effective count.
TEST(DecideOnEstimates, KeepsTheMeansProbabilityForThompsonSampling) {
  std::array<outcome::Estimate, 2> e = {Flat(2000, 2e-5), Flat(2050, 1e-5)};
  e[0].n = 4;
  e[1].n = 25;
  const Decision d = DecideOnEstimates(e, Objective{}, 2500);
  const double err = std::sqrt(100.0 * 100 / 4 + 100.0 * 100 / 25);
  EXPECT_NEAR(*d.lambda_mean_lower_probability, 0.5 * std::erfc(-50 / err / std::sqrt(2.0)), 1e-12);
}

TEST(Objective, NamesAndFieldErrors) {
  for (auto k : {ObjectiveKind::kLatency, ObjectiveKind::kP95, ObjectiveKind::kCost,
                 ObjectiveKind::kBalanced, ObjectiveKind::kClassifier}) {
    EXPECT_EQ(ParseObjectiveKind(Name(k)), k);
  }
  auto bad = ParseObjectiveField("Latency");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::kUnknownValue);
  EXPECT_EQ(bad.error().field, "objective");
  auto cm = ParseCostModelField("prorated");
  ASSERT_FALSE(cm);
  EXPECT_EQ(cm.error().field, "cost_model");
  EXPECT_FALSE(CheckSloMs(0));
  EXPECT_FALSE(CheckSloMs(-5));
  EXPECT_TRUE(CheckSloMs(7500));
  EXPECT_FALSE(CheckValueOfTime(2));
  EXPECT_EQ(CheckValueOfTime(-1).error().field, "value_of_time_usd_per_s");
  Objective o;
  o.kind = ObjectiveKind::kBalanced;
  o.cost_model = cost::CostModel::kProvisioned;
  o.value_of_time_usd_per_s = 1e-5;
  EXPECT_EQ(Label(o), "balanced:provisioned:1e-05");
  ObjectiveRequest r;
  r.kind = ObjectiveKind::kCost;
  const Objective over = r.Over(o);
  EXPECT_EQ(over.kind, ObjectiveKind::kCost);
  EXPECT_EQ(over.cost_model, cost::CostModel::kProvisioned);  // kept from the default
}

TEST(Objective, TheDefaultCostModelIsTheOneABillFollows) {
  // Fargate bills a task every second it runs (as simulate does): provisioned, not the
  // prototype's seed-prorated.
  EXPECT_EQ(kDefaultCostModel, cost::CostModel::kProvisioned);
  EXPECT_EQ(Objective{}.cost_model, kDefaultCostModel);
  ObjectiveRequest r;
  r.kind = ObjectiveKind::kCost;
  EXPECT_EQ(r.Over(Objective{}).cost_model, cost::CostModel::kProvisioned);
}

}  // namespace
}  // namespace hr::policy
