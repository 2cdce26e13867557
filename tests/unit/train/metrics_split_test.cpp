#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "train/metrics.h"
#include "train/split.h"

namespace hr::train {
namespace {

TEST(Metrics, AsScikitLearnDefinesThem) {
  // y = [1, 1, 0, 0, 1], p = [0.9, 0.4, 0.6, 0.1, 0.8], threshold 0.5:
  // predicted [1, 0, 1, 0, 1] -> tp 2, fn 1, fp 1, tn 1.
  const std::vector<double> p = {0.9, 0.4, 0.6, 0.1, 0.8};
  const std::vector<int8_t> y = {1, 1, 0, 0, 1};
  const BinaryMetrics m = Evaluate(p, y, 0.5);
  EXPECT_EQ(m.n, 5u);
  EXPECT_EQ(m.tp, 2u);
  EXPECT_EQ(m.fn, 1u);
  EXPECT_EQ(m.fp, 1u);
  EXPECT_EQ(m.tn, 1u);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.6);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.f1, 2.0 / 3);
  // ROC AUC: of the 6 (positive, negative) pairs, 5 are ordered right (0.4 < 0.6 is not).
  EXPECT_DOUBLE_EQ(m.roc_auc, 5.0 / 6);
  const double ll =
      -(std::log(0.9) + std::log(0.4) + std::log(0.4) + std::log(0.9) + std::log(0.8)) / 5;
  EXPECT_NEAR(m.log_loss, ll, 1e-15);
}

TEST(Split, StratifiedSeededAndUnlabelledLeftOut) {
  std::vector<int8_t> y;
  for (int i = 0; i < 1000; ++i) y.push_back(i % 5 == 0 ? 1 : 0);  // 20 % positive
  y.push_back(-1);
  const auto parts = StratifiedSplit(y, 0.2, 0.2, 42);
  int count[3] = {}, positive[3] = {};
  for (size_t i = 0; i < 1000; ++i) {
    const int part = static_cast<int>(parts[i]);
    ++count[part];
    positive[part] += y[i];
  }
  EXPECT_EQ(parts[1000], Part::kNone);
  EXPECT_EQ(count[0], 600);
  EXPECT_EQ(count[1], 200);
  EXPECT_EQ(count[2], 200);
  EXPECT_EQ(positive[1], 40);
  EXPECT_EQ(positive[2], 40);
  EXPECT_EQ(StratifiedSplit(y, 0.2, 0.2, 42), parts);
  EXPECT_NE(StratifiedSplit(y, 0.2, 0.2, 43), parts);
}

}  // namespace
}  // namespace hr::train
