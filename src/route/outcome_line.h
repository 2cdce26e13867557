// One outcome line per attempt (outcome_log.h's AttemptLine) from what is known of the request and
// of the attempt: the measurement the platform's answer makes, how the attempt came about, and what
// the Lambda Invoke API's REPORT line added. Pure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "aws/lambda_invoke.h"
#include "features/request.h"
#include "policy/placement.h"
#include "route/guards.h"
#include "route/outcome_log.h"
#include "upstream/upstream.h"

namespace hr::route {

// What every outcome line of one request shares.
struct RequestFacts {
  std::string request_id;
  std::string timestamp;  // wall clock in the router's time zone (only the log shows it)
  features::Request features;
  double actual_kb = 0;  // the body's size
  std::string decision, policy, objective;
  std::string_view source = "policy";  // policy::Name(Source): why the first platform was chosen
  uint64_t model = 0;                  // the deciding model's fingerprint (LoadedModel)
  double propensity = 1;
  bool time_window_derived = false, load_pattern_derived = false;
  std::vector<std::pair<std::string, std::string>> unknown;  // metadata read as absent
};

struct AttemptFacts {
  policy::Platform platform = policy::Platform::kLambda;
  bool fallback = false, hedge = false;
  int attempt = 1;  // 1-based, in the order sent
};

// The decision as the request's lines describe it: the policy, the objective's label (a model's
// decision), the decision tag (X-Route-Decision: the placement's, then ";no_target:lambda" or
// ";breaker_open:ecs" when the request went elsewhere) and the propensity (1 when redirected).
void DescribeDecision(RequestFacts& facts, const policy::PolicySpec& spec,
                      const policy::Placement& placed, const policy::Objective& objective,
                      std::string_view redirect_why, bool redirected);

AttemptLine MakeAttemptLine(const RequestFacts& request, const AttemptFacts& attempt,
                            const upstream::UpstreamResult& r, Verdict v,
                            const aws::InvokeReport& report);

}  // namespace hr::route
