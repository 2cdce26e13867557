// Black-box tests of `hybrid-router route`: the real binary in front of `emulate` (the real
// binary too) on real sockets, with real refused connections, throttles, timeouts and SIGTERM.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "http_client.h"
#include "route_fixtures.h"
#include "run_binary.h"

namespace hr::testing {
namespace {

TEST(Route, ForwardsToTheChosenPlatformAndLogsEveryAttemptAsAMeasurement) {
  ServerProcess emu = Emulate({"--time-scale", "0.001"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--policy", "model", "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  simdjson::dom::parser p;
  int n = 0;
  for (const std::string path :
       {"/heavy", "/heavy/process", "/lightweight", "/thumbnail/process"}) {
    const std::string workload = path.find("heavy") != std::string::npos   ? "heavy_processing"
                                 : path.find("light") != std::string::npos ? "lightweight_api"
                                                                           : "thumbnail_processing";
    auto r =
        Call(route.port(), "POST", path, Request(workload, 1024, "req-" + std::to_string(n++)));
    ASSERT_EQ(r.status, 200) << path << " " << r.body;
    // The platform's own answer, relayed, with the router's headers.
    simdjson::dom::element doc;
    ASSERT_EQ(p.parse(r.body).get(doc), simdjson::SUCCESS);
    EXPECT_EQ(doc["platform"].get_string().value(), r.headers["x-route-platform"]) << path;
    EXPECT_EQ(doc["workload_type"].get_string().value(), workload);
    EXPECT_EQ(doc["request_id"].get_string().value(), r.headers["x-request-id"]);
    EXPECT_EQ(r.headers["x-route-decision"], "model:latency");
    EXPECT_EQ(r.headers["x-route-fallback"], "false");
    EXPECT_EQ(r.headers["x-route-attempts"], "1");
    EXPECT_FALSE(r.headers["x-emulated-cell"].empty());  // the platform's headers come along
  }
  // The model decides by the request: a 5 MB heavy request goes to Lambda, a 1 KB lightweight one
  // to ECS (the built-in model's latency objective, from the measurements).
  EXPECT_EQ(Call(route.port(), "POST", "/heavy", Request("heavy_processing", 5120))
                .headers["x-route-platform"],
            "lambda");
  EXPECT_EQ(Call(route.port(), "POST", "/lightweight", Request("lightweight_api", 1))
                .headers["x-route-platform"],
            "ecs");
  // Fixed policies.
  StopCleanly(route);
  const auto attempts = Attempts(log);
  ASSERT_EQ(attempts.size(), 6u);
  for (const Attempt& a : attempts) {
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.outcome, "answered");
    EXPECT_FALSE(a.fallback);
    EXPECT_EQ(a.propensity, 1.0);
  }
  // `audit` reads the router's own traffic: every attempt a measurement.
  auto audit = RunCli("audit --json " + log.path);
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  simdjson::dom::element rep;
  ASSERT_EQ(p.parse(audit.out).get(rep), simdjson::SUCCESS) << audit.out;
  EXPECT_EQ(rep["summary"]["accepted"].get_int64().value(), 6);
  EXPECT_EQ(rep["summary"]["routed"]["attempts"].get_int64().value(), 6);
  EXPECT_EQ(rep["summary"]["routed"]["fallbacks"].get_int64().value(), 0);
}

TEST(Route, FixedPoliciesAndExplorationLogTheirPropensity) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  for (const auto& [policy, platform] :
       {std::pair<std::string, std::string>{"lambda-only", "lambda"}, {"ecs-only", "ecs"}}) {
    ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                                 Url(emu.port()), "--policy", policy});
    ASSERT_GT(route.port(), 0) << route.Stderr();
    for (const char* w : {"heavy", "lightweight"}) {
      auto r = Call(route.port(), "POST", std::string("/") + w, "{}");
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.headers["x-route-platform"], platform);
      EXPECT_EQ(r.headers["x-route-decision"], "policy:" + policy);
    }
  }
  LogDir log;
  ServerProcess route =
      Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()), "--policy",
             "model", "--explore", "1", "--seed", "3", "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  std::map<std::string, int> seen;
  for (int i = 0; i < 40; ++i) {
    auto r = Call(route.port(), "POST", "/heavy", Request("heavy_processing", 5120));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["x-route-decision"], "explore");
    ++seen[r.headers["x-route-platform"]];
  }
  EXPECT_GE(seen["lambda"], 8);  // 40 fair draws: each side at least 8 (p < 1e-4 otherwise)
  EXPECT_GE(seen["ecs"], 8);
  StopCleanly(route);
  for (const Attempt& a : Attempts(log)) EXPECT_EQ(a.propensity, 0.5);
}

