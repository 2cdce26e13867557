// Issue 25's drift bar: the shipped mix at 20 requests/s for kHours simulated hours, the adaptive
// policy (latency) beside the phase oracle (sim/oracle.h) and the frozen built-in model on the same
// seed and arrivals, 5 seeds per scenario. Asserted: in every phase, from the change detector's
// alarm on, adaptive's mean response time is within 3 % of the oracle's; without drift adaptive is
// within 1 % of the frozen model (or faster); with the watch (--watch 30) every change is detected
// within 300 requests of the affected workload (at route's defaults it is not: see there). Every
// number is printed per seed and phase: about 2 minutes on one core for the four tests. The
// seeds are 1-5; HR_DRIFT_BAR_SEED=N runs N to N+4 instead (held-out seeds: the watch's
// constants were chosen on seeds 1-15, docs/simulate.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "builtin/default_model.h"
#include "data/ingest.h"
#include "modelfile/model_file.h"
#include "sim/simulate.h"

namespace hr::sim {
namespace {

using features::Platform;
using features::Workload;

constexpr double kRate = 20;
constexpr double kHours = 24;
constexpr uint64_t kSeeds = 5;

uint64_t FirstSeed() {
  const char* v = std::getenv("HR_DRIFT_BAR_SEED");
  return v ? std::strtoull(v, nullptr, 10) : 1;
}

struct World {
  ServiceTimes times;
  std::shared_ptr<const model::Model> model;
};

const World& Shipped() {
  static const World w = [] {
    auto ds = data::Ingest({data::DefaultDataDir()});
    EXPECT_TRUE(ds.ok());
    auto t = ServiceTimes::FromRecords(ds->records, false);
    EXPECT_TRUE(t.ok());
    auto m = modelfile::Parse(builtin::DefaultModelText());
    EXPECT_TRUE(m.ok());
    return World{std::move(*t), *m};
  }();
  return w;
}

// One answered attempt, as the outcome lines give it.
struct Answer {
  double arrival_s = 0;
  float response_ms = 0;
  Workload workload = Workload::kLightweightApi;
  Platform platform = Platform::kLambda;
};

struct SimRun {
  std::vector<Answer> answers;  // in completion order
  std::vector<SimResult::DriftAlarm> alarms;
  double seconds = 0;
};

SimRun Simulated(const std::string& policy, uint64_t seed, const std::vector<DriftPhase>& drift,
                 const policy::LearnOptions& learn = {}) {
  SimConfig c;
  c.learn = learn;
  c.arrivals.kind = ArrivalSpec::Kind::kPoisson;
  c.arrivals.rate = kRate;
  c.arrivals.mix = Shipped().times.WorkloadShares();
  c.duration_s = kHours * 3600;
  c.seed = seed;
  c.drift = drift;
  c.regret = false;  // the oracle runs here on its own
  if (policy == "oracle") {
    c.policy = Fixed("oracle");
  } else {
    c.policy.spec = *policy::ParsePolicy(policy == "builtin" ? "model" : policy);
    c.policy.model = Shipped().model;
    c.policy.objective.kind = policy::ObjectiveKind::kLatency;
    c.policy.name = policy;
  }
  SimRun run;
  run.answers.reserve(static_cast<size_t>(kRate * c.duration_s * 1.02));
  c.on_line = [&](const SimLine& l) {
    if (l.status == 200 || l.status == 504)
      run.answers.push_back(
          {l.arrival_s, static_cast<float>(l.response_ms), l.request.workload, l.platform});
  };
  auto r = Simulate(c, Shipped().times);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return run;
  run.alarms = r->drift_events;
  run.seconds = r->seconds;
  return run;
}

double MeanMs(const SimRun& run, double from_s, double until_s) {
  double sum = 0;
  uint64_t n = 0;
  for (const Answer& a : run.answers)
    if (a.arrival_s >= from_s && a.arrival_s < until_s) {
      sum += a.response_ms;
      ++n;
    }
  return n ? sum / static_cast<double>(n) : 0;
}

// Per workload: mean response time and the share Lambda served, from `from_s` to `until_s`.
std::string ByWorkload(const SimRun& run, double from_s, double until_s) {
  std::array<double, features::kWorkloadCount> sum{}, n{}, lambda{};
  for (const Answer& a : run.answers)
    if (a.arrival_s >= from_s && a.arrival_s < until_s) {
      const auto w = static_cast<size_t>(a.workload);
      sum[w] += a.response_ms;
      n[w] += 1;
      lambda[w] += a.platform == Platform::kLambda;
    }
  std::string out;
  for (size_t w = 0; w < sum.size(); ++w) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s %.0f ms (%.0f %% Lambda)",
                  std::string(features::Name(static_cast<Workload>(w))).c_str(),
                  n[w] ? sum[w] / n[w] : 0, n[w] ? 100 * lambda[w] / n[w] : 0);
    out += buf;
  }
  return out;
}

