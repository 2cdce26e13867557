#include "route/calls.h"

#include <algorithm>

#include "aws/lambda_invoke.h"
#include "workload/request.h"

namespace hr::route {

upstream::UpstreamRequest MakeCall(const RouteTargets& targets, const CallInput& in) {
  const WorkloadTargets& t = targets.of(in.workload);
  const bool lambda = in.platform == policy::Platform::kLambda;
  const bool invoke = lambda && t.lambda_invoke;
  upstream::UpstreamRequest u;
  u.url = t.url[static_cast<size_t>(in.platform)];
  u.body = in.body;
  u.headers.reserve(4);
  u.headers.push_back("Content-Type: " + std::string(in.content_type));
  if (!in.accept.empty()) u.headers.push_back("Accept: " + std::string(in.accept));
  u.headers.push_back("X-Request-Id: " + std::string(in.request_id));
  if (invoke) {
    // The prototype's handlers read event.body: the request travels as an API Gateway proxy event.
    if (!*in.event) {
      const std::string path = "/" + std::string(workload::PathName(in.workload));
      *in.event = std::make_shared<const std::string>(aws::ProxyEvent(
          {path, *in.body, std::string(in.content_type), std::string(in.request_id)}));
    }
    u.body = *in.event;
    u.headers.front() = "Content-Type: application/json";
    if (in.log_tail) u.headers.push_back("X-Amz-Log-Type: Tail");  // the REPORT line, for the log
  }
  if (lambda && !t.lambda_sigv4.empty() && in.credentials) {
    u.aws_sigv4 = t.lambda_sigv4;
    u.aws_access_key = in.credentials->access_key_id;
    u.aws_secret_key = in.credentials->secret_access_key;
    if (!in.credentials->session_token.empty())
      u.headers.push_back("X-Amz-Security-Token: " + in.credentials->session_token);
  }
  u.timeout_ms = static_cast<int>(std::clamp<int64_t>(in.left_ms, 1, t.timeout_ms));
  u.connect_timeout_ms = std::min(targets.connect_timeout_ms, u.timeout_ms);
  u.idempotent = t.idempotent;
  u.request_id = std::string(in.request_id);
  if (!invoke) u.body_request_id = std::string(in.body_request_id);
  return u;
}

}  // namespace hr::route
