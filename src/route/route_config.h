// Where `route` sends each workload: the prototype's layout from two base URLs (an API Gateway
// stage or Function URL, `BASE/{workload}`; an ALB, `BASE/{workload}/process`), or per-workload
// URLs, timeouts and idempotency from a JSON file. Unknown keys and misspelt workloads are errors
// naming them. Pure: no I/O beyond reading the file.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/result.h"
#include "features/request.h"
#include "policy/decision.h"

namespace hr::route {

struct WorkloadTargets {
  std::array<std::string, 2> url;  // by policy::Platform; empty: not configured
  // Lambda by function name: url[0] is the Invoke API's, the request travels as an API Gateway
  // proxy event and the answer is unwrapped.
  bool lambda_invoke = false;
  // Signed Lambda calls (the Invoke API, or lambda_auth "iam"): libcurl's CURLOPT_AWS_SIGV4
  // provider string, "aws:amz:{region}:{service}"; empty: unsigned.
  std::string lambda_sigv4;
  int timeout_ms = 30'000;   // one attempt
  int deadline_ms = 60'000;  // the whole request, every attempt
  bool idempotent = true;    // the prototype's four are
  int ecs_capacity = -1;     // spillover: requests its ECS service runs at once; -1: unset
  // Spillover with the capacity discovered: the ECS service (name or ARN) whose running tasks
  // times `ecs_task_concurrency` is the capacity (route/ecs_capacity.h).
  std::string ecs_service;
  int ecs_task_concurrency = 0;
};

struct RouteTargets {
  std::array<WorkloadTargets, features::kWorkloadCount> workloads;
  int connect_timeout_ms = 2'000;
  // Where ECS services are described (ecs_service): the API's URL, the cluster ("": the
  // account's default) and the SigV4 provider string.
  std::string ecs_api_url, ecs_cluster, ecs_sigv4;
  const WorkloadTargets& of(features::Workload w) const {
    return workloads[static_cast<size_t>(w)];
  }
  bool signs() const {  // some Lambda target is called signed
    for (const auto& w : workloads)
      if (!w.lambda_sigv4.empty()) return true;
    return false;
  }
  bool discovers() const {  // some workload's ECS capacity comes from the ECS API
    for (const auto& w : workloads)
      if (!w.ecs_service.empty()) return true;
    return false;
  }
};

inline constexpr size_t kMaxConfigBytes = 1u << 20;

// The layout file:
//   {"lambda_url": BASE, "ecs_url": BASE, "timeout_ms": N, "deadline_ms": N,
//    "connect_timeout_ms": N, "idempotent": bool, "region": "eu-west-1",
//    "lambda_endpoint": URL, "lambda_auth": "none" | "iam", "ecs_capacity": N,
//    "workloads": {"heavy_processing": {"lambda_url": URL, "ecs_url": URL, "timeout_ms": N,
//                                       "deadline_ms": N, "idempotent": bool,
//                                       "lambda_function": NAME, "lambda_qualifier": ALIAS,
//                                       "lambda_auth": ..., "ecs_capacity": N,
//                                       "ecs_service": NAME, "ecs_task_concurrency": K}, ...},
//    "ecs_cluster": NAME, "ecs_api_endpoint": URL, "ecs_task_concurrency": K}
// Base URLs get the prototype's paths appended; a workload's own URLs are used as they are.
// `lambda_function` calls the function through the Invoke API at `lambda_endpoint` (default
// https://lambda.{region}.amazonaws.com), signed; `lambda_auth: "iam"` signs calls to a Lambda
// URL (a Function URL or an AWS_IAM API Gateway stage). Signing needs a region: the file's, else
// `region` (the command line's, from AWS_REGION), else the one in an AWS host name.
// `ecs_service` makes the workload's spill-over capacity its running tasks (ECS DescribeServices
// at `ecs_api_endpoint`, default https://ecs.{region}.amazonaws.com/, signed) times
// `ecs_task_concurrency`; it excludes a fixed `ecs_capacity` for the same workload.
// `lambda_base` / `ecs_base` (the command line's --lambda-url / --ecs-url) override the file's.
core::Result<RouteTargets> ParseTargets(std::string_view config_json, std::string_view lambda_base,
                                        std::string_view ecs_base, std::string_view region = {});
core::Result<RouteTargets> ReadTargets(const std::string& config_path, std::string_view lambda_base,
                                       std::string_view ecs_base, std::string_view region = {});

// An http:// or https:// URL with a host; errors name `field`.
core::Status CheckUrl(std::string_view url, std::string_view field);

// A URL as logs show it: user information (a password) replaced by "***".
std::string Redacted(std::string_view url);
// Each workload's targets as a JSON object for the `listening` line:
// {"lightweight_api":{"lambda":URL|null,"ecs":URL|null},...}, URLs redacted.
std::string TargetsJson(const RouteTargets& t);

}  // namespace hr::route
