// The HTTP API of hybrid-router (the prototype's POST /predict and what operators expect around
// it): one route table, auth, CORS, request ids, metrics, access log, atomic model reload. It sits
// on http::Server's small interface and knows nothing of Beast. Adapter.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "http/server.h"
#include "modelfile/model_file.h"
#include "service/api_keys.h"
#include "service/metrics.h"

namespace spdlog {
class logger;
}

namespace hr::service {

struct ServiceConfig {
  std::string model_path;            // empty: the built-in model
  bool allow_missing_model = false;  // start (not ready, 503 + fallback) when the file won't load
  std::string cors_origin = "*";
  double memory_mb = 512;  // Lambda memory priced into metrics.inference_cost_usd
  size_t max_batch = 1000;
  bool metrics_need_auth = false;
  ApiKeys keys;
  std::shared_ptr<spdlog::logger> access_log;  // one JSON line per request; null: off
  std::shared_ptr<spdlog::logger> event_log;   // start, reload, errors; null: off
};

// A model as served: the model and where it came from.
struct LoadedModel {
  modelfile::ModelPtr model;
  std::string source;     // a path, or "built-in"
  std::string loaded_at;  // ISO-8601 UTC
  std::string model_info_json;  // the answers' "model_info", rendered once
};

class Service {
 public:
  static core::Result<std::unique_ptr<Service>> Create(ServiceConfig config);
  ~Service();

  // The http::Handler of the server.
  void Handle(const http::Request& request, http::Response& response);
  // Reloads from the configured path; on failure the old model keeps serving.
  core::Status Reload();
  // Lets /metrics report the server's open connections.
  void SetConnectionGauge(std::function<int()> gauge) { connections_ = std::move(gauge); }
  // Counts answers the server gives itself (malformed HTTP, body too large...).
  void ObserveServerError(int status);

  std::shared_ptr<const LoadedModel> model() const;
  Metrics& metrics() { return metrics_; }
  const ServiceConfig& config() const { return config_; }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  explicit Service(ServiceConfig config);

  ServiceConfig config_;
  Metrics metrics_;
  mutable std::mutex model_mutex_;  // guards model_ for the rare swap; readers cache per thread
  std::shared_ptr<const LoadedModel> model_;
  std::atomic<uint64_t> generation_{0};
  std::function<int()> connections_;
  uint64_t request_id_seed_ = 0;
};

}  // namespace hr::service
