// The prototype's labels on the shipped measurements, reproduced exactly (docs/design.md).
#include <gtest/gtest.h>

#include "data/ingest.h"
#include "data/labels.h"
#include "policy/decision.h"

namespace hr::data {
namespace {

const Dataset& Shipped() {
  static const Dataset ds = [] {
    auto r = Ingest({std::string(HR_SOURCE_DIR) + "/data/aws-measurements"});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return *r;
  }();
  return ds;
}

TEST(ShippedData, EveryLineIsAccountedFor) {
  const Dataset& ds = Shipped();
  EXPECT_EQ(ds.files.size(), 60u);
  size_t lines = 0;
  for (const auto& f : ds.files) {
    lines += f.lines;
    EXPECT_EQ(f.lines, f.accepted + f.rejected) << f.path;
  }
  EXPECT_EQ(lines, 88286u);
  EXPECT_EQ(ds.records.size(), 88161u);
  EXPECT_EQ(ds.rejected, 125u);  // the failed requests of the 'unknown' files
  EXPECT_EQ(ds.failed_requests, 125u);
  ASSERT_EQ(ds.rejections.size(), 100u);  // the first 100 kept for the report
  ASSERT_EQ(ds.rejection_kinds.size(), 1u);
  EXPECT_EQ(ds.rejection_kinds[0].first, "http_status 500");
  EXPECT_EQ(ds.rejection_kinds[0].second, 125u);
  for (const auto& r : ds.rejections) {
    EXPECT_EQ(r.http_status, 500);
    EXPECT_NE(ds.files[r.file].path.find("unknown_"), std::string::npos);
    EXPECT_NE(r.reason.find("http_status 500"), std::string::npos);
  }
}

TEST(ShippedData, SeedBalancedLabelsMatchThePrototype) {
  const Labels labels = SeedBalancedLabels(Shipped().records);
  EXPECT_EQ(labels.total, 88161u);
  EXPECT_EQ(labels.lambda, 57143u);
  using features::Workload;
  const auto& pw = labels.per_workload;
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kHeavyProcessing)].lambda, 3689u);
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kHeavyProcessing)].total, 6445u);
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kLightweightApi)].lambda, 17657u);
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kLightweightApi)].total, 37413u);
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kMediumProcessing)].lambda, 11798u);
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kMediumProcessing)].total, 12277u);
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kThumbnailProcessing)].lambda, 23999u);
  EXPECT_EQ(pw[static_cast<size_t>(Workload::kThumbnailProcessing)].total, 32026u);
}

TEST(Median, InterpolatesLikeNumpy) {
  std::vector<double> odd = {3, 1, 2};
  EXPECT_EQ(Median(odd), 2);
  std::vector<double> even = {4, 1, 3, 2};
  EXPECT_EQ(Median(even), 2.5);
  std::vector<double> one = {7};
  EXPECT_EQ(Median(one), 7);
}

TEST(SeedCost, FollowsThePrototypesFormulas) {
  Record lambda;
  lambda.platform = policy::Platform::kLambda;
  lambda.memory_used_mb = 512;
  lambda.execution_time_ms = 1000;
  EXPECT_DOUBLE_EQ(SeedCostUsd(lambda), 0.5 * 1.0 * 0.0000166667 + 0.2e-6);
  Record ecs;
  ecs.platform = policy::Platform::kEcs;
  ecs.workload = features::Workload::kThumbnailProcessing;  // 0.5 vCPU, 1 GB
  ecs.execution_time_ms = 3600 * 1000;
  EXPECT_DOUBLE_EQ(SeedCostUsd(ecs), 0.5 * 0.04656 + 1.0 * 0.00511);
}

}  // namespace
}  // namespace hr::data
