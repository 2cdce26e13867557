// `hybrid-router predict`: one request as a JSON argument, or JSON lines on stdin, to one decision
// JSON line each, in the shape of the HTTP API's /predict response.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "commands.h"
#include "model_source.h"
#include "objective_options.h"
#include "service/predict_stream.h"

namespace hr::app {

namespace {

struct PredictConfig {
  std::string request;     // one JSON request; empty: read JSON lines from stdin
  std::string model_path;  // empty: the built-in model
  service::PredictOptions options;
  ObjectiveOptions objective;
};

int RunPredict(const PredictConfig& cfg) {
  auto model = LoadModel(cfg.model_path);
  if (!model) return ReportError(model.error());
  service::PredictOptions options = cfg.options;
  options.objective = ToObjective(cfg.objective);
  service::Predictor p(*model, options);
  if (!cfg.request.empty()) {
    std::string out;
    const bool ok = p.Answer(cfg.request, 0, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return ok ? 0 : core::ExitCode(core::ErrorCode::kInvalidJson);
  }
  auto summary = service::PredictStream(STDIN_FILENO, stdout, p, options);
  if (!summary) return ReportError(summary.error());
  if (summary->failed) {
    std::fprintf(stderr,
                 "hybrid-router predict: %llu of %llu lines failed (see their error lines)\n",
                 static_cast<unsigned long long>(summary->failed),
                 static_cast<unsigned long long>(summary->lines));
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
  sub->add_option("--memory-mb", cfg->options.memory_mb,
                  "Lambda memory (MB) priced into metrics.inference_cost_usd")
      ->capture_default_str()
      ->check(CLI::Range(128.0, 10240.0));
  sub->add_flag(
         "--strict", cfg->options.strict,
         "Refuse unknown request fields (unknown_field) instead of ignoring them with a warning")
      ->envname("HYBRID_ROUTER_STRICT");
  AddObjectiveOptions(*sub, cfg->objective);
  return [cfg] { return RunPredict(*cfg); };
}

}  // namespace hr::app
