#include "eval/off_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "builtin/default_model.h"
#include "modelfile/model_file.h"
#include "route/sim_lines.h"

namespace hr::eval {
namespace {

// An outcome line as route writes it, with `route` as given (empty: none).
std::string Line(std::string_view platform, double ms, std::string_view route, int status = 200) {
  std::string s = R"({"request_id":"r","platform":")" + std::string(platform) +
                  R"(","workload_type":"lightweight_api","timestamp":"2026-01-05T10:00:00.000000",)"
                  R"("http_status":)" +
                  std::to_string(status) + R"(,"response_time_ms":)" + std::to_string(ms) +
                  R"(,"target_payload_size_kb":1,"actual_payload_size_kb":1,)"
                  R"("time_window":"morning_peak","load_pattern":"low_load","metrics":{)"
                  R"("execution_time_ms":5,"memory_used_mb":128,"memory_limit_mb":128,)"
                  R"("cold_start":false})";
  if (!route.empty()) s += R"(,"route":)" + std::string(route);
  return s + "}";
}

TEST(OffPolicyRead, ALogWithoutPropensitiesIsAnErrorNamingTheField) {
  std::vector<std::string> lines(5, Line("lambda", 50, ""));
  lines.push_back(Line("ecs", 50, R"({"policy":"model","fallback":false})"));
  const OffPolicyLog log = ReadOffPolicyLines(lines);
  EXPECT_EQ(log.lines, 6u);
  EXPECT_TRUE(log.used.empty());
  ASSERT_EQ(log.skipped.size(), 1u);
  EXPECT_EQ(log.skipped[0].first, "missing field 'route.propensity'");
  EXPECT_EQ(log.skipped[0].second, 6u);
  const core::Status s = RequireUsable(log);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "route.propensity");
  EXPECT_NE(s.error().message.find("route.propensity"), std::string::npos);
}

TEST(OffPolicyRead, SkipsFallbacksZeroPropensitiesFailuresAndRedirectsWithReasons) {
  const std::vector<std::string> lines = {
      Line("lambda", 50, R"({"propensity":0.9,"source":"model","fallback":false,"attempt":1})"),
      Line("ecs", 50, R"({"propensity":0.1,"source":"explore","fallback":false,"attempt":1})"),
      Line("ecs", 50, R"({"propensity":1,"source":"fallback","fallback":true,"attempt":2})"),
      Line("ecs", 50, R"({"propensity":0,"source":"model","fallback":false})"),
      Line("lambda", 50, R"({"propensity":1,"source":"breaker","fallback":false})"),
      Line("lambda", 50, R"({"propensity":0.9,"source":"model"})", 502),
      Line("lambda", 50, R"({"propensity":"high","source":"model"})"),
      "not json",
  };
  const OffPolicyLog log = ReadOffPolicyLines(lines);
  EXPECT_EQ(log.used.size(), 2u);
  EXPECT_EQ(log.skipped_total(), 6u);
  std::map<std::string, uint64_t> why(log.skipped.begin(), log.skipped.end());
  EXPECT_EQ(why["fallback attempt (not the policy's choice)"], 1u);
  EXPECT_EQ(why["route.propensity is zero"], 1u);
  EXPECT_EQ(why["redirected (route.source breaker)"], 1u);
  EXPECT_EQ(why["failed attempt (http_status 502)"], 1u);
  EXPECT_EQ(why["field 'route.propensity' must be a number in (0, 1]"], 1u);
  EXPECT_EQ(why["not a measurement: not a JSON object"], 1u);
}

TEST(OffPolicyRead, ReportsTheLoggingModelsWithTheirCounts) {
  std::vector<std::string> lines;
  for (int i = 0; i < 3; ++i)
    lines.push_back(Line("lambda", 50, R"({"propensity":0.9,"model":"aaaa000000000001"})"));
  lines.push_back(Line("ecs", 50, R"({"propensity":0.1,"model":"bbbb000000000002"})"));
  const OffPolicyLog log = ReadOffPolicyLines(lines);
  ASSERT_EQ(log.models.size(), 2u);
  EXPECT_EQ(log.models[0], (std::pair<std::string, uint64_t>{"aaaa000000000001", 3}));
  EXPECT_EQ(log.models[1], (std::pair<std::string, uint64_t>{"bbbb000000000002", 1}));
  const auto r = EstimateOffPolicy(log.used, DefaultCandidates(nullptr), {});
  const std::string text = OffPolicyText(log, r);
  EXPECT_NE(text.find("Lines from 2 logging models"), std::string::npos) << text;
  EXPECT_NE(text.find("aaaa000000000001: 3"), std::string::npos) << text;
  const std::string json = OffPolicyJson(log, r);
  EXPECT_NE(json.find(R"("logging_models":[{"model":"aaaa000000000001","lines":3})"),
            std::string::npos)
      << json;
}

TEST(OffPolicyRead, TheTimeWindowKeepsLinesInside) {
  std::vector<std::string> lines = {
      Line("lambda", 50, R"({"propensity":0.5})"),
  };
  OffPolicyReadOptions o;
  o.since_us = INT64_MAX;
  const OffPolicyLog log = ReadOffPolicyLines(lines, o);
  EXPECT_TRUE(log.used.empty());
  EXPECT_EQ(log.skipped[0].first, "outside --since/--until");
}