TEST(Route, LambdaRefusingConnectionsMeansEcsServesEveryRequestAsAFallback) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  ServerProcess route =
      Route({"--lambda-url", Url(ClosedPort(), "/prod"), "--ecs-url", Url(emu.port()), "--policy",
             "lambda-only", "--breaker-failures", "0", "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  for (int i = 0; i < 10; ++i) {
    auto r = Call(route.port(), "POST", "/medium",
                  Request("medium_processing", 100, "r" + std::to_string(i)));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-route-platform"], "ecs");
    EXPECT_EQ(r.headers["x-route-fallback"], "true");
    EXPECT_EQ(r.headers["x-route-attempts"], "2");
  }
  StopCleanly(route);
  const auto attempts = Attempts(log);
  ASSERT_EQ(attempts.size(), 20u);  // both attempts of every request
  int refused = 0, served = 0;
  for (const Attempt& a : attempts) {
    if (a.platform == "lambda") {
      ++refused;
      EXPECT_EQ(a.status, 502);
      EXPECT_EQ(a.outcome, "not_run");
      EXPECT_EQ(a.attempt, 1);
      EXPECT_FALSE(a.fallback);
    } else {
      ++served;
      EXPECT_EQ(a.status, 200);
      EXPECT_EQ(a.attempt, 2);
      EXPECT_TRUE(a.fallback);
    }
  }
  EXPECT_EQ(refused, 10);
  EXPECT_EQ(served, 10);
  // `audit` accounts for the failed attempts as failed requests.
  auto audit = RunCli("audit --json " + log.path);
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  simdjson::dom::parser p;
  simdjson::dom::element rep;
  ASSERT_EQ(p.parse(audit.out).get(rep), simdjson::SUCCESS);
  simdjson::dom::element sum = rep["summary"];
  EXPECT_EQ(sum["accepted"].get_int64().value(), 10);
  EXPECT_EQ(sum["failed_requests"].get_int64().value(), 10);
  EXPECT_EQ(sum["routed"]["attempts"].get_int64().value(), 20);
  EXPECT_EQ(sum["routed"]["fallbacks"].get_int64().value(), 10);
  EXPECT_EQ(sum["routed"]["not_run"].get_int64().value(), 10);
}

