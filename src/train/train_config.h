// The trainer's settings and its progress report, without the maths (no Eigen): what commands
// and callers configure.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/result.h"
#include "model/mlp.h"

namespace hr::train {

// Defaults equal MLPClassifier's as the prototype used it.
struct TrainConfig {
  std::vector<size_t> hidden = {64, 32, 16};
  model::Activation activation = model::Activation::kRelu;
  double alpha = 1e-4;          // L2 penalty
  double learning_rate = 1e-3;  // Adam's learning_rate_init
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  size_t batch_size = 200;  // min(batch_size, n) is used
  double tol = 1e-4;
  int n_iter_no_change = 10;
  int max_epochs = 500;
  bool early_stopping = true;
  double validation_fraction = 0.1;  // of the training rows, for early stopping
  bool scaler = true;
  uint64_t seed = 42;
  // The ranges `train --help` shows; the trainer refuses anything else the same way.
  core::Status Validate() const;
};

struct EpochReport {
  int epoch = 0;  // 1-based
  int max_epochs = 0;
  double loss = 0;                 // mean training loss incl. L2 term, as MLPClassifier.loss_curve_
  double validation_accuracy = 0;  // early-stopping score (NaN without early stopping)
  bool improved = false;
};
using ProgressFn = std::function<void(const EpochReport&)>;

}  // namespace hr::train