// A uniform 50/50 logging policy over two platforms with fixed outcomes: every estimator finds
// each single-platform policy's value, and the ESS of a policy that matches half the lines at
// propensity 0.5 is half of them.
TEST(OffPolicyEstimate, RecoversFixedOutcomesUnderUniformLogging) {
  std::vector<std::string> lines;
  for (int i = 0; i < 400; ++i) {
    const bool lambda = (i * 7919) % 13 < 6 || i % 2 == 0;
    lines.push_back(Line(lambda ? "lambda" : "ecs", lambda ? 100 : 40, R"({"propensity":0.5})"));
  }
  const OffPolicyLog log = ReadOffPolicyLines(lines);
  ASSERT_EQ(log.used.size(), 400u);
  OffPolicyConfig cfg;
  cfg.bootstrap = 50;
  const auto r = EstimateOffPolicy(log.used, DefaultCandidates(nullptr), cfg);
  ASSERT_EQ(r.policies.size(), 2u);
  const PolicyEstimate& lam = r.policies[0];
  const PolicyEstimate& ecs = r.policies[1];
  EXPECT_EQ(lam.policy, "lambda-only");
  EXPECT_NEAR(lam.response_ms.snips.mean, 100, 1e-9);
  EXPECT_NEAR(ecs.response_ms.snips.mean, 40, 1e-9);
  EXPECT_NEAR(lam.response_ms.dr.mean, 100, 1e-6);  // the tables know each cell exactly
  EXPECT_NEAR(ecs.response_ms.dr.mean, 40, 1e-6);
  EXPECT_NEAR(lam.effective_sample_size, static_cast<double>(lam.matched), 1e-9);
  EXPECT_LE(lam.response_ms.ips.ci95[0], lam.response_ms.ips.mean);
  EXPECT_GE(lam.response_ms.ips.ci95[1], lam.response_ms.ips.mean);
  const std::string json = OffPolicyJson(log, r);
  EXPECT_NE(json.find(R"("off_policy":{"ips":{"response_time_ms":{"mean":)"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("cost_per_million_usd":{"seed-prorated":{"mean":)"), std::string::npos)
      << json;
}

// When not to trust an estimate: a small ESS and a matched propensity near the floor are each
// named, in the text and JSON outputs too; a well-explored policy has no caveat.
TEST(OffPolicyEstimate, CaveatsNameASmallSampleAndTinyPropensities) {
  PolicyEstimate p;
  p.policy = "ecs-only";
  p.effective_sample_size = 42;
  p.matched = 50;
  p.min_matched_propensity = 0.005;
  const auto why = TrustCaveats(p);
  ASSERT_EQ(why.size(), 2u);
  EXPECT_EQ(why[0], "effective sample size 42.0 is under 100: its intervals are themselves noisy");
  EXPECT_EQ(why[1],
            "a matched line has propensity 0.005 (weight 200), under 0.02: a few such lines swing "
            "IPS, SNIPS less, DR least");
  p.effective_sample_size = kMinTrustedEss;
  p.min_matched_propensity = kLowPropensity;
  EXPECT_TRUE(TrustCaveats(p).empty());
  p.effective_sample_size = 12;
  OffPolicyResult r;
  r.policies.push_back(p);
  OffPolicyLog log;
  EXPECT_NE(OffPolicyText(log, r).find("When not to trust these numbers:\n  ecs-only: effective "
                                       "sample size 12.0 is under 100"),
            std::string::npos);
  EXPECT_NE(OffPolicyJson(log, r).find(R"("caveats":["effective sample size 12.0 is under 100)"),
            std::string::npos);
}

// simulate's lines are route's schema: they read back with their propensities.
TEST(OffPolicyRead, SimulatedLinesReadBackWithPropensities) {
  sim::SimLine l;
  l.sequence = 7;
  l.arrival_s = 12.5;
  l.request.workload = features::Workload::kLightweightApi;
  l.request.payload_kb = 1;
  l.placed.platform = features::Platform::kEcs;
  l.placed.propensity = 0.1;
  l.placed.source = policy::Source::kExplore;
  l.platform = features::Platform::kEcs;
  l.response_ms = 42;
  l.execution_ms = 3;
  route::SimLineContext ctx;
  ctx.spec = *policy::ParsePolicy("model");
  ctx.model = 0x1234;
  ctx.start_hour = 10;
  const std::string line = route::FormatSimLine(l, ctx);
  EXPECT_NE(line.find(R"("propensity":0.1)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("timestamp":"2026-01-05T10:00:12.500000")"), std::string::npos) << line;
  const LineRead r = ReadOutcomeLine(line);
  ASSERT_TRUE(r.used) << r.skip;
  EXPECT_DOUBLE_EQ(r.used->propensity, 0.1);
  EXPECT_EQ(r.used->record.platform, features::Platform::kEcs);
  EXPECT_DOUBLE_EQ(r.used->record.response_time_ms, 42);
  EXPECT_EQ(r.model, "fnv1a64:0000000000001234");
}

}  // namespace
}  // namespace hr::eval
