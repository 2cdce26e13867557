#include "route/router.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <sstream>
#include <unordered_map>

#include "aws/lambda_invoke.h"
#include "codec/predict_codec.h"
#include "core/mix.h"
#include "features/arrival_rates.h"
#include "json/json_writer.h"
#include "outcome/outcome.h"
#include "policy/objective.h"
#include "route/answers.h"
#include "route/route_metrics.h"
#include "route/workload_request.h"
#include "service/access_log.h"

namespace hr::route {

namespace {

using Clock = std::chrono::steady_clock;
using core::ErrorCode;
using policy::Platform;

Platform Other(Platform p) { return p == Platform::kLambda ? Platform::kEcs : Platform::kLambda; }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

// Where the outcome tables keep the p95.
constexpr size_t kP95Index = static_cast<size_t>(
    std::find(outcome::kQuantileLevels.begin(), outcome::kQuantileLevels.end(), 0.95) -
    outcome::kQuantileLevels.begin());
static_assert(kP95Index < outcome::kQuantiles);

// A workload's ECS capacity: its own from the route config, else the command line's.
// The fixed capacity; 0 for a discovered one (its watch sets it).
int CapacityOf(const RouterConfig& c, size_t w) {
  if (!c.targets.workloads[w].ecs_service.empty()) return 0;
  const int own = c.targets.workloads[w].ecs_capacity;
  return own >= 0 ? own : c.ecs_capacity[w];
}

uint64_t NextId() {
  static std::atomic<uint64_t> ids{0};
  return ++ids;
}

}  // namespace

std::string_view Name(FixedPolicy p) {
  switch (p) {
    case FixedPolicy::kModel:
      return "model";
    case FixedPolicy::kLambdaOnly:
      return "lambda-only";
    case FixedPolicy::kEcsOnly:
      return "ecs-only";
    case FixedPolicy::kSpillover:
      return "spillover";
    case FixedPolicy::kSpilloverModel:
      return "spillover-model";
  }
  return "model";
}

std::optional<FixedPolicy> ParsePolicy(std::string_view text) {
  for (FixedPolicy p : {FixedPolicy::kModel, FixedPolicy::kLambdaOnly, FixedPolicy::kEcsOnly,
                        FixedPolicy::kSpillover, FixedPolicy::kSpilloverModel}) {
    if (Name(p) == text) return p;
  }
  return std::nullopt;
}

// One routed request, shared by its attempts' completions.
struct Flight {
  http::Responder respond;
  upstream::Upstream* upstream = nullptr;  // the client of the loop the request arrived on
  std::shared_ptr<const std::string> body;
  features::Request features;
  bool tw_derived = false, lp_derived = false;
  double actual_kb = 0;
  std::string request_id, timestamp, content_type, accept;
  std::string body_request_id;  // the body's own request_id, which the prototype's handlers echo
  std::string decision, objective;
  double propensity = 1;
  Clock::time_point start, deadline;
  int attempts = 0;
  double upstream_ms = 0;
  std::vector<AttemptLine> lines;
  std::string failures;   // "lambda: connection refused; ..."
  bool ecs_slot = false;  // counted in the router's ECS requests in flight for this workload
  std::shared_ptr<const std::string> event;  // the Invoke API's proxy event, made once
  http::Loop* loop = nullptr;
  int outstanding = 0;    // attempts sent and not yet completed
  bool finished = false;  // the client has its answer; later completions are only logged
  bool hedged = false;
  bool fell_back = false;  // an attempt on the other platform after a failure (not a hedge)
  Clock::time_point first_send{};
  std::unique_ptr<http::LoopTimer> hedge_timer;
};

struct Router::Impl : std::enable_shared_from_this<Router::Impl> {
  RouterConfig config;
  std::unique_ptr<service::Service> service;
  RouteMetrics metrics;
  RetryBudget budget;
  Breakers breakers;
  features::ArrivalRates rates;
  HedgeDelays hedge_delays;
  std::unique_ptr<OutcomeLog> log;
  // One upstream client per server event loop, made on its first request there.
  std::mutex upstreams_mutex;
  std::unordered_map<http::Loop*, std::unique_ptr<upstream::Upstream>> upstreams;
  std::atomic<uint64_t> counter{0};
  const uint64_t id = NextId();
  uint64_t seed = 0;
  std::atomic<int64_t> last_config_error_log_ms{0};
  // Spillover: this router's ECS requests in flight and its share of the capacity, per workload.
  std::array<std::atomic<int>, features::kWorkloadCount> ecs_in_flight{};
  std::array<std::atomic<int>, features::kWorkloadCount> ecs_share{};
  // Last: stopped first, before what its listener touches.
  std::unique_ptr<EcsCapacityWatch> ecs_watch;