TEST(Route, LambdaThrottlingFallsBackToEcs) {
  ServerProcess emu = Emulate({"--time-scale", "0", "--fault", "lambda:throttle:1"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  ServerProcess route =
      Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()), "--policy",
             "lambda-only", "--breaker-failures", "0"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  // The first request falls back after Lambda's 429; the throttle then sends the workload's next
  // requests straight to ECS for the back-off (emulate's 429 has no Retry-After).
  for (int i = 0; i < 5; ++i) {
    auto r = Call(route.port(), "POST", "/thumbnail", Request("thumbnail_processing", 512));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-route-platform"], "ecs");
    EXPECT_EQ(r.headers["x-route-fallback"], i == 0 ? "true" : "false");
    if (i > 0) {
      EXPECT_EQ(r.headers["x-route-decision"], "policy:lambda-only;throttled:lambda");
    }
  }
}

TEST(Route, ATimeoutOnANonIdempotentWorkloadIs504WithoutASecondAttempt) {
  ServerProcess emu = Emulate({"--time-scale", "1"});  // heavy requests take seconds
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  const std::string config = log.path + "/../hr_route_cfg_" + std::to_string(::getpid()) + ".json";
  std::ofstream(config) << R"({"lambda_url":")" << Url(emu.port(), "/prod") << R"(","ecs_url":")"
                        << Url(emu.port()) << R"(","workloads":{"heavy":{"timeout_ms":100,)"
                        << R"("idempotent":false},"medium":{"timeout_ms":100}}})";
  ServerProcess route =
      Route({"--config", config, "--policy", "lambda-only", "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  auto r = Call(route.port(), "POST", "/heavy", Request("heavy_processing", 5120));
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(r.headers["x-route-attempts"], "1");
  EXPECT_NE(r.body.find("upstream_timeout"), std::string::npos) << r.body;
  // An idempotent workload gets its one attempt on the other platform (which is slow too).
  r = Call(route.port(), "POST", "/medium", Request("medium_processing", 5120));
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(r.headers["x-route-attempts"], "2");
  StopCleanly(route);
  std::filesystem::remove(config);
  const auto attempts = Attempts(log);
  ASSERT_EQ(attempts.size(), 3u);
  for (const Attempt& a : attempts) {
    EXPECT_EQ(a.status, 504);
    EXPECT_EQ(a.outcome, "failed");
  }
}

TEST(Route, TheBreakerOpensSendsStraightToTheOtherPlatformAndClosesAfterAProbe) {
  ServerProcess ecs = Emulate({"--time-scale", "0"});
  ASSERT_GT(ecs.port(), 0) << ecs.Stderr();
  const int lambda_port = ClosedPort();
  ServerProcess route =
      Route({"--lambda-url", Url(lambda_port, "/prod"), "--ecs-url", Url(ecs.port()), "--policy",
             "lambda-only", "--breaker-failures", "3", "--breaker-open-ms", "300"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  for (int i = 0; i < 3; ++i) {
    auto r = Call(route.port(), "POST", "/medium", kMedium);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["x-route-fallback"], "true");
  }
  // Open: straight to ECS, not a fallback.
  auto r = Call(route.port(), "POST", "/medium", kMedium);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["x-route-decision"], "policy:lambda-only;breaker_open:lambda");
  EXPECT_EQ(r.headers["x-route-fallback"], "false");
  EXPECT_EQ(r.headers["x-route-attempts"], "1");
  // Other workloads' breakers are their own.
  EXPECT_EQ(Call(route.port(), "POST", "/heavy", "{}").headers["x-route-attempts"], "2");
  // Lambda comes back; after the open period one probe goes to it and closes the breaker.
  ServerProcess lambda = Emulate({"--time-scale", "0", "--port", std::to_string(lambda_port)});
  ASSERT_EQ(lambda.port(), lambda_port) << lambda.Stderr();
  std::string platform;
  for (int i = 0; i < 200 && platform != "lambda"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    platform = Call(route.port(), "POST", "/medium", kMedium).headers["x-route-platform"];
  }
  EXPECT_EQ(platform, "lambda");
  r = Call(route.port(), "POST", "/medium", kMedium);
  EXPECT_EQ(r.headers["x-route-platform"], "lambda");
  EXPECT_EQ(r.headers["x-route-decision"], "policy:lambda-only");
  auto metrics = Call(route.port(), "GET", "/metrics").body;
  EXPECT_NE(
      metrics.find(
          R"(hybrid_router_route_breaker_transitions_total{platform="lambda",state="open"} 1)"),
      std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(
          R"(hybrid_router_route_breaker_transitions_total{platform="lambda",state="closed"} 1)"),
      std::string::npos);
}

TEST(Route, TheRetryBudgetCapsFallbacks) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  // 20 % of the requests of the last 10 s, at least 0.5 per second (5 per window).
  ServerProcess route = Route({"--lambda-url", Url(ClosedPort(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--policy", "lambda-only", "--breaker-failures",
                               "0", "--retry-budget", "0.2", "--retry-floor", "0.5"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  int fallbacks = 0, refused = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = Call(route.port(), "POST", "/medium", kMedium);
    if (r.status == 200) {
      EXPECT_EQ(r.headers["x-route-fallback"], "true");
      ++fallbacks;
    } else {
      EXPECT_EQ(r.status, 502) << r.body;
      EXPECT_NE(r.body.find("upstream_unavailable"), std::string::npos) << r.body;
      ++refused;
    }
  }
  // 40 requests within a few seconds: max(0.2 x 40, 5) = 8 fallbacks.
  EXPECT_EQ(fallbacks, 8);
  EXPECT_EQ(refused, 32);
  auto metrics = Call(route.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(hybrid_router_route_fallbacks_denied_total{reason="budget"} 32)"),
            std::string::npos)
      << metrics;
}

TEST(Route, SigtermUnderLoadDrainsEveryRequestInFlight) {
  ServerProcess emu = Emulate({"--time-scale", "0.05"});  // a heavy request: about 0.35 s
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  std::vector<std::future<HttpResponse>> calls;
  for (int i = 0; i < 16; ++i) {
    calls.push_back(std::async(std::launch::async, [port = route.port(), i] {
      return Call(port, "POST", "/heavy",
                  Request("heavy_processing", 5120, "d" + std::to_string(i)));
    }));
  }
  // Wait until every request is upstream, then ask the router to stop.
  for (int i = 0; i < 500; ++i) {
    const std::string m = Call(route.port(), "GET", "/metrics").body;
    if (m.find("hybrid_router_route_upstream_in_flight 16") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  route.Signal(SIGTERM);
  for (auto& c : calls) {
    auto r = c.get();
    EXPECT_EQ(r.status, 200) << r.body;
  }
  EXPECT_EQ(route.Stop(SIGTERM), 0);
  EXPECT_EQ(Attempts(log).size(), 16u);  // every attempt written out on the way down
}

TEST(Route, BadRequestsAreClearErrors) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--max-body-mb", "1"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  simdjson::dom::parser p;
  auto field = [&p](const HttpResponse& r) {
    simdjson::dom::element e;
    if (p.parse(r.body).get(e)) return std::string("(not JSON) ") + r.body;
    std::string_view f;
    if (e["error"]["field"].get(f)) return std::string();
    return std::string(f);
  };
  auto r = Call(route.port(), "POST", "/heavy", "{not json");
  EXPECT_EQ(r.status, 400);
  // A misspelt metadata value is the workload's business: routed as if absent (not refused).
  r = Call(route.port(), "POST", "/heavy", R"({"metadata":{"time_window":"evning"}})");
  EXPECT_EQ(r.status, 200);
  r = Call(route.port(), "POST", "/heavy", Request("lightweight_api", 1));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(field(r), "workload_type");
  EXPECT_EQ(Call(route.port(), "GET", "/heavy").status, 405);
  EXPECT_EQ(Call(route.port(), "POST", "/huge").status, 404);
  EXPECT_EQ(Call(route.port(), "POST", "/heavy/process/x").status, 404);
  // Over --max-body-mb: 413, refused from its Content-Length before the body is read.
  Connection big(route.port());
  ASSERT_TRUE(big.Send("POST /heavy HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                       std::to_string((1 << 20) + 1) + "\r\n\r\n{"));
  EXPECT_EQ(big.Read().status, 413);
  // The service's routes are there too.
  EXPECT_EQ(Call(route.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(Call(route.port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(Call(route.port(), "POST", "/predict",
                 R"({"workload_type":"heavy_processing","payload_size_kb":5})")
                .status,
            200);
}

TEST(Route, BadOptionsAreErrorsNamingThem) {
  for (const auto& [args, says] : {
           std::pair<std::string, std::string>{"route --port 0", "no targets"},
           {"route --port 0 --lambda-url ftp://x", "--lambda-url"},
           {"route --port 0 --lambda-url http://x --policy fastest", "--policy 'fastest'"},
           {"route --port 0 --lambda-url http://x --time-zone Mars/Base", "time zone"},
           {"route --port 0 --lambda-url http://x --explore 2", "--explore"},
           {"route --port 0 --lambda-url http://x --learn yes", "--learn 'yes'"},
           {"route --port 0 --lambda-url http://x --policy spillover", "--ecs-capacity"},
           {"route --port 0 --lambda-url http://x --policy spillover --ecs-capacity 2 "
            "--replicas 2 --replica-index 2",
            "--replica-index"},
       }) {
    auto r = RunCli(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.err.find(says), std::string::npos) << args << ": " << r.err;
  }
}

// What the emulated ECS service of `workload` has seen (GET /emulate/ecs).
// `n` requests at once through each router port; the X-Route-Platform of every answer.
std::vector<std::string> Burst(const std::vector<int>& ports, int n, const std::string& body) {
  std::vector<std::future<HttpResponse>> calls;
  for (int port : ports)
    for (int i = 0; i < n; ++i)
      calls.push_back(std::async(std::launch::async,
                                 [port, &body] { return Call(port, "POST", "/heavy", body); }));
  std::vector<std::string> platforms;
  for (auto& c : calls) {
    HttpResponse r = c.get();
    EXPECT_EQ(r.status, 200) << r.body;
    platforms.push_back(r.headers["x-route-platform"] + " " + r.headers["x-route-decision"]);
  }
  return platforms;
}

// ECS (one task, two requests at once) answers heavy requests in about 0.8 s: eight at once
// through the router fill it with two and spill six to Lambda; nothing waits at ECS. The same
// burst with ecs-only queues there.
TEST(Route, SpillsToLambdaExactlyWhenTheEcsCapacityIsInUse) {
  const std::string body = Request("heavy_processing", 2048);
  {
    ServerProcess emu =
        Emulate({"--time-scale", "0.1", "--ecs-tasks", "1", "--ecs-concurrency", "2"});
    ASSERT_GT(emu.port(), 0) << emu.Stderr();
    LogDir log;
    ServerProcess route =
        Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()), "--policy",
               "spillover", "--ecs-capacity", "2", "--outcome-log", log.path});
    ASSERT_GT(route.port(), 0) << route.Stderr();
    const auto seen = Burst({route.port()}, 8, body);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), "ecs spillover:ecs"), 2);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), "lambda spillover:ecs_full"), 6);
    // ECS never ran more than its capacity, and nothing waited there (the two may not overlap
    // at ECS itself when one answer is drawn short).
    const EcsSeen ecs = SeenByEcs(emu.port(), "heavy_processing");
    EXPECT_LE(ecs.in_service_max, 2);
    EXPECT_EQ(ecs.waited, 0);
    // Every attempt logged with the reason.
    StopCleanly(route);
    const auto lines = log.Lines();
    ASSERT_EQ(lines.size(), 8u);
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [](const std::string& l) {
                              return l.find("\"spillover:ecs_full\"") != std::string::npos;
                            }),
              6);
    // Afterwards the slots are free again: the next request goes to ECS.
  }
  {
    ServerProcess emu =
        Emulate({"--time-scale", "0.1", "--ecs-tasks", "1", "--ecs-concurrency", "2"});
    ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                                 Url(emu.port()), "--policy", "ecs-only"});
    ASSERT_GT(route.port(), 0) << route.Stderr();
    Burst({route.port()}, 8, body);
    // All eight at ECS: those beyond its two slots wait (up to six; fewer when an early answer
    // frees a slot before the last requests arrive).
    const EcsSeen ecs = SeenByEcs(emu.port(), "heavy_processing");
    EXPECT_EQ(ecs.in_service_max, 2);
    EXPECT_GE(ecs.waited, 4);
  }
}

