// The placement engine: one grammar for every command, and where each policy sends a request with
// what probability.
#include "policy/placement.h"

#include <gtest/gtest.h>

#include "builtin/default_model.h"
#include "modelfile/model_file.h"

namespace hr::policy {
namespace {

features::Request Heavy(double kb) {
  features::Request r;
  r.workload = features::Workload::kHeavyProcessing;
  r.payload_kb = kb;
  r.hour_of_day = 12;
  r.time_window = features::TimeWindow::kMidday;
  return r;
}

TEST(ParsePolicy, OneGrammarWithErrorsThatNameTheOptionAndListIt) {
  EXPECT_EQ(ParsePolicy("model")->kind, PolicyKind::kModel);
  EXPECT_EQ(ParsePolicy("adaptive")->kind, PolicyKind::kAdaptive);
  EXPECT_EQ(ParsePolicy("lambda-only")->kind, PolicyKind::kLambdaOnly);
  EXPECT_EQ(ParsePolicy("ecs-only")->kind, PolicyKind::kEcsOnly);
  EXPECT_DOUBLE_EQ(ParsePolicy("split:0.3")->lambda_share, 0.3);
  EXPECT_EQ(ParsePolicy("spillover")->spill_wait, 0);
  EXPECT_EQ(ParsePolicy("spillover:20")->spill_wait, 20);
  const auto sm = ParsePolicy("spillover-model:5");
  EXPECT_EQ(sm->kind, PolicyKind::kSpilloverModel);
  EXPECT_EQ(sm->spill_wait, 5);
  for (const char* bad : {"split:1.5", "split:", "split:x", "spillover:-1", "spillover:1001",
                          "spillover:2x", "spillover-model:x"}) {
    const auto r = ParsePolicy(bad, "--policy");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "--policy");
  }
  const auto unknown = ParsePolicy("fastest", "--policy");
  ASSERT_FALSE(unknown);
  EXPECT_NE(
      unknown.error().message.find("'fastest' is not known; allowed: model, adaptive, lambda-only"),
      std::string::npos);
  // simulate names a model file the same way
  const auto file = ParsePolicy("my_model.json", "--policy", true);
  EXPECT_EQ(file->kind, PolicyKind::kModel);
  EXPECT_EQ(file->model_file, "my_model.json");
  // Names round-trip.
  for (const char* name : {"model", "adaptive", "lambda-only", "ecs-only", "split:0.25",
                           "spillover", "spillover:3", "spillover-model", "spillover-model:7"})
    EXPECT_EQ(Name(*ParsePolicy(name)), name);
}

TEST(Place, TheOracleTakesThePlatformWhoseTrueMeanIsLower) {
  const auto oracle = ParsePolicy("oracle");
  ASSERT_TRUE(oracle.ok());
  EXPECT_EQ(oracle->kind, PolicyKind::kOracle);
  EXPECT_EQ(Name(*oracle), "oracle");
  EXPECT_FALSE(oracle->uses_model());
  model::Scratch scratch;
  PlacementContext ctx;
  const std::array<double, 2> ecs_faster{120, 80}, lambda_faster{80, 120}, tie{90, 90};
  ctx.true_ms = &ecs_faster;
  Placement p = Place(*oracle, Heavy(100), ctx, scratch);
  EXPECT_EQ(p.platform, Platform::kEcs);
  EXPECT_EQ(p.propensity, 1);
  EXPECT_EQ(p.detail, "truth");
  ctx.true_ms = &lambda_faster;
  EXPECT_EQ(Place(*oracle, Heavy(100), ctx, scratch).platform, Platform::kLambda);
  ctx.true_ms = &tie;
  EXPECT_EQ(Place(*oracle, Heavy(100), ctx, scratch).platform, Platform::kLambda);
  ctx.true_ms = nullptr;  // no truth to decide from: said so
  EXPECT_EQ(Place(*oracle, Heavy(100), ctx, scratch).detail, "no_truth");
}

TEST(Place, FixedPoliciesAndSplitsLogTheirProbability) {
  model::Scratch s;
  PlacementContext ctx;
  EXPECT_EQ(Place(*ParsePolicy("lambda-only"), Heavy(100), ctx, s).platform, Platform::kLambda);
  const Placement ecs = Place(*ParsePolicy("ecs-only"), Heavy(100), ctx, s);
  EXPECT_EQ(ecs.platform, Platform::kEcs);
  EXPECT_EQ(ecs.propensity, 1);
  const PolicySpec split = *ParsePolicy("split:0.3");
  ctx.draw = 0.29;
  const Placement l = Place(split, Heavy(100), ctx, s);
  EXPECT_EQ(l.platform, Platform::kLambda);
  EXPECT_DOUBLE_EQ(l.propensity, 0.3);
  ctx.draw = 0.31;
  const Placement e = Place(split, Heavy(100), ctx, s);
  EXPECT_EQ(e.platform, Platform::kEcs);
  EXPECT_DOUBLE_EQ(e.propensity, 0.7);
  EXPECT_EQ(DecisionTag(split, e, ""), "policy:split");
}

TEST(Place, TheModelDecidesAndExplorationMixesInUniformDraws) {
  const auto m = *modelfile::Parse(builtin::DefaultModelText());
  const Objective latency;
  model::Scratch s;
  PlacementContext ctx;
  ctx.model = m.get();
  ctx.objective = &latency;
  const PolicySpec spec = *ParsePolicy("model");
  const Placement d = Place(spec, Heavy(5120), ctx, s);
  EXPECT_EQ(d.platform, DecideFor(*m, Heavy(5120), latency, s).platform);
  EXPECT_EQ(d.source, Source::kModel);
  EXPECT_EQ(DecisionTag(spec, d, Label(latency)), "model:latency");
  ctx.explore = 0.2;
  ctx.draw = 0.5;  // not exploring: the model's choice with 1 - 0.2 / 2
  EXPECT_DOUBLE_EQ(Place(spec, Heavy(5120), ctx, s).propensity, 0.9);
  const Platform other = d.platform == Platform::kLambda ? Platform::kEcs : Platform::kLambda;
  ctx.draw = other == Platform::kLambda ? 0.05 : 0.15;  // exploring, drawing the other platform
  const Placement x = Place(spec, Heavy(5120), ctx, s);
  EXPECT_EQ(x.platform, other);
  EXPECT_DOUBLE_EQ(x.propensity, 0.1);
  EXPECT_EQ(DecisionTag(spec, x, Label(latency)), "explore");
  ctx.draw = other == Platform::kLambda ? 0.15 : 0.05;  // exploring, drawing the model's choice
  EXPECT_DOUBLE_EQ(Place(spec, Heavy(5120), ctx, s).propensity, 0.9);
}

TEST(Place, SpilloverTakesAFreeSlotAndTheModelMayLeaveIt) {
  const auto m = *modelfile::Parse(builtin::DefaultModelText());
  const Objective latency;
  model::Scratch s;
  PlacementContext ctx;
  ctx.model = m.get();
  ctx.objective = &latency;
  const PolicySpec spill = *ParsePolicy("spillover");
  ctx.ecs_admits = false;
  const Placement full = Place(spill, Heavy(2048), ctx, s);
  EXPECT_EQ(full.platform, Platform::kLambda);
  EXPECT_EQ(DecisionTag(spill, full, ""), "spillover:ecs_full");
  ctx.ecs_admits = true;
  EXPECT_EQ(Place(spill, Heavy(2048), ctx, s).platform, Platform::kEcs);
  // spillover-model follows DecideWithFreeEcsSlot, and a caller's kept threshold gives the same.
  const PolicySpec model = *ParsePolicy("spillover-model");
  for (double wait : {0.0, 500.0, 5'000.0, 60'000.0}) {
    ctx.ecs_wait_ms = wait;
    ctx.longest_ecs_wait_ms.reset();
    const Placement direct = Place(model, Heavy(2048), ctx, s);
    EXPECT_EQ(direct.platform, DecideWithFreeEcsSlot(*m, Heavy(2048), latency, wait).platform);
    ctx.longest_ecs_wait_ms = LongestEcsWaitMs(*m, Heavy(2048), latency);
    EXPECT_EQ(Place(model, Heavy(2048), ctx, s).platform, direct.platform) << wait;
  }
}

}  // namespace
}  // namespace hr::policy
