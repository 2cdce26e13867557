#include "features/payload_size.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "features/request.h"

namespace hr::features {
namespace {

const std::vector<double> kLightweight = {0.5, 1, 5, 10};

TEST(NearestSize, APayloadBelongsToTheNearestMeasuredSizeInLogOnePlusKb) {
  EXPECT_EQ(NearestSize(kLightweight, 1), 1u);      // exactly measured
  EXPECT_EQ(NearestSize(kLightweight, 1.002), 1u);  // a body a little over the size
  EXPECT_EQ(NearestSize(kLightweight, 0.998), 1u);  // and a little under
  EXPECT_EQ(NearestSize(kLightweight, 4), 2u);      // log: 4 KB is nearer 5 than 1
  EXPECT_EQ(NearestSize(kLightweight, 7.5), 3u);    // log(8.5) is nearer log(11) than log(6)
  const std::vector<double> campaign = {1024, 2048, 3072, 4096};
  EXPECT_EQ(NearestSize(campaign, 1024.3), 0u);
  EXPECT_EQ(NearestSize(campaign, 4095.9), 3u);
}

TEST(NearestSize, ATieInLogSpaceGoesToTheSmallerSize) {
  // log(1 + KB) halfway between 0 and 3 KB: sqrt(1 * 4) - 1 = 1 KB.
  const std::vector<double> sizes = {0, 3};
  EXPECT_EQ(NearestSize(sizes, 1), 0u);
  EXPECT_EQ(NearestSize(sizes, 1.0001), 1u);
}

TEST(NearestSize, BeyondTheSizesTheNearestEndAnswers) {
  EXPECT_EQ(NearestSize(kLightweight, 0.1), 0u);
  EXPECT_EQ(NearestSize(kLightweight, 5000), 3u);
  EXPECT_EQ(NearestSize(kLightweight, kMaxPayloadKb), 3u);
  EXPECT_EQ(NearestSize(kLightweight, std::numeric_limits<double>::infinity()), 3u);
}

TEST(NearestSize, ZeroNegativeAndNotANumberCountAsZeroKb) {
  EXPECT_EQ(NearestSize(kLightweight, 0), 0u);
  EXPECT_EQ(NearestSize(kLightweight, -3), 0u);
  EXPECT_EQ(NearestSize(kLightweight, std::nan("")), 0u);
  const std::vector<double> with_zero = {0, 1024};
  EXPECT_EQ(NearestSize(with_zero, 0), 0u);
  EXPECT_EQ(NearestSize(with_zero, 30), 0u);  // log(31) is nearer log(1) than log(1025)
  EXPECT_EQ(NearestSize(with_zero, 33), 1u);
  const std::vector<double> one = {42};
  EXPECT_EQ(NearestSize(one, 0), 0u);
  EXPECT_EQ(NearestSize(one, 1e9), 0u);
}

TEST(MeasuredSizes, AnExactCampaignKeepsItsNominalSizes) {
  std::vector<double> observed;
  for (double kb : {4096.0, 2048.0, 5120.0, 3072.0, 5120.0, 2048.0, 4096.0, 3072.0})
    observed.push_back(kb);
  EXPECT_EQ(MeasuredSizes(observed), (std::vector<double>{2048, 3072, 4096, 5120}));
  EXPECT_EQ(MeasuredSizes(std::vector<double>{0.5, 1, 5, 10, 0.5, 10}), kLightweight);
}

TEST(MeasuredSizes, BodySizesAroundNominalSizesGroupIntoOneSizeEach) {
  // A router log: bodies a little over or under the sizes the client meant.
  const std::vector<double> observed = {1024.3, 1023.9, 1024.0, 1024.6, 1024.1,
                                        2048.2, 2047.7, 2048.0, 0.5,    0.52};
  const auto sizes = MeasuredSizes(observed);
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_EQ(sizes[0], 0.5);  // the lower median of two
  EXPECT_EQ(sizes[1], 1024.1);
  EXPECT_EQ(sizes[2], 2048.0);
  // Each body size is matched to its own group's size.
  for (double kb : observed) {
    const double size = sizes[NearestSize(sizes, kb)];
    EXPECT_LT(std::abs(std::log1p(size) - std::log1p(kb)), kSizeGroupSpan) << kb;
  }
}

TEST(MeasuredSizes, ContinuousSizesMakeQuarterOctaveGroupsAndIgnoreBadValues) {
  std::vector<double> observed = {-1, std::nan(""), std::numeric_limits<double>::infinity()};
  for (int i = 0; i <= 10000; ++i) observed.push_back(i * 1.0);  // 0 to 10,000 KB, every KB
  const auto sizes = MeasuredSizes(observed);
  // At most log(10,001) / (ln 2 / 4) = 53.2 quarter octaves wide (fewer: whole KB at the low end).
  EXPECT_GE(sizes.size(), 40u);
  EXPECT_LE(sizes.size(), 54u);
  EXPECT_EQ(sizes.front(), 0);
  for (size_t i = 1; i < sizes.size(); ++i) EXPECT_LT(sizes[i - 1], sizes[i]);
  EXPECT_TRUE(MeasuredSizes(std::vector<double>{-1, std::nan("")}).empty());
  EXPECT_EQ(MeasuredSizes(std::vector<double>{kMaxPayloadKb}),
            (std::vector<double>{kMaxPayloadKb}));
}

}  // namespace
}  // namespace hr::features
