#include "route/calls.h"

#include <algorithm>

#include "aws/lambda_invoke.h"
#include "aws/sigv4.h"
#include "workload/request.h"

namespace hr::route {

upstream::UpstreamRequest MakeCall(const RouteTargets& targets, const CallInput& in) {
  const WorkloadTargets& t = targets.of(in.workload);
  const bool lambda = in.platform == policy::Platform::kLambda;
  const bool invoke = lambda && t.lambda_invoke;
  upstream::UpstreamRequest u;
  u.url = t.url[static_cast<size_t>(in.platform)];
  u.body = in.body;
  // The Invoke API takes the proxy event, JSON, whatever the client's body was.
  const std::string content_type(invoke ? std::string_view("application/json") : in.content_type);
  u.headers.reserve(4);
  u.headers.push_back("Content-Type: " + content_type);
  if (!in.accept.empty()) u.headers.push_back("Accept: " + std::string(in.accept));
  u.headers.push_back("X-Request-Id: " + std::string(in.request_id));
  if (invoke) {
    // The prototype's handlers read event.body: the request travels as an API Gateway proxy event.
    if (!*in.event) {
      const std::string path = std::string("/").append(workload::PathName(in.workload));
      *in.event = std::make_shared<const std::string>(aws::ProxyEvent(
          {path, *in.body, std::string(in.content_type), std::string(in.request_id)}));
    }
    u.body = *in.event;
    if (in.log_tail) u.headers.push_back("X-Amz-Log-Type: Tail");  // the REPORT line, for the log
  }
  if (lambda && !t.lambda_sigv4.empty() && in.credentials) {
    // "aws:amz:{region}:{service}" (aws::SigV4Provider)
    const std::string_view provider = t.lambda_sigv4;
    const size_t service_at = provider.rfind(':');
    const size_t region_at = provider.rfind(':', service_at - 1);
    std::string local_hash;
    std::string& hash = in.body_sha256 ? *in.body_sha256 : local_hash;
    if (hash.empty()) hash = aws::Sha256Hex(*u.body);
    aws::SigningInput s;
    s.url = u.url;
    s.headers.emplace_back("content-type", content_type);
    if (!in.credentials->session_token.empty()) {
      u.headers.push_back("X-Amz-Security-Token: " + in.credentials->session_token);
      s.headers.emplace_back("x-amz-security-token", in.credentials->session_token);
    }
    s.payload_sha256 = hash;
    s.region = provider.substr(region_at + 1, service_at - region_at - 1);
    s.service = provider.substr(service_at + 1);
    s.access_key = in.credentials->access_key_id;
    s.secret_key = in.credentials->secret_access_key;
    s.unix_s = in.now_unix_s;
    for (std::string& line : aws::SignedHeaderLines(s)) u.headers.push_back(std::move(line));
    u.presigned = true;
  }
  u.timeout_ms = static_cast<int>(std::clamp<int64_t>(in.left_ms, 1, t.timeout_ms));
  u.connect_timeout_ms = std::min(targets.connect_timeout_ms, u.timeout_ms);
  u.idempotent = t.idempotent;
  u.request_id = std::string(in.request_id);
  if (!invoke) u.body_request_id = std::string(in.body_request_id);
  return u;
}

}  // namespace hr::route
