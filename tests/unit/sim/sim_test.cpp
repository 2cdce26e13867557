#include <gtest/gtest.h>

#include <fstream>

#include "../test_util.h"
#include "cost/cost.h"
#include "sim/advise.h"
#include "sim/oracle.h"
#include "sim/run.h"
#include "sim/simulate.h"
#include "sim/trace_file.h"

namespace hr::sim {
namespace {

using features::Workload;

Distribution Det(double ms) { return {Distribution::Kind::kDeterministic, ms, 0}; }

// A trace of `n` arrivals `gap_s` apart (lightweight_api), starting at `t0_s`.
void Every(std::vector<TraceEntry>& trace, double t0_s, double gap_s, int n) {
  for (int i = 0; i < n; ++i) trace.push_back({t0_s + i * gap_s, Workload::kLightweightApi, -1});
}

SimConfig Traced(std::vector<TraceEntry> trace, double duration_s, policy::PolicyKind policy) {
  SimConfig c;
  c.arrivals.kind = ArrivalSpec::Kind::kTrace;
  c.arrivals.trace = std::make_shared<const std::vector<TraceEntry>>(std::move(trace));
  c.duration_s = duration_s;
  c.policy.spec.kind = policy;
  return c;
}

TEST(SimBilling, LambdaRoundsUpToTheMillisecondAndFargateToTheSecondWithAMinute) {
  const cost::Pricing p;
  // 100.2 ms at 128 MB bills 101 ms: 0.101 s x 0.125 GB x $0.0000166667 + $0.20 per 1M.
  EXPECT_NEAR(cost::LambdaBilledUsd(100.2, 128, p.lambda_gb_second_usd, p), 2.1042e-7 + 2e-7,
              1e-11);
  EXPECT_NEAR(cost::LambdaBilledUsd(100.2, 128, p.lambda_gb_second_usd, p),
              cost::LambdaBilledUsd(101, 128, p.lambda_gb_second_usd, p), 1e-18);
  EXPECT_LT(cost::LambdaBilledUsd(100, 128, p.lambda_gb_second_usd, p),
            cost::LambdaBilledUsd(100.2, 128, p.lambda_gb_second_usd, p));
  const cost::EcsTask small{0.25, 0.5};
  const double per_s = cost::TaskHourFargateUsd(small, p) / 3600;
  EXPECT_NEAR(cost::FargateTaskUsd(30, small, p), 60 * per_s, 1e-15);
  EXPECT_NEAR(cost::FargateTaskUsd(61.4, small, p), 62 * per_s, 1e-15);
  EXPECT_NEAR(cost::FargateTaskUsd(730 * 3600, small, p), 9.01, 0.005);  // $9.01 a month
}

TEST(SimLambda, KeepAliveDecidesColdStarts) {
  auto run = [](double gap_s) {
    std::vector<TraceEntry> t;
    Every(t, 0, gap_s, 20);
    SimConfig c = Traced(t, 20 * gap_s, policy::PolicyKind::kLambdaOnly);
    c.lambda.keep_alive_s = 600;
    auto r = Simulate(c, ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000)));
    EXPECT_TRUE(r.ok());
    return *r;
  };
  // Idle since t + 1 s: expired at t + 601 s, before the next arrival at t + 602 s.
  EXPECT_EQ(run(602).lambda.cold_starts, 20u);
  EXPECT_EQ(run(600).lambda.cold_starts, 1u);
  EXPECT_DOUBLE_EQ(run(600).lambda.cold_start_probability, 1.0 / 20);
}

TEST(SimLambda, ReuseTakesTheInstanceIdleLastOrCreatedLast) {
  // 1 s requests, 10 s keep-alive. A starts at 0, B at 0.5 (A is busy); at 1.2 only A is idle
  // and runs again (to 2.2). At 3 both are idle: A since 2.2, B since 1.5. Most-recently-idle
  // takes A, and B expires at 11.5: of the two requests at 12 one starts cold. Most-recently-
  // created takes B, A stays idle until 12.2: both requests at 12 are warm.
  std::vector<TraceEntry> t;
  for (double at : {0.0, 0.5, 1.2, 3.0, 12.0, 12.0})
    t.push_back({at, Workload::kLightweightApi, -1});
  SimConfig c = Traced(t, 20, policy::PolicyKind::kLambdaOnly);
  c.lambda.keep_alive_s = 10;
  const auto times = ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000));
  c.lambda.reuse = Reuse::kMostRecentlyIdle;
  auto idle = Simulate(c, times);
  c.lambda.reuse = Reuse::kMostRecentlyCreated;
  auto created = Simulate(c, times);
  ASSERT_TRUE(idle.ok() && created.ok());
  EXPECT_EQ(idle->lambda.cold_starts, 3u);
  EXPECT_EQ(created->lambda.cold_starts, 2u);
  EXPECT_EQ(ParseReuse("most-recently-created"), Reuse::kMostRecentlyCreated);
  EXPECT_EQ(ParseReuse("most-recently-idle"), Reuse::kMostRecentlyIdle);
  EXPECT_FALSE(ParseReuse("newest").has_value());
}

