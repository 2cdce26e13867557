#include "route/calls.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "aws/sigv4.h"

namespace hr::route {
namespace {

using features::Workload;

RouteTargets InvokeTargets() {
  RouteTargets t;
  WorkloadTargets& w = t.workloads[static_cast<size_t>(Workload::kHeavyProcessing)];
  w.url = {"https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/hr-heavy/invocations",
           "http://ecs.internal/heavy/process"};
  w.lambda_invoke = true;
  w.lambda_sigv4 = "aws:amz:eu-west-1:lambda";
  return t;
}

CallInput Input(const std::shared_ptr<const std::string>& body,
                std::shared_ptr<const std::string>* event, std::string* hash,
                const aws::Credentials& credentials) {
  CallInput in;
  in.platform = policy::Platform::kLambda;
  in.workload = Workload::kHeavyProcessing;
  in.body = body;
  in.event = event;
  in.body_sha256 = hash;
  in.now_unix_s = 1'700'000'000;
  in.content_type = "application/json";
  in.request_id = "req-1";
  in.left_ms = 1000;
  in.credentials = &credentials;
  return in;
}

// The router makes a large body's event and hash on a pool thread (MakeLambdaBody) and MakeCall
// makes them itself for a small one: both give the same bytes and the same signature.
TEST(Calls, APreparedBodySignsExactlyAsOneMadeInline) {
  const RouteTargets targets = InvokeTargets();
  const aws::Credentials credentials{"AKIDCALLS", "secret", "session-token", 0, "environment"};
  auto body = std::make_shared<const std::string>(
      R"({"workload_type":"heavy_processing","payload":")" + std::string(300'000, 'x') + "\"}");
  std::shared_ptr<const std::string> lazy_event;
  std::string lazy_hash;
  const upstream::UpstreamRequest inline_made =
      MakeCall(targets, Input(body, &lazy_event, &lazy_hash, credentials));

  LambdaBody prepared =
      MakeLambdaBody(targets, Workload::kHeavyProcessing, *body, "application/json", "req-1", true);
  ASSERT_TRUE(prepared.event);
  EXPECT_EQ(*prepared.event, *lazy_event);
  EXPECT_EQ(prepared.sha256, aws::Sha256Hex(*prepared.event));  // the event is what is sent
  EXPECT_EQ(prepared.sha256, lazy_hash);
  std::shared_ptr<const std::string> event = prepared.event;
  std::string hash = prepared.sha256;
  const upstream::UpstreamRequest from_prepared =
      MakeCall(targets, Input(body, &event, &hash, credentials));
  EXPECT_EQ(from_prepared.headers, inline_made.headers);
  EXPECT_EQ(*from_prepared.body, *inline_made.body);
  EXPECT_TRUE(from_prepared.presigned);
  EXPECT_TRUE(std::any_of(from_prepared.headers.begin(), from_prepared.headers.end(),
                          [](const std::string& h) { return h.starts_with("Authorization: "); }));
  // Unsigned (no credentials): nothing to hash.
  EXPECT_FALSE(SignsLambda(targets, Workload::kHeavyProcessing, false));
  EXPECT_TRUE(SignsLambda(targets, Workload::kHeavyProcessing, true));
  EXPECT_FALSE(SignsLambda(targets, Workload::kLightweightApi, true));
}

}  // namespace
}  // namespace hr::route
