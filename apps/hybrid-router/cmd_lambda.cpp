// `hybrid-router lambda` (also the binary started as `bootstrap`, or with AWS_LAMBDA_RUNTIME_API
// set and no arguments): run as an AWS Lambda custom runtime.
#include <cstdio>
#include <cstdlib>

#include "commands.h"
#include "lambda/runtime.h"
#include "model_source.h"
#include "service_options.h"

namespace hr::app {

namespace {

struct LambdaConfig {
  ServiceOptions shared;
  lambda::RuntimeOptions runtime;
  std::string emf_namespace = "HybridRouter", emf_dimensions;
  bool check = false;
};

// --check: what a deployment would serve, without a Runtime API (packaging checks a model with it).
int CheckModel(const LambdaConfig& cfg) {
  auto m = LoadModel(cfg.shared.service.model_path);
  if (!m) return ReportError(m.error());
  const auto& spec = (*m)->spec();
  std::printf(
      "model ok: %s, schema %s, %zu layers, test accuracy %s\n",
      cfg.shared.service.model_path.empty() ? "built-in" : cfg.shared.service.model_path.c_str(),
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
  if (auto s = FinishServiceOptions(cfg.shared); !s) return ReportError(s.error());
  const char* function = std::getenv("AWS_LAMBDA_FUNCTION_NAME");
  auto emf =
      lambda::MakeEmfOptions(cfg.emf_namespace, cfg.emf_dimensions, function ? function : "");
  if (!emf) return ReportError(emf.error());
  cfg.runtime.emf = std::move(*emf);
  if (cfg.shared.memory_mb->count() == 0) {
    // The function's configured memory prices the inference.
    if (const char* memory = std::getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")) {
      char* end = nullptr;
      const double mb = std::strtod(memory, &end);
      if (end != memory && *end == '\0' && mb >= 128 && mb <= 10240)
        cfg.shared.service.memory_mb = mb;
    }
  }
  return lambda::RunRuntime(cfg.shared.service, cfg.runtime);
}

}  // namespace

RunFn AddLambda(CLI::App& app) {
  auto cfg = std::make_shared<LambdaConfig>();
  CLI::App* sub = app.add_subcommand(
      "lambda",
      "Run as an AWS Lambda custom runtime (provided.al2023): the same API as serve, for API "
      "Gateway REST/HTTP, Function URL, ALB and direct invocations.");
  AddServiceOptions(*sub, cfg->shared);
  sub->add_option("--runtime-api", cfg->runtime.endpoint,
                  "Runtime API host:port (default: AWS_LAMBDA_RUNTIME_API)");
  sub->add_option("--max-invocations", cfg->runtime.max_invocations,
                  "Stop after this many (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--emf-namespace", cfg->emf_namespace,
                  "CloudWatch namespace of the metrics line (Embedded Metric Format) written to "
                  "stdout per invocation: decisions, inference time, errors (off: none)")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_EMF_NAMESPACE");
  sub->add_option("--emf-dimensions", cfg->emf_dimensions,
                  "Dimensions of those metrics, NAME=VALUE,... (none: no dimension; default: "
                  "FunctionName=$AWS_LAMBDA_FUNCTION_NAME when set)")
      ->envname("HYBRID_ROUTER_EMF_DIMENSIONS");
  sub->add_flag("--check", cfg->check,
                "Load the model, say whether it is usable, and exit (no Runtime API needed)");
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
