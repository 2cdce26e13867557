// `hybrid-router lambda` (also the binary started as `bootstrap`, or with AWS_LAMBDA_RUNTIME_API
// set and no arguments): run as an AWS Lambda custom runtime.
#include <cstdio>
#include <cstdlib>

#include "commands.h"
#include "lambda/runtime.h"
#include "model_source.h"

namespace hr::app {

namespace {

struct LambdaConfig {
  service::ServiceConfig service;
  lambda::RuntimeOptions runtime;
  bool check = false;
};

// --check: what a deployment would serve, without a Runtime API (packaging checks a model with it).
int CheckModel(const LambdaConfig& cfg) {
  auto m = LoadModel(cfg.service.model_path);
  if (!m) return ReportError(m.error());
  const auto& spec = (*m)->spec();
  std::printf("model ok: %s, schema %s, %zu layers, test accuracy %s\n",
              cfg.service.model_path.empty() ? "built-in" : cfg.service.model_path.c_str(),
              spec.feature_schema.c_str(), spec.layers.size(),
              spec.metadata.test_accuracy ? std::to_string(*spec.metadata.test_accuracy).c_str()
                                          : "unknown");
  return 0;
}

int RunLambdaCommand(LambdaConfig& cfg) {
  if (cfg.check) return CheckModel(cfg);
  if (cfg.runtime.endpoint.empty()) {
    if (const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API")) cfg.runtime.endpoint = api;
  }
  if (cfg.runtime.endpoint.empty()) {
    return ReportError(
        core::MakeError(core::ErrorCode::kInvalidArgument,
                        "no Runtime API endpoint: set AWS_LAMBDA_RUNTIME_API (Lambda does) "
                        "or pass --runtime-api host:port",
                        "runtime_api"));
  }
  if (const char* keys = std::getenv("HYBRID_ROUTER_API_KEYS")) {
    auto k = service::ApiKeys::FromList(keys);
    if (!k) return ReportError(k.error());
    cfg.service.keys = std::move(*k);
  }
  return lambda::RunRuntime(cfg.service, cfg.runtime);
}

}  // namespace

RunFn AddLambda(CLI::App& app) {
  auto cfg = std::make_shared<LambdaConfig>();
  CLI::App* sub = app.add_subcommand(
      "lambda",
      "Run as an AWS Lambda custom runtime (provided.al2023): the same API as serve, for API "
      "Gateway REST/HTTP, Function URL, ALB and direct invocations.");
  AddModelOption(*sub, cfg->service.model_path);
  sub->add_option("--runtime-api", cfg->runtime.endpoint,
                  "Runtime API host:port (default: AWS_LAMBDA_RUNTIME_API)");
  sub->add_option("--max-invocations", cfg->runtime.max_invocations,
                  "Stop after this many (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--check", cfg->check,
                "Load the model, say whether it is usable, and exit (no Runtime API needed)");
  sub->add_option("--cors-origin", cfg->service.cors_origin, "Access-Control-Allow-Origin value")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_CORS_ORIGIN");
  sub->add_flag("--strict", cfg->service.strict,
                "Refuse unknown request fields (400 unknown_field) instead of ignoring them with a "
                "warning")
      ->envname("HYBRID_ROUTER_STRICT");
  return [cfg] { return RunLambdaCommand(*cfg); };
}

// Started as `bootstrap` by the Lambda runtime, or bare with AWS_LAMBDA_RUNTIME_API set.
bool StartedAsLambda(int argc, char** argv) {
  std::string_view self = argv[0];
  const auto slash = self.rfind('/');
  if (slash != std::string_view::npos) self.remove_prefix(slash + 1);
  return self == "bootstrap" || (argc == 1 && std::getenv("AWS_LAMBDA_RUNTIME_API") != nullptr);
}

}  // namespace hr::app