// A workload's own ecs_capacity in the route config beats the command line's, which the other
// workloads keep.
TEST(Route, EachWorkloadsCapacityCanComeFromTheConfig) {
  ServerProcess emu =
      Emulate({"--time-scale", "0.1", "--ecs-tasks", "1", "--ecs-concurrency", "3"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir dir;
  const std::string config = dir.path + "/route.json";
  std::ofstream(config) << R"({"lambda_url":")" << Url(emu.port(), "/prod") << R"(","ecs_url":")"
                        << Url(emu.port())
                        << R"(","workloads":{"heavy_processing":{"ecs_capacity":3}}})";
  ServerProcess route = Route({"--config", config, "--policy", "spillover", "--ecs-capacity", "1"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  const auto seen = Burst({route.port()}, 8, Request("heavy_processing", 2048));
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "ecs spillover:ecs"), 3);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "lambda spillover:ecs_full"), 5);
  EXPECT_LE(SeenByEcs(emu.port(), "heavy_processing").in_service_max, 3);
  auto bad = RunCli("route --port 0 --policy spillover --lambda-url http://l --ecs-url http://e");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("ecs_capacity"), std::string::npos) << bad.err;
}

TEST(Route, ReplicasShareTheEcsCapacity) {
  ServerProcess emu =
      Emulate({"--time-scale", "0.05", "--ecs-tasks", "1", "--ecs-concurrency", "3"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  auto router = [&](const char* index) {
    return std::vector<std::string>{"--lambda-url",    Url(emu.port(), "/prod"),
                                    "--ecs-url",       Url(emu.port()),
                                    "--policy",        "spillover",
                                    "--ecs-capacity",  "3",
                                    "--replicas",      "2",
                                    "--replica-index", index};
  };
  ServerProcess first = Route(router("0")), second = Route(router("1"));
  ASSERT_GT(first.port(), 0) << first.Stderr();
  ASSERT_GT(second.port(), 0) << second.Stderr();
  // Capacity 3 over two routers: shares 2 and 1.
  const auto seen = Burst({first.port(), second.port()}, 5, Request("heavy_processing", 2048));
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "ecs spillover:ecs"), 3);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "lambda spillover:ecs_full"), 7);
  const EcsSeen ecs = SeenByEcs(emu.port(), "heavy_processing");
  EXPECT_LE(ecs.in_service_max, 3);
  EXPECT_EQ(ecs.waited, 0);
}

