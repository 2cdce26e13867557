#include "model/mlp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "../test_util.h"

namespace hr::model {
namespace {

using core::ErrorCode;

// 2 inputs -> 2 hidden -> 1, checked against arithmetic done by hand.
ModelSpec Tiny(Activation act) {
  ModelSpec s;
  s.feature_schema = "test";
  s.feature_names = {"a", "b"};
  s.layers = {Layer{2, 2, {1.0, -1.0, 2.0, 0.5}, {0.5, -0.25}}, Layer{2, 1, {1.5, -2.0}, {0.1}}};
  s.hidden_activation = act;
  return s;
}

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

TEST(Mlp, ComputesAForwardPassByHand) {
  // x = (1, 2): hidden pre-activation h0 = 1*1 + 2*2 + 0.5 = 5.5, h1 = 1*-1 + 2*0.5 - 0.25 = -0.25
  const double x[] = {1.0, 2.0};
  struct Case {
    Activation act;
    double h0, h1;
  } cases[] = {
      {Activation::kRelu, 5.5, 0.0},
      {Activation::kIdentity, 5.5, -0.25},
      {Activation::kTanh, std::tanh(5.5), std::tanh(-0.25)},
      {Activation::kLogistic, Sigmoid(5.5), Sigmoid(-0.25)},
  };
  for (const auto& c : cases) {
    auto m = Model::Create(Tiny(c.act));
    ASSERT_TRUE(m.ok()) << m.error().message;
    Scratch scratch(**m);
    const double want = Sigmoid(1.5 * c.h0 - 2.0 * c.h1 + 0.1);
    EXPECT_DOUBLE_EQ((*m)->PredictProba(x, scratch), want) << Name(c.act);
  }
}

TEST(Mlp, AppliesTheScalerFirst) {
  ModelSpec s = Tiny(Activation::kIdentity);
  s.scaler = Scaler{{1.0, 1.0}, {2.0, 0.5}};
  auto m = Model::Create(s);
  ASSERT_TRUE(m.ok());
  Scratch scratch(**m);
  const double x[] = {3.0, 2.0};  // scaled: (1, 2) as in the test above
  EXPECT_DOUBLE_EQ((*m)->PredictProba(x, scratch), Sigmoid(1.5 * 5.5 - 2.0 * -0.25 + 0.1));
}

TEST(Mlp, SaturatesWithoutNaN) {
  auto m = Model::Create(Tiny(Activation::kIdentity));
  ASSERT_TRUE(m.ok());
  Scratch scratch;
  const double big[] = {1e300, 1e300};
  const double p = (*m)->PredictProba(big, scratch);
  EXPECT_FALSE(std::isnan(p));
  const double neg[] = {-1e300, 1e300};
  EXPECT_FALSE(std::isnan((*m)->PredictProba(neg, scratch)));
}

TEST(Mlp, RejectsInconsistentShapes) {
  ModelSpec s = Tiny(Activation::kRelu);
  s.layers[0].weights.pop_back();
  auto m = Model::Create(s);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidModel);
  EXPECT_NE(m.error().message.find("expected 2 x 2"), std::string::npos);

  s = Tiny(Activation::kRelu);
  s.layers[1].inputs = 3;
  s.layers[1].weights = {1, 2, 3};
  EXPECT_NE(Model::Create(s).error().message.find("the layer before gives 2"), std::string::npos);

  s = Tiny(Activation::kRelu);
  s.layers[1] = Layer{2, 2, {1, 2, 3, 4}, {0, 0}};
  EXPECT_NE(Model::Create(s).error().message.find("exactly 1 output"), std::string::npos);

  s = Tiny(Activation::kRelu);
  s.feature_names.push_back("c");
  EXPECT_EQ(Model::Create(s).error().field, "feature_names");

  s = Tiny(Activation::kRelu);
  s.layers[0].bias[1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(Model::Create(s).error().message.find("non-finite"), std::string::npos);

  s = Tiny(Activation::kRelu);
  s.scaler = Scaler{{0, 0}, {1, 0}};
  EXPECT_NE(Model::Create(s).error().message.find("zero scale"), std::string::npos);

  s = Tiny(Activation::kRelu);
  s.decision_threshold = 1.5;
  EXPECT_EQ(Model::Create(s).error().field, "decision_threshold");

  s = Tiny(Activation::kRelu);
  s.classes = {"lambda", "ecs"};
  EXPECT_EQ(Model::Create(s).error().field, "classes");

  s = Tiny(Activation::kRelu);
  s.layers.clear();
  EXPECT_FALSE(Model::Create(s).ok());
}

TEST(Mlp, IsSafeToShareAcrossThreads) {
  auto m = Model::Create(testing::SeedSpec(16));
  ASSERT_TRUE(m.ok());
  std::vector<double> x(15, 0.5);
  Scratch s0;
  const double want = (*m)->PredictProba(x, s0);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Scratch scratch(**m);
      for (int i = 0; i < 20000; ++i) mismatches[t] += (*m)->PredictProba(x, scratch) != want;
    });
  }
  for (auto& th : threads) th.join();
  for (int n : mismatches) EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace hr::model
