// A rate sweep of `simulate` as one self-contained HTML file: what was simulated, the table, and
// cost per day and p95 response time against the arrival rate per policy (gnuplot, inline SVG),
// with the rates where the cheapest policy changes marked. Adapter: runs gnuplot, writes files.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "sim/advise.h"
#include "sim/simulate.h"

namespace hr::report {

// `setup` describes the run for people (options, service times, prices).
core::Status WriteSimulationReport(const std::vector<sim::SimResult>& results,
                                   const std::string& setup, const std::string& path);
// The capacity advice (`simulate --advise --html`): per workload, every configuration tried as
// cost per day against p95, lambda-only, ecs-only and the advised one marked, the target dashed.
core::Status WriteAdviceReport(const sim::AdviceSet& advice, double p95_target_ms,
                               const std::string& setup, const std::string& path);

}  // namespace hr::report
