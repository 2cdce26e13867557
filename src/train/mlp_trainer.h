// Trains the MLP of model/ the way scikit-learn's MLPClassifier does (solver adam, L2 penalty
// alpha, mini-batches, Glorot-uniform initialisation, early stopping on a stratified validation
// fraction with tol and n_iter_no_change), with an optional standard scaler in front. Seeded and
// deterministic. Maths with Eigen; no I/O (progress goes to a callback).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "model/mlp.h"
#include "train/train_config.h"

namespace hr::train {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct TrainedMlp {
  std::optional<model::Scaler> scaler;
  std::vector<model::Layer> layers;
  int epochs = 0;
  bool stopped_early = false;  // no improvement for n_iter_no_change epochs
  double best_validation_accuracy = 0;
  std::vector<double> loss_curve;
};

// X: one row per sample (raw features); y: 0/1.
core::Result<TrainedMlp> TrainMlp(const RowMatrix& x, std::span<const int8_t> y,
                                  const TrainConfig& config, const ProgressFn& progress = {});

}  // namespace hr::train
