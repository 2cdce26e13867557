// The service's handler for POST /predict without the network: routing, auth check, JSON in,
// decision, JSON out, metrics and headers, as `serve` runs it per request (access log off).
#include <benchmark/benchmark.h>

#include "service/service.h"

namespace {

class FakeRequest final : public hr::http::Request {
 public:
  std::string_view method() const override { return "POST"; }
  std::string_view target() const override { return "/predict"; }
  std::string_view body() const override {
    return R"({"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", "load_pattern": "medium_load"})";
  }
  std::string_view header(std::string_view name) const override {
    return name == "content-type" ? "application/json" : "";
  }
};

void BM_HandlePredict(benchmark::State& state) {
  auto svc = hr::service::Service::Create({});
  FakeRequest req;
  for (auto _ : state) {
    hr::http::Response res;
    (*svc)->Handle(req, res);
    benchmark::DoNotOptimize(res.body.data());
  }
}
BENCHMARK(BM_HandlePredict);

}  // namespace

BENCHMARK_MAIN();
