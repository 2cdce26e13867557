// The guard and AWS options of `route` (retry budget, breakers, hedging, region, credentials):
// registered on the subcommand, then applied once the targets are known (credentials are looked
// up only when a target is signed).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/result.h"
#include "route/router.h"

namespace hr::app {

struct RouteMoreOptions {
  std::string region;  // --region, else AWS_REGION, else AWS_DEFAULT_REGION
  int refresh_ahead_s = 900;
  std::string plain_http_client = "loop";   // --plain-http-client
  std::string upstream_reuse = "verified";  // --upstream-reuse
  std::string ca_file;                      // --ca-file, else AWS_CA_BUNDLE
  uint32_t outcome_log_rotate_mb = 256;     // --outcome-log-rotate-mb
  std::string learn = "on";                 // --learn: off freezes adaptive to the model policy
};

// The adaptive policy's learner (policy/learner.h), for route and simulate.
void AddLearnOptions(CLI::App& sub, policy::LearnOptions& l);
void AddRouteGuardOptions(CLI::App& sub, route::RouterConfig& r, RouteMoreOptions& more);
// The region for signed targets, from the option or the environment.
std::string RegionOf(const RouteMoreOptions& more);
// Applies --learn to rc.policy (set before); finds AWS credentials when a target is signed
// (rc.targets must be set); refuses an outcome log on stdout beside an access log there.
core::Status FinishRouteOptions(const RouteMoreOptions& more, const std::string& access_log,
                                route::RouterConfig& rc);

}  // namespace hr::app
