// The router's wiring: a request is read (workload_request.h), placed (policy/placement.h), sent
// to a usable platform (steps.h UsablePlatform), and each attempt's result judged (answers.h)
// and followed by the next step (steps.h After), logged as an outcome line (outcome_line.h) and
// counted (route_metrics.h). The decisions live in those pure functions; this file holds the
// state they act on (breakers, budget, ECS slots, the flights in progress) and the event loop's
// timers and senders.
#include "route/router.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <mutex>
#include <random>
#include <unordered_map>

#include "aws/lambda_invoke.h"
#include "core/mix.h"
#include "features/arrival_rates.h"
#include "http/byte_budget.h"
#include "json/json_writer.h"
#include "outcome/outcome.h"
#include "route/answers.h"
#include "route/calls.h"
#include "route/ecs_capacity.h"
#include "route/events.h"
#include "route/learn_state.h"
#include "route/outcome_line.h"
#include "route/route_metrics.h"
#include "route/router_impl.h"
#include "route/steps.h"
#include "service/access_log.h"
#include "workload/request.h"

namespace hr::route {

namespace {

using Clock = std::chrono::steady_clock;
using core::ErrorCode;
using policy::Platform;

using features::Other;

std::array<bool, 2> HasTarget(const WorkloadTargets& t) {
  return {!t.url[0].empty(), !t.url[1].empty()};
}

}  // namespace

void Router::Impl::Route(features::Workload w, const http::Request& req, http::Response& res) {
  const auto start = Clock::now();
  const int64_t now_ms = NowMs();
  auto f = std::make_shared<Flight>();
  f->start = start;
  auto body = std::make_shared<std::string>();  // kept for the attempts; read in place
  body->reserve(req.body().size() + workload::kReadPadding);
  if (http::ByteBudget* b = config.upstream.budget) {  // the copy counts against the budget
    if (!b->TryTake(body->capacity())) {
      Refuse(req, res, ErrorCode::kOverloaded,
             "the router is buffering as much as its budget allows (--buffer-budget-mb); retry");
      res.headers.emplace_back("Retry-After", "1");
      return;
    }
    f->body_lease = http::LeaseOf(b, body->capacity());
  }
  body->assign(req.body());
  auto wr = workload::Read(*body, body->capacity());
  if (!wr) return Refuse(req, res, wr.error().code, wr.error().message, wr.error().field);
  if (wr->workload && *wr->workload != w)
    return Refuse(req, res, ErrorCode::kInvalidArgument,
                  "workload_type '" + std::string(features::Name(*wr->workload)) +
                      "' disagrees with the path, which names '" + std::string(features::Name(w)) +
                      "'",
                  "workload_type", wr->request_id);
  const WorkloadTargets& targets = config.targets.of(w);
  if (targets.url[0].empty() && targets.url[1].empty())
    return Refuse(
        req, res, ErrorCode::kNotFound,
        "no target is configured for " + std::string(features::Name(w)) + " (see --config)", {},
        wr->request_id);
  rates.Arrive(w, now_ms);
  budget.Request(now_ms);
  if (config.hedge) hedge_budget.Request(now_ms);
  const core::CivilTime civil = core::NowIn(config.zone);
  RequestFacts& facts = f->facts;
  if (log) facts.timestamp = core::FormatWallClockMicros(civil);  // only the outcome log shows it
  // The observed pattern only when the request does not say (it scans the arrival buckets).
  facts.features = features::FromTraffic(
      w, wr->payload_kb, civil.hour, core::Weekday(civil.year, civil.month, civil.day) >= 5,
      wr->time_window, wr->load_pattern ? *wr->load_pattern : rates.Pattern(w, now_ms));
  for (const auto& [field, value] : wr->unknown) metrics.Unknown(field);
  facts.unknown = std::move(wr->unknown);
  facts.time_window_derived = !wr->time_window;
  facts.load_pattern_derived = !wr->load_pattern;
  facts.actual_kb = static_cast<double>(body->size()) / 1024;
  const std::string_view given_id = req.header("x-request-id");
  // A request id of the router's own is unique per process start, whatever --seed says.
  facts.request_id = service::ValidRequestId(wr->request_id) ? wr->request_id
                     : service::ValidRequestId(given_id)     ? std::string(given_id)
                                                             : service->NewRequestId();
  f->body_request_id = wr->request_id;
  f->content_type = std::string(req.header("content-type"));
  if (f->content_type.empty()) f->content_type = "application/json";
  f->accept = std::string(req.header("accept"));
  f->path = req.target().substr(0, req.target().find('?'));

  // The placement.
  const auto loaded = service->model();
  policy::PlacementContext ctx;
  ctx.model = loaded->model.get();
  ctx.objective = &config.service.objective;
  ctx.explore = config.explore;
  ctx.learner = learner.get();
  facts.model = loaded->fingerprint;
  ctx.draw = core::UnitInterval(core::Mix64(seed + counter.fetch_add(1) * 0x9e3779b97f4a7c15ull));
  bool slot = false;  // an ECS slot reserved for the request (spill-over)
  if (config.policy.spills()) ctx.ecs_admits = slot = ReserveEcs(w);
  static thread_local model::Scratch scratch;
  const policy::Placement placed = policy::Place(config.policy, facts.features, ctx, scratch);
  if (placed.source == policy::Source::kExplore) metrics.Explored();
  if (config.policy.spills() && !slot) metrics.Spilled(w);
  // A platform without a target for this workload, or with its breaker open, sends the request
  // straight to the other one (not a fallback: nothing failed for this request).
  const Usable usable =
      UsablePlatform(placed.platform, w, HasTarget(targets), throttles, breakers, now_ms);
  if (usable.why.starts_with("throttled")) metrics.ThrottleRedirect(placed.platform);
  DescribeDecision(facts, config.policy, placed, config.service.objective, usable.why,
                   usable.redirected);
  if (slot && usable.platform != Platform::kEcs) {  // reserved, then sent elsewhere
    ReleaseEcs(w);
    slot = false;
  }
  f->deadline = start + std::chrono::milliseconds(targets.deadline_ms);
  f->body = std::move(body);
  f->loop = req.loop();
  f->sender = req.loop() ? SenderFor(req.loop()) : nullptr;
  if (f->sender) f->respond = req.Defer();
  if (!f->respond) {
    if (slot) ReleaseEcs(w);
    if (usable.probe) breakers.Release(usable.platform, w);
    return Refuse(req, res, ErrorCode::kInternal,
                  "this front end cannot wait for an upstream answer", {}, facts.request_id);
  }
  Attempt(f, usable.platform, {false, usable.probe, false, 0, slot});
  if (config.hedge && targets.idempotent) ArmHedge(f, usable.platform);
}

upstream::Sender* Router::Impl::SenderFor(http::Loop* loop) {
  // Cached per thread by the router's id (never an address a later router could reuse).
  static thread_local std::pair<uint64_t, upstream::Sender*> cached{0, nullptr};
  if (cached.first == id) return cached.second;
  std::lock_guard<std::mutex> lock(senders_mutex);
  auto& s = senders[loop];
  if (!s) {
    auto made = config.senders ? config.senders(*loop) : [&] {
      auto u = upstream::Upstream::Create(config.upstream, *loop);
      return u ? core::Result<std::unique_ptr<upstream::Sender>>(std::move(*u))
               : core::Result<std::unique_ptr<upstream::Sender>>(u.error());
    }();
    if (!made) return nullptr;
    s = std::move(*made);
  }
  cached = {id, s.get()};
  return s.get();
}

void Router::Impl::Attempt(const std::shared_ptr<Flight>& f, Platform p, AttemptKind kind) {
  kind.attempt = ++f->attempts;
  ++f->outstanding;
  if (kind.attempt == 1) f->first_send = Clock::now();
  if (kind.fallback) f->fell_back = true;
  const features::Workload w = f->workload();
  // Every ECS attempt counts while it is in flight (a fallback to ECS too, beyond the share:
  // failures are not held back for capacity).
  if (p == Platform::kEcs && !kind.ecs_slot) {
    ecs_in_flight[static_cast<size_t>(w)].fetch_add(1);
    kind.ecs_slot = true;
  }
  if (p == Platform::kLambda && SendPrepared(f, kind)) return;
  Send(f, p, kind);
}

void Router::Impl::Send(const std::shared_ptr<Flight>& f, Platform p, AttemptKind kind) {
  const features::Workload w = f->workload();
  std::shared_ptr<const aws::Credentials> credentials;
  if (config.credentials) credentials = config.credentials->Current();
  CallInput in;
  in.platform = p;
  in.workload = w;
  in.body = f->body;
  in.event = &f->event;
  in.body_sha256 = &f->body_sha256;
  in.now_unix_s = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  in.content_type = f->content_type;
  in.accept = f->accept;
  in.request_id = f->facts.request_id;
  in.body_request_id = f->body_request_id;
  in.left_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(f->deadline - Clock::now()).count();
  in.log_tail = log != nullptr;
  in.credentials = credentials.get();
  upstream::UpstreamRequest u = MakeCall(config.targets, in);
  auto self = shared_from_this();
  f->sender->Send(std::move(u), [self, f, p, kind](upstream::UpstreamResult r) {
    self->Completed(f, p, kind, std::move(r));
  });
}

void Router::Impl::Completed(const std::shared_ptr<Flight>& f, Platform p, AttemptKind kind,
                             upstream::UpstreamResult r) {
  const int64_t now_ms = NowMs();
  const features::Workload w = f->workload();
  const bool shutdown = r.failure == upstream::Failure::kShutdown;
  --f->outstanding;
  if (kind.ecs_slot) ReleaseEcs(w);
  const WorkloadTargets& targets = config.targets.of(w);
  aws::InvokeReport report;
  const Verdict v = JudgeAnswer(p, targets.lambda_invoke, r, report);
  metrics.Attempt(p, v);
  // A throttle (429, or the ALB's 503: no healthy target) sends the workload's next requests to
  // the other platform for its Retry-After or the back-off.
  if (r.failure == upstream::Failure::kNone &&
      (r.status == 429 || (p == Platform::kEcs && r.status == 503))) {
    throttles.Throttled(p, w, now_ms, HeaderOf(r, "retry-after"));
    metrics.Throttled(p);
  }
  if (v == Verdict::kAnswered) hedge_delays.Record(p, w, f->facts.features.payload_kb, r.total_ms);
  if (learner && !shutdown) Learn(f->facts.features, p, v, r.total_ms);
  f->upstream_ms += r.total_ms;
  metrics.Upstream(r.total_ms);
  if (!shutdown) {
    const bool failed = r.failure != upstream::Failure::kNone || r.status >= 500;
    if (auto changed = breakers.Record(p, w, !failed, kind.probe, now_ms)) {
      metrics.Breaker(p, *changed);
      LogBreaker(config.service.event_log, p, w, *changed);
    }
  }
  // A completion after the answer is a hedge's loser: it ran (and is billed) all the same.
  if (f->finished) metrics.HedgeLost(p, report.billed_duration_ms.value_or(r.total_ms));
  // Each send is an outcome line, written when the request is answered (a hedge's loser at once).
  const auto keep = [&](AttemptLine line) {
    if (!log) return;
    if (f->finished) {
      log->Write(FormatAttempt(line));
    } else {
      f->lines.push_back(std::move(line));
    }
  };
  if (r.resent_after_ms >= 0) {  // the loop client sent it again: the first send may have run
    ++f->resends;
    metrics.Resent(p);
    metrics.Attempt(p, Verdict::kFailed);
    upstream::UpstreamResult first;
    first.failure = upstream::Failure::kBroken;
    first.message = "the pooled connection broke before any answer; sent again on a new one";
    first.total_ms = r.resent_after_ms;
    keep(MakeAttemptLine(f->facts, {p, kind.fallback, kind.hedge, kind.attempt}, first,
                         Verdict::kFailed, {}));
    kind.attempt = ++f->attempts;
  }
  AttemptLine line =
      MakeAttemptLine(f->facts, {p, kind.fallback, kind.hedge, kind.attempt}, r, v, report);
  if (f->finished && shutdown) line.outcome = "cut_off";  // with the time it ran
  if (v != Verdict::kConfigError) keep(std::move(line));  // not a measurement of the platform
  if (f->finished) return;
  if (v != Verdict::kAnswered) {
    std::string what(policy::Name(p));
    what += ": ";
    what += r.failure == upstream::Failure::kNone
                ? "HTTP " + std::to_string(r.status)
                : std::string(upstream::Name(r.failure)) + " (" + r.message + ")";
    if (!f->failures.empty()) f->failures += "; ";
    f->failures += what;
  }
  if (v == Verdict::kConfigError)
    LogConfigError(config.service.event_log, p, w, r.status, HeaderOf(r, "x-amzn-errortype"),
                   now_ms, last_config_error_log_ms);
  AttemptState s;
  s.platform = p;
  s.workload = w;
  s.verdict = v;
  s.shutdown = shutdown;
  s.was_fallback = kind.fallback;
  s.attempts = f->attempts - f->resends;
  s.outstanding = f->outstanding;
  s.other_has_target = !targets.url[static_cast<size_t>(Other(p))].empty();
  s.idempotent = targets.idempotent;
  s.time_left = Clock::now() + std::chrono::milliseconds(1) < f->deadline;
  const NextStep next = After(s, breakers, budget, now_ms);
  switch (next.next) {
    case Next::kWait:
      return;
    case Next::kRelay:
      if (kind.hedge) metrics.HedgeWon(p);
      Finish(f, p, Relay(std::move(r)));
      return;
    case Next::kTryOther:
      metrics.Fallback(p);
      Attempt(f, Other(p), {true, next.probe, false, 0, false});
      return;
    case Next::kConfigError:
      Finish(f, p,
             JsonError(
                 ErrorCode::kUpstreamConfigError,
                 std::string(policy::Name(p)) +
                     (r.status == 404 || r.status == 405
                          ? " does not serve the target's path (HTTP " + std::to_string(r.status) +
                                "): the target URL is wrong (the router appends /{workload} "
                                "for Lambda and /{workload}/process for ECS); not retried "
                                "elsewhere"
                          : " refused the router (HTTP " + std::to_string(r.status) +
                                "): the router's credentials or the target's permissions "
                                "are wrong; not retried elsewhere")));
      return;
    case Next::kGiveUp:
      if (next.denied) metrics.FallbackDenied(*next.denied);
      if (r.failure == upstream::Failure::kNone) {  // the platform's own answer (429, 503...)
        Finish(f, p, Relay(std::move(r)));
        return;
      }
      if (r.failure == upstream::Failure::kOverBudget) {  // the router's limit, not a platform's
        http::Response busy = JsonError(ErrorCode::kOverloaded,
                                        "the router could not buffer the answer within its budget "
                                        "(--buffer-budget-mb); retry: " +
                                            f->failures);
        busy.headers.emplace_back("Retry-After", "1");
        Finish(f, p, std::move(busy));
        return;
      }
      const bool timeout = r.failure == upstream::Failure::kTimeout;
      Finish(f, p,
             JsonError(timeout ? ErrorCode::kUpstreamTimeout : ErrorCode::kUpstreamUnavailable,
                       "no platform answered: " + f->failures));
      return;
  }
}

void Router::Impl::Learn(const features::Request& req, Platform p, Verdict v, double ms) {
  // What ran: an answer, or a failure that may have run (its time a lower bound, never a fast
  // outcome); what provably did not run, or the router's own configuration error, teaches nothing.
  if (v != Verdict::kAnswered && v != Verdict::kFailed) return;
  const outcome::OutcomeModel* tables = service->model()->model->spec().outcomes.get();
  if (!tables) return;
  std::array<outcome::Estimate, 2> e;
  tables->Estimate(req, e);
  if (const auto drift = learner->Observe(req, p, ms, e[static_cast<size_t>(p)]))
    LogDrift(config.service.event_log, *drift);
  if (config.learn_state.empty()) return;
  const int64_t now = NowMs();
  int64_t last = learn_state_written_ms.load();
  if (now - last >= config.learn_state_every_s * 1000LL &&
      learn_state_written_ms.compare_exchange_strong(last, now))
    SaveLearnState();  // about a millisecond, once a minute, by the one thread that won
}

void Router::Impl::SaveLearnState() {
  if (!WriteLearnState(*learner, config.learn_state) && config.service.event_log)
    config.service.event_log->error(R"("event":"learn_state_not_written","path":{})",
                                    json::Quoted(config.learn_state));
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
  res.headers.emplace_back("X-Route-Platform", std::string(policy::Name(p)));
  res.headers.emplace_back("X-Route-Decision", f->facts.decision);
  res.headers.emplace_back("X-Route-Fallback", f->fell_back ? "true" : "false");
  res.headers.emplace_back("X-Route-Attempts", std::to_string(f->attempts));
  if (f->hedged) res.headers.emplace_back("X-Route-Hedged", "true");
  res.headers.emplace_back("X-Route-Overhead-Us", std::to_string(overhead_us));
  res.headers.emplace_back("X-Request-Id", f->facts.request_id);
  res.headers.emplace_back("Access-Control-Allow-Origin", config.service.cors_origin);
  metrics.Request(f->workload(), p, res.status);
  metrics.Overhead(overhead_us);
  if (log && !f->lines.empty()) {  // none when the only attempt was a configuration error
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
  service::WriteAccessLine(
      *config.service.access_log,
      {f.facts.request_id, "POST", f.path, status, static_cast<int64_t>(seconds * 1e6),
       f.facts.decision, policy::Name(p), f.attempts});
}

void Router::Impl::Refuse(const http::Request& req, http::Response& res, ErrorCode code,
                          const std::string& message, std::string_view field,
                          std::string_view request_id) {
  metrics.Refused();
  res = JsonError(code, message, field);
  const std::string_view given = req.header("x-request-id");
  const std::string rid = service::ValidRequestId(request_id) ? std::string(request_id)
                          : service::ValidRequestId(given)    ? std::string(given)
                                                              : service->NewRequestId();
  res.headers.emplace_back("X-Request-Id", rid);
  res.headers.emplace_back("Access-Control-Allow-Origin", config.service.cors_origin);
  if (config.service.access_log) {
    const std::string_view target = req.target();
    service::WriteAccessLine(*config.service.access_log, {rid,
                                                          req.method().substr(0, 16),
                                                          target.substr(0, target.find('?')),
                                                          res.status,
                                                          0,
                                                          {},
                                                          {},
                                                          0});
  }
}

// ---- Router ----

core::Result<std::unique_ptr<Router>> Router::Create(const RouterConfig& config) {
  if (auto s = Check(config); !s) return s.error();
  std::unique_ptr<Router> r(new Router());
  r->impl_ = std::make_shared<Impl>(config);
  Impl& im = *r->impl_;
  const EventLog events = config.service.event_log;
  im.config.upstream.on_stray = [events, ms = config.upstream.stray_quarantine_ms](
                                    const std::string& target, std::string_view why) {
    LogStray(events, target, why, ms);
  };
  im.seed = config.seed
                ? config.seed
                : (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  auto svc = service::Service::Create(config.service);
  if (!svc) return svc.error();
  im.service = std::move(*svc);
  if (config.policy.kind == policy::PolicyKind::kOracle)
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--policy oracle decides from the true mean response times, which only "
                           "simulate knows; route cannot (use adaptive to learn them live)",
                           "policy");
  if (config.policy.kind == policy::PolicyKind::kSpilloverModel &&
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
  // the next one; resident memory stays bounded by the bodies in flight at the peak. Larger
  // buffers (answers of up to 16 MB, growing as chunks arrive) are mappings of their own, returned
  // to the system when freed: after a burst of them the heap keeps nothing.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(http::kOwnMappingBytes));
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
  if (!config.outcome_log.dir.empty()) {
    auto log = OutcomeLog::Open(config.outcome_log);
    if (!log) return log.error();
    im.log = std::move(*log);
  }
  if (im.learner && !config.learn_state.empty()) {  // what a previous run learned, if anything
    if (auto st = ReadLearnState(*im.learner, config.learn_state); !st) return st.error();
  }

  Impl* raw = r->impl_.get();
  im.service->SetExtraMetrics([raw] {
    std::string out = raw->metrics.Render(
        raw->OverSenders([](const upstream::Sender& s) { return s.in_flight(); }),
        raw->OverSenders([](const upstream::Sender& s) { return s.strays(); }),
        raw->log ? raw->log->written() : 0, raw->log ? raw->log->dropped() : 0);
    if (raw->config.policy.spills()) {
      std::array<int, features::kWorkloadCount> share{}, in_flight{};
      for (size_t w = 0; w < share.size(); ++w) {
        share[w] = raw->ecs_share[w].load();
        in_flight[w] = raw->ecs_in_flight[w].load();
      }
      out += RenderEcsCapacity(share, in_flight, raw->ecs_watch.get());
    }
    if (const auto& c = raw->config.credentials) out += RenderAwsCredentials(*c);
    if (raw->learner) out += RenderLearner(*raw->learner);
    return out;
  });
  if (config.policy.spills() && config.targets.discovers()) {
    auto watch = EcsCapacityWatch::Start(
        config.targets, config.credentials,
        {config.ecs_discover_every_s, 5'000, config.upstream.ca_file},
        [raw, events](const DiscoveredCapacity& d) {
          const int share = raw->ShareOf(d.capacity);
          const int before = raw->ecs_share[static_cast<size_t>(d.workload)].exchange(share);
          if (before != share)
            LogEcsCapacity(events, d.workload, d.capacity, share, d.running, d.desired);
        },
        [events](const std::string& why) { LogEcsPollFailed(events, why); });
    if (!watch) return watch.error();
    im.ecs_watch = std::move(*watch);
  }
  if (config.credentials) LogCredentialRefreshes(events, *config.credentials);
  return r;
}

Router::~Router() {
  if (!impl_) return;
  // Bodies being prepared are made; their attempts are posted to loops that have stopped.
  if (impl_->prepare_pool) impl_->prepare_pool->join();
  {  // transfers still running finish (kShutdown) while all else lives
    std::lock_guard<std::mutex> lock(impl_->senders_mutex);
    impl_->senders.clear();
  }
  impl_->log.reset();  // written out
  if (impl_->learner && !impl_->config.learn_state.empty()) impl_->SaveLearnState();
}

service::Service& Router::service() { return *impl_->service; }

void Router::Handle(const http::Request& req, http::Response& res) {
  std::string_view path = req.target();
  path = path.substr(0, path.find('?'));
  if (path == "/learn" && impl_->learner && req.method() == "GET") {  // as /model: an API key
    if (auto no = impl_->service->Admit(req, true)) {
      impl_->Refuse(req, res, no->error.code, no->error.message, no->error.field);
      for (auto& h : no->headers) res.headers.push_back(std::move(h));
      return;
    }
    res.body = impl_->learner->Json();
    return;
  }
  // POST /{workload} (API Gateway's layout) or /{workload}/process (the ALB's).
  std::string_view name = path.size() > 1 ? path.substr(1) : std::string_view();
  if (name.ends_with("/process")) name.remove_suffix(8);
  const auto w =
      name.find('/') == std::string_view::npos ? workload::WorkloadOfPath(name) : std::nullopt;
  if (!w) {
    impl_->service->Handle(req, res);  // health, readiness, model, metrics, reload, /predict
    return;
  }
  if (req.method() != "POST") {
    impl_->Refuse(req, res, ErrorCode::kMethodNotAllowed, "use POST to route a workload request");
    res.headers.emplace_back("Allow", "POST");
    return;
  }
  if (auto no = impl_->service->Admit(req, true)) {  // a valid key within its limits
    impl_->Refuse(req, res, no->error.code, no->error.message, no->error.field);
    for (auto& h : no->headers) res.headers.push_back(std::move(h));
    return;
  }
  impl_->Route(*w, req, res);
}

}  // namespace hr::route
