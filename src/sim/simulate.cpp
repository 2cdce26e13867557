#include "sim/simulate.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "core/mix.h"
#include "features/arrival_rates.h"
#include "json/json_reader.h"
#include "sim/oracle.h"

namespace hr::sim {

namespace {

using features::Workload;
constexpr size_t kW = features::kWorkloadCount;

core::Error Bad(const std::string& field, const std::string& why) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, field + ": " + why, field);
}

// Decisions of the model policy, remembered per (workload, payload, hour, load pattern): the
// features a decision reads, so the model runs once per combination, not once per request.
class ModelPolicy {
 public:
  ModelPolicy(const SimPolicy& p, const ServiceTimes& times, int start_hour)
      : p_(p), times_(times), start_hour_(start_hour) {
    for (size_t w = 0; w < kW; ++w)
      cache_[w].assign(times.Payloads(static_cast<Workload>(w)).size() * 24 * 4, -1);
  }
  // The model's decision for a request Arrive() made.
  bool Lambda(Workload w, uint32_t payload, const features::Request& req) {
    const size_t wi = static_cast<size_t>(w);
    int8_t& slot = cache_[wi][Slot(payload, req)];
    if (slot < 0) {
      policy::PlacementContext ctx;
      ctx.model = p_.model.get();
      ctx.objective = &p_.objective;
      const policy::Placement d = policy::Place(p_.spec, req, ctx, scratch_);
      slot = d.platform == policy::Platform::kLambda ? 1 : 0;
    }
    return slot == 1;
  }
  // spillover-model: the longest wait ECS is worth for the request's cell (found once per cell).
  double LongestEcsWaitMs(Workload w, uint32_t payload, const features::Request& req) {
    const size_t wi = static_cast<size_t>(w);
    if (longest_wait_[wi].empty())
      longest_wait_[wi].assign(cache_[wi].size(), std::numeric_limits<double>::quiet_NaN());
    double& longest = longest_wait_[wi][Slot(payload, req)];
    if (std::isnan(longest)) longest = policy::LongestEcsWaitMs(*p_.model, req, p_.objective);
    return longest;
  }
  // The request's features (features::FromTraffic); counts its arrival for the load pattern.
  features::Request Arrive(Workload w, uint32_t payload, double t_s) {
    const int64_t ms = static_cast<int64_t>(t_s * 1000);
    rates_.Arrive(w, ms);
    const size_t wi = static_cast<size_t>(w);
    if (ms / 1000 != pattern_second_[wi]) {
      pattern_second_[wi] = ms / 1000;
      pattern_[wi] = rates_.Pattern(w, ms);
    }
    const int hour = static_cast<int>((start_hour_ + static_cast<int64_t>(t_s / 3600)) % 24);
    return features::FromTraffic(w, times_.Payloads(w)[payload], hour, false, std::nullopt,
                                 pattern_[wi]);
  }

 private:
  const SimPolicy& p_;
  const ServiceTimes& times_;
  int start_hour_;
  features::ArrivalRates rates_;
  std::array<int64_t, kW> pattern_second_{-1, -1, -1, -1};
  std::array<features::LoadPattern, kW> pattern_{};
  std::array<std::vector<int8_t>, kW> cache_;
  std::array<std::vector<double>, kW> longest_wait_;  // spillover-model; NaN: not yet known
  model::Scratch scratch_;

  static size_t Slot(uint32_t payload, const features::Request& req) {
    return (static_cast<size_t>(payload) * 24 + static_cast<size_t>(req.hour_of_day)) * 4 +
           static_cast<size_t>(req.load_pattern);
  }
};

// Each phase's oracle mean and regret: the oracle's own run on the same seed and arrivals.
core::Status AddRegret(const SimConfig& c, const ServiceTimes& times, SimResult& r) {
  if (r.phases.empty()) return {};
  if (c.policy.spec.kind == policy::PolicyKind::kOracle && !c.PerWorkloadPolicy()) {
    for (SimResult::Phase& ph : r.phases) ph.oracle_ms_mean = ph.response_ms_mean;
    return {};
  }
  if (!c.regret) return {};
  SimConfig o = c;
  o.policy = Fixed("oracle");
  o.policy.objective.kind = policy::ObjectiveKind::kLatency;
  o.policy_by_workload = {};
  o.explore = 0;
  o.on_line = nullptr;
  auto oracle = Simulate(o, times);
  if (!oracle) return oracle.error();
  for (size_t i = 0; i < r.phases.size() && i < oracle->phases.size(); ++i) {
    r.phases[i].oracle_ms_mean = oracle->phases[i].response_ms_mean;
    r.phases[i].regret_ms = r.phases[i].response_ms_mean - r.phases[i].oracle_ms_mean;
  }
  return {};
}

}  // namespace

