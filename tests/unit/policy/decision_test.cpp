#include "policy/decision.h"

#include <gtest/gtest.h>

#include <cmath>

#include "../test_util.h"

namespace hr::policy {
namespace {

using features::Workload;

TEST(Fallback, FollowsThePrototypesHeuristic) {
  EXPECT_EQ(FallbackHeuristic(Workload::kLightweightApi, 7.0).platform, Platform::kLambda);
  EXPECT_EQ(FallbackHeuristic(Workload::kLightweightApi, 7.01).platform, Platform::kEcs);
  EXPECT_EQ(FallbackHeuristic(Workload::kHeavyProcessing, 8000).platform, Platform::kLambda);
  EXPECT_EQ(FallbackHeuristic(Workload::kHeavyProcessing, 8000.5).platform, Platform::kEcs);
  EXPECT_EQ(FallbackHeuristic(Workload::kMediumProcessing, 1e6).platform, Platform::kLambda);
  EXPECT_EQ(FallbackHeuristic(Workload::kThumbnailProcessing, 1e6).platform, Platform::kLambda);
  const Decision d = FallbackHeuristic(Workload::kLightweightApi, 1);
  EXPECT_EQ(d.confidence, 0.5);
  EXPECT_FALSE(d.from_model);
  EXPECT_EQ(Name(Platform::kLambda), "lambda");
  EXPECT_EQ(Name(Platform::kEcs), "ecs");
}

TEST(Decide, ThresholdAndConfidence) {
  model::ModelSpec spec = testing::SeedSpec();
  features::SeedV1Vector x{};
  model::Scratch scratch;
  // Find p for this input, then place the threshold on either side of it.
  auto m = model::Model::Create(spec);
  ASSERT_TRUE(m.ok());
  const double p = (*m)->PredictProba(x, scratch);
  ASSERT_GT(p, 0.0);
  ASSERT_LT(p, 1.0);

  spec.decision_threshold = p;  // p >= threshold: lambda
  auto at = model::Model::Create(spec);
  Decision d = Decide(**at, x, scratch);
  EXPECT_EQ(d.platform, Platform::kLambda);
  EXPECT_EQ(d.lambda_probability, p);
  EXPECT_EQ(d.ecs_probability, 1.0 - p);
  EXPECT_EQ(d.confidence, std::max(p, 1.0 - p));
  EXPECT_TRUE(d.from_model);

  spec.decision_threshold = std::nextafter(p, 1.0);
  auto above = model::Model::Create(spec);
  EXPECT_EQ(Decide(**above, x, scratch).platform, Platform::kEcs);
}

}  // namespace
}  // namespace hr::policy
