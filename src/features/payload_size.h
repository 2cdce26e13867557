// Which measured payload size a payload belongs to: the one rule the outcome tables, `train`, the
// replay (eval/), `emulate` and `simulate` share. A campaign measures a few nominal sizes (0.5, 1,
// 5, 10 KB, ...); real traffic has body sizes around them (1,024.3 KB for 1,024). MeasuredSizes
// groups observed sizes into the sizes they measure; NearestSize matches a payload to one. Sizes
// are compared in log(1 + KB): 5 KB is nearer 10 than 0.5, and 0 KB is a size. Pure; units KB.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "features/request.h"

namespace hr::features {

// A group holds the sizes whose log(1 + KB) is within this of its smallest: a quarter octave of
// 1 + KB (a factor of 1.19), under the shipped campaign's closest nominal sizes (4,096 and 5,120
// KB: 1.25) and far above a body's overhead (1,024.3 KB for 1,024: 1.0003).
inline constexpr double kSizeGroupSpan = 0.17328679513998632;  // ln(2) / 4

// The measured sizes of observed payload sizes (one per record, any order), ascending: from the
// smallest, each group of sizes within kSizeGroupSpan of the group's smallest is answered by its
// median (the lower one of an even count), so a size measured exactly, record after record, stays
// itself. Sizes that are not finite or are negative are left out. At most about 100 sizes (the
// groups of 0 to features::kMaxPayloadKb), however many records.
std::vector<double> MeasuredSizes(std::span<const double> observed_kb);

// Index into `sizes_kb` (ascending, not empty) of the size nearest `payload_kb` in log(1 + KB); a
// tie goes to the smaller size; beyond the sizes the nearest end answers. A payload that is not a
// number or is negative counts as 0 KB.
size_t NearestSize(std::span<const double> sizes_kb, double payload_kb);

// Each workload's measured sizes (MeasuredSizes of its records' sizes).
struct PayloadSizes {
  std::array<std::vector<double>, kWorkloadCount> by_workload;
  // The measured size a `w` payload belongs to (NearestSize); itself when `w` has none.
  double Of(Workload w, double payload_kb) const {
    const auto& sizes = by_workload[static_cast<size_t>(w)];
    return sizes.empty() ? payload_kb : sizes[NearestSize(sizes, payload_kb)];
  }
};

}  // namespace hr::features