TEST(SimLambda, SimultaneousArrivalsStartOneEnvironmentEachUntilTheBurstLimit) {
  std::vector<TraceEntry> t;
  Every(t, 0, 0, 50);
  SimConfig c = Traced(t, 10, policy::PolicyKind::kLambdaOnly);
  auto times = ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000));
  auto r = Simulate(c, times);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lambda.cold_starts, 50u);
  EXPECT_EQ(r->throttled, 0u);
  c.lambda.burst_limit = 30;  // 30 new environments per 10 s: the other 20 are throttled
  r = Simulate(c, times);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lambda.cold_starts, 30u);
  EXPECT_EQ(r->throttled, 20u);
  // ... and served by ECS when the policy may use it.
  c.policy.spec.kind = policy::PolicyKind::kSplit;
  c.policy.spec.lambda_share = 1;
  r = Simulate(c, times);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fallbacks, 20u);
  EXPECT_EQ(r->ecs_requests, 20u);
  // The account's concurrency limit throttles too.
  c.policy.spec.kind = policy::PolicyKind::kLambdaOnly;
  c.lambda.burst_limit = 1000;
  c.lambda.concurrency_limit = 10;
  r = Simulate(c, times);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lambda.cold_starts, 10u);
  EXPECT_EQ(r->throttled, 40u);
  // Ten seconds later the burst window has room again.
  std::vector<TraceEntry> t2;
  Every(t2, 0, 0, 30);
  Every(t2, 10, 0, 30);
  SimConfig c2 = Traced(t2, 20, policy::PolicyKind::kLambdaOnly);
  c2.lambda.burst_limit = 30;
  auto times_long = ServiceTimes::FromDistributions(Det(15000), Det(15000), Det(1000));
  r = Simulate(c2, times_long);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lambda.cold_starts, 60u);
  EXPECT_EQ(r->throttled, 0u);
}

TEST(SimLambda, ProvisionedInstancesAreWarmAndBilledWhileConfigured) {
  std::vector<TraceEntry> t;
  Every(t, 0, 0, 3);
  SimConfig c = Traced(t, 100, policy::PolicyKind::kLambdaOnly);
  c.lambda.provisioned = 2;
  auto r = Simulate(c, ServiceTimes::FromDistributions(Det(1000), Det(2000), Det(1000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lambda.cold_starts, 1u);
  // 2 x 0.125 GB x 100 s provisioned + 2 warm 1 s on the provisioned duration price + 1 cold
  // 2 s on demand (INIT billed) + 3 requests.
  // eu-west-1's prices, as the region of every other price (not us-east-1's 0.0000041667 and
  // 0.0000097222).
  const double expected = 2 * 0.125 * 100 * 0.0000046460 + 2 * 0.125 * 1 * 0.0000108407 +
                          0.125 * 2 * 0.0000166667 + 3 * 0.0000002;
  EXPECT_NEAR(r->cost_usd.lambda, expected, 1e-12);
  EXPECT_NEAR(r->lambda.instances_mean, 3 - (1.0 / 100) * 0, 1e-9);  // 2 provisioned + 1 kept
}

TEST(SimLambda, DistributionsBillEachWorkloadAtItsMeasuredMemory) {
  // 10 heavy requests 100 s apart, 1 s each: 10 x (1 s x 0.5 GB x $0.0000166667 + $0.0000002),
  // at the 512 MB the heavy function ran with (it was billed at 128 MB).
  std::vector<TraceEntry> t;
  for (int i = 0; i < 10; ++i) t.push_back({i * 100.0, Workload::kHeavyProcessing, -1});
  SimConfig c = Traced(t, 1000, policy::PolicyKind::kLambdaOnly);
  auto r = Simulate(c, ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000)));
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->cost_usd.lambda, 10 * (1 * 0.5 * 0.0000166667 + 0.0000002), 1e-12);
  for (auto w : {Workload::kLightweightApi, Workload::kThumbnailProcessing,
                 Workload::kMediumProcessing, Workload::kHeavyProcessing})
    EXPECT_EQ(ServiceTimes::FromDistributions(Det(1), Det(1), Det(1)).LambdaMemoryMb(w),
              cost::MeasuredLambdaMemoryMb(w));
}

TEST(SimLambda, InitBillingIsSwitchable) {
  std::vector<TraceEntry> t;
  Every(t, 0, 0, 1);
  SimConfig c = Traced(t, 10, policy::PolicyKind::kLambdaOnly);
  auto times = ServiceTimes::FromDistributions(Det(100), Det(600), Det(100));
  auto billed = Simulate(c, times);
  c.lambda.bill_init = false;
  auto unbilled = Simulate(c, times);
  ASSERT_TRUE(billed.ok() && unbilled.ok());
  const cost::Pricing p;
  EXPECT_NEAR(billed->cost_usd.lambda - unbilled->cost_usd.lambda,
              0.5 * 0.125 * p.lambda_gb_second_usd, 1e-15);  // the 500 ms INIT
  EXPECT_NEAR(billed->response_ms.mean, 600, 600 * 0.005);
}

