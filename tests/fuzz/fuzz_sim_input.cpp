// `simulate`'s text inputs (rate profiles, traces, mixes, distributions, policies, sweeps, drift
// files, per-workload policies) and route's --learn-state snapshots parsed or refused, and a short
// simulation of whatever parsed: the first byte picks the reader.
#include <algorithm>

#include "fuzz_util.h"
#include "sim/run.h"
#include "sim/simulate.h"
#include "sim/trace_file.h"

namespace {

using namespace hr;

// A bounded run on given distributions: a crash or an impossible statistic fails.
void Run(sim::SimConfig c) {
  c.ecs.max_tasks = 4;
  c.ecs.tasks = 1;
  auto times = sim::ServiceTimes::FromDistributions(
      {sim::Distribution::Kind::kExponential, 50, 0}, {sim::Distribution::Kind::kUniform, 50, 900},
      {sim::Distribution::Kind::kDeterministic, 20, 0});
  for (auto kind : {policy::PolicyKind::kLambdaOnly, policy::PolicyKind::kEcsOnly,
                    policy::PolicyKind::kSplit}) {
    c.policy.spec.kind = kind;
    auto r = sim::Simulate(c, times);
    if (!r) continue;
    if (r->lambda.cold_start_probability < 0 || r->lambda.cold_start_probability > 1 ||
        r->ecs.wait_probability < 0 || r->ecs.wait_probability > 1 || r->cost_usd.total < 0 ||
        r->response_ms.p50 > r->response_ms.p99 + 1e-9 * r->response_ms.p99)
      hr::fuzz::Fail("an impossible simulation result");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto p = sim::ParseProfile(text, "fuzz");
      if (!p) return 0;
      for (size_t i = 0; i < p->size(); ++i) {
        const auto& pt = (*p)[i];
        if (pt.rate < 0 || pt.rate > 1e5 || (i && pt.t_s < (*p)[i - 1].t_s))
          hr::fuzz::Fail("a profile out of order or range accepted", text);
      }
      sim::SimConfig c;
      c.arrivals.kind = sim::ArrivalSpec::Kind::kProfile;
      c.arrivals.profile = *p;
      double peak = 0;
      for (const auto& pt : *p) peak = std::max(peak, pt.rate);
      c.duration_s = std::min(600.0, 2000 / peak);  // at most about 2,000 arrivals
      Run(c);
      break;
    }
    case 1: {
      auto t = sim::ParseTraceText(text, "fuzz");
      if (!t) return 0;
      if (!std::is_sorted(t->begin(), t->end(),
                          [](const auto& a, const auto& b) { return a.t_s < b.t_s; }) ||
          t->front().t_s != 0)
        hr::fuzz::Fail("a trace not sorted from 0", text);
      if (t->size() > 2000 || t->back().t_s > 1e6) return 0;
      sim::SimConfig c;
      c.arrivals.kind = sim::ArrivalSpec::Kind::kTrace;
      c.duration_s = t->back().t_s + 1;
      c.arrivals.trace = std::make_shared<const std::vector<sim::TraceEntry>>(std::move(*t));
      Run(c);
      break;
    }
    case 2: {
      if (auto m = sim::ParseMix(text); m) {
        double sum = 0;
        for (double s : *m) sum += s;
        if (std::abs(sum - 1) > 1e-9) hr::fuzz::Fail("a mix that does not sum to 1", text);
      }
      (void)sim::ParseSweep(text);
      break;
    }
    default: {
      if (auto d = sim::ParseDistribution(text, "fuzz"); d) {
        hr::core::Rng rng(1);
        const double v = d->SampleMs(rng);
        if (!(v >= 0 && v < 1e9)) hr::fuzz::Fail("a sample out of range", text);
      }
      (void)policy::ParsePolicy(text, "fuzz", true);
      // --policy W=POLICY,...: each workload's policy, or an error naming --policy.
      if (auto by = sim::ParsePolicyByWorkload(text); !by && by.error().field.empty())
        hr::fuzz::Fail("a per-workload policy refused without the field", text);
      // --drift files: parsed or refused; what parses has ordered, finite, positive phases.
      if (auto drift = sim::ParseDrift(text); drift)
        for (const auto& d : *drift)
          if (!(d.until_s > d.from_s) || !(d.service_factor > 0) || !(d.cold_factor > 0))
            hr::fuzz::Fail("a drift phase out of order or range accepted", text);
      // --learn-state files: restored or refused, never a crash.
      policy::Learner learner{policy::LearnOptions{}};
      if (learner.Restore(text).ok()) (void)learner.Snapshot();
      break;
    }
  }
  return 0;
}