bool Affected(const DriftPhase& d, Workload w) { return !d.workload || *d.workload == w; }

// A change of the truth at `at_s` (a drift's start or end): the first alarm after it on the
// drifted platform for an affected workload, and the requests of the affected workloads (all,
// and those the drifted platform served) between the change and the alarm.
struct Detection {
  bool found = false;
  double at_s = 0;
  uint64_t requests = 0, on_platform = 0;
};

Detection Detect(const SimRun& run, const DriftPhase& d, double at_s) {
  Detection out;
  for (const auto& a : run.alarms)
    if (a.at_s >= at_s && a.platform == d.platform && Affected(d, a.workload) &&
        (!out.found || a.at_s < out.at_s)) {
      out.found = true;
      out.at_s = a.at_s;
    }
  const double until = out.found ? out.at_s : kHours * 3600;
  for (const Answer& a : run.answers)
    if (a.arrival_s >= at_s && a.arrival_s < until && Affected(d, a.workload)) {
      ++out.requests;
      out.on_platform += a.platform == d.platform;
    }
  return out;
}

// One scenario over every seed: per phase, adaptive against the oracle from the alarm on (the
// phase start when the phase starts no change), the frozen model beside them.
// `detection`: assert that every change is detected within 300 requests of the affected workload
// (else printed only).
void Bar(const char* name, const std::vector<DriftPhase>& drift, bool detection,
         const policy::LearnOptions& learn = {}) {
  const auto wall = std::chrono::steady_clock::now();
  std::vector<double> cuts = {0, kHours * 3600};
  for (const DriftPhase& d : drift) cuts.insert(cuts.end(), {d.from_s, d.until_s});
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  for (uint64_t seed = FirstSeed(); seed < FirstSeed() + kSeeds; ++seed) {
    const SimRun adaptive = Simulated("adaptive", seed, drift, learn);
    const SimRun oracle = Simulated("oracle", seed, drift);
    const SimRun frozen = Simulated("builtin", seed, drift);
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      double from = cuts[i];
      std::string detected;
      for (const DriftPhase& d : drift) {
        if (d.from_s != cuts[i] && d.until_s != cuts[i]) continue;
        const Detection det = Detect(adaptive, d, cuts[i]);
        const std::string what =
            std::string(d.workload ? features::Name(*d.workload) : "all")
                .append(det.found
                            ? ": alarm at " + std::to_string(det.at_s) + " s after " +
                                  std::to_string(det.requests) + " requests (" +
                                  std::to_string(det.on_platform) + " on the drifted platform)"
                            : ": no alarm (" + std::to_string(det.on_platform) +
                                  " requests on the drifted platform since)");
        detected.append(detected.empty() ? "" : "; ").append(what);
        if (detection) {
          EXPECT_TRUE(det.found && det.requests <= 300)
              << name << " seed " << seed << " change at " << cuts[i] << " s: " << what;
        }
        // A change first seen after the phase (one on a platform the policy does not use) leaves
        // the phase measured from its start, or from its other changes' alarms.
        if (det.found && det.at_s < cuts[i + 1]) from = std::max(from, det.at_s);
      }
      if (detected.empty()) detected = "no change at its start";
      const double a = MeanMs(adaptive, from, cuts[i + 1]);
      const double o = MeanMs(oracle, from, cuts[i + 1]);
      const double f = MeanMs(frozen, from, cuts[i + 1]);
      std::printf(
          "%s seed %llu phase %.0f-%.0f s (measured from %.0f s; %s): adaptive %.1f ms, oracle "
          "%.1f ms, frozen %.1f ms; regret %.1f ms (%.2f %%), frozen's %.1f ms\n",
          name, static_cast<unsigned long long>(seed), cuts[i], cuts[i + 1], from, detected.c_str(),
          a, o, f, a - o, 100 * (a - o) / o, f - o);
      const double a_whole = MeanMs(adaptive, cuts[i], cuts[i + 1]);
      const double o_whole = MeanMs(oracle, cuts[i], cuts[i + 1]);
      std::printf("  whole phase: adaptive %.1f ms, oracle %.1f ms, regret %.1f ms (%.2f %%)\n",
                  a_whole, o_whole, a_whole - o_whole, 100 * (a_whole - o_whole) / o_whole);
      std::printf("  adaptive:%s\n  oracle:  %s\n  frozen:  %s\n",
                  ByWorkload(adaptive, from, cuts[i + 1]).c_str(),
                  ByWorkload(oracle, from, cuts[i + 1]).c_str(),
                  ByWorkload(frozen, from, cuts[i + 1]).c_str());
      EXPECT_LE(a, 1.03 * o) << name << " seed " << seed << " phase from " << cuts[i] << " s";
    }
    std::printf("%s seed %llu: runs took %.1f s (adaptive), %.1f s (oracle), %.1f s (frozen)\n",
                name, static_cast<unsigned long long>(seed), adaptive.seconds, oracle.seconds,
                frozen.seconds);
  }
  std::printf("%s: %.1f s wall\n", name,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count());
}

