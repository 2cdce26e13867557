// The router in-process (router_harness.h): a real loop and the router's own decision code, with a
// scripted platform behind it. What each case asserts is what a client or an operator sees: the
// answer, its X-Route-* headers, the calls each platform got, the outcome lines, /metrics.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "router_harness.h"

namespace hr::route::testing {
namespace {

bool ToLambda(const UpstreamRequest& r) { return r.url.starts_with("http://lambda/"); }

// An outcome line's route{} fields.
struct Line {
  std::string platform, outcome, decision, error;
  int attempt = 0, status = 0;
  bool fallback = false, hedge = false;
  double propensity = 0;
};
std::vector<Line> Lines(const std::vector<std::string>& raw) {
  std::vector<Line> out;
  simdjson::dom::parser p;
  for (const std::string& s : raw) {
    simdjson::dom::element e;
    EXPECT_EQ(p.parse(s).get(e), simdjson::SUCCESS) << s;
    Line l;
    l.platform = std::string(e["platform"].get_string().value());
    l.status = static_cast<int>(e["http_status"].get_int64().value());
    auto r = e["route"];
    l.outcome = std::string(r["outcome"].get_string().value());
    l.decision = std::string(r["decision"].get_string().value());
    l.attempt = static_cast<int>(r["attempt"].get_int64().value());
    l.fallback = r["fallback"].get_bool().value();
    l.propensity = r["propensity"].get_double().value();
    bool hedge = false;
    if (r["hedge"].get_bool().get(hedge) == simdjson::SUCCESS) l.hedge = hedge;
    std::string_view error;
    if (r["error"].get_string().get(error) == simdjson::SUCCESS) l.error = std::string(error);
    out.push_back(l);
  }
  std::sort(out.begin(), out.end(),
            [](const Line& a, const Line& b) { return a.attempt < b.attempt; });
  return out;
}

// ---- Fallback chains ----

TEST(Router, ARefusedConnectionToLambdaFallsBackToEcs) {
  RouterHarness h([](const UpstreamRequest& r) {
    return ToLambda(r) ? Fail(Failure::kConnect) : Answer(200, R"({"from":"ecs"})");
  });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"from":"ecs"})");
  EXPECT_EQ(Header(res, "X-Route-Platform"), "ecs");
  EXPECT_EQ(Header(res, "X-Route-Fallback"), "true");
  EXPECT_EQ(Header(res, "X-Route-Attempts"), "2");
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_TRUE(ToLambda(h.seen[0]));
  const auto lines = Lines(h.StopAndReadLog());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].outcome, "not_run");
  EXPECT_EQ(lines[0].status, 502);
  EXPECT_EQ(lines[0].error.substr(0, 16), "connect_failed: ");
  EXPECT_EQ(lines[1].outcome, "answered");
  EXPECT_TRUE(lines[1].fallback);
}

