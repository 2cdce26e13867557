// Black-box tests of `route --hedge` and of what the router sends beyond its first attempt
// (scripted_upstream.h): every send that reaches a platform is an outcome line and counted in
// /metrics (hedges, their losers cut off by shutdown, the loop client's resends), and hedges stay
// within their own share of the requests however low the rate.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <future>
#include <map>
#include <thread>
#include <vector>

#include "http_client.h"
#include "route_fixtures.h"
#include "run_binary.h"
#include "scripted_upstream.h"

namespace hr::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// An upstream answering every request with its request_id (so that the router may reuse its
// connections) after `delay_ms`.
ScriptedUpstream::Script Echo(int delay_ms) {
  return [delay_ms](const ScriptedUpstream::Seen& s) {
    ScriptedUpstream::Reply r;
    r.bytes = HttpAnswer(200, R"({"request_id":")" + JsonField(s.body, "request_id") + "\"}");
    r.delay_ms = delay_ms;
    return r;
  };
}

// Polls until `done` holds (10 s at most).
template <typename F>
bool Await(F done) {
  const auto until = steady_clock::now() + std::chrono::seconds(10);
  while (steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

// Lambda answers after 2 s, ECS at once; every request is hedged to ECS after 50 ms and answered
// from there. At SIGTERM ten Lambda attempts are still running: the router stops at once (its
// clients have their answers), and each of those losers is an outcome line `cut_off` with the
// time it ran (on the main before this, 10 lines: the losers were missing).
TEST(RouteHedging, TenHedgedRequestsInFlightAtSigtermGiveTwentyOutcomeLines) {
  for (const std::string client : {"loop", "libcurl"}) {
    SCOPED_TRACE(client);
    ScriptedUpstream lambda(Echo(2'000)), ecs(Echo(0));
    LogDir log;
    ServerProcess route =
        Route({"--lambda-url", Url(lambda.port()), "--ecs-url", Url(ecs.port()), "--policy",
               "lambda-only", "--hedge", "--hedge-after-ms", "50", "--hedge-share", "1",
               "--plain-http-client", client, "--outcome-log", log.path});
    ASSERT_GT(route.port(), 0) << route.Stderr();
    std::vector<std::future<HttpResponse>> calls;
    for (int i = 0; i < 10; ++i)
      calls.push_back(std::async(std::launch::async, [&route, i] {
        return Call(route.port(), "POST", "/lightweight",
                    Request("lightweight_api", 1, "h" + std::to_string(i)));
      }));
    for (auto& c : calls) {
      const HttpResponse r = c.get();
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.headers.at("x-route-platform"), "ecs");
      EXPECT_EQ(r.headers.at("x-route-hedged"), "true");
    }
    ASSERT_TRUE(Await(
        [&] { return Metric(route.port(), "hybrid_router_route_upstream_in_flight") == 10; }));
    const auto stopping = steady_clock::now();
    StopCleanly(route);
    EXPECT_LT(steady_clock::now() - stopping,
              std::chrono::seconds(3));  // the losers are not awaited
    simdjson::dom::parser p;
    std::map<std::string, int> cut_off, answered;
    for (const std::string& line : log.Lines()) {
      simdjson::dom::element e;
      ASSERT_EQ(p.parse(line).get(e), simdjson::SUCCESS) << line;
      const std::string id(e["request_id"].get_string().value());
      const std::string_view outcome = e["route"]["outcome"].get_string().value();
      if (outcome == "cut_off") {
        ++cut_off[id];
        EXPECT_EQ(e["platform"].get_string().value(), "lambda") << line;
        EXPECT_GE(e["response_time_ms"].get_double().value(), 50.0) << line;  // the time it ran
        EXPECT_EQ(e["route"]["attempt"].get_int64().value(), 1) << line;
      } else {
        EXPECT_EQ(outcome, "answered") << line;
        ++answered[id];
        EXPECT_EQ(e["platform"].get_string().value(), "ecs") << line;
        EXPECT_TRUE(e["route"]["hedge"].get_bool().value()) << line;
      }
    }
    EXPECT_EQ(log.Lines().size(), 20u);
    EXPECT_EQ(cut_off.size(), 10u);
    EXPECT_EQ(answered.size(), 10u);
  }
}

// One platform uniformly slower than the hedge delay (Lambda answers after 150 ms, hedges go
// after 50 ms): at 4 requests a second for 10 s, every request could be hedged. The hedges' own
// budget (--hedge-share 0.2 by default, no floor) lets at most a fifth through; on the main before
// this, the retry budget's floor of 3 a second hedged about three requests in four. The losers'
// time is counted in /metrics.
TEST(RouteHedging, AtFourRequestsASecondHedgesStayWithinTheirShare) {
  ScriptedUpstream lambda(Echo(150)), ecs(Echo(0));
  ServerProcess route = Route({"--lambda-url", Url(lambda.port()), "--ecs-url", Url(ecs.port()),
                               "--policy", "lambda-only", "--hedge", "--hedge-after-ms", "50"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  constexpr int kRequests = 40;
  const auto start = steady_clock::now();
  int hedged = 0;
  for (int i = 0; i < kRequests; ++i) {
    std::this_thread::sleep_until(start + milliseconds(250 * i));  // the load's pace: 4 per second
    const HttpResponse r = Call(route.port(), "POST", "/lightweight",
                                Request("lightweight_api", 1, "r" + std::to_string(i)));
    ASSERT_EQ(r.status, 200) << r.body;
    if (r.headers.count("x-route-hedged")) ++hedged;
  }
  EXPECT_EQ(lambda.requests.load(), kRequests);
  // The other platform's extra requests: the hedges, at most a fifth of the requests.
  EXPECT_LE(ecs.requests.load(), kRequests / 5);
  EXPECT_GE(ecs.requests.load(), 1);  // hedging still works within its share
  EXPECT_EQ(hedged, ecs.requests.load());
  ASSERT_TRUE(
      Await([&] { return Metric(route.port(), "hybrid_router_route_upstream_in_flight") == 0; }));
  EXPECT_EQ(Metric(route.port(), "hybrid_router_route_hedges_total{platform=\"ecs\"}"),
            ecs.requests.load());
  EXPECT_GT(
      Metric(route.port(), "hybrid_router_route_fallbacks_denied_total{reason=\"hedge_budget\"}"),
      kRequests / 2);
  // Every hedge won (ECS answers at once): each Lambda attempt behind it lost, ran ~150 ms.
  EXPECT_EQ(Metric(route.port(), "hybrid_router_route_hedge_losers_total{platform=\"lambda\"}"),
            ecs.requests.load());
  EXPECT_GE(
      Metric(route.port(), "hybrid_router_route_hedge_loser_seconds_total{platform=\"lambda\"}"),
      0.1 * ecs.requests.load());
  StopCleanly(route);
}

// The upstream closes a pooled connection 300 ms after reading a request, without answering (an
// idle timeout racing the call): the loop client sends the idempotent call again on a new
// connection. That first send may have run: it is an outcome line (failed, with the time it ran),
// counted in X-Route-Attempts and /metrics (on the main before this, none of the three).
TEST(RouteHedging, ALoopClientResendIsAnAttemptOfItsOwn) {
  ScriptedUpstream ecs([](const ScriptedUpstream::Seen& s) {
    ScriptedUpstream::Reply r;
    if (s.index == 3) {  // on the pooled connection of the second (the first, before the target
                         // was seen to echo ids, had one of its own)
      r.delay_ms = 300;
      r.close = true;
      return r;
    }
    r.bytes = HttpAnswer(200, R"({"request_id":")" + JsonField(s.body, "request_id") + "\"}");
    return r;
  });
  LogDir log;
  ServerProcess route =
      Route({"--ecs-url", Url(ecs.port()), "--policy", "ecs-only", "--plain-http-client", "loop",
             "--threads", "1", "--outcome-log", log.path});  // one loop: one pool
  ASSERT_GT(route.port(), 0) << route.Stderr();
  for (const std::string id : {"first", "pooled"}) {
    const HttpResponse r =
        Call(route.port(), "POST", "/lightweight", Request("lightweight_api", 1, id));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  const HttpResponse second =
      Call(route.port(), "POST", "/lightweight", Request("lightweight_api", 1, "second"));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(ecs.requests.load(), 4);
  EXPECT_EQ(ecs.connections.load(), 3);
  EXPECT_EQ(second.headers.at("x-route-attempts"), "2");
  EXPECT_EQ(Metric(route.port(), "hybrid_router_route_resent_total{platform=\"ecs\"}"), 1);
  StopCleanly(route);
  simdjson::dom::parser p;
  std::vector<std::string> outcomes;
  for (const std::string& line : log.Lines()) {
    simdjson::dom::element e;
    ASSERT_EQ(p.parse(line).get(e), simdjson::SUCCESS) << line;
    if (e["request_id"].get_string().value() != "second") continue;
    outcomes.emplace_back(e["route"]["outcome"].get_string().value());
    if (outcomes.back() == "failed") {
      EXPECT_GE(e["response_time_ms"].get_double().value(), 250.0) << line;
      EXPECT_NE(std::string(e["route"]["error"].get_string().value()).find("sent again"),
                std::string::npos)
          << line;
      EXPECT_EQ(e["route"]["attempt"].get_int64().value(), 1) << line;
    } else {
      EXPECT_EQ(e["route"]["attempt"].get_int64().value(), 2) << line;
    }
  }
  std::sort(outcomes.begin(), outcomes.end());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"answered", "failed"}));
}

}  // namespace
}  // namespace hr::testing
