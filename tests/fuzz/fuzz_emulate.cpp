// The emulator as `route` (or anyone) reaches it: workload requests on the API Gateway and ALB
// paths and proxy events on the Invoke path, through Emulator::Handle with a few measured records
// and every fault possible. Every answer is a status below 500 unless a fault was injected, and
// valid JSON.
#include "emulate/emulate.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  static std::unique_ptr<emulate::Emulator> emu = [] {
    std::vector<data::Record> records(2);
    records[0].workload = records[1].workload = features::Workload::kHeavyProcessing;
    records[0].target_payload_kb = records[1].target_payload_kb = 5120;
    records[1].platform = policy::Platform::kEcs;
    records[0].response_time_ms = 7000;
    records[1].response_time_ms = 9000;
    emulate::EmulateConfig cfg;
    cfg.time_scale = 0;  // answer at once: the fuzzer cannot wait
    cfg.faults = {*emulate::ParseFault("lambda:throttle:0.1"),
                  *emulate::ParseFault("ecs:error:0.1"),
                  *emulate::ParseFault("lambda:cold:0.3:500")};
    auto e = emulate::Emulator::Create(cfg, emulate::Pools(records));
    if (!e) fuzz::Fail("cannot create the emulator", e.error().message);
    return std::move(*e);
  }();
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view path;
  switch (data[0] % 4) {
    case 0:
      path = "/prod/heavy";
      break;
    case 1:
      path = "/heavy/process";
      break;
    case 2:
      path = "/2015-03-31/functions/hr-heavy/invocations";
      break;
    default:
      path = body.substr(0, 64);  // a path of the input's bytes
      break;
  }
  fuzz::FakeRequest req(data[0] % 8 < 4 ? "POST" : "GET", path, body);
  http::Response res;
  emu->Handle(req, res);
  bool faulted = false;
  for (const auto& [k, v] : res.headers) faulted = faulted || k == "X-Emulated-Fault";
  if (res.status >= 500 && !faulted) fuzz::Fail("server error", res.body);
  fuzz::RequireJson(res.body, "the answer is not JSON");
  return 0;
}