// Target tracking, deterministic: k = 10 slots per task, 1 s service, target 50 %, evenly spaced
// arrivals (no request ever waits). 4/s for 600 s on 1 task: 40 %, low, but 1 is the minimum.
// 8/s from 600: 80 % -> after 3 datapoints (t = 780) scale
// out to ceil(1 x 0.8 / 0.5) = 2 (ready at 840). 16/s from 840 on 2 tasks: 80 % at 900, 960,
// 1020, but the scale-out cooldown holds until 780 + 300 = 1080: then ceil(2 x 0.8 / 0.5) = 4.
// Four tasks at 16/s: 40 %, below 0.9 x 50 % = 45 %, and 15 such datapoints (t = 2040) ask for
// ceil(4 x 0.4 / 0.5) = 4: no change. 1/s from 2400: 2.5 % at 2460 -> ceil(0.1) = 1, the minimum.
TEST(SimEcs, AutoscalingFollowsTheAlarmAndCooldownRules) {
  std::vector<TraceEntry> t;
  Every(t, 0, 1.0 / 4, 4 * 600);
  Every(t, 600, 1.0 / 8, 8 * 240);
  Every(t, 840, 1.0 / 16, 16 * (2400 - 840));
  Every(t, 2400, 1, 1200);
  SimConfig c = Traced(t, 3600, policy::PolicyKind::kEcsOnly);
  c.ecs.tasks = 1;
  c.ecs.concurrency = 10;
  c.ecs.target = 0.5;
  c.ecs.dispatch = Dispatch::kShared;
  c.ecs.max_tasks = 10;
  auto r = Simulate(c, ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000)));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->ecs.scaling.size(), 3u);
  const ScalingStep expected[] = {{780, 1, 2}, {1080, 2, 4}, {2460, 4, 1}};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(r->ecs.scaling[i].second.t_s, expected[i].t_s) << i;
    EXPECT_EQ(r->ecs.scaling[i].second.from, expected[i].from) << i;
    EXPECT_EQ(r->ecs.scaling[i].second.to, expected[i].to) << i;
  }
  EXPECT_EQ(r->ecs.waited, 0u);
  EXPECT_EQ(r->ecs.tasks_max, 4);
  // Task-seconds: 1 task 0-3600, +1 from 780 to 2460, +2 from 1080 to 2460 (draining tasks are
  // idle at 2460 and stop at once).
  const double task_s = 3600 + (2460 - 780) + 2 * (2460 - 1080);
  EXPECT_NEAR(r->ecs.tasks_mean, task_s / 3600, 1e-6);
  EXPECT_NEAR(
      r->cost_usd.ecs,
      task_s * cost::TaskHourFargateUsd(cost::MeasuredTask(Workload::kLightweightApi), {}) / 3600,
      1e-9);
}

// One slot, 1 s service, 2 arrivals/s, 3 s timeout: the queue grows until waits reach 3 s; from
// then on every other request has waited 3.5 s when its turn comes and is answered 504 at 3 s.
TEST(SimEcs, RequestsWaitingPastTheTimeoutAreAnsweredAtTheTimeout) {
  std::vector<TraceEntry> t;
  Every(t, 0, 0.5, 20);  // 2/s for 10 s on one slot of 1 s: the queue grows
  SimConfig c = Traced(t, 10, policy::PolicyKind::kEcsOnly);
  c.ecs.tasks = 1;
  c.ecs.concurrency = 1;
  c.ecs.autoscale = false;
  c.ecs.timeout_s = 3;
  auto r = Simulate(c, ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecs.timeouts, 7u);              // requests 7, 9, ..., 19
  EXPECT_EQ(r->ecs.waited, 19u);               // all but the first (the timed-out ones included)
  EXPECT_DOUBLE_EQ(r->response_ms.max, 4000);  // waited exactly 3 s, then served
  EXPECT_EQ(r->ecs_requests, 20u);
}

TEST(SimEcs, RequestsRefusedAtTheQueueLimitAreCountedApart) {
  // One one-slot task, 1 s per request, 5 may wait: of 20 simultaneous arrivals 1 starts, 5 wait
  // (1 to 5 s) and 14 are refused at once. Nothing waits the hour's timeout: no timeouts, and
  // every request the service took but the first waited.
  std::vector<TraceEntry> t;
  Every(t, 0, 0, 20);
  SimConfig c = Traced(t, 100, policy::PolicyKind::kEcsOnly);
  c.ecs.tasks = 1;
  c.ecs.autoscale = false;
  c.ecs.concurrency = 1;
  c.ecs.dispatch = Dispatch::kShared;
  c.ecs.timeout_s = 3600;
  c.ecs.queue_limit = 5;
  auto r = Simulate(c, ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecs_requests, 20u);
  EXPECT_EQ(r->ecs.refused, 14u);
  EXPECT_EQ(r->ecs.timeouts, 0u);  // it said 14
  EXPECT_EQ(r->ecs.waited, 5u);
  EXPECT_DOUBLE_EQ(r->ecs.wait_probability, 5.0 / 6);  // it said 5 / 20
  EXPECT_DOUBLE_EQ(r->ecs.wait_ms_mean, (0 + 1000 + 2000 + 3000 + 4000 + 5000) / 6.0);
  EXPECT_NEAR(r->response_ms.max, 6000, 6000 * 0.005);  // the answered ones: 1 to 6 s
  EXPECT_NEAR(r->response_ms.mean, 3500, 3500 * 0.005);
  c.ecs.queue_limit = 0;
  EXPECT_FALSE(Simulate(c, ServiceTimes::FromDistributions(Det(1), Det(1), Det(1))).ok());
}

TEST(SimEcs, RoundRobinWaitsLongerThanOneSharedQueue) {
  // Two one-slot tasks at 75 % load, exponential service: one queue (M/M/2) never leaves a task
  // idle while a request waits; round-robin (an ALB) sometimes queues behind a busy task while
  // the other is idle, so requests wait more often and longer.
  SimConfig c;
  c.arrivals.rate = 15;
  c.duration_s = 20000;
  c.policy.spec.kind = policy::PolicyKind::kEcsOnly;
  c.ecs.concurrency = 1;
  c.ecs.tasks = 2;
  c.ecs.max_tasks = 2;
  c.ecs.autoscale = false;
  auto times = ServiceTimes::FromDistributions(Det(1000), Det(1000),
                                               {Distribution::Kind::kExponential, 100, 0});
  c.ecs.dispatch = Dispatch::kShared;
  auto shared = Simulate(c, times);
  c.ecs.dispatch = Dispatch::kRoundRobin;
  auto rr = Simulate(c, times);
  ASSERT_TRUE(shared.ok() && rr.ok());
  EXPECT_NEAR(shared->ecs.wait_probability, 0.642857, 0.02);  // Erlang C at 1.5 erlangs
  EXPECT_GT(rr->ecs.wait_ms_mean, 1.3 * shared->ecs.wait_ms_mean);
  EXPECT_GT(rr->response_ms.p95, shared->response_ms.p95);
}

