// Calling a Lambda function by name through the Invoke API, as the prototype's handlers expect to
// be called: the workload request wrapped as an API Gateway v1 proxy event (`body` a string, since
// the handlers read event.body), the function's `statusCode/headers/body` unwrapped, and the
// `REPORT` line of the log tail (`X-Amz-Log-Result` when invoked with `LogType: Tail`) read for the
// billed duration, memory and cold start. Also the SigV4 scope of a signed Lambda or API Gateway
// URL. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hr::aws {

// `{endpoint}/2015-03-31/functions/{name}/invocations[?Qualifier=q]`.
std::string InvokeUrl(std::string_view endpoint, std::string_view function,
                      std::string_view qualifier);
// The regional Invoke endpoint, https://lambda.{region}.amazonaws.com.
std::string InvokeEndpoint(std::string_view region);

// A function name as the Invoke path takes it (1-64 of A-Za-z0-9-_; an ARN or a partial ARN is
// refused: signed in the path it would need encoding the SDKs and libcurl do differently), and a
// qualifier (version or alias: 1-128 of A-Za-z0-9-_$).
core::Status CheckFunctionName(std::string_view name, std::string_view field);
core::Status CheckQualifier(std::string_view qualifier, std::string_view field);

// The libcurl CURLOPT_AWS_SIGV4 provider string ("aws:amz:{region}:{service}") for a signed call
// to `url`: a Function URL (*.lambda-url.{region}.on.aws) and the Invoke API are service
// `lambda`, an API Gateway stage (*.execute-api.{region}.amazonaws.com) `execute-api`; any other
// host (a private endpoint, the emulator) takes `region` and `service` as given.
std::string SigV4Provider(std::string_view url, std::string_view region,
                          std::string_view default_service);

struct ProxyEventParts {
  std::string_view path;          // "/heavy"
  std::string_view body;          // the workload request, forwarded unchanged
  std::string_view content_type;  // of the body
  std::string_view request_id;
};
// The API Gateway v1 proxy event. A body that is not valid UTF-8 travels base64-encoded
// (`isBase64Encoded: true`), as API Gateway sends binary bodies.
std::string ProxyEvent(const ProxyEventParts& parts);

struct ProxyAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
};
// The function's proxy result; an error (a malformed result, as API Gateway answers 502 for it)
// when `payload` is not an object with an integer statusCode 100-599 and, if present, a string
// body and an object of string headers.
core::Result<ProxyAnswer> UnwrapProxyAnswer(std::string_view payload);

// The REPORT line of a log tail (base64 as X-Amz-Log-Result carries it).
struct InvokeReport {
  std::optional<double> duration_ms, billed_duration_ms, memory_size_mb, max_memory_used_mb,
      init_duration_ms;  // init: the environment started cold
};
InvokeReport ReadLogTail(std::string_view base64);

}  // namespace hr::aws