SimPolicy Fixed(std::string_view text) {
  SimPolicy p;
  p.spec = *policy::ParsePolicy(text);
  p.name = std::string(text);
  return p;
}

bool SimConfig::PerWorkloadPolicy() const {
  return std::any_of(policy_by_workload.begin(), policy_by_workload.end(),
                     [](const auto& p) { return p.has_value(); });
}

const policy::PolicySpec& SimConfig::PolicyOf(Workload w) const {
  const auto& own = policy_by_workload[static_cast<size_t>(w)];
  return own ? *own : policy.spec;
}

core::Status SimConfig::Validate() const {
  if (!(duration_s > 0 && duration_s <= 1e8)) return Bad("--duration-s", "must be in (0, 1e8]");
  if (!(warmup_s >= 0 && warmup_s < duration_s))
    return Bad("--warmup-s", "must be >= 0 and below the duration");
  if (!(explore >= 0 && explore <= 1)) return Bad("--explore", "must be from 0 to 1");
  if (explore > 0 && policy.spec.kind == policy::PolicyKind::kAdaptive)
    return Bad("--explore",
               "the adaptive policy explores by Thompson sampling (see --explore-floor)");
  if (arrivals.kind == ArrivalSpec::Kind::kPoisson || arrivals.kind == ArrivalSpec::Kind::kUniform)
    if (!(arrivals.rate > 0 && arrivals.rate <= 1e5))
      return Bad("--rate", "must be in (0, 100000]");
  double mix = 0;
  for (double s : arrivals.mix) {
    if (!(s >= 0 && std::isfinite(s))) return Bad("--mix", "shares must be >= 0");
    mix += s;
  }
  if (!(mix > 0)) return Bad("--mix", "no workload has a share");
  if (arrivals.kind == ArrivalSpec::Kind::kTrace && (!arrivals.trace || arrivals.trace->empty()))
    return Bad("--trace", "has no arrival");
  if (policy.spec.uses_model() && !policy.model) return Bad("--policy", "no model loaded");
  if (policy.spec.kind == policy::PolicyKind::kOracle &&
      policy.objective.kind != policy::ObjectiveKind::kLatency)
    return Bad("--objective",
               "the oracle picks the lower true mean response time: give latency (or none)");
  for (size_t w = 0; w < kW; ++w)
    if (policy_by_workload[w] && policy_by_workload[w]->uses_model())
      return Bad("--policy", "the policy of " +
                                 std::string(features::Name(static_cast<Workload>(w))) +
                                 " needs a model: per workload, give lambda-only, ecs-only, "
                                 "split:S or spillover[:W]");
  if (start_hour < 0 || start_hour > 23) return Bad("--start-hour", "must be 0-23");
  if (!(lambda.keep_alive_s >= 0)) return Bad("--keep-alive-s", "must be >= 0");
  if (lambda.concurrency_limit < 1) return Bad("--lambda-concurrency", "must be >= 1");
  if (lambda.burst_limit < 1 || lambda.burst_limit > 100'000)
    return Bad("--lambda-burst", "must be 1-100000");
  if (lambda.provisioned < 0 || lambda.provisioned > 100'000)
    return Bad("--provisioned", "must be 0-100000");
  if (ecs.concurrency < 1 || ecs.concurrency > 10'000)
    return Bad("--ecs-concurrency", "must be 1-10000");
  if (ecs.min_tasks < 1 || ecs.max_tasks < ecs.min_tasks || ecs.max_tasks > 10'000)
    return Bad("--ecs-max-tasks", "needs 1 <= min <= max <= 10000");
  if (ecs.tasks != 0 && (ecs.tasks < ecs.min_tasks || ecs.tasks > ecs.max_tasks))
    return Bad("--ecs-tasks", "must be within --ecs-min-tasks and --ecs-max-tasks");
  for (size_t w = 0; w < ecs_tasks_by_workload.size(); ++w) {
    const int t = ecs_tasks_by_workload[w];
    if (t > 0 && (t < ecs.min_tasks || t > ecs.max_tasks))
      return Bad("--ecs-tasks", "the tasks of " +
                                    std::string(features::Name(static_cast<Workload>(w))) +
                                    " must be within --ecs-min-tasks and --ecs-max-tasks");
  }
  if (!(ecs.target > 0 && ecs.target <= 1)) return Bad("--ecs-target", "must be in (0, 1]");
  if (!(ecs.timeout_s > 0)) return Bad("--ecs-timeout-s", "must be > 0");
  if (ecs.queue_limit < 1 || ecs.queue_limit > 100'000'000)
    return Bad("--ecs-queue-limit", "must be 1-100000000");
  if (!(ecs.start_delay_s >= 0)) return Bad("--ecs-start-s", "must be >= 0");
  return {};
}

core::Result<SimResult> Simulate(const SimConfig& c, const ServiceTimes& times,
                                 const SimProgress& progress) {
  if (auto s = c.Validate(); !s) return s.error();
  const auto wall = std::chrono::steady_clock::now();
  const double from = c.warmup_s, to = c.duration_s;

  // One Lambda function and one ECS service per workload that arrives.
  std::array<bool, kW> used{};
  std::array<double, kW> trace_share{};
  if (c.arrivals.kind == ArrivalSpec::Kind::kTrace) {
    const double each = 1.0 / static_cast<double>(c.arrivals.trace->size());
    for (const TraceEntry& e : *c.arrivals.trace) {
      used[static_cast<size_t>(e.workload)] = true;
      trace_share[static_cast<size_t>(e.workload)] += each;
    }
  } else {
    for (size_t w = 0; w < kW; ++w) used[w] = c.arrivals.mix[w] > 0;
  }
  // Per workload, by its policy; --explore sends some requests of a single-platform policy to the
  // other platform too.
  std::array<bool, kW> uses_ecs{}, uses_lambda{};
  bool any_ecs = false;
  std::string unplaced;  // workloads that arrive without a policy of their own
  for (size_t w = 0; w < kW; ++w) {
    if (!used[w]) continue;
    const policy::PolicyKind kind = c.PolicyOf(static_cast<Workload>(w)).kind;
    uses_ecs[w] = kind != policy::PolicyKind::kLambdaOnly || c.explore > 0;
    uses_lambda[w] = kind != policy::PolicyKind::kEcsOnly || c.explore > 0;
    any_ecs |= uses_ecs[w];
    if (c.PerWorkloadPolicy() && !c.policy_by_workload[w])
      unplaced.append(unplaced.empty() ? "" : ", ")
          .append(features::Name(static_cast<Workload>(w)));
  }
  if (!unplaced.empty())
    return Bad("--policy",
               std::string("per workload, every workload that arrives needs a policy; missing: ")
                   .append(unplaced));
  EventQueue events;
  std::array<std::unique_ptr<LambdaFunction>, kW> fns;
  std::array<std::unique_ptr<EcsService>, kW> svcs;
  for (size_t w = 0; w < kW; ++w) {
    if (!used[w]) continue;
    fns[w] = std::make_unique<LambdaFunction>(c.lambda, from, to);
    if (!uses_ecs[w]) continue;
    EcsOptions o = c.ecs;
    if (!c.ecs_task_set) o.task = cost::MeasuredTask(static_cast<Workload>(w));
    if (c.ecs_tasks_by_workload[w] >= 0) o.tasks = c.ecs_tasks_by_workload[w];
    if (o.tasks == 0) {
      const double share =
          c.arrivals.kind == ArrivalSpec::Kind::kTrace ? trace_share[w] : c.arrivals.mix[w];
      const double busy_slots =
          c.arrivals.MeanRate() * share * times.MeanEcsBusyMs(static_cast<Workload>(w)) / 1000;
      const double need = std::ceil(busy_slots / (o.concurrency * o.target) - 1e-9);
      o.tasks = static_cast<int>(
          std::clamp(need, static_cast<double>(o.min_tasks), static_cast<double>(o.max_tasks)));
    }
    svcs[w] = std::make_unique<EcsService>(o, static_cast<uint8_t>(w), events, c.pricing, from, to);
  }
  std::optional<ModelPolicy> model;
  // The requests' features: for the model policies, and for the outcome lines.
  if (c.policy.model || c.on_line) model.emplace(c.policy, times, c.start_hour);
  model::Scratch scratch;
  std::array<double, kW> ecs_busy_ms{};  // spillover-model's predicted waits
  for (size_t w = 0; w < kW; ++w) ecs_busy_ms[w] = times.MeanEcsBusyMs(static_cast<Workload>(w));
  // oracle: the true means, and each workload's Lambda starts so far [cold, all] for the chance
  // that the next one is cold, which counts kWarmPrior warm starts before the first: at a steady
  // load cold starts are rare (0.1-0.3 % in the shipped mix at 20 requests/s), and the first start
  // is always cold (its share alone, 100 %, would keep the oracle off Lambda for good).
  constexpr double kWarmPrior = 100;
  bool truth_needed = false;
  std::optional<Truth> truth;
  for (size_t w = 0; w < kW; ++w)
    truth_needed |= c.PolicyOf(static_cast<Workload>(w)).kind == policy::PolicyKind::kOracle;
  if (truth_needed) truth.emplace(times);
  std::array<std::array<double, 2>, kW> lambda_starts{};

  SimResult r;
  r.policy = c.policy.name;
  r.rate = c.arrivals.MeanRate(0, to);  // what the run simulated (a profile: its first `to` s)
  r.duration_s = to;
  r.window_s = to - from;
  core::Rng rng(core::Mix64(c.seed ^ 0x5eed5eed5eedull));
  ArrivalStream arrivals(c.arrivals, c.seed);
  Histogram response;
  std::array<Histogram, kW> response_by;  // per workload
  std::array<SimResult::Part, kW> parts;
  double wait_sum_ms = 0;
  int account_busy = 0;
  const double api_fee =
      c.api_gateway == ApiGateway::kRest   ? c.pricing.api_gateway_per_million_usd / 1e6
      : c.api_gateway == ApiGateway::kHttp ? c.pricing.api_gateway_http_per_million_usd / 1e6
                                           : 0.0;

  // --drift: the run cut at every phase boundary; answered requests by arrival time.
  std::vector<double> cuts = {from, to};
  for (const DriftPhase& d : c.drift)
    for (double x : {d.from_s, d.until_s})
      if (x > from && x < to) cuts.push_back(x);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<std::pair<uint64_t, double>> phase_sums(cuts.size() - 1);
  auto add_phase = [&](double arrival_s, double ms) {
    if (c.drift.empty()) return;
    const size_t i =
        static_cast<size_t>(std::upper_bound(cuts.begin(), cuts.end(), arrival_s) - cuts.begin());
    if (i == 0 || i >= cuts.size()) return;
    ++phase_sums[i - 1].first;
    phase_sums[i - 1].second += ms;
  };
  std::optional<policy::Learner> learner;
  if (c.policy.spec.kind == policy::PolicyKind::kAdaptive) learner.emplace(c.learn);
  const outcome::OutcomeModel* tables =
      c.policy.model ? c.policy.model->spec().outcomes.get() : nullptr;
  auto learn = [&](double t, const features::Request& req, features::Platform p,
                   const outcome::Estimate& tabled, double ms) {
    if (const auto d = learner->Observe(req, p, ms, tabled))
      r.drift_events.push_back({t, d->platform, d->workload});
  };
  // adaptive: ECS requests waiting for their outcome (learned without their wait), by workload
  // and arrival.
  struct PendingLearn {
    features::Request req;
    outcome::Estimate tabled;
  };
  std::array<std::unordered_map<double, PendingLearn>, kW> pending_learn;
  // --outcome-log: ECS attempts waiting for their outcome, by workload and arrival.
  std::array<std::unordered_map<double, SimLine>, kW> pending_line;

  auto record_ecs = [&](EcsService& svc) {
    for (const EcsOutcome& o : svc.outcomes()) {
      if (learner) {
        auto& pending = pending_learn[svc.workload()];
        if (auto it = pending.find(o.arrival_s); it != pending.end()) {
          // The service time without the wait: the decision adds the wait the service predicts
          // then (learning it too would count the queue twice). A timeout: the time it took, a
          // lower bound.
          if (!o.refused)
            learn(o.arrival_s + o.response_ms / 1000, it->second.req, features::Platform::kEcs,
                  it->second.tabled, o.timed_out ? o.response_ms : o.response_ms - o.wait_ms);
          pending.erase(it);
        }
      }
      if (c.on_line) {
        auto& pending = pending_line[svc.workload()];
        if (auto it = pending.find(o.arrival_s); it != pending.end()) {
          SimLine& line = it->second;
          line.response_ms = o.response_ms;
          line.status = o.refused ? 503 : o.timed_out ? 504 : 200;
          if (o.arrival_s >= from) c.on_line(line);
          pending.erase(it);
        }
      }
      if (o.arrival_s < from) continue;
      ++r.ecs_requests;
      ++parts[svc.workload()].ecs_requests;
      if (o.refused) {  // no answer time, no wait: counted apart
        ++r.ecs.refused;
        continue;
      }
      response.Add(o.response_ms);
      response_by[svc.workload()].Add(o.response_ms);
      add_phase(o.arrival_s, o.response_ms);
      wait_sum_ms += o.wait_ms;
      r.ecs.waited += o.wait_ms > 0;
      r.ecs.timeouts += o.timed_out;
    }
    svc.outcomes().clear();
  };
  auto to_ecs = [&](double t, Workload w, uint32_t payload) {
    EcsService& svc = *svcs[static_cast<size_t>(w)];
    const ServiceSample s =
        Drifted(times.Ecs(w, payload, rng), FactorsAt(c.drift, t, features::Platform::kEcs, w));
    if (c.on_line) {
      auto& pending = pending_line[static_cast<size_t>(w)];
      if (auto it = pending.find(t); it != pending.end()) it->second.execution_ms = s.busy_ms;
    }
    svc.Arrive(t, s);
    record_ecs(svc);
    return s;
  };

  const double period = c.ecs.period_s;
  double next_tick = any_ecs ? period : std::numeric_limits<double>::infinity();
  Arrival a;
  bool have = arrivals.Next(to, a);
  double now = 0;
  uint64_t next_progress = 1u << 20;
  while (have || !events.empty()) {
    const double te = events.empty() ? std::numeric_limits<double>::infinity() : events.NextTime();
    const double ta = have ? a.t_s : std::numeric_limits<double>::infinity();
    const double t = std::min(te, ta);
    if (next_tick <= t) {
      now = next_tick;
      for (auto& svc : svcs)
        if (svc) {
          svc->Tick(next_tick);
          record_ecs(*svc);
        }
      next_tick += period;
      continue;
    }
    now = t;
    if (te <= ta) {
      const Event e = events.Pop();
      if (e.kind == EventKind::kLambdaDone) {
        fns[e.workload]->Release(t, static_cast<LambdaFunction::Start>(e.flag),
                                 uint64_t{e.generation} << 32 | e.task);
        --account_busy;
      } else {
        EcsService& svc = *svcs[e.workload];
        if (e.kind == EventKind::kEcsDone) {
          svc.Done(t, e.task);
        } else {
          svc.Ready(t, e.task, e.generation);
        }
        record_ecs(svc);
      }
      continue;
    }
    // An arrival.
    ++r.requests_total;
    const bool counted = t >= from;
    r.requests += counted;
    const Workload w = a.workload;
    const size_t wi = static_cast<size_t>(w);
    parts[wi].requests += counted;
    const uint32_t payload =
        a.payload_kb >= 0 ? times.NearestPayload(w, a.payload_kb) : times.DrawPayload(w, rng);
    // The placement (policy/placement.h): the model's decisions remembered per cell.
    const policy::PolicySpec& spec = c.PolicyOf(w);
    policy::Placement placed;
    features::Request req;  // the request's features, when a model or the outcome lines read them
    // adaptive: the request and its tabled estimates, for learning from its outcome (Lambda's at
    // its arrival, the response time drawn; ECS's when the service reports it, without its wait).
    features::Request learned_req;
    std::array<outcome::Estimate, 2> tabled;
    const bool learning = learner && tables;
    if (model) req = model->Arrive(w, payload, t);  // every arrival counts toward the load pattern
    if (spec.kind == policy::PolicyKind::kModel) {
      placed.platform =
          model->Lambda(w, payload, req) ? policy::Platform::kLambda : policy::Platform::kEcs;
      placed.source = policy::Source::kModel;
      placed.objective = c.policy.objective.kind;
    } else if (spec.kind == policy::PolicyKind::kAdaptive) {
      learned_req = req;
      policy::PlacementContext ctx;
      ctx.model = c.policy.model.get();
      ctx.objective = &c.policy.objective;
      ctx.learner = learner ? &*learner : nullptr;
      ctx.draw = rng.Uniform();
      if (uses_ecs[wi]) ctx.ecs_wait_ms = svcs[wi]->PredictedWaitMs(ecs_busy_ms[wi]);
      placed = policy::Place(spec, learned_req, ctx, scratch);
      if (learning) tables->Estimate(learned_req, tabled);
    } else {
      policy::PlacementContext ctx;
      ctx.draw = spec.kind == policy::PolicyKind::kSplit ? rng.Uniform() : 0;
      std::array<double, 2> true_ms{};
      if (spec.kind == policy::PolicyKind::kOracle && truth) {
        const DriftFactors on_ecs = FactorsAt(c.drift, t, features::Platform::kEcs, w);
        const auto& starts = lambda_starts[wi];
        true_ms = truth->MeanMs(w, payload, FactorsAt(c.drift, t, features::Platform::kLambda, w),
                                on_ecs, starts[0] / (starts[1] + kWarmPrior),
                                svcs[wi]->PredictedWaitMs(ecs_busy_ms[wi] * on_ecs.service));
        ctx.true_ms = &true_ms;
      }
      if (spec.spills()) {
        ctx.ecs_admits = svcs[wi]->Accepts(spec.spill_wait);
        r.spilled += !ctx.ecs_admits && counted;  // full; what the model leaves is not a spill
        parts[wi].spilled += !ctx.ecs_admits && counted;
        if (spec.kind == policy::PolicyKind::kSpilloverModel) {
          ctx.ecs_wait_ms = ctx.ecs_admits ? svcs[wi]->PredictedWaitMs(ecs_busy_ms[wi]) : 0;
          ctx.longest_ecs_wait_ms = model->LongestEcsWaitMs(w, payload, req);
          ctx.model = c.policy.model.get();
          ctx.objective = &c.policy.objective;
        }
      }
      placed = policy::Place(spec, req, ctx, scratch);
    }
    if (c.explore > 0) placed = policy::MixUniform(placed, c.explore, rng.Uniform());
    const bool lambda = placed.platform == policy::Platform::kLambda;
    SimLine line;  // --outcome-log
    if (c.on_line) {
      line.sequence = r.requests_total;
      line.arrival_s = t;
      line.request = req;
      line.placed = placed;
    }
    auto pend_ecs = [&](bool fallback) {
      if (!c.on_line) return;
      SimLine& l = pending_line[wi][t] = line;
      l.platform = features::Platform::kEcs;
      l.fallback = fallback;
    };
    if (lambda && uses_lambda[wi]) {
      uint64_t instance = 0;
      const LambdaFunction::Start start = fns[wi]->Acquire(t, account_busy, &instance);
      if (start == LambdaFunction::Start::kThrottled) {
        r.throttled += counted;
        if (c.on_line && counted) {
          line.platform = features::Platform::kLambda;
          line.status = 429;
          c.on_line(line);
        }
        if (uses_ecs[wi]) {
          pend_ecs(true);
          r.fallbacks += counted;
          if (learning) pending_learn[wi][t] = {learned_req, tabled[1]};
          to_ecs(t, w, payload);
        }
      } else {
        const bool cold = start == LambdaFunction::Start::kCold;
        lambda_starts[wi][0] += cold;
        lambda_starts[wi][1] += 1;
        const ServiceSample s = Drifted(times.Lambda(w, payload, cold, rng),
                                        FactorsAt(c.drift, t, features::Platform::kLambda, w));
        if (learning) learn(t, learned_req, features::Platform::kLambda, tabled[0], s.response_ms);
        if (c.on_line && counted) {
          line.platform = features::Platform::kLambda;
          line.response_ms = s.response_ms;
          line.execution_ms = s.busy_ms - s.init_ms;
          line.init_ms = s.init_ms;
          line.cold_start = cold;
          line.memory_mb = times.LambdaMemoryMb(w);
          c.on_line(line);
        }
        ++account_busy;
        events.Push({t + s.busy_ms / 1000, 0, EventKind::kLambdaDone, static_cast<uint8_t>(wi),
                     static_cast<uint8_t>(start), static_cast<uint32_t>(instance),
                     static_cast<uint32_t>(instance >> 32)});
        const bool provisioned = start == LambdaFunction::Start::kProvisioned;
        const double billed_ms = s.busy_ms - (c.lambda.bill_init ? 0 : s.init_ms);
        const double billed =
            cost::LambdaBilledUsd(billed_ms, times.LambdaMemoryMb(w),
                                  provisioned ? c.pricing.lambda_provisioned_duration_gb_second_usd
                                              : c.pricing.lambda_gb_second_usd,
                                  c.pricing);
        r.cost_usd.lambda += billed;
        r.cost_usd.api_gateway += api_fee;
        parts[wi].cost_usd += billed + api_fee;
        if (counted) {
          ++r.lambda_requests;
          ++parts[wi].lambda_requests;
          r.lambda.cold_starts += cold;
          response.Add(s.response_ms);
          response_by[wi].Add(s.response_ms);
          add_phase(t, s.response_ms);
        }
      }
    } else {
      if (learning) pending_learn[wi][t] = {learned_req, tabled[1]};
      pend_ecs(false);
      to_ecs(t, w, payload);
    }
    if (progress && r.requests_total >= next_progress) {
      progress(t);
      next_progress += 1u << 20;
    }
    have = arrivals.Next(to, a);
  }

  const double end = std::max(now, to);
  r.end_s = end;
  for (size_t i = 0; i + 1 < cuts.size() && !c.drift.empty(); ++i)
    r.phases.push_back({cuts[i], cuts[i + 1], phase_sums[i].first,
                        phase_sums[i].first
                            ? phase_sums[i].second / static_cast<double>(phase_sums[i].first)
                            : 0});
  for (size_t w = 0; w < kW; ++w) {
    if (fns[w]) {
      fns[w]->Finish(end);
      r.lambda.running_mean += fns[w]->running().Mean();
      r.lambda.idle_mean += fns[w]->idle().Mean();
      const double provisioned = c.lambda.provisioned *
                                 times.LambdaMemoryMb(static_cast<Workload>(w)) / 1024 * end *
                                 c.pricing.lambda_provisioned_gb_second_usd;
      r.cost_usd.lambda += provisioned;
      parts[w].cost_usd += provisioned;
    }
    if (svcs[w]) {
      EcsService& svc = *svcs[w];
      svc.Finish(end);
      r.cost_usd.ecs += svc.cost_usd();
      parts[w].cost_usd += svc.cost_usd();
      parts[w].ecs_tasks_max = svc.max_alive();
      r.ecs.tasks_mean += svc.tasks_alive().Mean();
      r.ecs.running_tasks_mean += svc.running_tasks().Mean();
      r.ecs.tasks_max += svc.max_alive();
      for (const ScalingStep& s : svc.steps()) r.ecs.scaling.emplace_back(static_cast<int>(w), s);
    }
  }
  double busy_area = 0, slot_area = 0;
  for (auto& svc : svcs)
    if (svc) {
      busy_area += svc->busy_slots().area();
      slot_area += svc->running_tasks().area() * c.ecs.concurrency;
    }
  r.ecs.utilisation = slot_area > 0 ? busy_area / slot_area : 0;
  r.lambda.instances_mean = r.lambda.running_mean + r.lambda.idle_mean;
  r.lambda.cold_start_probability = r.lambda_requests ? static_cast<double>(r.lambda.cold_starts) /
                                                            static_cast<double>(r.lambda_requests)
                                                      : 0;
  const double ecs_served = static_cast<double>(r.ecs_requests - r.ecs.refused);
  r.ecs.wait_probability = ecs_served > 0 ? static_cast<double>(r.ecs.waited) / ecs_served : 0;
  r.ecs.wait_ms_mean = ecs_served > 0 ? wait_sum_ms / ecs_served : 0;
  if (any_ecs && c.alb) r.cost_usd.alb = c.pricing.alb_hour_usd * end / 3600;
  r.cost_usd.total = r.cost_usd.lambda + r.cost_usd.ecs + r.cost_usd.api_gateway + r.cost_usd.alb;
  r.cost_usd.per_million =
      r.requests_total ? r.cost_usd.total / static_cast<double>(r.requests_total) * 1e6 : 0;
  r.cost_usd.per_day = r.cost_usd.total * 86400 / to;
  auto quantiles = [](const Histogram& h) {
    return Quantiles{h.Mean(), h.Quantile(0.5), h.Quantile(0.95), h.Quantile(0.99), h.Max()};
  };
  r.response_ms = quantiles(response);
  for (size_t w = 0; w < kW; ++w) {
    if (!used[w]) continue;
    SimResult::Part& part = parts[w];
    part.workload = static_cast<Workload>(w);
    const policy::PolicySpec& spec = c.PolicyOf(part.workload);
    part.policy = c.policy_by_workload[w] ? spec.text : r.policy;
    part.response_ms = quantiles(response_by[w]);
    part.cost_per_day = part.cost_usd * 86400 / to;
    r.workloads.push_back(std::move(part));
  }
  if (auto s = AddRegret(c, times, r); !s) return s.error();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  return r;
}

}  // namespace hr::sim

namespace hr::sim {

core::Result<std::vector<SimResult>> Sweep(const SimConfig& base, const ServiceTimes& times,
                                           const std::vector<double>& rates,
                                           const std::vector<SimPolicy>& policies,
                                           const SimProgress& progress) {
  if (base.arrivals.kind != ArrivalSpec::Kind::kPoisson &&
      base.arrivals.kind != ArrivalSpec::Kind::kUniform)
    return Bad("--sweep-rate", "sweeps Poisson or evenly spaced arrivals (not a profile or trace)");
  std::vector<SimResult> out;
  for (double rate : rates) {
    for (const SimPolicy& p : policies) {
      SimConfig c = base;
      c.arrivals.rate = rate;
      c.policy = p;
      auto r = Simulate(c, times);
      if (!r) return r.error();
      out.push_back(std::move(*r));
      if (progress) progress(rate);
    }
  }
  return out;
}

core::Result<std::vector<double>> ParseSweep(std::string_view text) {
  auto bad = [&] {
    return Bad("--sweep-rate", "expected A:B:N with 0 < A < B <= 100000 and 2 <= N <= 1000 (got '" +
                                   std::string(text.substr(0, 32)) + "')");
  };
  double ab[2] = {0, 0};
  int n = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (double& v : ab) {
    auto r = std::from_chars(p, end, v);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != ':') return bad();
    p = r.ptr + 1;
  }
  auto r = std::from_chars(p, end, n);
  const double a = ab[0], b = ab[1];
  if (r.ec != std::errc() || r.ptr != end || !(a > 0) || !(b > a) || b > 1e5 || n < 2 || n > 1000)
    return bad();
  std::vector<double> rates;
  rates.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) rates.push_back(a + (b - a) * i / (n - 1));
  return rates;
}

core::Result<std::vector<DriftPhase>> ParseDrift(std::string_view text) {
  json::Document doc;
  std::string error;
  if (!json::ParseDocument(doc, text, json::ReadLimits{8, true}, error))
    return Bad("--drift", "not JSON: " + error);
  if (!doc.IsArray()) return Bad("--drift", "must be a JSON array of phases");
  if (doc.Size() > 1000) return Bad("--drift", "at most 1,000 phases");
  std::vector<DriftPhase> out;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const json::Value& e = doc[i];
    const std::string at = "drift[" + std::to_string(i) + "]";
    if (!e.IsObject()) return Bad(at, "must be an object");
    DriftPhase d;
    for (auto m = e.MemberBegin(); m != e.MemberEnd(); ++m) {
      const std::string_view key = json::Text(m->name);
      const std::string field = at + "." + std::string(key.substr(0, 32));
      const json::Value& v = m->value;
      if (key == "platform") {
        const std::string_view p = v.IsString() ? json::Text(v) : std::string_view();
        if (p != "lambda" && p != "ecs") return Bad(field, "must be \"lambda\" or \"ecs\"");
        d.platform = p == "lambda" ? features::Platform::kLambda : features::Platform::kEcs;
      } else if (key == "workload") {
        if (!v.IsString()) return Bad(field, "must be a workload's name or \"all\"");
        if (json::Text(v) != "all") {
          auto w = features::ParseWorkload(json::Text(v));
          if (!w) return Bad(field, w.error().message);
          d.workload = *w;
        }
      } else if (key == "from_s" || key == "until_s" || key == "service_factor" ||
                 key == "cold_factor") {
        if (!v.IsNumber() || !std::isfinite(v.GetDouble()) || v.GetDouble() < 0)
          return Bad(field, "must be a finite number >= 0");
        const double x = v.GetDouble();
        (key == "from_s"           ? d.from_s
         : key == "until_s"        ? d.until_s
         : key == "service_factor" ? d.service_factor
                                   : d.cold_factor) = x;
      } else {
        return Bad(field,
                   "is not known; allowed: from_s, until_s, platform, workload, "
                   "service_factor, cold_factor");
      }
    }
    if (!json::Find(e, "platform")) return Bad(at + ".platform", "is required");
    if (!json::Find(e, "until_s")) return Bad(at + ".until_s", "is required");
    if (!(d.until_s > d.from_s)) return Bad(at + ".until_s", "must be after from_s");
    if (d.service_factor <= 0 || d.service_factor > 1000 || d.cold_factor <= 0 ||
        d.cold_factor > 1000)
      return Bad(at, "factors must be above 0 and at most 1000");
    out.push_back(d);
  }
  return out;
}

}  // namespace hr::sim