// What a run of a profile simulates: the expected arrivals over its span, steps and slopes
// included, repeating; the rate shown is the mean over the run, not over the period.
TEST(SimInput, AProfilesArrivalsAndMeanRateOverARun) {
  auto p = ParseProfile("0 5\n600 5\n600 30\n900 30\n900 5\n1200 5\n", "p.txt");
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(ProfileArrivals(*p, 600), 3000);
  EXPECT_DOUBLE_EQ(ProfileArrivals(*p, 1200), 5 * 900 + 30 * 300);
  EXPECT_DOUBLE_EQ(ProfileArrivals(*p, 2400 + 700), 2 * 13500 + 3000 + 30 * 100);
  auto ramp = ParseProfile("0 5\n3600 25\n", "r.txt");
  ASSERT_TRUE(ramp.ok());
  EXPECT_DOUBLE_EQ(ProfileArrivals(*ramp, 1800), 1800 * 10);  // 5 to 15: a mean of 10
  ArrivalSpec spec;
  spec.kind = ArrivalSpec::Kind::kProfile;
  spec.profile = *p;
  EXPECT_DOUBLE_EQ(spec.PeriodS(), 1200);
  EXPECT_DOUBLE_EQ(spec.MeanRate(), 13500.0 / 1200);
  EXPECT_DOUBLE_EQ(spec.MeanRate(0, 600), 5);
  EXPECT_DOUBLE_EQ(spec.MeanRate(600, 900), 30);
  EXPECT_DOUBLE_EQ(spec.MeanRate(0, 2400), 13500.0 / 1200);
}

TEST(SimInput, EcsTasksForEveryServiceOrPerWorkload) {
  SimConfig c;
  ASSERT_TRUE(ParseEcsTasks("3", c).ok());
  EXPECT_EQ(c.ecs.tasks, 3);
  EXPECT_EQ(c.ecs_tasks_by_workload[static_cast<size_t>(Workload::kHeavyProcessing)], -1);
  ASSERT_TRUE(ParseEcsTasks("heavy_processing=2,lightweight_api=1", c).ok());
  EXPECT_EQ(c.ecs_tasks_by_workload[static_cast<size_t>(Workload::kHeavyProcessing)], 2);
  EXPECT_EQ(c.ecs_tasks_by_workload[static_cast<size_t>(Workload::kLightweightApi)], 1);
  EXPECT_EQ(c.ecs_tasks_by_workload[static_cast<size_t>(Workload::kMediumProcessing)], -1);
  EXPECT_EQ(c.ecs.tasks, 3);  // the others keep the plain count
  for (const char* bad : {"heavy=2", "x", "-1", "heavy_processing=", "heavy_processing=2,", "2.5",
                          "lightweight_api=10001"}) {
    auto s = ParseEcsTasks(bad, c);
    if (std::string(bad) == "heavy_processing=2,") {
      EXPECT_TRUE(s.ok()) << bad;  // a trailing comma ends the list
      continue;
    }
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().field, "--ecs-tasks") << bad;
  }
}

TEST(SimInput, PolicyPerWorkloadReadsEachAndNamesTheBadOne) {
  EXPECT_FALSE(IsPolicyByWorkload("spillover:1"));
  EXPECT_TRUE(IsPolicyByWorkload("heavy_processing=ecs-only"));
  auto p = ParsePolicyByWorkload("lightweight_api=lambda-only,heavy_processing=spillover:1");
  ASSERT_TRUE(p.ok()) << p.error().message;
  const auto& light = (*p)[static_cast<size_t>(Workload::kLightweightApi)];
  const auto& heavy = (*p)[static_cast<size_t>(Workload::kHeavyProcessing)];
  ASSERT_TRUE(light && heavy);
  EXPECT_EQ(light->kind, policy::PolicyKind::kLambdaOnly);
  EXPECT_EQ(heavy->kind, policy::PolicyKind::kSpillover);
  EXPECT_EQ(heavy->spill_wait, 1);
  EXPECT_EQ(heavy->text, "spillover:1");
  EXPECT_FALSE((*p)[static_cast<size_t>(Workload::kMediumProcessing)]);
  for (const auto& [bad, names] : std::vector<std::pair<std::string, std::string>>{
           {"heavy=ecs-only", "heavy"},
           {"heavy_processing=model", "heavy_processing"},
           {"heavy_processing=adaptive", "heavy_processing"},
           {"heavy_processing=spillover-model", "heavy_processing"},
           {"heavy_processing=bogus", "bogus"},
           {"heavy_processing=split:2", "split:2"},
           {"heavy_processing=", "heavy_processing"},
           {"heavy_processing=ecs-only,lambda-only", "lambda-only"},
           {"heavy_processing=ecs-only,heavy_processing=lambda-only", "two policies"}}) {
    auto r = ParsePolicyByWorkload(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "--policy") << bad;
    EXPECT_NE(r.error().message.find(names), std::string::npos) << bad << ": " << r.error().message;
  }
}

