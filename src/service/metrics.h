// The service's counters and the Prometheus text exposition of them: requests by route and
// status, a latency histogram, decisions by platform, errors by code, model info, reloads,
// in-flight requests, open connections, process start time. Lock-free (relaxed atomics).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hr::service {

enum class RouteId : uint8_t {
  kPredict,
  kBatch,
  kHealthz,
  kReadyz,
  kModel,
  kMetrics,
  kReload,
  kOther,
  kCount
};
std::string_view RouteLabel(RouteId r);

class Metrics {
 public:
  Metrics();
  void Request(RouteId route, int status, double seconds);
  void Decision(std::string_view platform);  // "lambda", "ecs", "fallback"
  // A batch's decisions: lambda, ecs, fallback.
  void Decisions(const std::array<uint32_t, 3>& n) {
    for (size_t i = 0; i < n.size(); ++i) decisions_[i].fetch_add(n[i], std::memory_order_relaxed);
  }
  void Error(core::ErrorCode code);
  // A connection closed at once because --max-connections were open (no HTTP answer was sent).
  void ConnectionRejected() { connections_rejected_.fetch_add(1, std::memory_order_relaxed); }
  void Reload(bool ok) {
    (ok ? reload_ok_ : reload_failed_).fetch_add(1, std::memory_order_relaxed);
  }
  std::atomic<int64_t>& in_flight() { return in_flight_; }

  struct ModelInfo {
    std::string model_type, training_date, source;
    int format_version = 0;
    bool loaded = false;
  };
  std::string Render(const ModelInfo& model, int open_connections) const;

 private:
  static constexpr int kStatuses = 15;
  static constexpr int kBuckets = 12;
  std::array<std::array<std::atomic<uint64_t>, kStatuses>, static_cast<size_t>(RouteId::kCount)>
      requests_{};
  std::array<std::atomic<uint64_t>, kBuckets + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_ns_{0};
  std::atomic<uint64_t> latency_count_{0};
  std::array<std::atomic<uint64_t>, 3> decisions_{};
  std::array<std::atomic<uint64_t>, core::kErrorCodeCount> errors_{};
  std::atomic<uint64_t> reload_ok_{0}, reload_failed_{0};
  std::atomic<uint64_t> connections_rejected_{0};
  std::atomic<int64_t> in_flight_{0};
  double start_time_s_ = 0;
};

}  // namespace hr::service