// The capacity from ECS itself: the service's running tasks (DescribeServices, signed, checked by
// emulate as AWS checks it, as are the Lambda calls) times its requests per task, asked again every
// second, so the spill point follows the service as it scales out and in.
TEST(Route, TheSpillPointFollowsTheEcsServicesRunningTasks) {
  const char* key = "AKIDCAPACITYTEST";
  const char* secret = "capacity/Secret+Key0123";
  ServerProcess emu = Emulate({"--time-scale", "0.1", "--ecs-tasks", "1", "--ecs-concurrency", "2",
                               "--aws-access-key", key, "--aws-secret-key", secret});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir dir;
  const auto config = [&](const std::string& service) {
    const std::string path = dir.path + "/route-" + service + ".json";
    std::ofstream(path)
        << R"({"region":"eu-west-1","lambda_auth":"iam","ecs_cluster":"prod","ecs_api_endpoint":")"
        << Url(emu.port()) << R"(","lambda_url":")" << Url(emu.port(), "/prod")
        << R"(","ecs_url":")" << Url(emu.port())
        << R"(","workloads":{"heavy_processing":{"ecs_service":")" << service
        << R"(","ecs_task_concurrency":2}}})";
    return path;
  };
  const std::vector<std::string> env = {std::string("AWS_ACCESS_KEY_ID=") + key,
                                        std::string("AWS_SECRET_ACCESS_KEY=") + secret};
  ServerProcess route = Route(
      {"--config", config("hr-heavy"), "--policy", "spillover", "--ecs-discover-every-s", "1"},
      env);
  ASSERT_GT(route.port(), 0) << route.Stderr();
  const auto capacity = [&] {
    const std::string m = Call(route.port(), "GET", "/metrics").body;
    const std::string name = "hybrid_router_route_ecs_capacity{workload=\"heavy_processing\"} ";
    const size_t at = m.find(name);
    return at == std::string::npos ? -1 : std::atoi(m.c_str() + at + name.size());
  };
  const auto wait_for_capacity = [&](int want) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (capacity() != want && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return capacity();
  };
  const std::string body = Request("heavy_processing", 2048);
  EXPECT_EQ(capacity(), 2);  // known before the first request: one task x 2
  auto seen = Burst({route.port()}, 8, body);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "ecs spillover:ecs"), 2);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "lambda spillover:ecs_full"), 6);

  // ECS scales out to three tasks: within a poll the router uses all six slots.
  ASSERT_EQ(Call(emu.port(), "POST", "/emulate/ecs", R"({"tasks":3})").status, 200);
  ASSERT_EQ(wait_for_capacity(6), 6) << route.Stderr();
  seen = Burst({route.port()}, 8, body);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "ecs spillover:ecs"), 6);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "lambda spillover:ecs_full"), 2);
  const EcsSeen ecs = SeenByEcs(emu.port(), "heavy_processing");
  EXPECT_LE(ecs.in_service_max, 6);
  EXPECT_EQ(ecs.waited, 0);  // never more sent than the service ran

  // And back in: two slots again.
  ASSERT_EQ(Call(emu.port(), "POST", "/emulate/ecs", R"({"tasks":1})").status, 200);
  EXPECT_EQ(wait_for_capacity(2), 2);
  simdjson::dom::parser p;
  simdjson::dom::element aws;
  ASSERT_EQ(p.parse(Call(emu.port(), "GET", "/emulate/aws").body).get(aws), simdjson::SUCCESS);
  EXPECT_GE(aws["ecs_services_described"].get_int64().value(), 3);
  EXPECT_EQ(aws["refused"].get_object().size(), 0u);  // every call signed as ECS wants it
  StopCleanly(route);
  EXPECT_NE(route.Stderr().find("\"event\":\"ecs_capacity\""), std::string::npos);

  // A service ECS does not know stops the router at start, naming it; so does a wrong secret.
  const std::string run = "AWS_ACCESS_KEY_ID=" + std::string(key) + " AWS_SECRET_ACCESS_KEY=";
  auto missing = RunCli("", "",
                        run + secret + " " + HR_BINARY + " route --port 0 --policy spillover " +
                            "--config " + config("billing"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("workloads.heavy_processing.ecs_service"), std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("MISSING"), std::string::npos) << missing.err;
  auto wrong = RunCli("", "",
                      run + "Zq9WrongSecret " + HR_BINARY +
                          " route --port 0 --policy spillover --config " + config("hr-heavy"));
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("InvalidSignatureException"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find("Zq9WrongSecret"), std::string::npos)
      << "the secret is echoed: " << wrong.err;
}

