// The measured payload sizes of records, per workload: features/payload_size.h's rule over the
// sizes records logged. What the outcome tables (train/), the replay (eval/), emulate and simulate
// match payloads to. Pure; units KB.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "data/record.h"
#include "features/payload_size.h"

namespace hr::data {

// The measured payload sizes of `records[rows]` (every record when `rows` is empty), per workload
// (features/payload_size.h): what the outcome tables, the replay and emulate match payloads to.
inline features::PayloadSizes MeasuredPayloadSizes(std::span<const Record> records,
                                                   std::span<const uint32_t> rows = {}) {
  std::array<std::vector<double>, features::kWorkloadCount> seen;
  const auto add = [&](const Record& r) {
    seen[static_cast<size_t>(r.workload)].push_back(r.target_payload_kb);
  };
  if (rows.empty()) {
    for (const Record& r : records) add(r);
  } else {
    for (uint32_t i : rows) add(records[i]);
  }
  features::PayloadSizes sizes;
  for (size_t w = 0; w < seen.size(); ++w) sizes.by_workload[w] = features::MeasuredSizes(seen[w]);
  return sizes;
}

}  // namespace hr::data
