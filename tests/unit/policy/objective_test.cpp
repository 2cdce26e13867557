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
  EXPECT_GT(d.lambda_probability, 0.99);  // 200 ms apart, 10 ms standard error each
  EXPECT_DOUBLE_EQ(d.confidence, d.lambda_probability);
  ASSERT_TRUE(d.has_expected);
  EXPECT_DOUBLE_EQ(d.expected[0].response_mean_ms, 2000);
  EXPECT_DOUBLE_EQ(d.expected[1].cost_usd, 1e-5);
  EXPECT_NEAR(d.expected[1].response_p95_ms, 2200 - 1000 + 2000 * 0.95, 1e-9);

  o.kind = ObjectiveKind::kCost;
  d = DecideFor(*m, Heavy(), o, scratch);
  EXPECT_EQ(d.platform, Platform::kEcs);
  EXPECT_LT(d.lambda_probability, 0.01);
  EXPECT_DOUBLE_EQ(d.ecs_probability, 1 - d.lambda_probability);

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
  EXPECT_GT(d.lambda_probability, 0.99);

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
