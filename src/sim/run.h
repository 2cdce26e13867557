// `simulate` from what the command line gave: loads the measurements (unless distributions replace
// them), the profile or trace file, then runs one policy or sweeps rates over several. Adapter:
// reads files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/advise.h"
#include "sim/simulate.h"

namespace hr::sim {

struct SimRequest {
  SimConfig config;               // arrivals.kind/rate, duration, policy... as parsed
  std::vector<std::string> data;  // measurement files or folders; empty: the shipped data
  std::string profile_file, trace_file;
  std::string mix;  // "W=SHARE,..."; empty: the data's shares
  std::optional<Distribution> lambda_warm, lambda_cold, ecs_service;
  bool ecs_busy_response = false;   // ECS slots held for the response time, not the execution
  bool duration_given = false;      // else a profile runs one period, a trace to its last arrival
  std::vector<double> sweep_rates;  // empty: one run
  std::vector<SimPolicy> sweep_policies;  // with a sweep: the policies compared
};

// Parses "W=SHARE,..." (workload names as in the API, shares >= 0, normalised).
core::Result<Mix> ParseMix(std::string_view text);
// --ecs-tasks: N for every service (config.ecs.tasks), or W=N,... per workload (the others keep
// ecs.tasks); 0 sizes a service for its load. Errors name --ecs-tasks.
core::Status ParseEcsTasks(std::string_view text, SimConfig& config);
// --policy W=POLICY,...: a policy per workload (one that needs no model); errors name --policy
// and the workload. Whether a --policy text is that form (it has a '=').
bool IsPolicyByWorkload(std::string_view text);
core::Result<PolicyByWorkload> ParsePolicyByWorkload(std::string_view text);

using Progress = std::function<void(const std::string& line)>;
core::Result<std::vector<SimResult>> Run(SimRequest& request, const Progress& progress = {});
// `simulate --advise`: the ECS task count per workload with spill-over to Lambda, and the advice
// run together (sim/advise.h).
core::Result<AdviceSet> RunAdvice(SimRequest& request, double p95_target_ms,
                                  const Progress& progress = {});

}  // namespace hr::sim
