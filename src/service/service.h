// The HTTP API of hybrid-router (the prototype's POST /predict and what operators expect around
// it): one route table, auth, CORS, request ids, metrics, access log, atomic model reload. It sits
// on http::Server's small interface and knows nothing of Beast. Adapter.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/server.h"
#include "modelfile/model_file.h"
#include "policy/objective.h"
#include "service/api_keys.h"
#include "service/metrics.h"
#include "service/rate_limit.h"

namespace spdlog {
class logger;
}

namespace hr::service {

namespace detail {
struct ThreadState;
}

struct ServiceConfig {
  std::string model_path;            // empty: the built-in model
  bool allow_missing_model = false;  // start (not ready, 503 + fallback) when the file won't load
  std::string cors_origin = "*";
  double memory_mb = 512;  // Lambda memory priced into metrics.inference_cost_usd
  size_t max_batch = 1000;
  policy::Objective objective;  // the default; a request's objective fields override it
  bool strict = false;  // refuse unknown request fields (400 unknown_field) instead of warning
  size_t max_model_bytes = 64u << 20;  // a model file larger than this is refused before reading
  bool metrics_need_auth = false;
  ApiKeys keys;
  std::string api_key_file;  // where `keys` came from: reread on every reload; empty: never
  // The clock of the keys' rate limits and quotas (microseconds since the Unix epoch, UTC);
  // empty: the system clock. Tests move it.
  std::function<int64_t()> clock_us;
  std::shared_ptr<spdlog::logger> access_log;  // one JSON line per request; null: off
  std::shared_ptr<spdlog::logger> event_log;   // start, reload, errors; null: off
  const http::ByteBudget* budget = nullptr;    // the buffer budget /metrics reports; null: none
};

// A client's request id worth echoing: 1-128 bytes of letters, digits, '-', '_', '.', ':'.
bool ValidRequestId(std::string_view id);

// FNV-1a of a model file's bytes as read ("": the built-in model's text), so an outcome line names
// the model that decided it across reloads and restarts.
uint64_t ModelFingerprint(const std::string& path);

// A model as served: the model and where it came from.
struct LoadedModel {
  modelfile::ModelPtr model;
  std::string source;           // the file's name (not its directory), or "built-in"
  std::string loaded_at;        // ISO-8601 UTC
  std::string model_info_json;  // the answers' "model_info", rendered once
  uint64_t fingerprint = 0;     // FNV-1a of the model file's bytes (the built-in model's text)
};

class Service {
 public:
  static core::Result<std::unique_ptr<Service>> Create(ServiceConfig config);
  ~Service();

  // What one request came to, for a caller that reports it (the Lambda runtime's metrics line).
  struct Summary {
    int status = 0;
    std::array<uint32_t, 3> decisions{};  // lambda, ecs, fallback (a batch counts every item)
    uint32_t failed_items = 0;            // a batch's items answered with an error
    double seconds = 0;                   // from arrival to answer
  };
  // The http::Handler of the server; `summary` (optional) gets what the request came to (not for
  // a deferred /admin/reload).
  void Handle(const http::Request& request, http::Response& response, Summary* summary = nullptr);
  // Reloads from the configured paths: reads and validates the new model and, when keys came from
  // a file, the keys file, then swaps both in; when either fails, the old model and keys stay in
  // force. One reload at a time (a second caller waits).
  core::Status Reload();
  // The same on the service's reload thread, off the event loops; `done` (optional) gets the
  // result there. Requests that arrive while a reload runs are served by the next one.
  void RequestReload(std::function<void(const core::Status&)> done = {});
  // Whether a request to a route that needs an API key may go on: an empty optional when it may
  // (its key is valid and within its limits, or no keys are configured); else the refusal to
  // answer with, 401 (no valid key) or 429 (over a limit, with Retry-After). `limited`: whether
  // the key's rate and quota apply (they do to the API and workload routes, not to /metrics or
  // /admin/reload). Counted per key id in /metrics.
  struct Refusal {
    core::Error error;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  std::optional<Refusal> Admit(const http::Request& request, bool limited);
  // Lets /metrics report the server's open connections.
  void SetConnectionGauge(std::function<int()> gauge) { connections_ = std::move(gauge); }
  // Lets /metrics append another component's Prometheus text (the router's counters).
  void SetExtraMetrics(std::function<std::string()> render) { extra_metrics_ = std::move(render); }
  // Counts answers the server gives itself (malformed HTTP, body too large...).
  // The server's own refusals (http::ErrorObserver): counted, with the request id and CORS headers
  // and an access-log line, as the service's own answers.
  void ObserveServerError(const http::Refused& refused, http::Response* res);
  // A request id for a request that brought none (unique per process start).
  std::string NewRequestId();

  std::shared_ptr<const LoadedModel> model() const;
  std::shared_ptr<const KeyGate> gate() const;
  Metrics& metrics() { return metrics_; }
  const ServiceConfig& config() const { return config_; }
  // Changes with every model swap, unique across all Services of the process (threads cache the
  // model by it).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  explicit Service(ServiceConfig config);
  void ReloadLoop();
  // This thread's cached model and keys, refreshed after a swap.
  detail::ThreadState& Current();

  ServiceConfig config_;
  Metrics metrics_;
  mutable std::mutex model_mutex_;  // guards model_ for the rare swap; readers cache per thread
  std::shared_ptr<const LoadedModel> model_;
  std::shared_ptr<const KeyGate> gate_;  // guarded by model_mutex_, swapped with the model
  std::atomic<uint64_t> generation_{0};
  std::mutex reload_mutex_;  // one reload at a time
  std::mutex queue_mutex_;   // guards the reload queue and thread below
  std::condition_variable queue_cv_;
  std::deque<std::function<void(const core::Status&)>> queue_;
  bool queued_ = false, stop_ = false;
  std::thread reloader_;
  std::function<int()> connections_;
  std::function<std::string()> extra_metrics_;
  uint64_t request_id_seed_ = 0;
};

}  // namespace hr::service
