// What an attempt sends: the target's URL, the client's body (or, to the Lambda Invoke API, the
// API Gateway proxy event the prototype's handlers read), the headers, the signing, the ids the
// target may echo, and the time it may take within the request's deadline. Signed calls are
// signed here (aws::SignedHeaderLines), not by libcurl. Pure.
#pragma once

#include <memory>
#include <string>

#include "aws/credentials.h"
#include "features/request.h"
#include "policy/decision.h"
#include "route/route_config.h"
#include "upstream/upstream.h"

namespace hr::route {

struct CallInput {
  policy::Platform platform = policy::Platform::kLambda;
  features::Workload workload = features::Workload::kLightweightApi;
  std::shared_ptr<const std::string> body;
  // The Invoke API's proxy event, made from the body on the first Lambda attempt and kept.
  std::shared_ptr<const std::string>* event = nullptr;
  // A signed call's payload hash (SHA-256, hex) of what it sends, made on the request's first
  // signed attempt and kept for the next (a fallback back, a hedge): the body is hashed once.
  std::string* body_sha256 = nullptr;
  int64_t now_unix_s = 0;  // signed calls: the signature's time
  std::string_view content_type, accept, request_id, body_request_id;
  int64_t left_ms = 0;    // until the request's deadline
  bool log_tail = false;  // ask the Invoke API for the REPORT line (an outcome log is kept)
  const aws::Credentials* credentials = nullptr;  // signed targets
};

upstream::UpstreamRequest MakeCall(const RouteTargets& targets, const CallInput& in);

// What a Lambda call makes from the body in time proportional to its size: the Invoke API's proxy
// event and a signed call's payload hash (SHA-256, hex, of the event or the body). MakeCall makes
// them itself when the CallInput has none; the router makes them off its event loop first for large
// bodies. Pure and thread-safe.
struct LambdaBody {
  std::shared_ptr<const std::string> event;  // invoke targets only
  std::string sha256;                        // signed calls only
};
// The workload's Lambda calls are signed (with credentials to sign them).
bool SignsLambda(const RouteTargets& targets, features::Workload w, bool have_credentials);
LambdaBody MakeLambdaBody(const RouteTargets& targets, features::Workload w,
                          const std::string& body, std::string_view content_type,
                          std::string_view request_id, bool sign);

}  // namespace hr::route
