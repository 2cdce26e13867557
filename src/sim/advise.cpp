#include "sim/advise.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace hr::sim {

namespace {

using features::Workload;

// The base traffic restricted to one workload.
SimConfig OneWorkload(const SimConfig& base, Workload w, double& peak_rate) {
  SimConfig c = base;
  const size_t wi = static_cast<size_t>(w);
  c.ecs_tasks_by_workload.fill(-1);  // the advice chooses the tasks, and the policy
  c.policy_by_workload = {};
  c.arrivals.mix = {};
  c.arrivals.mix[wi] = 1;
  const double share = base.arrivals.mix[wi];
  switch (base.arrivals.kind) {
    case ArrivalSpec::Kind::kPoisson:
    case ArrivalSpec::Kind::kUniform:
      c.arrivals.rate = base.arrivals.rate * share;
      peak_rate = c.arrivals.rate;
      break;
    case ArrivalSpec::Kind::kProfile:
      peak_rate = 0;
      for (ProfilePoint& p : c.arrivals.profile) {
        p.rate *= share;
        peak_rate = std::max(peak_rate, p.rate);
      }
      break;
    case ArrivalSpec::Kind::kTrace: {
      auto trace = std::make_shared<std::vector<TraceEntry>>();
      for (const TraceEntry& e : *base.arrivals.trace)
        if (e.workload == w) trace->push_back(e);
      // The busiest minute.
      size_t lo = 0, most = 0;
      for (size_t hi = 0; hi < trace->size(); ++hi) {
        while ((*trace)[hi].t_s - (*trace)[lo].t_s >= 60) ++lo;
        most = std::max(most, hi - lo + 1);
      }
      peak_rate = static_cast<double>(most) / 60;
      c.arrivals.trace = std::move(trace);
      break;
    }
  }
  return c;
}

bool Used(const SimConfig& base, Workload w) {
  if (base.arrivals.kind != ArrivalSpec::Kind::kTrace)
    return base.arrivals.mix[static_cast<size_t>(w)] > 0;
  return std::any_of(base.arrivals.trace->begin(), base.arrivals.trace->end(),
                     [&](const TraceEntry& e) { return e.workload == w; });
}

}  // namespace

std::string AdvisedPolicy(int tasks, int wait) {
  if (tasks == 0) return "lambda-only";
  if (wait < 0) return "ecs-only";
  return "spillover:" + std::to_string(wait);
}

double FailedShare(const SimResult& r) {
  const uint64_t failed = r.ecs.timeouts + r.ecs.refused + (r.throttled - r.fallbacks);
  return r.requests ? static_cast<double>(failed) / static_cast<double>(r.requests) : 0;
}

bool Dominates(const SimResult& a, const SimResult& b) {
  const double ca = a.cost_usd.total, cb = b.cost_usd.total;
  const double pa = a.response_ms.p95, pb = b.response_ms.p95;
  return ca <= cb && pa <= pb && (ca < cb * (1 - kCostMargin) || pa < pb * (1 - kP95Margin));
}

