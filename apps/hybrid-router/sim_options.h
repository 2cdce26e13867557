// The platform options of `simulate` (Lambda, ECS, billing): registered on the subcommand, then
// applied to the simulation request after parsing (distributions and names checked there).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "objective_options.h"
#include "route/sim_lines.h"
#include "sim/run.h"

namespace hr::app {

struct SimPlatformOptions {
  std::string lambda_warm, lambda_cold, ecs_service, dispatch = "round-robin";
  std::string pricing, api_gateway = "none", reuse = "most-recently-idle";
  std::vector<double> ecs_task;
  std::string ecs_tasks = "0";  // --ecs-tasks: N or W=N,...
  std::string drift_file;       // --drift
  bool no_autoscale = false, no_init_billing = false;
  std::string outcome_log;                    // --outcome-log DIR
  std::shared_ptr<route::SimOutcomeLog> log;  // open while the simulation runs
};

// --rate, --profile (not with --rate), --trace, --mix, --duration-s (returned: whether it was
// given).
CLI::Option* AddSimTrafficOptions(CLI::App& sub, sim::SimRequest& q);
void AddSimPlatformOptions(CLI::App& sub, SimPlatformOptions& o, sim::SimConfig& c);
// --policy: a policy (policy/placement.h) or a model file ('builtin') deciding for `objective`.
core::Result<sim::SimPolicy> ParsePolicyOption(const std::string& text,
                                               const ObjectiveOptions& objective);
// --policy into `config`: ParsePolicyOption's, or W=POLICY,... (config.policy_by_workload; the
// run's policy then only names it).
core::Status ApplyPolicyOption(const std::string& text, const ObjectiveOptions& objective,
                               sim::SimConfig& config);
// Also opens --outcome-log (after the policy is set): CloseSimOutcomeLog writes it out.
core::Status ApplySimPlatformOptions(SimPlatformOptions& o, sim::SimRequest& q);
core::Status CloseSimOutcomeLog(SimPlatformOptions& o);

}  // namespace hr::app