TEST(Router, AThrottledLambdaFallsBackForAnyWorkload) {
  RouterHarness h([](const UpstreamRequest& r) { return ToLambda(r) ? Answer(429) : Answer(200); },
                  [](RouterConfig& c) {
                    for (auto& w : c.targets.workloads) w.idempotent = false;
                  });
  const auto res = h.Send("/heavy", Workload("heavy_processing"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(Header(res, "X-Route-Platform"), "ecs");
}

TEST(Router, ATimeoutFallsBackOnlyForAnIdempotentWorkload) {
  auto script = [](const UpstreamRequest& r) {
    return ToLambda(r) ? Fail(Failure::kTimeout) : Answer(200);
  };
  RouterHarness idempotent(script);
  EXPECT_EQ(
      Header(idempotent.Send("/thumbnail", Workload("thumbnail_processing")), "X-Route-Platform"),
      "ecs");
  RouterHarness once(script, [](RouterConfig& c) {
    for (auto& w : c.targets.workloads) w.idempotent = false;
  });
  const auto res = once.Send("/thumbnail", Workload("thumbnail_processing"));
  EXPECT_EQ(res.status, 504);
  EXPECT_NE(res.body.find("upstream_timeout"), std::string::npos);
  EXPECT_EQ(once.seen.size(), 1u);  // may have run: not sent again
  EXPECT_EQ(MetricValue(once.Metrics(),
                        "hybrid_router_route_fallbacks_denied_total{reason=\"not_idempotent\"}"),
            1);
}

TEST(Router, AServerErrorIsRelayedWhenTheWorkloadMayNotRunTwice) {
  RouterHarness h([](const UpstreamRequest&) { return Answer(500, R"({"error":"boom"})"); },
                  [](RouterConfig& c) {
                    for (auto& w : c.targets.workloads) w.idempotent = false;
                  });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, R"({"error":"boom"})");  // the platform's own answer
  EXPECT_EQ(h.seen.size(), 1u);
}

TEST(Router, WhenBothPlatformsFailTheAnswerNamesBoth) {
  RouterHarness h([](const UpstreamRequest&) { return Fail(Failure::kConnect); });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(res.status, 502);
  EXPECT_NE(res.body.find("upstream_unavailable"), std::string::npos);
  EXPECT_NE(res.body.find("lambda: connect_failed"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("ecs: connect_failed"), std::string::npos) << res.body;
  EXPECT_EQ(h.seen.size(), 2u);  // one cross-platform attempt, never a third
}

// A refused credential (401, 403) and a target path the target does not serve (404, 405: a
// misconfigured URL) are configuration errors: answered 502 saying which, never retried
// elsewhere, counted, and never an outcome line (the next `train` must not learn from them; on
// the main before this a 404 was logged "answered").
TEST(Router, ARefusedCredentialOrAWrongPathIsAConfigurationErrorNeverAnOutcome) {
  for (const int status : {401, 403, 404, 405}) {
    SCOPED_TRACE(status);
    RouterHarness h(
        [status](const UpstreamRequest& r) { return ToLambda(r) ? Answer(status) : Answer(200); });
    const auto res = h.Send("/medium", Workload("medium_processing"));
    EXPECT_EQ(res.status, 502);
    EXPECT_NE(res.body.find("upstream_config_error"), std::string::npos);
    EXPECT_NE(res.body.find(status >= 404 ? "the target URL is wrong" : "credentials"),
              std::string::npos)
        << res.body;
    EXPECT_EQ(h.seen.size(), 1u);
    EXPECT_EQ(MetricValue(h.Metrics(),
                          "hybrid_router_route_attempts_total{platform=\"lambda\",verdict=\"config_"
                          "error\"}"),
              1);
    EXPECT_TRUE(Lines(h.StopAndReadLog()).empty());
  }
}

TEST(Router, WithoutATargetOnTheOtherPlatformAFailureIsTheAnswer) {
  RouterHarness h([](const UpstreamRequest&) { return Fail(Failure::kConnect); },
                  [](RouterConfig& c) { c.targets.workloads[2].url[1].clear(); });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(
      MetricValue(h.Metrics(), "hybrid_router_route_fallbacks_denied_total{reason=\"no_target\"}"),
      1);
}

TEST(Router, NoFallbackPastTheRequestsDeadline) {
  RouterHarness h(
      [](const UpstreamRequest& r) {
        return ToLambda(r) ? Fail(Failure::kConnect, 150) : Answer(200);
      },
      [](RouterConfig& c) {
        for (auto& w : c.targets.workloads) w.deadline_ms = 100;
      });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(
      MetricValue(h.Metrics(), "hybrid_router_route_fallbacks_denied_total{reason=\"deadline\"}"),
      1);
}

// ---- The retry budget ----

TEST(Router, TheRetryBudgetCapsFallbacks) {
  RouterHarness h(
      [](const UpstreamRequest& r) { return ToLambda(r) ? Fail(Failure::kConnect) : Answer(200); },
      [](RouterConfig& c) {
        c.budget = {0.0, 10, 0.3};
      });  // 3 per 10 s, no share
  int fell_back = 0, refused = 0;
  for (int i = 0; i < 6; ++i) {
    const auto res = h.Send("/medium", Workload("medium_processing", "r" + std::to_string(i)));
    (res.status == 200 ? fell_back : refused) += 1;
  }
  EXPECT_EQ(fell_back, 3);
  EXPECT_EQ(refused, 3);
  EXPECT_EQ(
      MetricValue(h.Metrics(), "hybrid_router_route_fallbacks_denied_total{reason=\"budget\"}"), 3);
}

// ---- Breakers ----

TEST(Router, AnOpenBreakerSendsRequestsStraightToTheOtherPlatform) {
  bool lambda_down = true;
  RouterHarness h(
      [&](const UpstreamRequest& r) {
        return ToLambda(r) && lambda_down ? Fail(Failure::kConnect) : Answer(200);
      },
      [](RouterConfig& c) {
        c.breaker = {3, 200};
      });
  for (int i = 0; i < 3; ++i) h.Send("/medium", Workload("medium_processing"));
  ASSERT_EQ(h.seen.size(), 6u);  // three failures, three fallbacks: the breaker opens
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(Header(res, "X-Route-Attempts"), "1");
  EXPECT_EQ(Header(res, "X-Route-Decision"), "policy:lambda-only;breaker_open:lambda");
  EXPECT_FALSE(ToLambda(h.seen.back()));
  // After the open time one probe goes to Lambda; its success closes the breaker.
  lambda_down = false;
  h.RunFor(250);
  const auto probe = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(Header(probe, "X-Route-Platform"), "lambda");
  EXPECT_EQ(Header(h.Send("/medium", Workload("medium_processing")), "X-Route-Decision"),
            "policy:lambda-only");
  EXPECT_EQ(MetricValue(h.Metrics(),
                        "hybrid_router_route_breaker_transitions_total{platform=\"lambda\","
                        "state=\"closed\"}"),
            1);
}

TEST(Router, WithBothBreakersOpenThePlacedPlatformIsTried) {
  RouterHarness h([](const UpstreamRequest&) { return Fail(Failure::kConnect); },
                  [](RouterConfig& c) {
                    c.breaker = {1, 60'000};
                  });
  h.Send("/medium", Workload("medium_processing"));  // both fail once: both open
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(Header(res, "X-Route-Decision"), "policy:lambda-only;breakers_open");
  EXPECT_TRUE(ToLambda(h.seen.back()));
}

// A half-open breaker's probe that the budget then refuses is handed back: the breaker stays
// half-open, one probe at a time (it used to close, on a probe never sent, and let every request
// through to a platform still down).
TEST(Router, AProbeNotSentLeavesItsBreakerHalfOpen) {
  RouterHarness h(
      [&](const UpstreamRequest& r) {
        return ToLambda(r) ? Fail(Failure::kConnect) : Fail(Failure::kConnect, 50);
      },
      [](RouterConfig& c) {
        c.breaker = {1, 100};
        c.budget = {0.0, 10, 0.1};  // one fallback per 10 s
      });
  h.Send("/medium", Workload("medium_processing"));  // lambda fails, ecs fallback fails: both open
  h.RunFor(150);                                     // both half-open
  // Lambda's probe fails; ECS's probe would be the fallback, but the budget is spent.
  EXPECT_EQ(h.Send("/medium", Workload("medium_processing")).status, 502);
  ASSERT_EQ(h.seen.size(), 3u);
  // Lambda is open again; ECS half-open: of two requests at once, one probes ECS, the other finds
  // both breakers closed to it and is tried where it was placed.
  auto a = h.Start("/medium", Workload("medium_processing", "a"));
  auto b = h.Start("/medium", Workload("medium_processing", "b"));
  h.RunUntil([&] { return a->answer->has_value() && b->answer->has_value(); });
  int to_ecs = 0;
  for (size_t i = 3; i < h.seen.size(); ++i) to_ecs += !ToLambda(h.seen[i]);
  EXPECT_EQ(to_ecs, 1);
  EXPECT_EQ(Header(**b->answer, "X-Route-Decision"), "policy:lambda-only;breakers_open");
}

// ---- Throttling ----

// Lambda throttles (429 with Retry-After: 1): the request falls back to ECS, and the workload's
// next requests go straight to ECS until the second is over, then Lambda again.
TEST(Router, AThrottledPlatformGetsNoRequestsForItsRetryAfter) {
  bool throttling = true;
  RouterHarness h([&](const UpstreamRequest& r) {
    if (r.url != "http://lambda/w2" || !throttling) return Answer(200);  // medium on Lambda
    Scripted s = Answer(429, R"({"message":"Rate exceeded"})");
    s.result.headers.emplace_back("retry-after", "1");
    return s;
  });
  auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(Header(res, "X-Route-Platform"), "ecs");
  EXPECT_EQ(Header(res, "X-Route-Fallback"), "true");
  for (int i = 0; i < 5; ++i) {
    res = h.Send("/medium", Workload("medium_processing"));
    EXPECT_EQ(Header(res, "X-Route-Decision"), "policy:lambda-only;throttled:lambda");
    EXPECT_EQ(Header(res, "X-Route-Attempts"), "1");
  }
  EXPECT_EQ(h.seen.size(), 7u);  // 429, fallback, then five straight to ECS
  // Another workload still goes to Lambda (its throttle is its own).
  EXPECT_EQ(Header(h.Send("/heavy", Workload("heavy_processing")), "X-Route-Platform"), "lambda");
  throttling = false;
  h.RunFor(1'050);
  EXPECT_EQ(Header(h.Send("/medium", Workload("medium_processing")), "X-Route-Platform"), "lambda");
  const std::string m = h.Metrics();
  EXPECT_EQ(MetricValue(m, "hybrid_router_route_throttled_total{platform=\"lambda\"}"), 1);
  EXPECT_EQ(MetricValue(m, "hybrid_router_route_throttle_redirects_total{platform=\"lambda\"}"), 5);
}

// ---- Placement ----

TEST(Router, APlatformWithoutATargetIsSkippedNotFailed) {
  RouterHarness h([](const UpstreamRequest&) { return Answer(200); },
                  [](RouterConfig& c) { c.targets.workloads[0].url[0].clear(); });
  const auto res = h.Send("/lightweight", Workload("lightweight_api"));
  EXPECT_EQ(Header(res, "X-Route-Decision"), "policy:lambda-only;no_target:lambda");
  EXPECT_EQ(Header(res, "X-Route-Fallback"), "false");
  const auto lines = Lines(h.StopAndReadLog());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].propensity, 1.0);
}

TEST(Router, ExplorationLogsTheProbabilityOfWhatItChose) {
  RouterHarness h([](const UpstreamRequest&) { return Answer(200); },
                  [](RouterConfig& c) {
                    c.policy.kind = policy::PolicyKind::kModel;
                    c.policy.text = "model";
                    c.explore = 1;
                  });
  std::map<std::string, int> seen;
  for (int i = 0; i < 40; ++i) {
    const auto res = h.Send("/heavy", Workload("heavy_processing", "e" + std::to_string(i)));
    EXPECT_EQ(Header(res, "X-Route-Decision"), "explore");
    ++seen[Header(res, "X-Route-Platform")];
  }
  EXPECT_GE(seen["lambda"], 8);  // 40 fair draws: each side at least 8 (p < 1e-4 otherwise)
  EXPECT_GE(seen["ecs"], 8);
  for (const Line& l : Lines(h.StopAndReadLog())) EXPECT_EQ(l.propensity, 0.5);
}

TEST(Router, ASplitSendsItsShareAndLogsIt) {
  RouterHarness h([](const UpstreamRequest&) { return Answer(200); },
                  [](RouterConfig& c) { c.policy = *policy::ParsePolicy("split:0.25"); });
  int lambda = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string id = std::to_string(i);
    lambda += Header(h.Send("/medium", Workload("medium_processing", id)), "X-Route-Platform") ==
              "lambda";
  }
  EXPECT_NEAR(lambda, 100, 30);  // binomial(400, 0.25): sd 8.7; 3.5 sd
  for (const Line& l : Lines(h.StopAndReadLog())) {
    EXPECT_EQ(l.decision, "policy:split");
    EXPECT_EQ(l.propensity, l.platform == "lambda" ? 0.25 : 0.75);
  }
}

// ---- Hedging ----

TEST(Router, AHedgeAnswersWhenTheFirstAttemptIsSlowAndBothAreLogged) {
  RouterHarness h(
      [](const UpstreamRequest& r) {
        return ToLambda(r) ? Answer(200, R"({"from":"lambda"})", 300)
                           : Answer(200, R"({"from":"ecs"})", 10);
      },
      [](RouterConfig& c) {
        c.hedge = true;
        c.hedge_after_ms = 50;
        c.hedge_share = 1;  // one request: a share of it
      });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(res.body, R"({"from":"ecs"})");
  EXPECT_EQ(Header(res, "X-Route-Hedged"), "true");
  EXPECT_EQ(Header(res, "X-Route-Attempts"), "2");
  h.RunFor(350);  // the slower attempt ends: it is logged too (both were billed)
  const auto lines = Lines(h.StopAndReadLog());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].platform, "ecs");
  EXPECT_TRUE(lines[1].hedge);
  EXPECT_EQ(lines[0].outcome, "answered");
}

