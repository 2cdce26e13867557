// `hybrid-router predict`: one request as a JSON argument, or JSON lines on stdin, to one decision
// JSON line each, in the shape of the HTTP API's /predict response.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "codec/predict_codec.h"
#include "commands.h"
#include "cost/cost.h"
#include "features/seed_v1.h"
#include "model_source.h"

namespace hr::app {

namespace {

struct PredictConfig {
  std::string request;     // one JSON request; empty: read JSON lines from stdin
  std::string model_path;  // empty: the built-in model
  double memory_mb = 512;  // Lambda memory for metrics.inference_cost_usd, as the prototype
  bool strict = false;     // unknown fields are errors rather than warnings
};

class Predictor {
 public:
  Predictor(const PredictConfig& cfg, modelfile::ModelPtr m) : cfg_(cfg), model_(std::move(m)) {}

  // Writes one response or error line; returns whether the request was good.
  bool Handle(std::string_view text, long line_no, std::string& out) {
    const auto start = std::chrono::steady_clock::now();
    const core::CivilTime now = core::NowUtc();
    auto req = requests_.Parse(text, now, codec::ParseOptions{cfg_.strict}, &notes_);
    json::Buffer buf;
    json::Writer w(buf);
    if (!req) {
      w.StartObject();
      if (line_no > 0) {
        json::Key(w, "line");
        w.Int64(line_no);
      }
      json::Key(w, "error");
      codec::WriteErrorObject(w, req.error());
      w.EndObject();
      out.append(buf.GetString(), buf.GetSize());
      out += '\n';
      return false;
    }
    const auto x = features::SeedV1Features(*req);
    const policy::Decision d = policy::Decide(*model_, x, scratch_);
    codec::ResponseExtras extras;
    extras.inference_time_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    extras.inference_cost_usd =
        cost::LambdaInvocationCostUsd(extras.inference_time_ms, cfg_.memory_mb);
    extras.now = now;
    extras.notes = &notes_;
    codec::WriteResponse(w, *req, d, &model_->spec().metadata, extras);
    out.append(buf.GetString(), buf.GetSize());
    out += '\n';
    return true;
  }

 private:
  const PredictConfig& cfg_;
  modelfile::ModelPtr model_;
  codec::RequestParser requests_;
  codec::RequestNotes notes_;
  model::Scratch scratch_;
};

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

int RunPredict(const PredictConfig& cfg) {
  auto model = LoadModel(cfg.model_path);
  if (!model) return ReportError(model.error());
  Predictor p(cfg, *model);
  std::string out;
  if (!cfg.request.empty()) {
    bool ok = p.Handle(cfg.request, 0, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return ok ? 0 : core::ExitCode(core::ErrorCode::kInvalidJson);
  }
  long line_no = 0;
  long failed = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (IsBlank(line)) continue;
    if (!p.Handle(line, line_no, out)) ++failed;
    if (out.size() > (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (failed) {
    std::fprintf(stderr, "hybrid-router predict: %ld of %ld lines failed (see their error lines)\n",
                 failed, line_no);
    return core::ExitCode(core::ErrorCode::kInvalidJson);
  }
  return 0;
}

}  // namespace

RunFn AddPredict(CLI::App& app) {
  auto cfg = std::make_shared<PredictConfig>();
  CLI::App* sub = app.add_subcommand(
      "predict",
      "Decide Lambda or ECS for one request (JSON argument) or for JSON lines on stdin; writes "
      "one JSON line per request, as the HTTP API's /predict answers. Exit 2 when any line "
      "failed.");
  sub->add_option("request", cfg->request,
                  R"(One request, e.g. '{"workload_type":"lightweight_api","payload_size_kb":5}')");
  AddModelOption(*sub, cfg->model_path);
  sub->add_option("--memory-mb", cfg->memory_mb,
                  "Lambda memory (MB) priced into metrics.inference_cost_usd")
      ->capture_default_str()
      ->check(CLI::Range(128.0, 10240.0));
  sub->add_flag(
         "--strict", cfg->strict,
         "Refuse unknown request fields (unknown_field) instead of ignoring them with a warning")
      ->envname("HYBRID_ROUTER_STRICT");
  return [cfg] { return RunPredict(*cfg); };
}

}  // namespace hr::app