TEST(SimInput, ProfilesTracesDistributionsAndMixesAreCheckedWithTheirLine) {
  auto p = ParseProfile("# diurnal\n0 5\n600 5\n600 30\n900 30\n900 5\n1200 5\n", "p.txt");
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(ProfileRate(*p, 300), 5);
  EXPECT_DOUBLE_EQ(ProfileRate(*p, 700), 30);
  EXPECT_DOUBLE_EQ(ProfileRate(*p, 1000), 5);
  EXPECT_DOUBLE_EQ(ProfileRate(*p, 1200 + 700), 30);  // repeats
  auto ramp = ParseProfile("0 5\n3600 25\n", "r.txt");
  ASSERT_TRUE(ramp.ok());
  EXPECT_DOUBLE_EQ(ProfileRate(*ramp, 1800), 15);
  for (const char* bad :
       {"0 5\n10\n", "0 5\n-1 4\n", "0 5\n10 x\n", "5 0 1\n", "0 0\n", "", "10 5\n5 5\n"}) {
    auto e = ParseProfile(bad, "bad.txt");
    EXPECT_FALSE(e.ok()) << bad;
    if (!e.ok()) {
      EXPECT_NE(e.error().message.find("bad.txt:"), std::string::npos);
    }
  }
  auto tr = ParseTraceText("10.5 heavy_processing 2048\n10 lightweight_api\n", "t.txt");
  ASSERT_TRUE(tr.ok());
  ASSERT_EQ(tr->size(), 2u);
  EXPECT_EQ((*tr)[0].workload, Workload::kLightweightApi);  // sorted, from 0
  EXPECT_DOUBLE_EQ((*tr)[1].t_s, 0.5);
  EXPECT_FLOAT_EQ((*tr)[1].payload_kb, 2048);
  auto misspelt = ParseTraceText("1 heavy_procesing\n", "t.txt");
  ASSERT_FALSE(misspelt.ok());
  EXPECT_NE(misspelt.error().message.find("t.txt:1"), std::string::npos);
  EXPECT_FALSE(ParseTraceText("1 heavy_processing 5 6\n", "t.txt").ok());
  EXPECT_FALSE(ParseTraceText(std::string(5000, '1') + " lightweight_api\n", "t.txt").ok());
  for (const char* bad :
       {"exp", "exp:", "exp:-1", "det:0", "uniform:5-1", "gauss:3", "exp:1e9", "exp:10x"})
    EXPECT_FALSE(ParseDistribution(bad, "--ecs-service").ok()) << bad;
  auto u = ParseDistribution("uniform:50-150", "x");
  ASSERT_TRUE(u.ok());
  EXPECT_DOUBLE_EQ(u->MeanMs(), 100);
  EXPECT_FALSE(ParseSweep("1:10").ok());
  EXPECT_FALSE(ParseSweep("10:1:5").ok());
  auto s = ParseSweep("1:10:4");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (std::vector<double>{1, 4, 7, 10}));
}

TEST(SimInput, ALineOverOneMegabyteIsRefusedAtOnceWithItsLine) {
  // /dev/zero has no newline and no end: the read stops at its first MB, naming line 1.
  auto zero = ReadTrace("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("/dev/zero:1: a line longer than 1 MB"), std::string::npos)
      << zero.error().message;
  const std::string path = ::testing::TempDir() + "long_line_trace.txt";
  std::ofstream(path, std::ios::binary) << "0 lightweight_api\n1 lightweight_api\n"
                                        << std::string((1 << 20) + 1, 'x') << "\n";
  auto long_line = ReadTrace(path);
  ASSERT_FALSE(long_line.ok());
  EXPECT_NE(long_line.error().message.find(path + ":3: a line longer than 1 MB"), std::string::npos)
      << long_line.error().message;
  auto profile = ReadProfile("/dev/zero");
  ASSERT_FALSE(profile.ok());
  EXPECT_NE(profile.error().message.find("/dev/zero:1"), std::string::npos);
}

TEST(SimEcs, ServicesStartSizedForTheirLoadUnlessTold) {
  // 30/s of 1 s requests, k = 2, target 0.7: ceil(30 / 1.4) = 22 tasks from the start.
  SimConfig c;
  c.arrivals.rate = 30;
  c.duration_s = 600;
  c.policy.spec.kind = policy::PolicyKind::kEcsOnly;
  c.ecs.autoscale = false;
  auto times = ServiceTimes::FromDistributions(Det(1000), Det(1000), Det(1000));
  auto r = Simulate(c, times);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecs.tasks_max, 22);
  EXPECT_EQ(r->ecs.timeouts, 0u);
  c.ecs.tasks = 3;
  r = Simulate(c, times);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecs.tasks_max, 3);
  EXPECT_GT(r->ecs.timeouts, 0u);  // 6 slots for 30 requests a second
}

TEST(SimHistogram, QuantilesWithinHalfAPercent) {
  Histogram h;
  for (int i = 1; i <= 100000; ++i) h.Add(i * 0.1);
  EXPECT_NEAR(h.Quantile(0.5), 5000, 5000 * 0.005);
  EXPECT_NEAR(h.Quantile(0.99), 9900, 9900 * 0.005);
  EXPECT_NEAR(h.Mean(), 5000.05, 1e-6);
  EXPECT_DOUBLE_EQ(h.Max(), 10000);
}

}  // namespace
}  // namespace hr::sim

