#include "route/answers.h"

#include <cctype>

#include "aws/lambda_invoke.h"
#include "http/header_policy.h"
#include "json/json_writer.h"
#include "workload/request.h"

namespace hr::route {

namespace {}  // namespace

std::string_view HeaderOf(const upstream::UpstreamResult& r, std::string_view lower_name) {
  for (const auto& [k, v] : r.headers) {
    if (k == lower_name) return v;
  }
  return {};
}

// The platform's answer as the client gets it: status, body, content type and end-to-end headers.
http::Response Relay(upstream::UpstreamResult r) {
  http::Response res;
  res.status = r.status;
  res.body = std::move(r.body);
  res.lease = std::move(r.lease);
  const std::string_view ct = HeaderOf(r, "content-type");
  res.content_type = ct.empty() ? "application/octet-stream" : std::string(ct);
  res.headers.reserve(r.headers.size() + 7);
  std::string connection(HeaderOf(r, "connection"));
  for (char& c : connection) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& [k, val] : r.headers) {
    if (http::Relayable(k, connection)) res.headers.emplace_back(std::move(k), std::move(val));
  }
  return res;
}

http::Response JsonError(core::ErrorCode code, const std::string& message, std::string_view field) {
  http::Response res;
  res.status = core::HttpStatus(code);
  res.body = json::ErrorBody(core::CodeName(code), message, field);
  return res;
}

// An Invoke API answer as the client expects the function's: the proxy result unwrapped. A failed
// function (X-Amz-Function-Error, or a result that is not a proxy result) becomes a 502 that may
// have run.
void UnwrapInvoke(upstream::UpstreamResult& r) {
  if (r.failure != upstream::Failure::kNone || r.status != 200) return;
  std::string failure;
  if (const std::string_view fe = HeaderOf(r, "x-amz-function-error"); !fe.empty()) {
    failure = "the function failed (X-Amz-Function-Error: " + std::string(fe.substr(0, 64)) + ")";
  } else if (auto a = aws::UnwrapProxyAnswer(r.body)) {
    r.status = a->status;
    r.headers = std::move(a->headers);
    r.body.reserve(a->body.size() + workload::kReadPadding);
    r.body.assign(a->body);
    return;
  } else {
    failure = a.error().message;
  }
  r.status = 502;
  r.message = failure;  // the outcome line's reason
  r.headers = {{"content-type", "application/json"}};
  r.body = json::ErrorBody(core::CodeName(core::ErrorCode::kLambdaFunctionError), failure, {});
}

Verdict JudgeAnswer(policy::Platform p, bool lambda_invoke, upstream::UpstreamResult& r,
                    aws::InvokeReport& report) {
  // The platform's own answer decides first (for the Invoke API: Lambda's, before the function's
  // result is unwrapped: a handler's 403 or 429 is its answer, not the router's problem).
  Verdict v = Judge(p, r.failure, r.status, HeaderOf(r, "x-amzn-errortype"));
  if (p != policy::Platform::kLambda || !lambda_invoke || r.failure != upstream::Failure::kNone)
    return v;
  if (const std::string_view tail = HeaderOf(r, "x-amz-log-result"); !tail.empty())
    report = aws::ReadLogTail(tail);
  if (r.status == 404 && HeaderOf(r, "x-amzn-errortype").starts_with("ResourceNotFound"))
    return Verdict::kConfigError;  // no such function or qualifier
  if (v != Verdict::kAnswered) return v;
  UnwrapInvoke(r);  // a failed function or a malformed result: 502, may have run
  return r.status >= 500 ? Verdict::kFailed : Verdict::kAnswered;
}

}  // namespace hr::route
