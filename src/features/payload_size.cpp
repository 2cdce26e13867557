#include "features/payload_size.h"

#include <algorithm>
#include <cmath>

namespace hr::features {

std::vector<double> MeasuredSizes(std::span<const double> observed_kb) {
  std::vector<double> sorted;
  sorted.reserve(observed_kb.size());
  for (double kb : observed_kb) {
    if (std::isfinite(kb) && kb >= 0) sorted.push_back(kb);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> sizes;
  for (size_t first = 0; first < sorted.size();) {
    const double limit = std::log1p(sorted[first]) + kSizeGroupSpan;
    size_t end = first + 1;
    while (end < sorted.size() && std::log1p(sorted[end]) <= limit) ++end;
    sizes.push_back(sorted[first + (end - first - 1) / 2]);
    first = end;
  }
  return sizes;
}

size_t NearestSize(std::span<const double> sizes_kb, double payload_kb) {
  if (!(payload_kb >= 0)) payload_kb = 0;  // NaN too
  const auto hi = std::lower_bound(sizes_kb.begin(), sizes_kb.end(), payload_kb);
  if (hi == sizes_kb.begin()) return 0;
  if (hi == sizes_kb.end()) return sizes_kb.size() - 1;
  const auto i = static_cast<size_t>(hi - sizes_kb.begin());
  const double x = std::log1p(payload_kb);
  return x - std::log1p(sizes_kb[i - 1]) <= std::log1p(sizes_kb[i]) - x ? i - 1 : i;
}

}  // namespace hr::features
