// Seeded stratified splits: each class is shuffled and cut in the same proportions, so every part
// has the label balance of the whole. Recomputable from (labels, fractions, seed), which lets
// `evaluate` tell which records a model was trained on.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hr::train {

// Fractions of each class held out for validation and test, and the seed.
struct SplitConfig {
  double validation = 0.2;
  double test = 0.2;
  uint64_t seed = 42;
};

enum class Part : uint8_t { kTrain = 0, kValidation = 1, kTest = 2, kNone = 255 };

// Labels are 0/1; entries < 0 get kNone. validation and test are fractions of each class.
std::vector<Part> StratifiedSplit(std::span<const int8_t> labels, double validation_fraction,
                                  double test_fraction, uint64_t seed);

}  // namespace hr::train
