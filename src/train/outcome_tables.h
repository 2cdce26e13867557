// Learns the outcome tables (outcome/outcome.h) from measured records: per platform and cell, the
// response time's mean, spread and quantiles, the execution time, the cold-start share and the
// cost under each cost model, at three levels (workload; workload and payload; the full cell with
// time window and load pattern). Pure computation over records already read.
#pragma once

#include <cstdint>
#include <span>

#include "cost/cost.h"
#include "data/record.h"
#include "outcome/outcome.h"

namespace hr::train {

struct OutcomeConfig {
  double shrinkage = 0;  // pseudo-count toward the parent cell; 0 measured best (models/README.md)
  cost::Pricing pricing;
  cost::Provisioned provisioned;  // data::ProvisionedFromData of the same records
};

// Tables from `records[rows]`. Records without time_window/load_pattern count in the two coarser
// levels only. The default SLO is the better single platform's p95 over these rows: the p95 of
// the responses every row's cell would see if all went to one platform.
outcome::OutcomeSpec LearnOutcomes(std::span<const data::Record> records,
                                   std::span<const uint32_t> rows, const OutcomeConfig& config);

}  // namespace hr::train