namespace hr::sim {
namespace {

using features::Workload;
Distribution Det2(double ms) { return {Distribution::Kind::kDeterministic, ms, 0}; }

TEST(SimSpillover, EcsTakesWhatFitsAndLambdaTheRest) {
  // One task of 2 slots, 1 s service, 4 arrivals at once: two run on ECS, two spill to Lambda;
  // the one at 1.5 s finds both slots free again.
  std::vector<TraceEntry> t;
  for (int i = 0; i < 4; ++i) t.push_back({0, Workload::kLightweightApi, -1});
  t.push_back({1.5, Workload::kLightweightApi, -1});
  SimConfig c;
  c.arrivals.kind = ArrivalSpec::Kind::kTrace;
  c.arrivals.trace = std::make_shared<const std::vector<TraceEntry>>(t);
  c.duration_s = 10;
  c.policy.spec.kind = policy::PolicyKind::kSpillover;
  c.ecs.tasks = 1;
  c.ecs.autoscale = false;
  auto r = Simulate(c, ServiceTimes::FromDistributions(Det2(1000), Det2(1000), Det2(1000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecs_requests, 3u);
  EXPECT_EQ(r->lambda_requests, 2u);
  EXPECT_EQ(r->spilled, 2u);
  EXPECT_EQ(r->ecs.waited, 0u);  // nothing queues at ECS while Lambda may take it
}

// Outcome tables where every workload takes `lambda_ms` on Lambda (at 1e-6 USD) and `ecs_ms` on
// ECS (at 2e-6 USD).
std::shared_ptr<const model::Model> Tabled(double lambda_ms, double ecs_ms) {
  outcome::OutcomeSpec o;
  o.default_slo_ms = 2000;
  const auto flat = [](double ms, double usd) {
    outcome::Stats st;
    st.n = 1000;
    st.response_mean_ms = ms;
    st.response_sd_ms = 10;
    for (size_t i = 0; i < outcome::kQuantiles; ++i)
      st.response_quantiles_ms[i] = ms - 50 + 100 * outcome::kQuantileLevels[i];
    st.cost_mean_usd.fill(usd);
    return st;
  };
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    outcome::Cell c;
    c.workload = static_cast<Workload>(w);
    c.platform = {flat(lambda_ms, 1e-6), flat(ecs_ms, 2e-6)};
    o.cells.push_back(c);
  }
  model::ModelSpec spec = testing::SeedSpec();
  spec.outcomes = *outcome::OutcomeModel::Create(o);
  return *model::Model::Create(spec);
}

// spillover-model:10: ECS may queue 10 per task, but a request leaves for Lambda once the wait
// ECS would make it do (waiting requests x 1 s / 2 slots) puts ECS's predicted time past Lambda's.
TEST(SimSpillover, TheModelSpillsWhenThePredictedWaitMakesEcsWorse) {
  std::vector<TraceEntry> t(6, TraceEntry{0, Workload::kLightweightApi, -1});
  const auto run = [&](const char* policy, policy::ObjectiveKind objective) {
    SimConfig c;
    c.arrivals.kind = ArrivalSpec::Kind::kTrace;
    c.arrivals.trace = std::make_shared<const std::vector<TraceEntry>>(t);
    c.duration_s = 10;
    c.policy.spec = *policy::ParsePolicy(policy);
    c.policy.model = Tabled(1600, 1000);
    c.policy.objective.kind = objective;
    c.ecs.tasks = 1;
    c.ecs.autoscale = false;
    auto r = Simulate(c, ServiceTimes::FromDistributions(Det2(1000), Det2(1000), Det2(1000)));
    EXPECT_TRUE(r.ok());
    return *r;
  };
  // Latency: two start at once (1,000 ms < 1,600), the third waits 500 ms (1,500 < 1,600), the
  // fourth would wait 1,000 ms (2,000 > 1,600): it and the rest go to Lambda.
  SimResult r = run("spillover-model:10", policy::ObjectiveKind::kLatency);
  EXPECT_EQ(r.ecs_requests, 3u);
  EXPECT_EQ(r.ecs.waited, 1u);
  EXPECT_EQ(r.lambda_requests, 3u);
  EXPECT_EQ(r.spilled, 0u);  // none found ECS full: the model sent them
  // Without the model all six queue; for cost a paid-for task always wins, wait or not.
  r = run("spillover:10", policy::ObjectiveKind::kLatency);
  EXPECT_EQ(r.ecs_requests, 6u);
  EXPECT_EQ(r.ecs.waited, 4u);
  r = run("spillover-model:10", policy::ObjectiveKind::kCost);
  EXPECT_EQ(r.ecs_requests, 6u);
}

TEST(SimSpillover, NeverQueuesAtEcsUnderPoissonLoadWithLeastOutstandingDispatch) {
  SimConfig c;
  c.arrivals.rate = 20;
  c.duration_s = 3600;
  c.policy.spec.kind = policy::PolicyKind::kSpillover;
  c.ecs.tasks = 3;
  c.ecs.concurrency = 2;
  c.ecs.autoscale = false;
  c.ecs.dispatch = Dispatch::kLeastOutstanding;
  auto r = Simulate(c, ServiceTimes::FromDistributions({Distribution::Kind::kExponential, 200, 0},
                                                       {Distribution::Kind::kExponential, 200, 0},
                                                       {Distribution::Kind::kExponential, 300, 0}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ecs.waited, 0u);
  EXPECT_GT(r->spilled, 1000u);  // 6 slots at 20/s x 0.3 s: ECS is full often
  EXPECT_GT(r->ecs_requests, 40000u);
  EXPECT_EQ(r->spilled, r->lambda_requests);
}

TEST(SimAdvise, PicksTheCheapestTaskCountAndIsNeverWorseThanLambdaOnly) {
  // lightweight-like: 100 ms, 30/s. Lambda at 128 MB bills ~$0.41 per 1M requests x 2.6M a day;
  // one 0.25 vCPU task costs $0.30 a day and with k = 2 carries up to 20/s.
  SimConfig c;
  c.arrivals.rate = 30;
  c.duration_s = 7200;
  c.ecs.concurrency = 2;
  auto times = ServiceTimes::FromDistributions({Distribution::Kind::kExponential, 100, 0},
                                               {Distribution::Kind::kExponential, 600, 0},
                                               {Distribution::Kind::kExponential, 100, 0});
  auto advice = Advise(c, times, 0);
  ASSERT_TRUE(advice.ok());
  ASSERT_EQ(advice->size(), 1u);
  const Advice& a = advice->front();
  EXPECT_GE(a.tasks, 1);
  EXPECT_LE(a.advised.cost_usd.total, a.lambda_only.cost_usd.total);
  // The cheapest of those no slower at p95 than Lambda alone.
  EXPECT_LE(a.advised.response_ms.p95, a.p95_target_ms);
  EXPECT_NEAR(a.p95_target_ms, a.lambda_only.response_ms.p95 * 1.01, 1e-9);
  for (const Advice::Tried& t : a.tried) {
    if (t.result.response_ms.p95 <= a.p95_target_ms && FailedShare(t.result) <= kMaxFailedShare) {
      EXPECT_GE(t.result.cost_usd.total, a.advised.cost_usd.total) << t.tasks << " " << t.wait;
    }
  }
  EXPECT_FALSE(Dominates(a.ecs_only, a.advised));
  EXPECT_FALSE(Dominates(a.lambda_only, a.advised));
  // A p95 target nothing meets: the fastest candidate, flagged.
  auto strict = Advise(c, times, 1);
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->front().meets_target);
}

// Two workloads, each by its own policy: lightweight_api all on Lambda (no ECS service, no task
// billed), heavy_processing on its 2 tasks; their parts add up to the run.
TEST(SimPolicyByWorkload, EachWorkloadRunsItsOwnPolicyAndHasItsPart) {
  SimConfig c;
  c.arrivals.rate = 4;
  c.arrivals.mix = {};
  c.arrivals.mix[static_cast<size_t>(Workload::kLightweightApi)] = 0.5;
  c.arrivals.mix[static_cast<size_t>(Workload::kHeavyProcessing)] = 0.5;
  c.duration_s = 1800;
  c.ecs.autoscale = false;
  auto each = ParsePolicyByWorkload("lightweight_api=lambda-only,heavy_processing=ecs-only");
  ASSERT_TRUE(each.ok());
  c.policy_by_workload = *each;
  ASSERT_TRUE(ParseEcsTasks("heavy_processing=2,lightweight_api=5", c).ok());
  const auto times = ServiceTimes::FromDistributions(Det(100), Det(300), Det(100));
  auto r = Simulate(c, times);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->workloads.size(), 2u);
  const SimResult::Part& light = r->workloads[0];
  const SimResult::Part& heavy = r->workloads[1];
  EXPECT_EQ(light.workload, Workload::kLightweightApi);
  EXPECT_EQ(light.policy, "lambda-only");
  EXPECT_EQ(light.lambda_requests, light.requests);
  EXPECT_EQ(light.ecs_requests, 0u);
  EXPECT_EQ(light.ecs_tasks_max, 0);  // no service: its 5 tasks are never started
  EXPECT_EQ(heavy.policy, "ecs-only");
  EXPECT_EQ(heavy.ecs_requests, heavy.requests);
  EXPECT_EQ(heavy.ecs_tasks_max, 2);
  EXPECT_EQ(r->ecs.tasks_max, 2);
  EXPECT_EQ(light.requests + heavy.requests, r->requests);
  EXPECT_NEAR(light.cost_usd + heavy.cost_usd, r->cost_usd.total, 1e-9 * r->cost_usd.total);
  EXPECT_GT(light.cost_usd, 0);
  EXPECT_GT(heavy.cost_usd, 0);
  EXPECT_GE(r->response_ms.p95, std::min(light.response_ms.p95, heavy.response_ms.p95));
  // A workload that arrives without a policy of its own: named.
  c.arrivals.mix[static_cast<size_t>(Workload::kMediumProcessing)] = 0.1;
  auto missing = Simulate(c, times);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "--policy");
  EXPECT_NE(missing.error().message.find("medium_processing"), std::string::npos)
      << missing.error().message;
}

// The advice run together is the run its options describe: parsed back as the command line
// would, the same result to the bit.
TEST(SimAdvise, TheAdviceTogetherIsOneRunOfItsOptions) {
  SimConfig c;
  c.arrivals.rate = 20;
  c.arrivals.mix = {};
  c.arrivals.mix[static_cast<size_t>(Workload::kLightweightApi)] = 0.8;
  c.arrivals.mix[static_cast<size_t>(Workload::kHeavyProcessing)] = 0.2;
  c.duration_s = 1800;
  c.ecs.concurrency = 2;
  const auto times = ServiceTimes::FromDistributions({Distribution::Kind::kExponential, 100, 0},
                                                     {Distribution::Kind::kExponential, 600, 0},
                                                     {Distribution::Kind::kExponential, 100, 0});
  auto set = AdviseTogether(c, times, 0);
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->workloads.size(), 2u);
  ASSERT_EQ(set->combined.workloads.size(), 2u);
  // "--policy P --ecs-tasks T --no-autoscale --ecs-dispatch least-outstanding"
  std::vector<std::string> words;
  for (size_t i = 0, j; i < set->options.size(); i = j + 1) {
    j = set->options.find(' ', i);
    if (j == std::string::npos) j = set->options.size();
    words.push_back(set->options.substr(i, j - i));
  }
  ASSERT_EQ(words.size(), 7u) << set->options;
  EXPECT_EQ(words[0], "--policy");
  EXPECT_EQ(words[2], "--ecs-tasks");
  EXPECT_EQ(words[4], "--no-autoscale");
  EXPECT_EQ(words[5], "--ecs-dispatch");
  EXPECT_EQ(words[6], "least-outstanding");
  SimConfig again = c;
  auto each = ParsePolicyByWorkload(words[1]);
  ASSERT_TRUE(each.ok()) << words[1];
  again.policy_by_workload = *each;
  ASSERT_TRUE(ParseEcsTasks(words[3], again).ok()) << words[3];
  again.ecs.autoscale = false;
  again.ecs.dispatch = Dispatch::kLeastOutstanding;
  auto r = Simulate(again, times);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->cost_usd.total, set->combined.cost_usd.total);
  EXPECT_EQ(r->response_ms.p95, set->combined.response_ms.p95);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r->workloads[i].cost_usd, set->combined.workloads[i].cost_usd);
    EXPECT_EQ(r->workloads[i].response_ms.p95, set->combined.workloads[i].response_ms.p95);
    EXPECT_EQ(r->workloads[i].policy, set->combined.workloads[i].policy);
    EXPECT_EQ(set->combined.workloads[i].policy,
              AdvisedPolicy(set->workloads[i].tasks, set->workloads[i].wait));
  }
}

