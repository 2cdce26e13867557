#include "cost/cost.h"

#include <gtest/gtest.h>

namespace hr::cost {
namespace {

using features::Workload;

TEST(Cost, ModelsOnOneEcsRequest) {
  Pricing p;
  Provisioned prov;
  prov.cost_per_request_usd = {1, 2, 3, 4};
  const Usage u{false, Workload::kMediumProcessing, 3600 * 1000, 50};  // one hour on 1 vCPU / 2 GB
  EXPECT_DOUBLE_EQ(CostUsd(u, CostModel::kSeedProrated, p, prov), 1.0 * 0.04656 + 2.0 * 0.00511);
  EXPECT_DOUBLE_EQ(CostUsd(u, CostModel::kSeedProratedDeployedMemory, p, prov),
                   1.0 * 0.04656 + 2.0 * 0.00511);
  EXPECT_DOUBLE_EQ(CostUsd(u, CostModel::kProvisioned, p, prov), 3);
  prov.alb_per_request_usd = 0.5e-6;
  EXPECT_DOUBLE_EQ(CostUsd(u, CostModel::kProvisioned, p, prov, {false, true}), 3 + 0.5e-6);
}

TEST(Cost, ModelsOnOneLambdaRequest) {
  Pricing p;
  const Provisioned prov;
  // One second at a logged 256 MB; the feature's memory for thumbnails is 512 MB.
  const Usage u{true, Workload::kThumbnailProcessing, 1000, 256};
  EXPECT_DOUBLE_EQ(CostUsd(u, CostModel::kSeedProrated, p, prov), 0.5 * 0.0000166667 + 0.2e-6);
  EXPECT_DOUBLE_EQ(CostUsd(u, CostModel::kSeedProratedDeployedMemory, p, prov),
                   0.25 * 0.0000166667 + 0.2e-6);
  EXPECT_DOUBLE_EQ(CostUsd(u, CostModel::kProvisioned, p, prov, {true, false}),
                   0.25 * 0.0000166667 + 0.2e-6 + 3.5e-6);
}

TEST(Cost, PricesCanBeOverridden) {
  Pricing p;
  p.lambda_gb_second_usd = 1;
  p.lambda_request_usd = 0;
  EXPECT_DOUBLE_EQ(LambdaInvocationCostUsd(2000, 512, p), 1.0);
  p.seed_vcpu_hour_usd = 10;
  p.seed_gb_hour_usd = 1;
  EXPECT_DOUBLE_EQ(TaskHourSeedUsd({0.5, 1}, p), 6);
  EXPECT_DOUBLE_EQ(EcsProratedSeedCostUsd(1800 * 1000, {0.5, 1}, p), 3);
  EXPECT_DOUBLE_EQ(TaskHourFargateUsd({1, 2}), 0.04048 + 2 * 0.004445);
}

TEST(Cost, CostModelNamesRoundTrip) {
  for (CostModel m : kCostModels) EXPECT_EQ(ParseCostModel(Name(m)), m);
  EXPECT_EQ(ParseCostModel("seed_prorated"), std::nullopt);
  EXPECT_EQ(ParseCostModel(""), std::nullopt);
}

TEST(Cost, MeasuredTaskSizes) {
  EXPECT_DOUBLE_EQ(MeasuredTask(Workload::kLightweightApi).vcpu, 0.25);
  EXPECT_DOUBLE_EQ(MeasuredTask(Workload::kThumbnailProcessing).memory_gb, 1.0);
  EXPECT_DOUBLE_EQ(MeasuredTask(Workload::kHeavyProcessing).vcpu, 1.0);
}

}  // namespace
}  // namespace hr::cost
