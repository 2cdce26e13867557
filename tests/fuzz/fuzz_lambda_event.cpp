// Lambda events of every format, as the runtime receives them: parsed, answered by the service
// (or refused 400 in the event's format), formatted back; the event answer is valid JSON, and so is
// its body unless the service answered another type (the Prometheus text of GET /metrics).
#include "fuzz_util.h"
#include "lambda/events.h"
#include "service/service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  static std::unique_ptr<service::Service> svc = [] {
    auto s = service::Service::Create(service::ServiceConfig{});
    if (!s) fuzz::Fail("cannot create the service", s.error().message);
    return std::move(*s);
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto event = lambda::ParseEvent(text);
  if (!event) return 0;  // not JSON at all: an invocation error, as AWS documents
  http::Response res;
  if (event->bad_request) {
    res = lambda::BadRequestResponse(*event->bad_request);
    if (res.status != 400) fuzz::Fail("a bad event is not a 400", res.body);
  } else {
    lambda::EventRequest req(*event);
    svc->Handle(req, res);
    if (res.status >= 500) fuzz::Fail("server error", res.body);
  }
  if (res.content_type == "application/json")
    fuzz::RequireJson(res.body, "the answer body is not JSON");
  fuzz::RequireJson(lambda::FormatResponse(event->format, res), "the event answer is not JSON");
  return 0;
}
