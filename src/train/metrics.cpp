#include "train/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace hr::train {

BinaryMetrics Evaluate(std::span<const double> p, std::span<const int8_t> y, double threshold) {
  BinaryMetrics m;
  m.n = p.size();
  if (m.n == 0) return m;
  double loss = 0;
  constexpr double kEps = 1e-15;
  for (size_t i = 0; i < p.size(); ++i) {
    const bool predicted = p[i] >= threshold;
    const bool actual = y[i] == 1;
    m.tp += predicted && actual;
    m.fp += predicted && !actual;
    m.tn += !predicted && !actual;
    m.fn += !predicted && actual;
    const double q = std::clamp(p[i], kEps, 1 - kEps);
    loss -= actual ? std::log(q) : std::log1p(-q);
  }
  const auto n = static_cast<double>(m.n);
  m.log_loss = loss / n;
  m.accuracy = static_cast<double>(m.tp + m.tn) / n;
  m.precision = m.tp + m.fp ? static_cast<double>(m.tp) / static_cast<double>(m.tp + m.fp) : 0.0;
  m.recall = m.tp + m.fn ? static_cast<double>(m.tp) / static_cast<double>(m.tp + m.fn) : 0.0;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;

  // ROC AUC = P(score of a positive > score of a negative), ties counted half (rank statistic).
  std::vector<uint32_t> order(p.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return p[a] < p[b]; });
  double rank_sum_pos = 0;
  uint64_t n_pos = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && p[order[j]] == p[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
    for (size_t k = i; k < j; ++k) {
      if (y[order[k]] == 1) {
        rank_sum_pos += avg_rank;
        ++n_pos;
      }
    }
    i = j;
  }
  const uint64_t n_neg = m.n - n_pos;
  if (n_pos && n_neg) {
    const auto np = static_cast<double>(n_pos);
    m.roc_auc = (rank_sum_pos - np * (np + 1) / 2) / (np * static_cast<double>(n_neg));
  } else {
    m.roc_auc = std::nan("");
  }
  return m;
}

}  // namespace hr::train
