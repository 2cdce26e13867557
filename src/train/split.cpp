#include "train/split.h"

#include <cmath>

#include "core/rng.h"

namespace hr::train {

std::vector<Part> StratifiedSplit(std::span<const int8_t> labels, double validation_fraction,
                                  double test_fraction, uint64_t seed) {
  std::vector<Part> parts(labels.size(), Part::kNone);
  core::Rng rng(seed);
  for (int8_t cls = 0; cls <= 1; ++cls) {
    std::vector<uint32_t> idx;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == cls) idx.push_back(static_cast<uint32_t>(i));
    }
    rng.Shuffle(idx);
    const auto n = static_cast<double>(idx.size());
    const auto n_test = static_cast<size_t>(std::llround(n * test_fraction));
    const auto n_val = static_cast<size_t>(std::llround(n * validation_fraction));
    for (size_t k = 0; k < idx.size(); ++k) {
      parts[idx[k]] = k < n_test           ? Part::kTest
                      : k < n_test + n_val ? Part::kValidation
                                           : Part::kTrain;
    }
  }
  return parts;
}

}  // namespace hr::train
