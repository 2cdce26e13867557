#include "route/calls.h"

#include <algorithm>

#include "aws/lambda_invoke.h"
#include "aws/sigv4.h"
#include "workload/request.h"

namespace hr::route {

namespace {

// The prototype's handlers read event.body: the request travels as an API Gateway proxy event.
std::shared_ptr<const std::string> EventOf(features::Workload w, const std::string& body,
                                           std::string_view content_type,
                                           std::string_view request_id) {
  const std::string path = std::string("/").append(workload::PathName(w));
  return std::make_shared<const std::string>(
      aws::ProxyEvent({path, body, std::string(content_type), std::string(request_id)}));
}

}  // namespace

bool SignsLambda(const RouteTargets& targets, features::Workload w, bool have_credentials) {
  return have_credentials && !targets.of(w).lambda_sigv4.empty();
}

LambdaBody MakeLambdaBody(const RouteTargets& targets, features::Workload w,
                          const std::string& body, std::string_view content_type,
                          std::string_view request_id, bool sign) {
  LambdaBody made;
  if (targets.of(w).lambda_invoke) made.event = EventOf(w, body, content_type, request_id);
  if (sign) made.sha256 = aws::Sha256Hex(made.event ? *made.event : body);
  return made;
}

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
    if (!*in.event) *in.event = EventOf(in.workload, *in.body, in.content_type, in.request_id);
    u.body = *in.event;
    if (in.log_tail) u.headers.push_back("X-Amz-Log-Type: Tail");  // the REPORT line, for the log
  }
  if (lambda && SignsLambda(targets, in.workload, in.credentials != nullptr)) {
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
