// AWS Lambda event formats <-> the service's HTTP requests and responses: API Gateway REST (v1
// proxy), HTTP API (v2), Lambda Function URL (v2 shape), ALB target, and direct invocation with
// the prototype's raw JSON (answered, as the prototype did, in the proxy response shape).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/server.h"

namespace hr::lambda {

enum class EventFormat { kApiGatewayV1, kHttpApiV2, kFunctionUrl, kAlb, kDirect };
std::string_view Name(EventFormat f);

struct Event {
  EventFormat format = EventFormat::kDirect;
  std::string method = "POST";
  std::string path = "/predict";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  // An ALB event with multi-value headers enabled: the request's headers came in
  // multiValueHeaders, and the response must carry its headers there too.
  bool multi_value_headers = false;
  // An event of a known format whose request is unusable (a body that is not base64, an event
  // nested too deep): answered with this 400 error in the event's format, never handled.
  std::optional<core::Error> bad_request;
};

// Recognises the format and extracts the request; base64 bodies are decoded. Fails only for an
// event that is not JSON at all (the runtime reports it as an invocation error). A body over
// `max_body_bytes` (decoded) is a bad_request: 413 payload_too_large, as `serve` answers it.
core::Result<Event> ParseEvent(std::string_view json,
                               size_t max_body_bytes = http::kApiMaxBodyBytes);

// The 400 answer to an event's bad_request, as the service writes request errors.
http::Response BadRequestResponse(const core::Error& e);

// The service's answer in the response format the event's source expects; with
// `multi_value_headers` (an ALB event that had them) its headers go in multiValueHeaders.
std::string FormatResponse(EventFormat format, const http::Response& response,
                           bool multi_value_headers = false);

// An http::Request view of an event, for Service::Handle.
class EventRequest final : public http::Request {
 public:
  explicit EventRequest(const Event& e) : e_(e) {}
  std::string_view method() const override { return e_.method; }
  std::string_view target() const override { return e_.path; }
  std::string_view body() const override { return e_.body; }
  std::string_view header(std::string_view name) const override;

 private:
  const Event& e_;
};

}  // namespace hr::lambda
