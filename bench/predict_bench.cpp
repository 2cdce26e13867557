// Hot path of a decision: validated request -> seed-v1 features -> MLP -> decision, for one
// request and for a batch of 1,024; also with the JSON request parse in front.
// The model: HR_BENCH_MODEL=<model file> (bench/compare_sklearn.py passes one imported from
// scikit-learn), otherwise a prototype-sized 15-64-32-16-1 relu MLP with fixed pseudo-random
// weights.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <vector>

#include "builtin/default_model.h"
#include "codec/predict_codec.h"
#include "codec/predict_codec_ondemand.h"
#include "features/seed_v1.h"
#include "modelfile/model_file.h"
#include "policy/decision.h"
#include "policy/objective.h"

namespace {

using namespace hr;

std::shared_ptr<const model::Model> BenchModel() {
  static std::shared_ptr<const model::Model> m = [] {
    if (const char* path = std::getenv("HR_BENCH_MODEL")) {
      auto loaded = modelfile::ReadFile(path);
      if (!loaded) {
        std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
        std::exit(1);
      }
      return *loaded;
    }
    model::ModelSpec spec;
    spec.feature_schema = "seed-v1";
    for (auto n : features::kSeedV1Names) spec.feature_names.emplace_back(n);
    std::mt19937_64 rng(42);
    std::normal_distribution<double> w(0.0, 0.1);
    const size_t sizes[] = {15, 64, 32, 16, 1};
    for (size_t k = 0; k + 1 < std::size(sizes); ++k) {
      model::Layer l{sizes[k], sizes[k + 1], {}, {}};
      for (size_t i = 0; i < l.inputs * l.outputs; ++i) l.weights.push_back(w(rng));
      for (size_t j = 0; j < l.outputs; ++j) l.bias.push_back(w(rng));
      spec.layers.push_back(std::move(l));
    }
    return *model::Model::Create(std::move(spec));
  }();
  return m;
}

std::vector<features::Request> Requests(size_t n) {
  std::mt19937 rng(7);
  std::vector<features::Request> out;
  for (size_t i = 0; i < n; ++i) {
    features::Request r;
    r.workload = static_cast<features::Workload>(rng() % 4);
    r.payload_kb = static_cast<double>(rng() % 6000) + 0.5;
    r.time_window = static_cast<features::TimeWindow>(rng() % 6);
    r.load_pattern = static_cast<features::LoadPattern>(rng() % 4);
    r.hour_of_day = static_cast<int>(rng() % 24);
    r.is_weekend = rng() % 2;
    out.push_back(r);
  }
  return out;
}

void BM_FeaturesAndPredict(benchmark::State& state) {
  auto m = BenchModel();
  model::Scratch scratch(*m);
  const auto reqs = Requests(64);
  size_t i = 0;
  for (auto _ : state) {
    const auto x = features::SeedV1Features(reqs[i++ & 63]);
    auto d = policy::Decide(*m, x, scratch);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FeaturesAndPredict);

void BM_Batch1024(benchmark::State& state) {
  auto m = BenchModel();
  model::Scratch scratch(*m);
  const auto reqs = Requests(1024);
  std::vector<policy::Decision> out(reqs.size());
  for (auto _ : state) {
    for (size_t i = 0; i < reqs.size(); ++i) {
      out[i] = policy::Decide(*m, features::SeedV1Features(reqs[i]), scratch);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(reqs.size()));
}
BENCHMARK(BM_Batch1024);

void BM_ParseJsonFeaturesAndPredict(benchmark::State& state) {
  auto m = BenchModel();
  model::Scratch scratch(*m);
  simdjson::ondemand::parser parser;
  const simdjson::padded_string body(std::string_view(
      R"({"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", )"
      R"("load_pattern": "medium_load", "timestamp": "2025-11-24T14:21:02Z"})"));
  const core::CivilTime now = core::NowUtc();
  for (auto _ : state) {
    auto req = codec::ParseRequest(parser, body, now);
    auto d = policy::Decide(*m, features::SeedV1Features(*req), scratch);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseJsonFeaturesAndPredict);

// The built-in model (classifier and outcome tables): the classifier's decision against an
// objective decision, each from a validated request (features or table lookup, model, choice).
std::shared_ptr<const model::Model> Builtin() {
  static auto m = *modelfile::Parse(builtin::DefaultModelText());
  return m;
}

void BM_DecideClassifier(benchmark::State& state) {
  auto m = Builtin();
  model::Scratch scratch(*m);
  const auto reqs = Requests(64);
  size_t i = 0;
  for (auto _ : state) {
    auto d = policy::Decide(*m, features::SeedV1Features(reqs[i++ & 63]), scratch);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideClassifier);

void BM_DecideObjective(benchmark::State& state) {
  auto m = Builtin();
  model::Scratch scratch(*m);
  const auto reqs = Requests(64);
  policy::Objective o;
  o.kind = static_cast<policy::ObjectiveKind>(state.range(0));
  o.cost_model = cost::CostModel::kSeedProratedDeployedMemory;
  size_t i = 0;
  for (auto _ : state) {
    auto d = policy::DecideFor(*m, reqs[i++ & 63], o, scratch);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(policy::Name(o.kind)));
}
BENCHMARK(BM_DecideObjective)->DenseRange(0, 4);

// Loading the built-in model (start-up of every process: serve, predict, the Lambda bootstrap).
void BM_ParseBuiltinModel(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(modelfile::Parse(builtin::DefaultModelText()));
}
BENCHMARK(BM_ParseBuiltinModel)->Unit(benchmark::kMillisecond);

// The two request readers alone on the same body: simdjson on-demand (serve) and RapidJSON (the
// static Lambda bootstrap, batches).
constexpr std::string_view kBody =
    R"({"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", )"
    R"("load_pattern": "medium_load", "timestamp": "2025-11-24T14:21:02Z"})";

void BM_ReadRequestOnDemand(benchmark::State& state) {
  codec::RequestParser parser;
  const core::CivilTime now = core::NowUtc();
  for (auto _ : state) benchmark::DoNotOptimize(parser.Parse(kBody, now));
}
BENCHMARK(BM_ReadRequestOnDemand);

void BM_ReadRequestRapidJson(benchmark::State& state) {
  const core::CivilTime now = core::NowUtc();
  for (auto _ : state) benchmark::DoNotOptimize(codec::ParseRequestText(kBody, now));
}
BENCHMARK(BM_ReadRequestRapidJson);

}  // namespace

BENCHMARK_MAIN();
