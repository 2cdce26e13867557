// How a platform's answer becomes the client's: its end-to-end headers relayed (hop-by-hop ones
// and the router's own dropped), the router's JSON errors, and the Lambda Invoke API's proxy
// result unwrapped. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

#include "aws/lambda_invoke.h"
#include "http/server.h"
#include "policy/decision.h"
#include "route/guards.h"
#include "upstream/upstream.h"

namespace hr::route {

// A header of the answer by its lower-case name; empty when absent.
std::string_view HeaderOf(const upstream::UpstreamResult& r, std::string_view lower_name);
// The platform's answer as the client gets it: status, body, content type and end-to-end headers.
http::Response Relay(upstream::UpstreamResult r);
// The project's error body ({"error":{"code","message","field"}}) with the code's status.
http::Response JsonError(core::ErrorCode code, const std::string& message,
                         std::string_view field = {});
// An Invoke API answer as the client expects the function's: the proxy result unwrapped. A failed
// function (X-Amz-Function-Error, or a result that is not a proxy result) becomes a 502 that may
// have run.
void UnwrapInvoke(upstream::UpstreamResult& r);
// An attempt's result judged (guards.h Judge): for the Lambda Invoke API, first as Lambda's own
// answer (its 404 ResourceNotFound: no such function, a configuration error), then as the
// function's, unwrapped (UnwrapInvoke); `report` gets the Invoke API's REPORT line.
Verdict JudgeAnswer(policy::Platform p, bool lambda_invoke, upstream::UpstreamResult& r,
                    aws::InvokeReport& report);

}  // namespace hr::route
