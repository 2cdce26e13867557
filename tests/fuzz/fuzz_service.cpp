// The service as a client reaches it: /predict and /predict/batch bodies (and odd paths) through
// Service::Handle with the built-in model. Every answer is a status below 500 (or 503 without a
// model) and valid JSON.
#include "fuzz_util.h"
#include "service/api_keys.h"
#include "service/service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  static std::unique_ptr<service::Service> svc = [] {
    service::ServiceConfig cfg;
    cfg.max_batch = 1000;
    auto s = service::Service::Create(cfg);
    if (!s) fuzz::Fail("cannot create the service", s.error().message);
    return std::move(*s);
  }();
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view path;
  switch (data[0] % 4) {
    case 0:
      path = "/predict";
      break;
    case 1:
      path = "/predict/batch";
      break;
    case 2:
      path = "/model";
      break;
    default:
      path = body.substr(0, 64);
      break;  // a path of the input's bytes
  }
  fuzz::FakeRequest req(data[0] % 8 < 4 ? "POST" : "GET", path, body);
  http::Response res;
  svc->Handle(req, res);
  if (res.status >= 500) fuzz::Fail("server error", res.body);
  if (res.content_type == "application/json") fuzz::RequireJson(res.body, "the answer is not JSON");
  // The same bytes as an API keys file (keys, ids, rate, burst and quota): read or refused.
  if (auto keys = service::ApiKeys::FromText(body, "fuzz"); !keys && keys.error().message.empty())
    fuzz::Fail("a keys file refused without a reason");
  return 0;
}
