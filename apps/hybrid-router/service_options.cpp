#include "service_options.h"

#include <cstdlib>

#include "model_source.h"

namespace hr::app {

void AddServiceOptions(CLI::App& sub, ServiceOptions& o) {
  AddModelOption(sub, o.service.model_path);
  sub.add_option("--cors-origin", o.service.cors_origin, "Access-Control-Allow-Origin value")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_CORS_ORIGIN");
  o.memory_mb = sub.add_option("--memory-mb", o.service.memory_mb,
                               "Lambda memory priced into inference_cost_usd (lambda: the "
                               "function's configured memory unless given)")
                    ->capture_default_str()
                    ->check(CLI::Range(128.0, 10240.0))
                    ->envname("HYBRID_ROUTER_MEMORY_MB");
  sub.add_option(
         "--max-model-mb", o.max_model_mb,
         "Largest model file (MB) loaded at start or reload; a larger one is refused unread")
      ->capture_default_str()
      ->check(CLI::Range(1, 256))
      ->envname("HYBRID_ROUTER_MAX_MODEL_MB");
  sub.add_flag("--strict", o.service.strict,
               "Refuse unknown request fields (400 unknown_field) instead of ignoring them with a "
               "warning")
      ->envname("HYBRID_ROUTER_STRICT");
  sub.add_option("--max-batch", o.service.max_batch, "Most requests in one /predict/batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000))
      ->envname("HYBRID_ROUTER_MAX_BATCH");
  sub.add_option("--api-key-file", o.api_key_file,
                 "File of API keys, one per line, each optionally with id=NAME, rate=PER_S, "
                 "burst=N and quota=PER_DAY (or HYBRID_ROUTER_API_KEYS=k1,k2); enables auth "
                 "on /predict, /predict/batch, /model and /admin/reload; reread on reload")
      ->envname("HYBRID_ROUTER_API_KEY_FILE");
  sub.add_flag("--metrics-auth", o.service.metrics_need_auth, "Require an API key for /metrics too")
      ->envname("HYBRID_ROUTER_METRICS_AUTH");
  AddObjectiveOptions(sub, o.objective);
}

core::Status FinishServiceOptions(ServiceOptions& o) {
  o.service.max_model_bytes = o.max_model_mb << 20;
  o.service.objective = ToObjective(o.objective);
  if (!o.api_key_file.empty()) {
    auto keys = service::ApiKeys::FromFile(o.api_key_file);
    if (!keys) return keys.error();
    o.service.keys = std::move(*keys);
    o.service.api_key_file = o.api_key_file;  // reread on SIGHUP and /admin/reload
  } else if (const char* env =
                 std::getenv("HYBRID_ROUTER_API_KEYS")) {  // NOLINT(concurrency-mt-unsafe)
    auto keys = service::ApiKeys::FromList(env);
    if (!keys) return keys.error();
    o.service.keys = std::move(*keys);
  }
  return {};
}

}  // namespace hr::app