std::vector<DriftPhase> EcsTwiceAsSlow() {
  DriftPhase medium{6 * 3600.0, 12 * 3600.0, Platform::kEcs, Workload::kMediumProcessing, 2, 1};
  DriftPhase heavy = medium;
  heavy.workload = Workload::kHeavyProcessing;
  return {medium, heavy};
}

std::vector<DriftPhase> ThumbnailsOnLambda() {
  return {{3 * 3600.0, 9 * 3600.0, Platform::kLambda, Workload::kThumbnailProcessing, 1.5, 5}};
}

TEST(DriftBar, EcsTwiceAsSlowForMediumAndHeavyFromHour6To12) {
  Bar("ecs x2", EcsTwiceAsSlow(), false);
}

TEST(DriftBar, LambdaColdStartsFiveAndWarmOneAndAHalfTimesForThumbnailsFromHour3To9) {
  Bar("lambda thumbnail", ThumbnailsOnLambda(), false);
}

policy::LearnOptions Watch30() {
  policy::LearnOptions watch;
  watch.watch = 30;
  return watch;
}

// The bar's detection clause, with the watch: 30 changes (10 per scenario's seed: medium and
// heavy's start and end, thumbnail's start and end), each asserted detected within 300 requests
// of its workload, and the phases within 3 % of the oracle as above. At route's defaults (no
// watch) 5 of the 30 are: the sign detector needs about 40 outcomes of the changed platform, and
// a platform the policy has left gets only the explore floor (0.1 %) and Thompson sampling's
// share. The watch sends it a request with propensity 0.1 after 30 outcomes elsewhere, and again
// at once while its size detector is in doubt; a failure: a change seen late or not at all.
TEST(DriftBar, WithTheWatchEveryChangeIsDetectedWithin300RequestsOfTheAffectedWorkload) {
  Bar("ecs x2, --watch 30", EcsTwiceAsSlow(), true, Watch30());
  Bar("lambda thumbnail, --watch 30", ThumbnailsOnLambda(), true, Watch30());
}

// At route's defaults and with the watch: the price of exploring, and the false alarms.
TEST(DriftBar, WithoutDriftAdaptiveIsWithinOnePercentOfTheFrozenModel) {
  for (uint64_t seed = FirstSeed(); seed < FirstSeed() + kSeeds; ++seed) {
    const SimRun frozen = Simulated("builtin", seed, {});
    const double f = MeanMs(frozen, 0, kHours * 3600);
    for (const bool watch : {false, true}) {
      const SimRun adaptive =
          Simulated("adaptive", seed, {}, watch ? Watch30() : policy::LearnOptions{});
      const double a = MeanMs(adaptive, 0, kHours * 3600);
      std::printf("no drift%s seed %llu: adaptive %.1f ms, frozen %.1f ms (%+.2f %%), %zu alarms\n",
                  watch ? ", --watch 30" : "", static_cast<unsigned long long>(seed), a, f,
                  100 * (a - f) / f, adaptive.alarms.size());
      EXPECT_LE(a, 1.01 * f) << "seed " << seed << (watch ? " with the watch" : "");
    }
  }
}

}  // namespace
}  // namespace hr::sim
