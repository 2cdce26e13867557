#include "service/metrics.h"

#include <chrono>
#include <cstdio>

namespace hr::service {

namespace {

constexpr int kStatusCodes[] = {200, 204, 400, 401, 403, 404, 405, 409,
                                413, 415, 429, 431, 500, 503, 0};
constexpr double kBucketBounds[] = {50e-6, 100e-6, 250e-6, 500e-6, 1e-3,   2.5e-3,
                                    5e-3,  10e-3,  25e-3,  50e-3,  100e-3, 1.0};
constexpr std::string_view kRouteLabels[] = {"/predict",      "/predict/batch", "/healthz",
                                             "/readyz",       "/model",         "/metrics",
                                             "/admin/reload", "other"};
constexpr std::string_view kPlatforms[] = {"lambda", "ecs", "fallback"};

int StatusIndex(int status) {
  for (int i = 0; i < static_cast<int>(std::size(kStatusCodes)) - 1; ++i) {
    if (kStatusCodes[i] == status) return i;
  }
  return static_cast<int>(std::size(kStatusCodes)) - 1;
}

// Prometheus label values: escape backslash, quote and newline.
std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string_view RouteLabel(RouteId r) { return kRouteLabels[static_cast<size_t>(r)]; }

Metrics::Metrics() {
  start_time_s_ =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void Metrics::Request(RouteId route, int status, double seconds) {
  requests_[static_cast<size_t>(route)][static_cast<size_t>(StatusIndex(status))].fetch_add(
      1, std::memory_order_relaxed);
  int b = 0;
  while (b < kBuckets && seconds > kBucketBounds[b]) ++b;
  latency_buckets_[static_cast<size_t>(b)].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::Decision(std::string_view platform) {
  for (size_t i = 0; i < std::size(kPlatforms); ++i) {
    if (kPlatforms[i] == platform) decisions_[i].fetch_add(1, std::memory_order_relaxed);
  }
}

void Metrics::Error(core::ErrorCode code) {
  errors_[static_cast<size_t>(code)].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render(const ModelInfo& model, int open_connections) const {
  std::string out;
  out.reserve(8192);
  char line[512];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  out +=
      "# HELP hybrid_router_requests_total HTTP requests by route and status.\n"
      "# TYPE hybrid_router_requests_total counter\n";
  for (size_t r = 0; r < requests_.size(); ++r) {
    for (size_t s = 0; s < requests_[r].size(); ++s) {
      const uint64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string status = kStatusCodes[s] ? std::to_string(kStatusCodes[s]) : "other";
      add("hybrid_router_requests_total{route=\"%s\",status=\"%s\"} %llu\n", kRouteLabels[r].data(),
          status.c_str(), static_cast<unsigned long long>(n));
    }
  }
  out +=
      "# HELP hybrid_router_request_duration_seconds Time from a request's arrival to its answer.\n"
      "# TYPE hybrid_router_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (int b = 0; b <= kBuckets; ++b) {
    cumulative += latency_buckets_[static_cast<size_t>(b)].load(std::memory_order_relaxed);
    if (b < kBuckets) {
      add("hybrid_router_request_duration_seconds_bucket{le=\"%g\"} %llu\n", kBucketBounds[b],
          static_cast<unsigned long long>(cumulative));
    } else {
      add("hybrid_router_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
          static_cast<unsigned long long>(cumulative));
    }
  }
  add("hybrid_router_request_duration_seconds_sum %.9f\n",
      static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  add("hybrid_router_request_duration_seconds_count %llu\n",
      static_cast<unsigned long long>(latency_count_.load(std::memory_order_relaxed)));
  out +=
      "# HELP hybrid_router_decisions_total Routing decisions by platform (fallback: no model).\n"
      "# TYPE hybrid_router_decisions_total counter\n";
  for (size_t i = 0; i < std::size(kPlatforms); ++i) {
    add("hybrid_router_decisions_total{platform=\"%s\"} %llu\n", kPlatforms[i].data(),
        static_cast<unsigned long long>(decisions_[i].load(std::memory_order_relaxed)));
  }
  out +=
      "# HELP hybrid_router_errors_total Error answers by error code.\n"
      "# TYPE hybrid_router_errors_total counter\n";
  for (size_t i = 0; i < core::kErrorCodeCount; ++i) {
    const uint64_t n = errors_[i].load(std::memory_order_relaxed);
    if (n) {
      add("hybrid_router_errors_total{code=\"%s\"} %llu\n",
          std::string(core::CodeName(static_cast<core::ErrorCode>(i))).c_str(),
          static_cast<unsigned long long>(n));
    }
  }
  out +=
      "# HELP hybrid_router_model_info The model being served (1 when loaded).\n"
      "# TYPE hybrid_router_model_info gauge\n";
  out += "hybrid_router_model_info{model_type=\"" + Escape(model.model_type) +
         "\",training_date=\"" + Escape(model.training_date) + "\",source=\"" +
         Escape(model.source) + "\",version=\"" + std::to_string(model.format_version) + "\"} " +
         (model.loaded ? "1" : "0") + "\n";
  out +=
      "# HELP hybrid_router_model_reloads_total Model reloads by result.\n"
      "# TYPE hybrid_router_model_reloads_total counter\n";
  add("hybrid_router_model_reloads_total{result=\"success\"} %llu\n",
      static_cast<unsigned long long>(reload_ok_.load(std::memory_order_relaxed)));
  add("hybrid_router_model_reloads_total{result=\"failure\"} %llu\n",
      static_cast<unsigned long long>(reload_failed_.load(std::memory_order_relaxed)));
  out +=
      "# HELP hybrid_router_in_flight_requests Requests being handled now.\n"
      "# TYPE hybrid_router_in_flight_requests gauge\n";
  add("hybrid_router_in_flight_requests %lld\n",
      static_cast<long long>(in_flight_.load(std::memory_order_relaxed)));
  out +=
      "# HELP hybrid_router_open_connections Client connections open now.\n"
      "# TYPE hybrid_router_open_connections gauge\n";
  add("hybrid_router_open_connections %d\n", open_connections);
  out +=
      "# HELP hybrid_router_connections_rejected_total Connections closed unanswered at the "
      "--max-connections limit.\n"
      "# TYPE hybrid_router_connections_rejected_total counter\n";
  add("hybrid_router_connections_rejected_total %llu\n",
      static_cast<unsigned long long>(connections_rejected_.load(std::memory_order_relaxed)));
  out +=
      "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
      "# TYPE process_start_time_seconds gauge\n";
  add("process_start_time_seconds %.3f\n", start_time_s_);
  return out;
}

}  // namespace hr::service
