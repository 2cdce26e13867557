// The router's state, shared by router.cpp's and hedging.cpp's functions (internal to route/): one
// routed request in flight (Flight), how an attempt came about (AttemptKind), and Router::Impl,
// what the decisions act on (breakers, budget, ECS slots, senders, the outcome log).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "features/arrival_rates.h"
#include "http/byte_budget.h"
#include "http/server.h"
#include "route/ecs_capacity.h"
#include "route/guards.h"
#include "route/outcome_line.h"
#include "route/outcome_log.h"
#include "route/route_metrics.h"
#include "route/router.h"
#include "upstream/upstream.h"

namespace boost::asio {
class thread_pool;
}

namespace hr::route {

// A signed Lambda call's body from this size up has its proxy event and payload hash made off the
// event loop (about 0.6 ms per MB on the loop otherwise; a post there and back is microseconds).
inline constexpr size_t kOffLoopBodyBytes = size_t{256} * 1024;

// The steady clock in milliseconds: what the guards (budget, breakers, throttles) are given.
inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A number per Router made in this process (threads cache by it, never by an address).
inline uint64_t NextRouterId() {
  static std::atomic<uint64_t> ids{0};
  return ++ids;
}

// One routed request, shared by its attempts' completions.
struct Flight {
  http::Responder respond;
  upstream::Sender* sender = nullptr;  // the sender of the loop the request arrived on
  http::Loop* loop = nullptr;
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const std::string> event;  // the Invoke API's proxy event, made once
  std::string body_sha256;                   // a signed Lambda call's payload hash, made once
  RequestFacts facts;                        // what its outcome lines share
  std::string body_request_id;  // the body's own request_id, which the prototype's handlers echo
  std::string content_type, accept;
  std::string path;  // as the client posted it, without the query (the access log's)
  std::chrono::steady_clock::time_point start, deadline, first_send{};
  int attempts = 0;  // sends, the loop client's resends after a broken connection included
  int resends = 0;   // of which resends (not the router's choice: no fallback or hedge counts them)
  int outstanding = 0;  // attempts sent and not yet completed
  double upstream_ms = 0;
  std::vector<AttemptLine> lines;
  std::string failures;   // "lambda: connection refused; ..."
  bool finished = false;  // the client has its answer; later completions are only logged
  bool hedged = false;
  bool fell_back = false;  // an attempt on the other platform after a failure (not a hedge)
  std::unique_ptr<http::LoopTimer> hedge_timer;
  http::Lease body_lease;  // the body's bytes of the buffer budget, while attempts may send it
  features::Workload workload() const { return facts.features.workload; }
};

// How an attempt came about; it owns its ECS slot, if it holds one.
struct AttemptKind {
  bool fallback = false, probe = false, hedge = false;
  int attempt = 0;        // 1-based, in the order sent (set by Attempt)
  bool ecs_slot = false;  // counted in the router's ECS requests in flight for the workload
};

struct Router::Impl : std::enable_shared_from_this<Router::Impl> {
  RouterConfig config;
  std::unique_ptr<service::Service> service;
  RouteMetrics metrics;
  RetryBudget budget;
  RetryBudget hedge_budget;  // hedges' own: a share of the requests, no floor
  Breakers breakers;
  Throttles throttles;
  features::ArrivalRates rates;
  HedgeDelays hedge_delays;
  std::unique_ptr<policy::Learner> learner;  // the adaptive policy's live estimates
  std::atomic<int64_t> learn_state_written_ms{0};
  void SaveLearnState();
  std::unique_ptr<OutcomeLog> log;
  // One sender per server event loop, made on its first request there.
  std::mutex senders_mutex;
  std::unordered_map<http::Loop*, std::unique_ptr<upstream::Sender>> senders;
  std::atomic<uint64_t> counter{0};
  const uint64_t id = NextRouterId();
  uint64_t seed = 0;
  std::atomic<int64_t> last_config_error_log_ms{0};
  // Spillover: this router's ECS requests in flight and its share of the capacity, per workload.
  std::array<std::atomic<int>, features::kWorkloadCount> ecs_in_flight{};
  std::array<std::atomic<int>, features::kWorkloadCount> ecs_share{};
  // Makes large signed Lambda bodies' event and hash (kOffLoopBodyBytes); joined first at the end.
  std::unique_ptr<boost::asio::thread_pool> prepare_pool;
  // Last: stopped first, before what its listener touches.
  std::unique_ptr<EcsCapacityWatch> ecs_watch;

  explicit Impl(const RouterConfig& c);
  ~Impl();
  int ShareOf(int capacity) const {
    return capacity / config.replicas + (config.replica_index < capacity % config.replicas ? 1 : 0);
  }
  // Takes one of the workload's ECS slots if one is free.
  bool ReserveEcs(features::Workload w) {
    std::atomic<int>& n = ecs_in_flight[static_cast<size_t>(w)];
    int cur = n.load();
    while (cur < ecs_share[static_cast<size_t>(w)])
      if (n.compare_exchange_weak(cur, cur + 1)) return true;
    return false;
  }
  void ReleaseEcs(features::Workload w) { ecs_in_flight[static_cast<size_t>(w)].fetch_sub(1); }

  void Route(features::Workload w, const http::Request& req, http::Response& res);
  upstream::Sender* SenderFor(http::Loop* loop);
  template <typename F>
  auto OverSenders(F f) {
    std::lock_guard<std::mutex> lock(senders_mutex);
    decltype(f(*senders.begin()->second)) n{};
    for (const auto& [loop, s] : senders) n += f(*s);
    return n;
  }
  // An attempt counted, then sent (Send), after its body's event and hash were made off the loop
  // when it is a large signed Lambda call.
  void Attempt(const std::shared_ptr<Flight>& f, policy::Platform p, AttemptKind kind);
  void Send(const std::shared_ptr<Flight>& f, policy::Platform p, AttemptKind kind);
  // A large signed Lambda call: its event and hash made on prepare_pool, then Send on the
  // request's loop (true); false: nothing to make off the loop, the caller sends.
  bool SendPrepared(const std::shared_ptr<Flight>& f, AttemptKind kind);
  void ArmHedge(const std::shared_ptr<Flight>& f, policy::Platform first);
  void Hedge(const std::shared_ptr<Flight>& f, policy::Platform first);
  void Completed(const std::shared_ptr<Flight>& f, policy::Platform p, AttemptKind kind,
                 upstream::UpstreamResult r);
  void Learn(const features::Request& req, policy::Platform p, Verdict v, double ms);
  void Finish(const std::shared_ptr<Flight>& f, policy::Platform p, http::Response res);
  // An answer the router makes itself before any attempt (a client error): the request id, the
  // CORS header, counted and in the access log, as a relayed answer.
  void Refuse(const http::Request& req, http::Response& res, core::ErrorCode code,
              const std::string& message, std::string_view field = {},
              std::string_view request_id = {});
  void AccessLog(const Flight& f, policy::Platform p, int status, double seconds);
};

}  // namespace hr::route
