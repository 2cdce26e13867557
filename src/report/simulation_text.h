// `simulate`'s output: one run as a table or JSON (the names validation scripts read), and a
// rate sweep as a table or JSON with the cheapest policy per rate. Adapter: text and JSON.
#pragma once

#include <string>
#include <vector>

#include "sim/advise.h"
#include "sim/simulate.h"

namespace hr::report {

std::string SimulationTable(const sim::SimResult& r);
std::string SimulationJson(const sim::SimResult& r);
// With --drift: a line per phase, its mean response time beside the oracle's and the regret.
std::string PhasesText(const sim::SimResult& r);
std::string SweepTable(const std::vector<sim::SimResult>& results);
std::string SweepJson(const std::vector<sim::SimResult>& results);

// `simulate --advise`: per workload the advised task count beside lambda-only and ecs-only; the
// advised cost and p95 (per workload and in total) are the one run of the advice together, whose
// `simulate` options are printed.
std::string AdviceTable(const sim::AdviceSet& advice, double p95_target_ms);
std::string AdviceJson(const sim::AdviceSet& advice, double p95_target_ms);

// Per rate, the policy with the lowest total cost (ties: the first); in rate order.
std::vector<std::pair<double, std::string>> CheapestByRate(
    const std::vector<sim::SimResult>& results);

}  // namespace hr::report