TEST(Router, AHedgeTheBudgetRefusesIsNotSent) {
  RouterHarness h(
      [](const UpstreamRequest& r) { return ToLambda(r) ? Answer(200, "{}", 200) : Answer(200); },
      [](RouterConfig& c) {
        c.hedge = true;
        c.hedge_after_ms = 20;
        c.budget = {0.0, 10, 0.0};
      });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(Header(res, "X-Route-Platform"), "lambda");
  EXPECT_EQ(Header(res, "X-Route-Hedged"), "");
  EXPECT_EQ(h.seen.size(), 1u);
}

// ---- Spill-over ----

TEST(Router, SpilloverKeepsTheEcsShareAndSendsTheRestToLambda) {
  RouterHarness h([](const UpstreamRequest&) { return Answer(200, "{}", 100); },
                  [](RouterConfig& c) {
                    c.policy = *policy::ParsePolicy("spillover");
                    c.ecs_capacity.fill(2);
                  });
  std::vector<std::shared_ptr<TestRequest>> burst;
  for (int i = 0; i < 5; ++i)
    burst.push_back(h.Start("/heavy", Workload("heavy_processing", "b" + std::to_string(i))));
  h.RunUntil([&] {
    for (auto& r : burst)
      if (!r->answer->has_value()) return false;
    return true;
  });
  int ecs = 0;
  for (auto& r : burst) ecs += Header(**r->answer, "X-Route-Platform") == "ecs";
  EXPECT_EQ(ecs, 2);
  EXPECT_EQ(
      MetricValue(h.Metrics(), "hybrid_router_route_spilled_total{workload=\"heavy_processing\"}"),
      3);
  // The slots came back: the next two go to ECS again.
  EXPECT_EQ(Header(h.Send("/heavy", Workload("heavy_processing")), "X-Route-Platform"), "ecs");
}

