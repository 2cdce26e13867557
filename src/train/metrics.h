// Binary classification metrics of probabilities against 0/1 labels, as scikit-learn defines them:
// accuracy, precision, recall, F1 (positive class = Lambda), ROC AUC (ties averaged), log loss
// (probabilities clipped to [1e-15, 1 - 1e-15]) and the confusion matrix. Pure.
#pragma once

#include <cstdint>
#include <span>

namespace hr::train {

struct BinaryMetrics {
  uint64_t n = 0;
  double accuracy = 0, precision = 0, recall = 0, f1 = 0, roc_auc = 0, log_loss = 0;
  uint64_t tp = 0, fp = 0, tn = 0, fn = 0;  // confusion matrix
};

BinaryMetrics Evaluate(std::span<const double> p_positive, std::span<const int8_t> labels,
                       double threshold);

}  // namespace hr::train
