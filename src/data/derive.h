// Records of an earlier campaign lack fields the shipped logs carry: a missing `time_window`,
// `load_pattern` or `target_payload_size_kb` is derived as `predict` and `route` derive them for a
// request, and counted (audit, train and evaluate say how many and how):
// - time_window: the window of the timestamp's hour (features::TimeWindowOfHour);
// - load_pattern: what the arrivals of the record's workload (every record of the data, both
//   platforms, in timestamp order) looked like in the minute before it (features::ArrivalRates,
//   the rule `route` applies to the traffic it sees);
// - target_payload_size_kb: `actual_payload_size_kb`, else `metrics.payload_size_kb` (what was
//   sent; the reader does this, data/ingest.cpp).
// Pure: works on an ingested Dataset.
#pragma once

#include <string>

#include "data/record.h"

namespace hr::data {

// Fills the records' missing time windows and load patterns, marks them in Record::derived and
// counts them in Dataset::derived.
void DeriveMissingContext(Dataset& ds);

// "N time windows from the timestamp's hour, N load patterns from the arrivals, N payloads from
// actual_payload_size_kb" (only the non-zero parts); empty when nothing was derived.
std::string DerivedSummary(const DerivedCounts& d);

}  // namespace hr::data