// A hedge the budget refuses must not give back the slot its first attempt holds at ECS: with one
// slot, a second request while the first runs must spill (issue: the slot was released, and ECS
// got more requests than its capacity).
TEST(Router, AHedgeRefusedByTheBudgetKeepsTheFirstAttemptsEcsSlot) {
  int ecs_now = 0, ecs_max = 0;
  RouterHarness h(
      [&](const UpstreamRequest& r) {
        if (!ToLambda(r)) ecs_max = std::max(ecs_max, ++ecs_now);
        return Answer(200, "{}", ToLambda(r) ? 10 : 300);
      },
      [](RouterConfig& c) {
        c.policy = *policy::ParsePolicy("spillover");
        c.ecs_capacity.fill(1);
        c.hedge = true;
        c.hedge_after_ms = 30;
        c.budget = {0.0, 10, 0.0};  // every hedge refused
      });
  auto first = h.Start("/heavy", Workload("heavy_processing", "first"));
  h.RunFor(100);  // the hedge was refused meanwhile
  const auto second = h.Send("/heavy", Workload("heavy_processing", "second"));
  EXPECT_EQ(Header(second, "X-Route-Platform"), "lambda");
  EXPECT_EQ(Header(second, "X-Route-Decision"), "spillover:ecs_full");
  h.RunUntil([&] { return first->answer->has_value(); });
  EXPECT_EQ(ecs_max, 1);
}

