// The AWS Lambda custom runtime: the Runtime API loop (next invocation, response, error with an
// error type, init error), request id, deadline and trace headers, bounded retries when the
// runtime endpoint fails. Each invocation goes through the same Service as `serve`.
#pragma once

#include <string>

#include "lambda/emf.h"
#include "service/service.h"

namespace hr::lambda {

struct RuntimeOptions {
  std::string endpoint;     // AWS_LAMBDA_RUNTIME_API, host:port
  int max_retries = 5;      // transient failures of the endpoint, with exponential backoff
  int max_invocations = 0;  // 0: until the environment is shut down (tests use a limit)
  EmfOptions emf;           // one metrics line per invocation on stdout (CloudWatch Logs)
};

// Each invocation with a request id writes one EMF line to stdout (unless emf is off): its
// decisions, inference time and errors, which CloudWatch Logs turns into metrics.
// Runs until the endpoint is gone for good (returns 1) or max_invocations are done (returns 0).
// An init failure (no usable model) is posted to the init-error endpoint and returns 1.
int RunRuntime(service::ServiceConfig config, const RuntimeOptions& options);

}  // namespace hr::lambda
