// The service's handler for POST /predict without the network: routing, auth check, JSON in,
// decision, JSON out, metrics and headers, as `serve` runs it per request (access log off); and
// POST /predict/batch with 100 requests.
#include <benchmark/benchmark.h>

#include "service/service.h"

namespace {

constexpr std::string_view kRequest =
    R"({"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", "load_pattern": "medium_load"})";

class FakeRequest final : public hr::http::Request {
 public:
  FakeRequest(std::string_view target, std::string body)
      : target_(target), body_(std::move(body)) {}
  std::string_view method() const override { return "POST"; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view name) const override {
    return name == "content-type" ? "application/json" : "";
  }

 private:
  std::string_view target_;
  std::string body_;
};

void BM_HandlePredict(benchmark::State& state) {
  auto svc = hr::service::Service::Create({});
  FakeRequest req("/predict", std::string(kRequest));
  for (auto _ : state) {
    hr::http::Response res;
    (*svc)->Handle(req, res);
    benchmark::DoNotOptimize(res.body.data());
  }
}
BENCHMARK(BM_HandlePredict);

// What the prototype's own request generator sends: request_id (echoed) and lambda_memory_mb
// (ignored, named in warnings) beside the decision inputs, and a naive local timestamp.
void BM_HandleGeneratorRequest(benchmark::State& state) {
  auto svc = hr::service::Service::Create({});
  FakeRequest req(
      "/predict",
      R"({"request_id": "eval_000042", "workload_type": "lightweight_api", "payload_size_kb": 5.0, )"
      R"("time_window": "midday", "load_pattern": "medium_load", "timestamp": "2025-11-24T14:21:02.123456", )"
      R"("lambda_memory_mb": 128})");
  for (auto _ : state) {
    hr::http::Response res;
    (*svc)->Handle(req, res);
    if (res.status != 200) state.SkipWithError("refused");
    benchmark::DoNotOptimize(res.body.data());
  }
}
BENCHMARK(BM_HandleGeneratorRequest);

void BM_HandleBatch100(benchmark::State& state) {
  auto svc = hr::service::Service::Create({});
  std::string body = "[";
  for (int i = 0; i < 100; ++i) body += (i ? "," : "") + std::string(kRequest);
  body += "]";
  FakeRequest req("/predict/batch", body);
  for (auto _ : state) {
    hr::http::Response res;
    (*svc)->Handle(req, res);
    if (res.status != 200) state.SkipWithError("batch failed");
    benchmark::DoNotOptimize(res.body.data());
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_HandleBatch100);

}  // namespace

BENCHMARK_MAIN();