// ---- What the log and the client see ----

TEST(Router, AStrayAnswerIsAFailureThatSaysSo) {
  RouterHarness h([](const UpstreamRequest& r) {
    if (!ToLambda(r)) return Answer(200);
    Scripted s = Fail(Failure::kStray);
    s.result.message = "the answer is another request's";
    return s;
  });
  const auto res = h.Send("/medium", Workload("medium_processing"));
  EXPECT_EQ(Header(res, "X-Route-Platform"), "ecs");  // idempotent: may have run, sent elsewhere
  const auto lines = Lines(h.StopAndReadLog());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].outcome, "failed");
  EXPECT_EQ(lines[0].error, "stray_answer: the answer is another request's");
}

TEST(Router, RequestsTheRouterRefusesAreCounted) {
  RouterHarness h([](const UpstreamRequest&) { return Answer(200); });
  EXPECT_EQ(h.Send("/medium", "{not json").status, 400);
  EXPECT_EQ(h.Send("/medium", Workload("heavy_processing")).status, 400);  // disagrees
  EXPECT_TRUE(h.seen.empty());
  EXPECT_EQ(MetricValue(h.Metrics(), "hybrid_router_route_refused_total"), 2);
}

TEST(Router, TheCallCarriesTheRequestAndItsIds) {
  RouterHarness h([](const UpstreamRequest&) { return Answer(200); });
  h.Send("/thumbnail", Workload("thumbnail_processing", "req-42"));
  ASSERT_EQ(h.seen.size(), 1u);
  const UpstreamRequest& r = h.seen[0];
  EXPECT_EQ(r.url, "http://lambda/w1");
  EXPECT_EQ(*r.body, Workload("thumbnail_processing", "req-42"));  // unchanged
  EXPECT_EQ(r.request_id, "req-42");
  EXPECT_EQ(r.body_request_id, "req-42");
  EXPECT_NE(std::find(r.headers.begin(), r.headers.end(), "X-Request-Id: req-42"), r.headers.end());
  EXPECT_TRUE(r.idempotent);
}

}  // namespace
}  // namespace hr::route::testing