core::Result<std::vector<Advice>> Advise(const SimConfig& base, const ServiceTimes& times,
                                         double p95_target_ms, const SimProgress& progress) {
  if (auto s = base.Validate(); !s) return s.error();
  std::vector<Advice> out;
  for (size_t wi = 0; wi < features::kWorkloadCount; ++wi) {
    const Workload w = static_cast<Workload>(wi);
    if (!Used(base, w)) continue;
    double peak = 0;
    SimConfig one = OneWorkload(base, w, peak);
    Advice a;
    a.workload = w;
    // (tasks, wait) -> result; tasks 0 is Lambda only whatever the wait.
    std::map<std::pair<int, int>, SimResult> tried;
    auto try_config = [&](int tasks, int wait) -> core::Status {
      if (tasks == 0) wait = 0;
      if (tried.count({tasks, wait})) return {};
      SimConfig c = one;
      c.policy.spec = {};
      if (tasks == 0) {
        c.policy.spec.kind = policy::PolicyKind::kLambdaOnly;
      } else {
        // Never spilling is ecs-only on the tasks kept: what `--policy` accepts back.
        c.policy.spec.kind =
            wait < 0 ? policy::PolicyKind::kEcsOnly : policy::PolicyKind::kSpillover;
        c.policy.spec.spill_wait = std::max(wait, 0);
        c.ecs.tasks = tasks;
        c.ecs.min_tasks = 1;
        c.ecs.max_tasks = std::max(c.ecs.max_tasks, tasks);
        c.ecs.autoscale = false;
        c.ecs.dispatch = Dispatch::kLeastOutstanding;
      }
      c.policy.name = AdvisedPolicy(tasks, wait);
      c.policy.spec.text = c.policy.name;
      auto r = Simulate(c, times);
      if (!r) return r.error();
      if (progress) progress(static_cast<double>(tasks));
      tried.emplace(std::make_pair(tasks, wait), std::move(*r));
      return {};
    };
    // Beyond what the peak fills at full utilisation, more tasks only cost more.
    const double peak_slots = peak * times.MeanEcsBusyMs(w) / 1000 / one.ecs.concurrency;
    const int most = std::max(1, static_cast<int>(std::ceil(peak_slots)) + 1);
    std::vector<int> grid = {0};
    for (int n = 1; n < most; n = std::max(n + 1, (n * 7 + 2) / 5)) grid.push_back(n);  // x1.4
    grid.push_back(most);
    constexpr int kWaits[] = {0, 1, 4, -1};
    for (int n : grid)
      for (int wait : kWaits)
        if (auto s = try_config(n, wait); !s) return s.error();
    // The single platforms on the same traffic; without a target, the advice may be no slower at
    // p95 than Lambda alone (within the quantiles' resolution): Lambda takes what ECS cannot.
    SimConfig e = one;
    e.policy.spec.kind = policy::PolicyKind::kEcsOnly;
    e.policy.name = "ecs-only";
    auto ecs = Simulate(e, times);
    if (!ecs) return ecs.error();
    a.ecs_only = std::move(*ecs);
    a.lambda_only = tried.at({0, 0});
    a.lambda_only.policy = "lambda-only";
    const double target =
        p95_target_ms > 0 ? p95_target_ms : a.lambda_only.response_ms.p95 * (1 + kP95Margin);
    a.p95_target_ms = target;
    auto pick = [&] {
      const std::pair<int, int>* best = nullptr;
      for (const auto& [key, r] : tried) {
        const bool ok = r.response_ms.p95 <= target && FailedShare(r) <= kMaxFailedShare;
        if (ok && (!best || r.cost_usd.total < tried.at(*best).cost_usd.total)) best = &key;
      }
      return best ? std::optional<std::pair<int, int>>(*best) : std::nullopt;
    };
    // Refine the task count between the best grid point's neighbours, at its wait.
    auto best = pick();
    if (best) {
      const auto it = std::find(grid.begin(), grid.end(), best->first);
      const int lo = it == grid.begin() ? best->first : *(it - 1);
      const int hi = it + 1 == grid.end() ? best->first : *(it + 1);
      const int step = std::max(1, (hi - lo) / 12);
      for (int n = lo + 1; n < hi; n += step)
        if (auto s = try_config(n, best->second); !s) return s.error();
      best = pick();
    } else {  // nothing meets the target: the fastest
      a.meets_target = false;
      best = std::min_element(tried.begin(), tried.end(), [](const auto& x, const auto& y) {
               return x.second.response_ms.p95 < y.second.response_ms.p95;
             })->first;
    }
    a.tasks = best->first;
    a.wait = best->second;
    a.advised = tried.at(*best);
    for (auto& [key, r] : tried) a.tried.push_back({key.first, key.second, std::move(r)});
    out.push_back(std::move(a));
  }
  return out;
}

AdvisedRun CombineAdvice(const SimConfig& base, const std::vector<Advice>& advice) {
  AdvisedRun out;
  SimConfig& c = out.config;
  c = base;
  c.ecs_tasks_by_workload.fill(-1);
  c.policy_by_workload = {};
  std::string policies, tasks;
  int most = 0;
  for (const Advice& a : advice) {
    const size_t wi = static_cast<size_t>(a.workload);
    policy::PolicySpec spec;
    spec.kind = a.tasks == 0 ? policy::PolicyKind::kLambdaOnly
                : a.wait < 0 ? policy::PolicyKind::kEcsOnly
                             : policy::PolicyKind::kSpillover;
    spec.spill_wait = std::max(a.wait, 0);
    spec.text = AdvisedPolicy(a.tasks, a.wait);
    const std::string name(features::Name(a.workload));
    policies.append(policies.empty() ? "" : ",").append(name).append("=").append(spec.text);
    tasks.append(tasks.empty() ? "" : ",").append(name).append("=").append(std::to_string(a.tasks));
    c.policy_by_workload[wi] = std::move(spec);
    c.ecs_tasks_by_workload[wi] = a.tasks;
    most = std::max(most, a.tasks);
  }
  c.policy = Fixed("lambda-only");
  c.policy.name = policies;
  c.ecs.autoscale = false;
  c.ecs.dispatch = Dispatch::kLeastOutstanding;
  c.ecs.min_tasks = 1;
  c.ecs.max_tasks = std::max(c.ecs.max_tasks, most);
  out.options = std::string("--policy ")
                    .append(policies)
                    .append(" --ecs-tasks ")
                    .append(tasks)
                    .append(" --no-autoscale --ecs-dispatch least-outstanding");
  if (base.ecs.min_tasks != 1) out.options.append(" --ecs-min-tasks 1");
  if (c.ecs.max_tasks != base.ecs.max_tasks)
    out.options.append(" --ecs-max-tasks ").append(std::to_string(c.ecs.max_tasks));
  return out;
}

core::Result<AdviceSet> AdviseTogether(const SimConfig& base, const ServiceTimes& times,
                                       double p95_target_ms, const SimProgress& progress) {
  auto each = Advise(base, times, p95_target_ms, progress);
  if (!each) return each.error();
  AdviceSet out;
  out.workloads = std::move(*each);
  if (out.workloads.empty())
    return core::MakeError(core::ErrorCode::kInvalidArgument, "no workload to advise on",
                           "--advise");
  AdvisedRun run = CombineAdvice(base, out.workloads);
  out.options = std::move(run.options);
  auto together = Simulate(run.config, times);
  if (!together) return together.error();
  out.combined = std::move(*together);
  return out;
}

}  // namespace hr::sim