// spillover-model: a free ECS slot is taken unless the objective prefers Lambda's predicted
// outcome (the built-in model's, as `predict` reports it for the same cell); a full one spills.
TEST(Route, SpilloverModelLeavesAFreeSlotWhenTheObjectivePrefersLambda) {
  ServerProcess emu =
      Emulate({"--time-scale", "0.1", "--ecs-tasks", "1", "--ecs-concurrency", "2"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  const auto route = [&](const char* objective) {
    return Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()),
                  "--policy", "spillover-model", "--objective", objective, "--ecs-capacity", "2"});
  };
  ServerProcess latency = route("latency");
  ASSERT_GT(latency.port(), 0) << latency.Stderr();
  std::set<std::string> predicted;
  for (const auto& [workload, path, kb] : {std::tuple{"heavy_processing", "/heavy", 2048},
                                           std::tuple{"medium_processing", "/medium", 1024}}) {
    const std::string cell = std::string(R"({"workload_type":")") + workload +
                             R"(","payload_size_kb":)" + std::to_string(kb) +
                             R"(,"time_window":"midday","load_pattern":"low_load"})";
    auto p = RunCli("predict --objective latency '" + cell + "'");
    ASSERT_EQ(p.exit_code, 0) << p.err;
    const std::string platform =
        p.out.find(R"("platform":"lambda")") != std::string::npos ? "lambda" : "ecs";
    predicted.insert(platform);
    auto r = Call(latency.port(), "POST", path,
                  std::string(R"({"workload_type":")") + workload +
                      R"(","metadata":{"target_size_kb":)" + std::to_string(kb) +
                      R"(,"time_window":"midday","load_pattern":"low_load"},"payload":"QUJD"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(
        r.headers["x-route-platform"] + " " + r.headers["x-route-decision"],
        platform == "lambda" ? "lambda spillover:objective_prefers_lambda" : "ecs spillover:ecs")
        << workload;
  }
  EXPECT_EQ(predicted.size(), 2u) << "the two cells should exercise both outcomes";
  // Left for Lambda, the slot stayed free: ECS never ran a heavy request.
  EXPECT_EQ(SeenByEcs(emu.port(), "heavy_processing").in_service_max, 0);

  // For cost a paid-for slot always wins; beyond the capacity requests spill as with spillover.
  ServerProcess cost = route("cost");
  ASSERT_GT(cost.port(), 0) << cost.Stderr();
  const auto seen = Burst({cost.port()}, 8, Request("heavy_processing", 2048));
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "ecs spillover:ecs"), 2);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "lambda spillover:ecs_full"), 6);

  auto bad = RunCli(
      "route --port 0 --lambda-url http://l --ecs-url http://e --ecs-capacity 2 "
      "--policy spillover-model --objective classifier");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("outcome tables"), std::string::npos) << bad.err;
}