// The oracle where the truth is known: Lambda 100 ms warm (300 ms cold, INIT 200), ECS 50 ms; ECS
// x4 from 1,000 s to 2,000 s. The oracle sends everything to ECS but in the slow phase, where
// Lambda's 100 ms beat ECS's 200; ecs-only's regret there is 100 ms, nil outside.
TEST(SimOracle, TakesTheFasterPlatformOfThePhaseAndMeasuresRegretAgainstIt) {
  ServiceTimes times = ServiceTimes::FromDistributions(Det(100), Det(300), Det(50));
  const Truth truth(times);
  const auto m = truth.MeanMs(Workload::kLightweightApi, 0, {}, {}, 0.25, 10);
  EXPECT_DOUBLE_EQ(m[0], 0.75 * 100 + 0.25 * 300);
  EXPECT_DOUBLE_EQ(m[1], 60);
  // Drift: warm x2, INIT x3 on Lambda; ECS x4.
  const auto d = truth.MeanMs(Workload::kLightweightApi, 0, {2, 3}, {4, 1}, 1, 0);
  EXPECT_DOUBLE_EQ(d[0], 100 * 2 + 200 * 3);
  EXPECT_DOUBLE_EQ(d[1], 200);

  std::vector<TraceEntry> trace;
  Every(trace, 0.5, 1, 3000);
  SimConfig c = Traced(trace, 3000, policy::PolicyKind::kOracle);
  c.policy = Fixed("oracle");
  c.ecs.tasks = 2;
  c.drift = {{1000, 2000, features::Platform::kEcs, std::nullopt, 4, 1}};
  uint64_t lambda_in_slow = 0, lambda_outside = 0;
  c.on_line = [&](const SimLine& l) {
    const bool slow = l.arrival_s >= 1000 && l.arrival_s < 2000;
    if (l.platform == features::Platform::kLambda) ++(slow ? lambda_in_slow : lambda_outside);
  };
  auto oracle = Simulate(c, times);
  ASSERT_TRUE(oracle.ok()) << oracle.error().message;
  EXPECT_EQ(lambda_in_slow, 1000u);
  EXPECT_EQ(lambda_outside, 0u);
  ASSERT_EQ(oracle->phases.size(), 3u);
  EXPECT_NEAR(oracle->phases[0].response_ms_mean, 50, 1e-9);
  // One cold start (300 ms) among 1,000 Lambda requests.
  EXPECT_NEAR(oracle->phases[1].response_ms_mean, 100.2, 1e-9);
  EXPECT_EQ(oracle->phases[1].regret_ms, 0);
  EXPECT_EQ(oracle->phases[1].oracle_ms_mean, oracle->phases[1].response_ms_mean);

  c.policy = Fixed("ecs-only");
  c.on_line = nullptr;
  auto ecs = Simulate(c, times);
  ASSERT_TRUE(ecs.ok()) << ecs.error().message;
  ASSERT_EQ(ecs->phases.size(), 3u);
  EXPECT_NEAR(ecs->phases[0].regret_ms, 0, 1e-9);
  EXPECT_NEAR(ecs->phases[1].regret_ms, 200 - 100.2, 1e-9);
  EXPECT_NEAR(ecs->phases[1].oracle_ms_mean, 100.2, 1e-9);
  EXPECT_NEAR(ecs->phases[2].regret_ms, 0, 1e-9);

  // The oracle knows mean response times only: another objective is refused, naming it.
  c.policy = Fixed("oracle");
  c.policy.objective.kind = policy::ObjectiveKind::kCost;
  auto cost = Simulate(c, times);
  ASSERT_FALSE(cost.ok());
  EXPECT_NE(cost.error().message.find("--objective"), std::string::npos);
}

}  // namespace
}  // namespace hr::sim
