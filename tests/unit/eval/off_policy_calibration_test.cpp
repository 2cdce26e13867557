// Off-policy evaluation against the truth: simulate is the logging system (the shipped mix and
// service times, the built-in model deciding for latency, uniform exploration 0.2) and writes
// route's outcome lines; evaluate --off-policy's estimators read them back. Each candidate's true
// value is its own mean response time over 100 independent simulate runs of the same length, rate
// and start hour. The DR 95 % interval must cover it in at least 90 % of 40 seeds, under uniform
// exploration and under the adaptive policy's Thompson sampling with the explore floor
// docs/evaluate.md recommends for logs meant for off-policy evaluation. And promote
// (eval/promote.h) on such logs: a drifted one promotes, an unchanged or a small one keeps the
// champion, saying why.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "builtin/default_model.h"
#include "data/ingest.h"
#include "eval/off_policy.h"
#include "eval/promote.h"
#include "modelfile/model_file.h"
#include "route/sim_lines.h"
#include "sim/simulate.h"

namespace hr::eval {
namespace {

constexpr double kRate = 2;          // requests per second
constexpr double kDurationS = 1500;  // 3,000 requests a run
constexpr int kStartHour = 10;
constexpr int kTruthRuns = 100;
constexpr int kSeeds = 40;
// adaptive's --explore-floor for logs meant for off-policy evaluation (docs/evaluate.md): at the
// default 0.005 a few lines per log carry weight 200 and the intervals under-cover.
constexpr double kEvaluationFloor = 0.05;

struct World {
  sim::ServiceTimes times;
  std::shared_ptr<const model::Model> model;
};

const World& Shipped() {
  static const World w = [] {
    auto ds = data::Ingest({data::DefaultDataDir()});
    EXPECT_TRUE(ds.ok());
    auto t = sim::ServiceTimes::FromRecords(ds->records, false);
    EXPECT_TRUE(t.ok());
    auto m = modelfile::Parse(builtin::DefaultModelText());
    EXPECT_TRUE(m.ok());
    return World{std::move(*t), *m};
  }();
  return w;
}

sim::SimConfig Base(uint64_t seed) {
  sim::SimConfig c;
  c.arrivals.kind = sim::ArrivalSpec::Kind::kPoisson;
  c.arrivals.rate = kRate;
  c.arrivals.mix = Shipped().times.WorkloadShares();
  c.duration_s = kDurationS;
  c.start_hour = kStartHour;
  c.seed = seed;
  // Enough ECS tasks that no policy makes requests wait for one: per-request estimators cannot see
  // one request's platform slowing another's (with the default 4 tasks, ecs-only waits 70 ms on
  // average where the logging policy waits 30, and DR's interval covers ecs-only's truth in 29 of
  // 40 seeds; docs/evaluate.md).
  c.ecs.tasks = 16;
  c.ecs.autoscale = false;
  return c;
}

sim::SimPolicy ModelFor(policy::ObjectiveKind kind, bool adaptive = false) {
  sim::SimPolicy p;
  p.spec = *policy::ParsePolicy(adaptive ? "adaptive" : "model");
  p.model = Shipped().model;
  p.objective.kind = kind;
  p.name = adaptive ? "adaptive" : "model";
  return p;
}

// The candidate's true mean response time: over kTruthRuns runs of its own.
double Truth(const sim::SimPolicy& policy) {
  double sum = 0;
  for (int i = 0; i < kTruthRuns; ++i) {
    sim::SimConfig c = Base(1'000'000 + static_cast<uint64_t>(i));
    c.policy = policy;
    auto r = sim::Simulate(c, Shipped().times);
    EXPECT_TRUE(r.ok());
    sum += r->response_ms.mean;
  }
  return sum / kTruthRuns;
}

// One logging run's lines, read back as evaluate --off-policy reads them.
OffPolicyLog Logged(const sim::SimPolicy& logging, uint64_t seed, double explore,
                    double duration_s = kDurationS, std::vector<sim::DriftPhase> drift = {},
                    double explore_floor = policy::LearnOptions().explore_floor) {
  sim::SimConfig c = Base(seed);
  c.learn.explore_floor = explore_floor;
  c.duration_s = duration_s;
  c.drift = std::move(drift);
  c.policy = logging;
  c.explore = explore;
  route::SimLineContext ctx;
  ctx.seed = seed;
  ctx.start_hour = kStartHour;
  ctx.spec = logging.spec;
  ctx.objective = logging.objective;
  ctx.model = 1;
  std::vector<std::string> lines;
  c.on_line = [&](const sim::SimLine& l) { lines.push_back(route::FormatSimLine(l, ctx)); };
  auto r = sim::Simulate(c, Shipped().times);
  EXPECT_TRUE(r.ok());
  return ReadOffPolicyLines(lines);
}

struct Coverage {
  std::map<std::string, std::array<int, 3>> hits;  // policy: ips, snips, dr
  std::map<std::string, double> ess;
  std::map<std::string, std::array<double, 3>> mean, width;  // over the seeds
};

Coverage Calibrate(const sim::SimPolicy& logging, double explore,
                   const std::vector<CandidatePolicy>& candidates,
                   const std::map<std::string, double>& truth,
                   double explore_floor = policy::LearnOptions().explore_floor) {
  Coverage cov;
  for (int s = 0; s < kSeeds; ++s) {
    const OffPolicyLog log =
        Logged(logging, 100 + static_cast<uint64_t>(s), explore, kDurationS, {}, explore_floor);
    OffPolicyConfig cfg;
    cfg.seed = static_cast<uint64_t>(s);
    cfg.bootstrap = 200;
    const OffPolicyResult r = EstimateOffPolicy(log.used, candidates, cfg);
    for (const PolicyEstimate& p : r.policies) {
      const double t = truth.at(p.policy);
      const Interval* est[3] = {&p.response_ms.ips, &p.response_ms.snips, &p.response_ms.dr};
      auto& h = cov.hits[p.policy];
      for (int e = 0; e < 3; ++e) {
        h[e] += est[e]->ci95[0] <= t && t <= est[e]->ci95[1];
        cov.mean[p.policy][e] += est[e]->mean / kSeeds;
        cov.width[p.policy][e] += (est[e]->ci95[1] - est[e]->ci95[0]) / kSeeds;
      }
      cov.ess[p.policy] += p.effective_sample_size / kSeeds;
    }
  }
  for (const auto& [name, h] : cov.hits)
    std::printf("%-20s truth %8.2f ms  coverage IPS %2d/%d  SNIPS %2d/%d  DR %2d/%d  ESS %.0f\n",
                name.c_str(), truth.at(name), h[0], kSeeds, h[1], kSeeds, h[2], kSeeds,
                cov.ess[name]);
  for (const auto& [name, m] : cov.mean)
    std::printf(
        "%-20s mean estimate IPS %8.2f SNIPS %8.2f DR %8.2f; mean width %6.1f %6.1f %6.1f\n",
        name.c_str(), m[0], m[1], m[2], cov.width[name][0], cov.width[name][1], cov.width[name][2]);
  return cov;
}

const std::map<std::string, double>& Truths() {
  static const std::map<std::string, double> truth = {
      {"lambda-only", Truth(sim::Fixed("lambda-only"))},
      {"ecs-only", Truth(sim::Fixed("ecs-only"))},
      {"objective:latency", Truth(ModelFor(policy::ObjectiveKind::kLatency))}};
  return truth;
}

std::vector<CandidatePolicy> Candidates() {
  std::vector<CandidatePolicy> out;
  for (CandidatePolicy& c : DefaultCandidates(Shipped().model))
    if (c.name == "lambda-only" || c.name == "ecs-only" || c.name == "objective:latency")
      out.push_back(std::move(c));
  return out;
}

TEST(OffPolicyCalibration, DoublyRobustIntervalsCoverTheTruthUnderUniformExploration) {
  const auto candidates = Candidates();
  ASSERT_EQ(candidates.size(), 3u);
  const std::map<std::string, double>& truth = Truths();
  const Coverage cov = Calibrate(ModelFor(policy::ObjectiveKind::kLatency), 0.2, candidates, truth);
  for (const auto& [name, h] : cov.hits) EXPECT_GE(h[2], kSeeds * 9 / 10) << name << " (DR)";
}

// The adaptive policy logging, its Thompson propensities at the floor docs/evaluate.md recommends
// for logs meant for off-policy evaluation.
TEST(OffPolicyCalibration, DoublyRobustIntervalsCoverTheTruthUnderThompsonSampling) {
  const auto candidates = Candidates();
  const std::map<std::string, double>& truth = Truths();
  const Coverage cov = Calibrate(ModelFor(policy::ObjectiveKind::kLatency, true), 0, candidates,
                                 truth, kEvaluationFloor);
  ASSERT_EQ(cov.hits.size(), 3u);
  for (const auto& [name, h] : cov.hits) EXPECT_GE(h[2], kSeeds * 9 / 10) << name << " (DR)";
}

// The propensity adaptive logs is the probability it chose with: over 40 runs at the default
// floor, per band of Lambda's propensity, the requests sent to Lambda are as many as the
// propensities add up to (within 4 standard deviations; at most 2.5 measured).
TEST(OffPolicyCalibration, ThompsonPropensitiesAreTheProbabilitiesOfTheChoices) {
  constexpr std::array<double, 7> kBands = {0.01, 0.05, 0.2, 0.8, 0.95, 0.99, 1.01};
  std::array<double, kBands.size()> lines{}, lambda{}, expected{}, variance{};
  for (int s = 0; s < kSeeds; ++s) {
    sim::SimConfig c = Base(100 + static_cast<uint64_t>(s));
    c.policy = ModelFor(policy::ObjectiveKind::kLatency, true);
    c.on_line = [&](const sim::SimLine& l) {
      ASSERT_EQ(l.placed.platform, l.platform);
      const bool to_lambda = l.platform == features::Platform::kLambda;
      const double p = to_lambda ? l.placed.propensity : 1 - l.placed.propensity;
      size_t b = 0;
      while (p >= kBands[b]) ++b;
      lines[b] += 1;
      lambda[b] += to_lambda;
      expected[b] += p;
      variance[b] += p * (1 - p);
    };
    ASSERT_TRUE(sim::Simulate(c, Shipped().times).ok());
  }
  for (size_t b = 0; b < kBands.size(); ++b) {
    if (lines[b] == 0) continue;
    const double z = (lambda[b] - expected[b]) / std::sqrt(variance[b]);
    std::printf(
        "Lambda's propensity under %.2f: %6.0f lines, %6.0f to Lambda, %8.1f expected (z "
        "%+.2f)\n",
        kBands[b], lines[b], lambda[b], expected[b], z);
    EXPECT_LT(std::abs(z), 4) << kBands[b];
  }
}

PromoteConfig Promotion() {
  PromoteConfig p;
  p.champion = Shipped().model;
  p.champion_fingerprint = 1;
  p.objective.kind = policy::ObjectiveKind::kLatency;
  return p;
}

// ECS three times slower than the champion's tables know: the challenger, which learned that from
// the log's older half, sends more to Lambda and provably answers faster on the newer half.
TEST(Promote, ADriftedLogPromotesTheChallengerWithItsLineage) {
  const OffPolicyLog log = Logged(ModelFor(policy::ObjectiveKind::kLatency), 7, 0.2, 3000,
                                  {{0, 1e9, features::Platform::kEcs, std::nullopt, 3, 1}});
  auto d = DecidePromotion(Promotion(), log);
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::printf("%s", PromoteText(*d).c_str());
  EXPECT_TRUE(d->promote) << d->why;
  EXPECT_GT(d->lower_bound, 0);
  EXPECT_LT(d->challenger.mean, d->champion.mean);
  EXPECT_GT(d->challenger_ess, kDefaultMinEss);
  const std::string& md = d->challenger_model->spec().metadata.json;
  EXPECT_NE(
      md.find(
          R"("lineage":{"made_by":"hybrid-router promote","champion":"fnv1a64:0000000000000001")"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find(R"("train_lines":)" + std::to_string(d->train_lines)), std::string::npos);
}

TEST(Promote, AnUnchangedLogKeepsTheChampion) {
  const OffPolicyLog log = Logged(ModelFor(policy::ObjectiveKind::kLatency), 7, 0.2, 3000);
  auto d = DecidePromotion(Promotion(), log);
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::printf("%s", PromoteText(*d).c_str());
  EXPECT_FALSE(d->promote);
  EXPECT_NE(d->why.find("kept: the improvement's one-sided 95 % lower bound"), std::string::npos)
      << d->why;
}

TEST(Promote, TooFewSamplesKeepTheChampionSayingWhy) {
  const std::vector<sim::DriftPhase> slower = {
      {0, 1e9, features::Platform::kEcs, std::nullopt, 3, 1}};
  // The drifted log that promotes, judged with a floor above the challenger's ESS (474).
  const OffPolicyLog log = Logged(ModelFor(policy::ObjectiveKind::kLatency), 7, 0.2, 3000, slower);
  PromoteConfig strict = Promotion();
  strict.min_ess = 1000;
  auto d = DecidePromotion(strict, log);
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::printf("%s", PromoteText(*d).c_str());
  EXPECT_FALSE(d->promote);
  EXPECT_NE(d->why.find("kept: effective sample size"), std::string::npos) << d->why;
  const OffPolicyLog tiny = Logged(ModelFor(policy::ObjectiveKind::kLatency), 7, 0.2, 30, slower);
  auto t = DecidePromotion(Promotion(), tiny);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_FALSE(t->promote);
  EXPECT_NE(t->why.find("kept: the log's older part cannot make outcome tables"), std::string::npos)
      << t->why;
  PromoteConfig p95 = Promotion();
  p95.objective.kind = policy::ObjectiveKind::kP95;
  auto refused = DecidePromotion(p95, log);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "--objective");
}

}  // namespace
}  // namespace hr::eval