// ECS is asked only under spill-over (no credentials needed otherwise), and an emulator without
// --ecs-tasks has no tasks to describe: the router says so and does not start.
TEST(Route, EcsServicesAreAskedOnlyUnderSpillover) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir dir;
  const std::string config = dir.path + "/route.json";
  std::ofstream(config) << R"({"region":"eu-west-1","ecs_api_endpoint":")" << Url(emu.port())
                        << R"(","lambda_url":")" << Url(emu.port(), "/prod") << R"(","ecs_url":")"
                        << Url(emu.port())
                        << R"(","workloads":{"heavy_processing":{"ecs_service":"hr-heavy",)"
                        << R"("ecs_task_concurrency":2}}})";
  ServerProcess model = Route({"--config", config, "--policy", "ecs-only"});
  ASSERT_GT(model.port(), 0) << model.Stderr();
  EXPECT_EQ(Call(model.port(), "POST", "/heavy", Request("heavy_processing", 10)).status, 200);
  auto r = RunCli("", "",
                  std::string("AWS_ACCESS_KEY_ID=AKIDX AWS_SECRET_ACCESS_KEY=s ") + HR_BINARY +
                      " route --port 0 --policy spillover --config " + config);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--ecs-tasks"), std::string::npos) << r.err;
}

// The sum of a labelled counter's values in Prometheus text.
double SumOf(const std::string& metrics, const std::string& name) {
  double sum = 0;
  for (size_t at = metrics.find("\n" + name + "{"); at != std::string::npos;
       at = metrics.find("\n" + name + "{", at + 1)) {
    const size_t space = metrics.find(' ', metrics.find('}', at));
    sum += std::atof(metrics.c_str() + space + 1);
  }
  return sum;
}

// "2026-12-06T16-50-10" or "2026-12-06T16:50:10" as seconds since the Unix epoch (UTC).
int64_t EpochOf(const std::string& t) {
  std::tm tm{};
  char sep = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d%c%2d%*c%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &sep, &tm.tm_min, &tm.tm_sec) != 7)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

