#include "data/derive.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "features/arrival_rates.h"

namespace hr::data {

void DeriveMissingContext(Dataset& ds) {
  bool any_pattern = false;
  for (Record& r : ds.records) {
    if (!r.time_window) {
      r.time_window = features::TimeWindowOfHour(r.hour);
      r.derived |= kDerivedTimeWindow;
      ++ds.derived.time_window;
    }
    any_pattern |= !r.load_pattern;
  }
  if (!any_pattern) return;
  // Every record is an arrival of its workload; those without a pattern get the one the
  // arrivals before them show, as route would have seen them.
  std::vector<uint32_t> order(ds.records.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return ds.records[a].timestamp_us < ds.records[b].timestamp_us;
  });
  features::ArrivalRates rates;
  for (uint32_t i : order) {
    Record& r = ds.records[i];
    const int64_t now_ms = r.timestamp_us / 1000;
    rates.Arrive(r.workload, now_ms);
    if (r.load_pattern) continue;
    r.load_pattern = rates.Pattern(r.workload, now_ms);
    r.derived |= kDerivedLoadPattern;
    ++ds.derived.load_pattern;
  }
}

std::string DerivedSummary(const DerivedCounts& d) {
  std::string out;
  auto part = [&](uint64_t n, const char* what) {
    if (n == 0) return;
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + what;
  };
  part(d.time_window, "time_window from the timestamp's hour");
  part(d.load_pattern, "load_pattern from the arrivals of the minute before");
  part(d.payload_actual, "target_payload_size_kb from actual_payload_size_kb");
  part(d.payload_metrics, "target_payload_size_kb from metrics.payload_size_kb");
  return out;
}

}  // namespace hr::data
