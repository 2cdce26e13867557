// Helpers shared by the unit tests: fixture paths and small hand-made models.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "features/seed_v1.h"
#include "model/mlp.h"

namespace hr::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string ReadFixture(const std::string& name) {
  return ReadFile(std::string(HR_TEST_DATA_DIR) + "/" + name);
}

// A seed-v1 spec with one hidden layer of `hidden` units and weights from a simple formula.
inline model::ModelSpec SeedSpec(size_t hidden = 4) {
  model::ModelSpec s;
  s.feature_schema = "seed-v1";
  for (auto n : features::kSeedV1Names) s.feature_names.emplace_back(n);
  model::Layer l1{15, hidden, {}, {}};
  for (size_t i = 0; i < 15 * hidden; ++i)
    l1.weights.push_back(0.01 * static_cast<double>(i % 7) - 0.02);
  for (size_t j = 0; j < hidden; ++j) l1.bias.push_back(0.1 * static_cast<double>(j));
  model::Layer l2{hidden, 1, {}, {0.05}};
  for (size_t j = 0; j < hidden; ++j) l2.weights.push_back(j % 2 ? -0.3 : 0.4);
  s.layers = {l1, l2};
  s.metadata.json = R"({"model_type":"unit","training_date":"2025-11-23T15:06:49"})";
  return s;
}

}  // namespace hr::testing