// A router that runs for months: under load its outcome log rotates (by size here, every MB), every
// attempt is a line in exactly one file, whole, and the files are named by their first line's time.
// HR_ROTATION_SECONDS and HR_ROTATION_RATE (requests/s) make it a longer measurement; by default
// 4,000 requests as fast as 8 clients go.
TEST(Route, TheOutcomeLogRotatesUnderLoadWithEveryAttemptInExactlyOneFile) {
  const char* seconds_env = std::getenv("HR_ROTATION_SECONDS");
  const char* rate_env = std::getenv("HR_ROTATION_RATE");
  const double seconds = seconds_env ? std::atof(seconds_env) : 0;
  const double rate = rate_env ? std::atof(rate_env) : 0;
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  ServerProcess route =
      Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()),
             "--outcome-log", log.path, "--outcome-log-rotate-mb", "1", "--outcome-log-rotate-s",
             seconds > 0 ? "5" : "3600", "--outcome-log-flush-ms", "20"},
            {});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  constexpr int kClients = 8;
  const int per_client =
      seconds > 0 && rate > 0 ? static_cast<int>(seconds * rate / kClients) : 500;
  std::atomic<int> ok{0}, failed{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&, t] {
      std::unique_ptr<Connection> c;
      for (int i = 0; i < per_client; ++i) {
        if (rate > 0) {  // paced: request i of this client at its share of the rate
          std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(
                                                    1e6 * (i * kClients + t) / rate)));
        }
        if (!c || !c->ok()) c = std::make_unique<Connection>(route.port());
        const std::string id = "rot-" + std::to_string(t) + "-" + std::to_string(i);
        if (!c->Send(BuildRequest("POST", "/lightweight", Request("lightweight_api", 1, id)))) {
          ++failed;
          c.reset();
          continue;
        }
        const HttpResponse r = c->Read();
        (r.status == 200 ? ok : failed)++;
        if (r.status == 0) c.reset();
      }
    });
  }
  for (auto& c : clients) c.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string metrics = Call(route.port(), "GET", "/metrics").body;
  const double attempts = SumOf(metrics, "hybrid_router_route_attempts_total");
  StopCleanly(route);  // the rest of the log written out
  EXPECT_EQ(ok.load(), kClients * per_client);
  EXPECT_EQ(failed.load(), 0);
  // Every file: a name with its first line's time, whole lines only.
  simdjson::dom::parser p;
  std::set<std::pair<std::string, int64_t>> seen;
  size_t lines = 0, files = 0;
  for (const auto& e : std::filesystem::directory_iterator(log.path)) {
    ++files;
    const std::string name = e.path().filename().string();
    ASSERT_EQ(name.rfind("route-", 0), 0u) << name;
    ASSERT_EQ(name.substr(name.size() - 6), ".jsonl") << name;
    const std::string text = Slurp(e.path().string());
    ASSERT_FALSE(text.empty()) << name;
    ASSERT_EQ(text.back(), '\n') << name << " ends inside a line";
    bool first = true;
    for (size_t at = 0; at < text.size();) {
      const size_t nl = text.find('\n', at);
      simdjson::dom::element line;
      ASSERT_EQ(p.parse(text.substr(at, nl - at)).get(line), simdjson::SUCCESS) << name;
      at = nl + 1;
      ++lines;
      const std::string id(line["request_id"].get_string().value());
      EXPECT_TRUE(seen.insert({id, line["route"]["attempt"].get_int64().value()}).second)
          << id << " twice";
      if (first) {  // route-2026-12-06T16-50-10Z-...: when the first line was written
        const int64_t arrived = EpochOf(std::string(line["timestamp"].get_string().value()));
        const int64_t named = EpochOf(name.substr(6, 19));
        EXPECT_GE(named, arrived) << name;
        EXPECT_LE(named, arrived + 2) << name;
        first = false;
      }
    }
  }
  EXPECT_EQ(static_cast<double>(lines), attempts);
  EXPECT_GE(lines, static_cast<size_t>(kClients * per_client));
  EXPECT_GE(files, 3u);
  std::printf("[ rotation ] %d requests in %.2f s (%.0f/s), %zu lines in %zu files\n",
              kClients * per_client, elapsed, kClients * per_client / elapsed, lines, files);
}

// A workload without a Lambda target goes to ECS whatever the policy: said once at start, per
// workload, and the `listening` line shows each workload's targets.
TEST(Route, AWorkloadWithoutATargetIsSaidAtStart) {
  const int ecs = ClosedPort();
  ServerProcess route = Route({"--ecs-url", Url(ecs), "--policy", "lambda-only"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  StopCleanly(route);
  const std::string err = route.Stderr();
  for (const std::string w :
       {"lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing"}) {
    EXPECT_NE(err.find(R"("event":"no_target","workload":")" + w + R"(","platform":"lambda")"),
              std::string::npos)
        << w << "\n"
        << err;
  }
  EXPECT_NE(err.find(R"("heavy_processing":{"lambda":null,"ecs":")" + Url(ecs, "/heavy/process")),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace hr::testing