  Impl(const RouterConfig& c) : config(c), budget(c.budget), breakers(c.breaker) {
    for (size_t w = 0; w < ecs_share.size(); ++w) ecs_share[w] = ShareOf(CapacityOf(c, w));
  }
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
  void ReleaseEcs(Flight& f) {
    if (!f.ecs_slot) return;
    ecs_in_flight[static_cast<size_t>(f.features.workload)].fetch_sub(1);
    f.ecs_slot = false;
  }

  void Route(features::Workload w, const http::Request& req, http::Response& res);
  upstream::Upstream* UpstreamFor(http::Loop* loop);
  int UpstreamInFlight();
  uint64_t UpstreamStrays();
  void Attempt(const std::shared_ptr<Flight>& f, Platform p, bool fallback, bool probe,
               bool hedge = false);
  void ArmHedge(const std::shared_ptr<Flight>& f, Platform first);
  void Hedge(const std::shared_ptr<Flight>& f, Platform first);
  struct AttemptKind {
    bool fallback, probe, hedge;
    int attempt;  // 1-based, in the order sent
  };
  void Completed(const std::shared_ptr<Flight>& f, Platform p, AttemptKind kind,
                 upstream::UpstreamResult r);
  void Finish(const std::shared_ptr<Flight>& f, Platform p, http::Response res);
  void AccessLog(const Flight& f, Platform p, int status, double seconds);
};

void Router::Impl::Route(features::Workload w, const http::Request& req, http::Response& res) {
  const auto start = Clock::now();
  const int64_t now_ms = NowMs();
  auto f = std::make_shared<Flight>();
  f->start = start;
  auto body = std::make_shared<std::string>();  // kept for the attempts; read in place
  body->reserve(req.body().size() + kReadPadding);
  body->assign(req.body());
  auto wr = ReadWorkloadRequest(*body, body->capacity());
  if (!wr) {
    metrics.Refused();
    res = JsonError(400, core::CodeName(wr.error().code), wr.error().message, wr.error().field);
    return;
  }
  if (wr->workload && *wr->workload != w) {
    metrics.Refused();
    res = JsonError(400, "invalid_argument",
                    "workload_type '" + std::string(features::Name(*wr->workload)) +
                        "' disagrees with the path, which names '" +
                        std::string(features::Name(w)) + "'",
                    "workload_type");
    return;
  }
  const WorkloadTargets& targets = config.targets.of(w);
  if (targets.url[0].empty() && targets.url[1].empty()) {
    metrics.Refused();
    res = JsonError(
        404, "not_found",
        "no target is configured for " + std::string(features::Name(w)) + " (see --config)");
    return;
  }
  rates.Arrive(w, now_ms);
  budget.Request(now_ms);
  const core::CivilTime civil = core::NowIn(config.zone);
  if (log) f->timestamp = core::FormatWallClockMicros(civil);  // only the outcome log shows it
  features::Request& fr = f->features;
  fr.workload = w;
  fr.payload_kb = wr->payload_kb;
  fr.hour_of_day = civil.hour;
  fr.is_weekend = core::Weekday(civil.year, civil.month, civil.day) >= 5;
  f->tw_derived = !wr->time_window;
  fr.time_window = wr->time_window.value_or(features::TimeWindowOfHour(civil.hour));
  f->lp_derived = !wr->load_pattern;
  // The observed pattern only when the request does not say (it scans the arrival buckets).
  fr.load_pattern = wr->load_pattern ? *wr->load_pattern : rates.Pattern(w, now_ms);
  fr.time_window_derived = f->tw_derived;
  f->actual_kb = static_cast<double>(body->size()) / 1024;
  const std::string_view given_id = req.header("x-request-id");
  f->request_id = service::ValidRequestId(wr->request_id) ? wr->request_id
                  : service::ValidRequestId(given_id)
                      ? std::string(given_id)
                      : "rt-" + std::to_string(seed) + "-" + std::to_string(counter.fetch_add(1));
  f->body_request_id = wr->request_id;
  f->content_type = std::string(req.header("content-type"));
  if (f->content_type.empty()) f->content_type = "application/json";
  f->accept = std::string(req.header("accept"));

  // The decision.
  Platform chosen = Platform::kLambda;
  switch (config.policy) {
    case FixedPolicy::kLambdaOnly:
      chosen = Platform::kLambda;
      f->decision = "policy:lambda-only";
      break;
    case FixedPolicy::kEcsOnly:
      chosen = Platform::kEcs;
      f->decision = "policy:ecs-only";
      break;
    case FixedPolicy::kSpillover:
      f->ecs_slot = ReserveEcs(w);
      chosen = f->ecs_slot ? Platform::kEcs : Platform::kLambda;
      f->decision = f->ecs_slot ? "spillover:ecs" : "spillover:ecs_full";
      if (!f->ecs_slot) metrics.Spilled(w);
      break;
    case FixedPolicy::kSpilloverModel:
      f->objective = policy::Label(config.service.objective);
      f->ecs_slot = ReserveEcs(w);
      chosen = f->ecs_slot ? Platform::kEcs : Platform::kLambda;
      f->decision = f->ecs_slot ? "spillover:ecs" : "spillover:ecs_full";
      if (!f->ecs_slot) {
        metrics.Spilled(w);
      } else if (policy::DecideWithFreeEcsSlot(*service->model()->model, fr,
                                               config.service.objective, 0)
                     .platform == Platform::kLambda) {
        chosen = Platform::kLambda;  // the slot is released below
        f->decision = "spillover:objective_prefers_lambda";
      }
      break;
    case FixedPolicy::kModel: {
      static thread_local model::Scratch scratch;
      const auto loaded = service->model();
      const policy::Decision d =
          policy::DecideFor(*loaded->model, fr, config.service.objective, scratch);
      chosen = d.platform;
      f->objective = policy::Label(config.service.objective);
      if (d.objective == policy::ObjectiveKind::kClassifier) f->objective = "classifier";
      f->decision = "model:" + f->objective;
      const double p = config.explore;
      f->propensity = 1 - p / 2;
      if (p > 0) {
        const uint64_t r = core::Mix64(seed + counter.fetch_add(1) * 0x9e3779b97f4a7c15ull);
        if (core::UnitInterval(r) < p) {
          const Platform drawn = (r & 1) ? Platform::kEcs : Platform::kLambda;
          metrics.Explored();
          if (drawn != chosen) {
            chosen = drawn;
            f->propensity = p / 2;
          }
          f->decision = "explore";
        }
      }
      break;
    }
  }
  // A platform without a target for this workload, or with its breaker open, sends the request
  // straight to the other one (not a fallback: nothing failed for this request).
  bool probe = false;
  if (targets.url[static_cast<size_t>(chosen)].empty()) {
    f->decision += ";no_target:" + std::string(policy::Name(chosen));
    chosen = Other(chosen);
    f->propensity = 1;
  } else if (!breakers.Allow(chosen, w, now_ms, &probe)) {
    bool other_probe = false;
    const Platform other = Other(chosen);
    if (!targets.url[static_cast<size_t>(other)].empty() &&
        breakers.Allow(other, w, now_ms, &other_probe)) {
      f->decision += ";breaker_open:" + std::string(policy::Name(chosen));
      chosen = other;
      probe = other_probe;
      f->propensity = 1;
    } else {
      f->decision += ";breakers_open";  // both open: the chosen platform is tried regardless
    }
  }
  if (chosen != Platform::kEcs) ReleaseEcs(*f);  // reserved, then sent elsewhere
  f->deadline = start + std::chrono::milliseconds(targets.deadline_ms);
  f->body = std::move(body);
  f->loop = req.loop();
  f->upstream = req.loop() ? UpstreamFor(req.loop()) : nullptr;
  if (!f->upstream) {
    ReleaseEcs(*f);
    res = JsonError(500, "internal", "this front end cannot make upstream calls");
    return;
  }
  f->respond = req.Defer();
  if (!f->respond) {
    ReleaseEcs(*f);
    res = JsonError(500, "internal", "this front end cannot wait for an upstream answer");
    return;
  }
  Attempt(f, chosen, false, probe);
  if (config.hedge && targets.idempotent) ArmHedge(f, chosen);
}

void Router::Impl::ArmHedge(const std::shared_ptr<Flight>& f, Platform first) {
  const features::Workload w = f->features.workload;
  if (f->finished || config.targets.of(w).url[static_cast<size_t>(Other(first))].empty()) return;
  // After --hedge-after-ms; else the model's p95 for the request's cell on the first platform
  // (from the measurements it was trained on); else the cell's recent p95 (a model without
  // outcome tables), unknown until 20 answers came.
  std::optional<double> delay;
  if (config.hedge_after_ms > 0) {
    delay = config.hedge_after_ms;
  } else if (const auto loaded = service->model(); loaded->model->spec().outcomes) {
    std::array<outcome::Estimate, 2> e;
    loaded->model->spec().outcomes->Estimate(f->features, e);
    delay = e[static_cast<size_t>(first)].response_quantiles_ms[kP95Index];
  } else {
    delay = hedge_delays.DelayMs(first, w, f->features.payload_kb);
  }
  const double left_ms =
      std::chrono::duration<double, std::milli>(f->deadline - Clock::now()).count();
  if (!delay || !(*delay > 0) || !(*delay < left_ms)) return;  // NaN, or past the deadline
  f->hedge_timer = f->loop->NewTimer();
  // The timer lives in the flight: it holds the flight weakly (else neither is ever freed).
  std::weak_ptr<Impl> self = shared_from_this();
  std::weak_ptr<Flight> weak = f;
  f->hedge_timer->Start(std::max<int64_t>(1, static_cast<int64_t>(*delay)), [self, weak, first] {
    auto router = self.lock();
    auto flight = weak.lock();
    if (router && flight) router->Hedge(flight, first);
  });
}

void Router::Impl::Hedge(const std::shared_ptr<Flight>& f, Platform first) {
  if (f->finished || f->attempts >= 2 || f->outstanding == 0) return;
  const int64_t now_ms = NowMs();
  const Platform other = Other(first);
  bool probe = false;
  if (Clock::now() + std::chrono::milliseconds(1) >= f->deadline) return;
  if (!breakers.Allow(other, f->features.workload, now_ms, &probe)) {
    metrics.FallbackDenied(Denied::kBreaker);
    return;
  }
  // Under spill-over a hedge is speculative: it takes a free ECS slot or does not go.
  if (other == Platform::kEcs && Spills(config.policy) && !ReserveEcs(f->features.workload)) {
    metrics.FallbackDenied(Denied::kCapacity);
    if (probe) breakers.Record(other, f->features.workload, true, true, now_ms);
    return;
  }
  if (other == Platform::kEcs && Spills(config.policy)) f->ecs_slot = true;
  if (!budget.TryFallback(now_ms)) {  // hedges spend the retry budget too
    metrics.FallbackDenied(Denied::kBudget);
    ReleaseEcs(*f);
    if (probe) breakers.Record(other, f->features.workload, true, true, now_ms);
    return;
  }
  metrics.Hedged(other);
  f->hedged = true;
  Attempt(f, other, false, probe, true);
}

upstream::Upstream* Router::Impl::UpstreamFor(http::Loop* loop) {
  // Cached per thread by the router's id (never an address a later router could reuse).
  static thread_local std::pair<uint64_t, upstream::Upstream*> cached{0, nullptr};
  if (cached.first == id) return cached.second;
  std::lock_guard<std::mutex> lock(upstreams_mutex);
  auto& u = upstreams[loop];
  if (!u) {
    auto made = upstream::Upstream::Create(config.upstream, *loop);
    if (!made) return nullptr;
    u = std::move(*made);
  }
  cached = {id, u.get()};
  return u.get();
}

int Router::Impl::UpstreamInFlight() {
  std::lock_guard<std::mutex> lock(upstreams_mutex);
  int n = 0;
  for (const auto& [loop, u] : upstreams) n += u->in_flight();
  return n;
}

uint64_t Router::Impl::UpstreamStrays() {
  std::lock_guard<std::mutex> lock(upstreams_mutex);
  uint64_t n = 0;
  for (const auto& [loop, u] : upstreams) n += u->strays();
  return n;
}

void Router::Impl::Attempt(const std::shared_ptr<Flight>& f, Platform p, bool fallback, bool probe,
                           bool hedge) {
  ++f->attempts;
  ++f->outstanding;
  const int attempt = f->attempts;
  if (attempt == 1) f->first_send = Clock::now();
  if (fallback) f->fell_back = true;
  const WorkloadTargets& t = config.targets.of(f->features.workload);
  // Every ECS attempt counts while it is in flight (a fallback to ECS too, beyond the share:
  // failures are not held back for capacity).
  if (p == Platform::kEcs && !f->ecs_slot) {
    ecs_in_flight[static_cast<size_t>(f->features.workload)].fetch_add(1);
    f->ecs_slot = true;
  }
  upstream::UpstreamRequest u;
  u.url = t.url[static_cast<size_t>(p)];
  u.body = f->body;
  u.headers.reserve(4);
  u.headers.push_back("Content-Type: " + f->content_type);
  if (!f->accept.empty()) u.headers.push_back("Accept: " + f->accept);
  u.headers.push_back("X-Request-Id: " + f->request_id);
  if (p == Platform::kLambda && t.lambda_invoke) {
    // The prototype's handlers read event.body: the request travels as an API Gateway proxy event.
    if (!f->event) {
      const std::string path = "/" + std::string(PathName(f->features.workload));
      f->event = std::make_shared<const std::string>(
          aws::ProxyEvent({path, *f->body, f->content_type, f->request_id}));
    }
    u.body = f->event;
    u.headers.front() = "Content-Type: application/json";
    if (log) u.headers.push_back("X-Amz-Log-Type: Tail");  // the REPORT line, for the log
  }
  if (p == Platform::kLambda && !t.lambda_sigv4.empty() && config.credentials) {
    const auto c = config.credentials->Current();
    u.aws_sigv4 = t.lambda_sigv4;
    u.aws_access_key = c->access_key_id;
    u.aws_secret_key = c->secret_access_key;
    if (!c->session_token.empty()) u.headers.push_back("X-Amz-Security-Token: " + c->session_token);
  }
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(f->deadline - Clock::now()).count();
  u.timeout_ms = static_cast<int>(std::clamp<int64_t>(left, 1, t.timeout_ms));
  u.connect_timeout_ms = std::min(config.targets.connect_timeout_ms, u.timeout_ms);
  u.idempotent = t.idempotent;
  u.request_id = f->request_id;
  if (!(p == Platform::kLambda && t.lambda_invoke)) u.body_request_id = f->body_request_id;
  auto self = shared_from_this();
  f->upstream->Send(std::move(u),
                    [self, f, p, fallback, probe, hedge, attempt](upstream::UpstreamResult r) {
                      self->Completed(f, p, {fallback, probe, hedge, attempt}, std::move(r));
                    });
}

void Router::Impl::Completed(const std::shared_ptr<Flight>& f, Platform p, AttemptKind kind,
                             upstream::UpstreamResult r) {
  const auto [fallback, probe, hedge, attempt] = kind;
  const int64_t now_ms = NowMs();
  const features::Workload w = f->features.workload;
  --f->outstanding;
  if (p == Platform::kEcs) ReleaseEcs(*f);
  const WorkloadTargets& targets = config.targets.of(w);
  aws::InvokeReport report;
  // The platform's own answer decides first (for the Invoke API: Lambda's, before the function's
  // result is unwrapped: a handler's 403 or 429 is its answer, not the router's problem).
  Verdict v = Judge(p, r.failure, r.status, HeaderOf(r, "x-amzn-errortype"));
  if (p == Platform::kLambda && targets.lambda_invoke && r.failure == upstream::Failure::kNone) {
    if (const std::string_view tail = HeaderOf(r, "x-amz-log-result"); !tail.empty())
      report = aws::ReadLogTail(tail);
    if (r.status == 404 && HeaderOf(r, "x-amzn-errortype").starts_with("ResourceNotFound"))
      v = Verdict::kConfigError;  // no such function or qualifier
    if (v == Verdict::kAnswered) {
      UnwrapInvoke(r);  // a failed function or a malformed result: 502, may have run
      v = r.status >= 500 ? Verdict::kFailed : Verdict::kAnswered;
    }
  }
  metrics.Attempt(p, v);
  if (v == Verdict::kAnswered) hedge_delays.Record(p, w, f->features.payload_kb, r.total_ms);
  f->upstream_ms += r.total_ms;
  metrics.Upstream(r.total_ms);
  if (r.failure != upstream::Failure::kShutdown) {
    const bool failed = r.failure != upstream::Failure::kNone || r.status >= 500;
    if (auto changed = breakers.Record(p, w, !failed, probe, now_ms)) {
      metrics.Breaker(p, *changed);
      if (config.service.event_log)
        config.service.event_log->warn(
            R"("event":"breaker","platform":"{}","workload":"{}","state":"{}")", policy::Name(p),
            features::Name(w), Name(*changed));
    }
  }
  // The attempt as a measurement, written when the request is answered; not a hedge's loser cut
  // off by the router stopping (no outcome of its platform).
  if (log && !(f->finished && r.failure == upstream::Failure::kShutdown)) {
    AttemptLine line;
    line.request_id = f->request_id;
    line.platform = p;
    line.workload = w;
    line.timestamp = f->timestamp;
    line.http_status = r.failure == upstream::Failure::kNone      ? r.status
                       : r.failure == upstream::Failure::kTimeout ? 504
                                                                  : 502;
    line.response_time_ms = r.total_ms;
    line.target_payload_kb = f->features.payload_kb;
    line.actual_payload_kb = f->actual_kb;
    line.time_window = f->features.time_window;
    line.load_pattern = f->features.load_pattern;
    if (r.failure == upstream::Failure::kNone) line.metrics = ReadAnswerMetrics(r.body);
    if (line.metrics.payload_size_kb) line.actual_payload_kb = *line.metrics.payload_size_kb;
    // What the Invoke API's REPORT line says fills what the function's answer left out.
    AnswerMetrics& m = line.metrics;
    if (!m.memory_limit_mb) m.memory_limit_mb = report.memory_size_mb;
    if (!m.memory_used_mb) m.memory_used_mb = report.max_memory_used_mb;
    if (!m.cold_start && report.billed_duration_ms)
      m.cold_start = report.init_duration_ms.has_value();
    line.report = report;
    line.hedge = hedge;
    line.decision = f->decision;
    line.policy = std::string(Name(config.policy));
    line.objective = f->objective;
    line.propensity = f->propensity;
    line.fallback = fallback;
    line.attempt = attempt;
    line.outcome = std::string(Name(v));
    line.time_window_derived = f->tw_derived;
    line.load_pattern_derived = f->lp_derived;
    if (r.failure != upstream::Failure::kNone)
      line.error = std::string(upstream::Name(r.failure)) + ": " + r.message;
    if (f->finished) {
      log->Write(FormatAttempt(line));  // the slower attempt of a hedged request
    } else {
      f->lines.push_back(std::move(line));
    }
  }
  if (f->finished) return;

  if (v == Verdict::kAnswered) {
    if (hedge) metrics.HedgeWon(p);
    Finish(f, p, Relay(std::move(r)));
    return;
  }
  const std::string what = std::string(policy::Name(p)) + ": " +
                           (r.failure == upstream::Failure::kNone
                                ? "HTTP " + std::to_string(r.status)
                                : std::string(upstream::Name(r.failure)) + " (" + r.message + ")");
  f->failures += f->failures.empty() ? what : "; " + what;
  if (v == Verdict::kConfigError) {
    int64_t last = last_config_error_log_ms.load();
    if (config.service.event_log && now_ms - last >= 10'000 &&
        last_config_error_log_ms.compare_exchange_strong(last, now_ms)) {
      config.service.event_log->error(
          R"("event":"upstream_config_error","platform":"{}","workload":"{}","status":{},)"
          R"("error_type":{})",
          policy::Name(p), features::Name(w), r.status,
          json::Quoted(HeaderOf(r, "x-amzn-errortype").substr(0, 128)));
    }
    if (f->outstanding > 0) return;  // the other platform's attempt may still answer
    Finish(f, p,
           JsonError(502, "upstream_config_error",
                     std::string(policy::Name(p)) + " refused the router (HTTP " +
                         std::to_string(r.status) +
                         "): the router's credentials or the target's permissions are wrong; "
                         "not retried elsewhere"));
    return;
  }
  if (f->outstanding > 0) return;  // the hedge may still answer
  // Not run, or failed: one attempt on the other platform when every guard allows it.
  const Platform other = Other(p);
  const WorkloadTargets& t = config.targets.of(w);
  std::optional<Denied> denied;
  bool other_probe = false;
  if (r.failure == upstream::Failure::kShutdown || fallback || f->attempts >= 2) {
    // Stopping, or the one cross-platform attempt is spent: nothing to count.
  } else if (t.url[static_cast<size_t>(other)].empty()) {
    denied = Denied::kNoTarget;
  } else if (v == Verdict::kFailed && !t.idempotent) {
    denied = Denied::kNotIdempotent;
  } else if (Clock::now() + std::chrono::milliseconds(1) >= f->deadline) {
    denied = Denied::kDeadline;
  } else if (!breakers.Allow(other, w, now_ms, &other_probe)) {
    denied = Denied::kBreaker;
  } else if (!budget.TryFallback(now_ms)) {
    denied = Denied::kBudget;
    if (other_probe) breakers.Record(other, w, true, true, now_ms);  // hand the probe back
  } else {
    metrics.Fallback(p);
    Attempt(f, other, true, other_probe);
    return;
  }
  if (denied) metrics.FallbackDenied(*denied);
  if (r.failure ==
      upstream::Failure::kNone) {  // the platform's own answer (429, 503, 500...) relayed
    Finish(f, p, Relay(std::move(r)));
    return;
  }
  const bool timeout = r.failure == upstream::Failure::kTimeout;
  Finish(f, p,
         JsonError(timeout ? 504 : 502, timeout ? "upstream_timeout" : "upstream_unavailable",
                   "no platform answered: " + f->failures));
}

void Router::Impl::Finish(const std::shared_ptr<Flight>& f, Platform p, http::Response res) {
  f->finished = true;
  if (f->hedge_timer) f->hedge_timer->Cancel();
  const double seconds = std::chrono::duration<double>(Clock::now() - f->start).count();
  // Hedged attempts overlap: the router's own time is then what came before the first send.
  const int64_t overhead_us =
      f->hedged
          ? std::chrono::duration_cast<std::chrono::microseconds>(f->first_send - f->start).count()
          : std::max<int64_t>(0, static_cast<int64_t>(seconds * 1e6 - f->upstream_ms * 1000));
  const bool fell_back = f->fell_back;
  res.headers.emplace_back("X-Route-Platform", std::string(policy::Name(p)));
  res.headers.emplace_back("X-Route-Decision", f->decision);
  res.headers.emplace_back("X-Route-Fallback", fell_back ? "true" : "false");
  res.headers.emplace_back("X-Route-Attempts", std::to_string(f->attempts));
  if (f->hedged) res.headers.emplace_back("X-Route-Hedged", "true");
  res.headers.emplace_back("X-Route-Overhead-Us", std::to_string(overhead_us));
  res.headers.emplace_back("X-Request-Id", f->request_id);
  res.headers.emplace_back("Access-Control-Allow-Origin", config.service.cors_origin);
  metrics.Request(f->features.workload, p, res.status);
  metrics.Overhead(overhead_us);
  if (log) {
    f->lines.back().overhead_us = overhead_us;
    for (const AttemptLine& line : f->lines) log->Write(FormatAttempt(line));
    f->lines.clear();
  }
  AccessLog(*f, p, res.status, seconds);
  http::Responder respond = std::move(f->respond);
  respond(std::move(res));
}

void Router::Impl::AccessLog(const Flight& f, Platform p, int status, double seconds) {
  if (!config.service.access_log) return;
  const std::string path = "/" + std::string(PathName(f.features.workload));
  service::WriteAccessLine(*config.service.access_log,
                           {f.request_id, "POST", path, status, static_cast<int64_t>(seconds * 1e6),
                            f.decision, policy::Name(p), f.attempts});
}

// ---- Router ----

core::Result<std::unique_ptr<Router>> Router::Create(const RouterConfig& config) {
  if (!(config.explore >= 0 && config.explore <= 1))
    return core::MakeError(ErrorCode::kInvalidArgument, "--explore must be from 0 to 1", "explore");
  if (config.replicas < 1 || config.replica_index < 0 || config.replica_index >= config.replicas)
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--replica-index must be from 0 to --replicas - 1", "replica_index");
  bool any_capacity = false;
  for (size_t w = 0; w < config.ecs_capacity.size(); ++w)
    any_capacity = any_capacity || CapacityOf(config, w) > 0 || config.targets.discovers();
  if (Spills(config.policy) && !any_capacity)
    return core::MakeError(
        ErrorCode::kInvalidArgument,
        "--policy " + std::string(Name(config.policy)) +
            " needs --ecs-capacity or ecs_capacity in the route "
            "config (requests each ECS service runs at once: tasks x requests per "
            "task), or ecs_service there (its running tasks, asked of ECS)",
        "ecs_capacity");
  if (config.targets.signs() && !config.credentials)
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "targets called with AWS SigV4 (lambda_function, lambda_auth iam) need "
                           "AWS credentials",
                           "credentials");
  std::unique_ptr<Router> r(new Router());
  r->impl_ = std::make_shared<Impl>(config);
  Impl& im = *r->impl_;
  if (auto events = config.service.event_log) {
    const int ms = config.upstream.stray_quarantine_ms;
    im.config.upstream.on_stray = [events, ms](const std::string& target, std::string_view why) {
      events->warn(R"("event":"upstream_stray","target":{},"why":{},"quarantine_ms":{})",
                   json::Quoted(target), json::Quoted(why), ms);
    };
  }
  im.seed = config.seed
                ? config.seed
                : (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  auto svc = service::Service::Create(config.service);
  if (!svc) return svc.error();
  im.service = std::move(*svc);
  if (config.policy == FixedPolicy::kSpilloverModel &&
      (config.service.objective.kind == policy::ObjectiveKind::kClassifier ||
       !im.service->model()->model->spec().outcomes))
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--policy spillover-model compares predicted outcomes: it needs a "
                           "model with outcome tables (hybrid-router train) and an objective "
                           "other than classifier",
                           "policy");
#if defined(__GLIBC__)
  // Request bodies reach 5.3 MB. Above glibc's mmap threshold (128 KB, and fixed once the
  // service's M_TRIM_THRESHOLD is set) each one was a fresh mapping, faulted in page by page: a
  // 4 MB body took 13 ms to copy on this project's VM. From the heap, a freed body's memory serves
  // the next one; resident memory stays bounded by the bodies in flight at the peak.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
  if (!config.outcome_log.dir.empty()) {
    auto log = OutcomeLog::Open(config.outcome_log);
    if (!log) return log.error();
    im.log = std::move(*log);
  }
  Impl* raw = r->impl_.get();
  im.service->SetExtraMetrics([raw] {
    std::string out =
        raw->metrics.Render(raw->UpstreamInFlight(), raw->UpstreamStrays(),
                            raw->log ? raw->log->written() : 0, raw->log ? raw->log->dropped() : 0);
    if (Spills(raw->config.policy)) {
      std::array<int, features::kWorkloadCount> share{}, in_flight{};
      for (size_t w = 0; w < share.size(); ++w) {
        share[w] = raw->ecs_share[w].load();
        in_flight[w] = raw->ecs_in_flight[w].load();
      }
      out += RenderEcsCapacity(share, in_flight, raw->ecs_watch.get());
    }
    if (const auto& c = raw->config.credentials) {
      std::ostringstream aws;
      aws << "# TYPE hybrid_router_aws_credentials_refreshes_total counter\n"
          << "hybrid_router_aws_credentials_refreshes_total " << c->refreshes() << "\n"
          << "# TYPE hybrid_router_aws_credentials_refresh_failures_total counter\n"
          << "hybrid_router_aws_credentials_refresh_failures_total " << c->refresh_failures()
          << "\n# HELP hybrid_router_aws_credentials_expiry_timestamp_seconds When the "
             "credentials in use expire (0: never).\n"
          << "# TYPE hybrid_router_aws_credentials_expiry_timestamp_seconds gauge\n"
          << "hybrid_router_aws_credentials_expiry_timestamp_seconds "
          << c->Current()->expires_unix_s << "\n";
      out += aws.str();
    }
    return out;
  });
  if (Spills(config.policy) && config.targets.discovers()) {
    auto events = config.service.event_log;
    auto watch = EcsCapacityWatch::Start(
        config.targets, config.credentials, {config.ecs_discover_every_s, 5'000},
        [raw, events](const DiscoveredCapacity& d) {
          const int share = raw->ShareOf(d.capacity);
          const int before = raw->ecs_share[static_cast<size_t>(d.workload)].exchange(share);
          if (before != share && events)
            events->info(R"("event":"ecs_capacity","workload":"{}","capacity":{},"share":{},)"
                         R"("running_tasks":{},"desired_tasks":{})",
                         features::Name(d.workload), d.capacity, share, d.running, d.desired);
        },
        [events](const std::string& why) {
          if (events)
            events->warn(R"("event":"ecs_capacity_poll_failed","error":{})", json::Quoted(why));
        });
    if (!watch) return watch.error();
    im.ecs_watch = std::move(*watch);
  }
  if (config.credentials && config.service.event_log) {
    // Failed refreshes are logged each time (the old credentials stay in use until they expire);
    // successful ones too, with the new expiry. Never a key or a token.
    auto events = config.service.event_log;
    config.credentials->OnRefresh([events](bool ok, const std::string& why, int64_t expires) {
      if (ok) {
        events->info(R"("event":"aws_credentials_refreshed","expires_unix_s":{})", expires);
      } else {
        events->warn(R"("event":"aws_credentials_refresh_failed","why":{},"expires_unix_s":{})",
                     json::Quoted(why), expires);
      }
    });
  }
  return r;
}

Router::~Router() {
  if (!impl_) return;
  {  // transfers still running finish (kShutdown) while all else lives
    std::lock_guard<std::mutex> lock(impl_->upstreams_mutex);
    impl_->upstreams.clear();
  }
  impl_->log.reset();  // written out
}

service::Service& Router::service() { return *impl_->service; }

void Router::Handle(const http::Request& req, http::Response& res) {
  std::string_view path = req.target();
  path = path.substr(0, path.find('?'));
  // POST /{workload} (API Gateway's layout) or /{workload}/process (the ALB's).
  std::string_view name = path.size() > 1 ? path.substr(1) : std::string_view();
  if (name.ends_with("/process")) name.remove_suffix(8);
  const auto w = name.find('/') == std::string_view::npos ? WorkloadOfPath(name) : std::nullopt;
  if (!w) {
    impl_->service->Handle(req, res);  // health, readiness, model, metrics, reload, /predict
    return;
  }
  const service::ServiceConfig& sc = impl_->config.service;
  if (req.method() != "POST") {
    impl_->metrics.Refused();
    res = JsonError(405, "method_not_allowed", "use POST to route a workload request");
    res.headers.emplace_back("Allow", "POST");
    return;
  }
  if (sc.keys.enabled()) {
    std::string_view key = req.header("x-api-key");
    const std::string_view auth = req.header("authorization");
    if (key.empty() && auth.starts_with("Bearer ")) key = auth.substr(7);
    if (!sc.keys.Check(key)) {
      impl_->metrics.Refused();
      res = JsonError(401, "unauthorized",
                      "a valid API key is required (x-api-key header or Authorization: Bearer)");
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      return;
    }
  }
  impl_->Route(*w, req, res);
}

}  // namespace hr::route
