// Black-box tests of `route` calling Lambda functions by name: the real binary signs each Invoke
// API call with SigV4 (libcurl) and `emulate` verifies the signature as Lambda does (the Python
// test holds that check against botocore); temporary credentials come from emulate's stand-in of
// the ECS container credentials endpoint. Also hedging against slow Lambda answers.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "http_client.h"
#include "parse_json.h"
#include "route_fixtures.h"
#include "run_binary.h"

namespace hr::testing {
namespace {

constexpr const char* kKey = "AKIDROUTETEST";
constexpr const char* kSecret = "test/Secret+Key0123456789";
const std::vector<std::string> kWorkloads = {"lightweight_api", "thumbnail_processing",
                                             "medium_processing", "heavy_processing"};

// A route config calling every workload's function (hr-{short name}) at the emulator.
std::string WriteConfig(const LogDir& dir, int emu_port, const std::string& extra = "") {
  const std::string path =
      dir.path + "/../" + std::filesystem::path(dir.path).filename().string() + "-route.json";
  std::ofstream out(path);
  out << R"({"region":"eu-west-1","lambda_endpoint":")" << Url(emu_port) << R"(","ecs_url":")"
      << Url(emu_port) << R"(")" << extra << R"(,"workloads":{)";
  for (size_t i = 0; i < kWorkloads.size(); ++i) {
    const std::string short_name = kWorkloads[i].substr(0, kWorkloads[i].find('_'));
    out << (i ? "," : "") << '"' << kWorkloads[i] << R"(":{"lambda_function":"hr-)" << short_name
        << R"(","lambda_qualifier":"live"})";
  }
  out << "}}";
  return path;
}

std::string PathOf(const std::string& workload) {
  return std::string("/") + workload.substr(0, workload.find('_'));
}

std::vector<std::string> EnvKey(const std::string& secret = kSecret) {
  return {std::string("AWS_ACCESS_KEY_ID=") + kKey, std::string("AWS_SECRET_ACCESS_KEY=") + secret};
}

TEST(RouteAws, CallsFunctionsByNameSignedAndLogsTheirReportLine) {
  // Every environment starts cold: each REPORT line has an Init Duration.
  ServerProcess emu = Emulate({"--time-scale", "0.001", "--aws-access-key", kKey,
                               "--aws-secret-key", kSecret, "--fault", "lambda:cold:1:100"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  const std::string config = WriteConfig(log, emu.port());
  ServerProcess route =
      Route({"--config", config, "--policy", "lambda-only", "--outcome-log", log.path}, EnvKey());
  ASSERT_GT(route.port(), 0) << route.Stderr();
  simdjson::dom::parser p;
  for (const std::string& w : kWorkloads) {
    auto r = Call(route.port(), "POST", PathOf(w), Request(w, 100, std::string("aws-") + w));
    ASSERT_EQ(r.status, 200) << w << " " << r.body;
    EXPECT_EQ(r.headers["x-route-platform"], "lambda");
    // The function's own answer, unwrapped from the proxy result.
    auto doc = Json(p, r.body);
    EXPECT_EQ(doc["platform"].get_string().value(), "lambda");
    EXPECT_EQ(doc["workload_type"].get_string().value(), w);
    EXPECT_EQ(doc["request_id"].get_string().value(), std::string("aws-") + w);
    EXPECT_EQ(r.headers["content-type"], "application/json");
  }
  auto aws = Json(p, Call(emu.port(), "GET", "/emulate/aws").body);
  EXPECT_EQ(aws["verified"].get_int64().value(), 4);
  EXPECT_EQ(aws["refused"].get_object().size(), 0u);
  StopCleanly(route);
  // Each attempt's REPORT line: billed duration, configured memory, memory used.
  const auto lines = log.Lines();
  ASSERT_EQ(lines.size(), 4u);
  for (const std::string& line : lines) {
    auto e = Json(p, line);
    auto report = e["route"]["lambda_report"];
    EXPECT_GT(report["billed_duration_ms"].get_double().value(), 0) << line;
    EXPECT_GT(report["memory_size_mb"].get_double().value(), 0) << line;
    EXPECT_GT(report["init_duration_ms"].get_double().value(), 0) << line;
    EXPECT_TRUE(e["metrics"]["cold_start"].get_bool().value()) << line;
    EXPECT_EQ(e["route"]["outcome"].get_string().value(), "answered");
  }
  auto audit = RunCli(std::string("audit --json ") + log.path);  // still measurements `audit` reads
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_EQ(Json(p, audit.out)["summary"]["accepted"].get_int64().value(), 4);
}

// lambda_auth "iam": the prototype's stage URLs signed too (a Function URL with IAM auth, an
// AWS_IAM stage); unsigned, the same URL refuses the router (a configuration error).
TEST(RouteAws, IamProtectedLambdaUrlsAreSignedToo) {
  ServerProcess emu =
      Emulate({"--time-scale", "0", "--aws-access-key", kKey, "--aws-secret-key", kSecret});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  const std::string config = log.path + "-iam.json";
  std::ofstream(config) << R"({"region":"eu-west-1","lambda_auth":"iam","lambda_url":")"
                        << Url(emu.port(), "/prod") << R"(","ecs_url":")" << Url(emu.port())
                        << R"("})";
  ServerProcess route =
      Route({"--config", config, "--policy", "lambda-only", "--outcome-log", log.path}, EnvKey());
  ASSERT_GT(route.port(), 0) << route.Stderr();
  auto r = Call(route.port(), "POST", "/heavy", Request("heavy_processing", 100));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-route-platform"], "lambda");
  StopCleanly(route);
  simdjson::dom::parser p;
  EXPECT_EQ(log.Lines().size(), 1u);
  ServerProcess unsigned_route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                                        Url(emu.port()), "--policy", "lambda-only"});
  ASSERT_GT(unsigned_route.port(), 0) << unsigned_route.Stderr();
  auto refused = Call(unsigned_route.port(), "POST", "/heavy", Request("heavy_processing", 100));
  EXPECT_EQ(refused.status, 502) << refused.body;
  EXPECT_NE(refused.body.find("upstream_config_error"), std::string::npos);
  auto aws = Json(p, Call(emu.port(), "GET", "/emulate/aws").body);
  EXPECT_EQ(aws["verified"].get_int64().value(), 1);
  EXPECT_EQ(aws["refused"]["missing"].get_int64().value(), 1);
}

TEST(RouteAws, FunctionErrorsAndThrottlesAreJudgedAsLambdaReportsThem) {
  LogDir log;
  simdjson::dom::parser p;
  {  // X-Amz-Function-Error: the function ran and failed; idempotent, so ECS gets it.
    ServerProcess emu = Emulate({"--time-scale", "0", "--aws-access-key", kKey, "--aws-secret-key",
                                 kSecret, "--fault", "lambda:error:1"});
    ASSERT_GT(emu.port(), 0) << emu.Stderr();
    ServerProcess route = Route({"--config", WriteConfig(log, emu.port()), "--policy",
                                 "lambda-only", "--breaker-failures", "0"},
                                EnvKey());
    ASSERT_GT(route.port(), 0) << route.Stderr();
    auto r = Call(route.port(), "POST", "/medium", kMedium);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-route-platform"], "ecs");
    EXPECT_EQ(r.headers["x-route-fallback"], "true");
    // Not idempotent: the failure is the answer, named, and ECS is not tried.
    const std::string config = WriteConfig(log, emu.port(), R"(,"idempotent":false)");
    ServerProcess strict =
        Route({"--config", config, "--policy", "lambda-only", "--breaker-failures", "0"}, EnvKey());
    ASSERT_GT(strict.port(), 0) << strict.Stderr();
    auto f = Call(strict.port(), "POST", "/medium", kMedium);
    EXPECT_EQ(f.status, 502) << f.body;
    EXPECT_EQ(f.headers["x-route-attempts"], "1");
    EXPECT_NE(f.body.find("lambda_function_error"), std::string::npos) << f.body;
    EXPECT_NE(f.body.find("X-Amz-Function-Error: Unhandled"), std::string::npos) << f.body;
  }
  {  // 429 TooManyRequestsException: not run, so even a non-idempotent request falls back.
    ServerProcess emu = Emulate({"--time-scale", "0", "--aws-access-key", kKey, "--aws-secret-key",
                                 kSecret, "--fault", "lambda:throttle:1"});
    ASSERT_GT(emu.port(), 0) << emu.Stderr();
    ServerProcess route =
        Route({"--config", WriteConfig(log, emu.port(), R"(,"idempotent":false)"), "--policy",
               "lambda-only", "--breaker-failures", "0", "--outcome-log", log.path},
              EnvKey());
    ASSERT_GT(route.port(), 0) << route.Stderr();
    auto r = Call(route.port(), "POST", "/heavy", Request("heavy_processing", 512, "thr"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-route-platform"], "ecs");
    StopCleanly(route);
    const auto attempts = Attempts(log);
    ASSERT_EQ(attempts.size(), 2u);
    EXPECT_EQ(attempts[0].outcome, "not_run");
    EXPECT_EQ(attempts[0].status, 429);
    EXPECT_EQ(attempts[1].platform, "ecs");
    EXPECT_TRUE(attempts[1].fallback);
  }
}

// The transport rules hold on the Invoke path too: a timeout on a non-idempotent workload is a 504
// without a second attempt; a request whose proxy event exceeds Invoke's 6 MB (a body just under
// the router's own 6 MiB limit, wrapped) is refused 413 by Lambda, did not run, and ECS serves it.
TEST(RouteAws, TimeoutsAndOversizedEventsFollowTheFallbackRules) {
  {
    ServerProcess emu =
        Emulate({"--time-scale", "1", "--aws-access-key", kKey, "--aws-secret-key", kSecret});
    ASSERT_GT(emu.port(), 0) << emu.Stderr();
    LogDir log;
    ServerProcess route =
        Route({"--config", WriteConfig(log, emu.port(), R"(,"timeout_ms":100,"idempotent":false)"),
               "--policy", "lambda-only"},
              EnvKey());
    ASSERT_GT(route.port(), 0) << route.Stderr();
    auto r = Call(route.port(), "POST", "/heavy", Request("heavy_processing", 5120));
    EXPECT_EQ(r.status, 504) << r.body;
    EXPECT_EQ(r.headers["x-route-attempts"], "1");
  }
  ServerProcess emu =
      Emulate({"--time-scale", "0", "--aws-access-key", kKey, "--aws-secret-key", kSecret});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  ServerProcess route = Route({"--config", WriteConfig(log, emu.port(), R"(,"idempotent":false)"),
                               "--policy", "lambda-only", "--outcome-log", log.path},
                              EnvKey());
  ASSERT_GT(route.port(), 0) << route.Stderr();
  std::string body = R"({"workload_type":"heavy_processing","metadata":{"target_size_kb":6144},)"
                     R"("payload":")";
  body.append(6'291'300 - body.size() - 2, 'A');
  body += "\"}";
  auto r = Call(route.port(), "POST", "/heavy", body);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.headers["x-route-platform"], "ecs");
  EXPECT_EQ(r.headers["x-route-fallback"], "true");
  StopCleanly(route);
  const auto attempts = Attempts(log);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].status, 413);
  EXPECT_EQ(attempts[0].outcome, "not_run");
}

// Signed calls with large bodies have their proxy event and payload hash made off the event loop
// (from 256 KB): with one router thread, 1 MB calls and small ones in flight together are each
// answered by their own function call, every signature verifies, and /metrics counts the large
// ones (only) as prepared off the loop; for each plain-HTTP client.
TEST(RouteAws, LargeSignedBodiesArePreparedOffTheEventLoop) {
  for (const std::string client : {"loop", "libcurl"}) {
    SCOPED_TRACE(client);
    ServerProcess emu =
        Emulate({"--time-scale", "0", "--aws-access-key", kKey, "--aws-secret-key", kSecret});
    ASSERT_GT(emu.port(), 0) << emu.Stderr();
    LogDir log;
    ServerProcess route =
        Route({"--config", WriteConfig(log, emu.port()), "--policy", "lambda-only", "--threads",
               "1", "--max-body-mb", "2", "--plain-http-client", client},
              EnvKey());
    ASSERT_GT(route.port(), 0) << route.Stderr();
    constexpr int kLarge = 6, kSmall = 6;
    std::vector<std::future<bool>> calls;
    for (int i = 0; i < kLarge + kSmall; ++i) {
      calls.push_back(std::async(std::launch::async, [&route, i] {
        const bool large = i % 2 == 0;
        const std::string id = std::string(large ? "large-" : "small-") + std::to_string(i);
        std::string body = Request("medium_processing", large ? 1024 : 100, id);
        if (large) body.insert(body.find("QUJD"), std::string(1 << 20, 'Q'));
        auto r = Call(route.port(), "POST", "/medium", body);
        simdjson::dom::parser p;
        simdjson::dom::element e;
        const bool ok = r.status == 200 && p.parse(r.body).get(e) == simdjson::SUCCESS &&
                        e["request_id"].get_string().value() == id;
        EXPECT_TRUE(ok) << id << ": " << r.status << " " << r.body.substr(0, 300);
        return ok;
      }));
    }
    for (auto& c : calls) EXPECT_TRUE(c.get());
    simdjson::dom::parser p;
    auto aws = Json(p, Call(emu.port(), "GET", "/emulate/aws").body);
    EXPECT_EQ(aws["verified"].get_int64().value(), kLarge + kSmall);
    EXPECT_EQ(aws["refused"].get_object().size(), 0u);
    EXPECT_EQ(Metric(route.port(), "hybrid_router_route_prepared_off_loop_total"), kLarge);
  }
}

TEST(RouteAws, AWrongSecretIsAConfigErrorNeverAFallbackAndNeverEchoed) {
  ServerProcess emu =
      Emulate({"--time-scale", "0", "--aws-access-key", kKey, "--aws-secret-key", kSecret});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  const std::string wrong = "wrong/Secret+000";
  ServerProcess route =
      Route({"--config", WriteConfig(log, emu.port()), "--policy", "lambda-only"}, EnvKey(wrong));
  ASSERT_GT(route.port(), 0) << route.Stderr();
  for (int i = 0; i < 3; ++i) {
    auto r = Call(route.port(), "POST", "/heavy", Request("heavy_processing", 10));
    EXPECT_EQ(r.status, 502) << r.body;
    EXPECT_NE(r.body.find("upstream_config_error"), std::string::npos) << r.body;
    EXPECT_EQ(r.headers["x-route-attempts"], "1");
    EXPECT_EQ(r.body.find(wrong), std::string::npos);
  }
  simdjson::dom::parser p;
  auto aws = Json(p, Call(emu.port(), "GET", "/emulate/aws").body);
  EXPECT_EQ(aws["refused"]["signature"].get_int64().value(), 3);
  EXPECT_EQ(SeenByEcs(emu.port(), "heavy_processing").in_service_max, 0);  // no fallback
  const std::string metrics = Call(route.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(platform="lambda",verdict="config_error"} 3)"), std::string::npos)
      << metrics;
  StopCleanly(route);
  const std::string err = route.Stderr();
  // Logged once per interval, with Lambda's reason, and never the secret.
  size_t logged = 0;
  for (size_t at = 0; (at = err.find("upstream_config_error", at)) != std::string::npos; ++at)
    ++logged;
  EXPECT_EQ(logged, 1u) << err;
  EXPECT_NE(err.find("InvalidSignatureException"), std::string::npos) << err;
  EXPECT_EQ(err.find(wrong), std::string::npos);
}

TEST(RouteAws, TemporaryCredentialsAreRefreshedFromTheContainerEndpointBeforeTheyExpire) {
  // Credentials live 3 s; the router renews them 2 s ahead, so it never signs with expired ones
  // (the emulator refuses those with ExpiredTokenException).
  ServerProcess emu =
      Emulate({"--time-scale", "0", "--aws-access-key", "AKIDUNUSED", "--aws-secret-key", "unused",
               "--credentials-lifetime-s", "3", "--credentials-token", "container-token"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  const std::vector<std::string> env = {
      std::string("AWS_CONTAINER_CREDENTIALS_FULL_URI=") + Url(emu.port(), "/emulate/credentials"),
      "AWS_CONTAINER_AUTHORIZATION_TOKEN=container-token"};
  ServerProcess route = Route({"--config", WriteConfig(log, emu.port()), "--policy", "lambda-only",
                               "--credentials-refresh-ahead-s", "2"},
                              env);
  ASSERT_GT(route.port(), 0) << route.Stderr();
  simdjson::dom::parser p;
  int answered = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int64_t issued = 0;
  // Requests until the router has fetched credentials five times: about 4 s of traffic, past the
  // first credentials' expiry.
  while (issued < 5 && std::chrono::steady_clock::now() < until) {
    auto r = Call(route.port(), "POST", "/lightweight", Request("lightweight_api", 1));
    ASSERT_EQ(r.status, 200) << r.body << route.Stderr();
    ++answered;
    issued = Json(p, Call(emu.port(), "GET", "/emulate/aws").body)["credentials_issued"]
                 .get_int64()
                 .value();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // paced traffic, not a wait
  }
  EXPECT_GE(issued, 5) << "the router did not refresh its credentials";
  auto aws = Json(p, Call(emu.port(), "GET", "/emulate/aws").body);
  EXPECT_EQ(aws["verified"].get_int64().value(), answered);
  EXPECT_EQ(aws["refused"].get_object().size(), 0u) << simdjson::to_string(aws["refused"]);
  StopCleanly(route);
}

TEST(RouteAws, MissingOrUnreachableCredentialsStopTheRouterAtStart) {
  LogDir log;
  const std::string config = WriteConfig(log, ClosedPort());
  const std::string clean =
      "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_CONTAINER_CREDENTIALS_FULL_URI "
      "-u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ";
  const std::string run = std::string(HR_BINARY) + " route --port 0 --config " + config;
  auto none = RunCli("", "", clean + run);
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("no AWS credentials"), std::string::npos) << none.err;
  auto unreachable = RunCli("", "",
                            clean + std::string("AWS_CONTAINER_CREDENTIALS_FULL_URI=") +
                                Url(ClosedPort(), "/creds") +
                                " AWS_CONTAINER_AUTHORIZATION_TOKEN=sekret-tok " + run);
  EXPECT_NE(unreachable.exit_code, 0);
  EXPECT_NE(unreachable.err.find("did not answer"), std::string::npos) << unreachable.err;
  EXPECT_EQ(unreachable.err.find("sekret-tok"), std::string::npos);
}

// Client-measured response times (ms) of `n` lightweight requests, `workers` at a time; the
// X-Route-Hedged answers counted in `hedged`.
std::vector<double> Drive(int port, int n, int workers, int& hedged) {
  std::vector<std::future<std::pair<std::vector<double>, int>>> runs;
  for (int k = 0; k < workers; ++k) {
    runs.push_back(std::async(std::launch::async, [port, n, workers, k] {
      std::pair<std::vector<double>, int> out;
      for (int i = k; i < n; i += workers) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = Call(port, "POST", "/lightweight",
                      Request("lightweight_api", 1, std::string("h") + std::to_string(i)));
        out.first.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        EXPECT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.headers["x-route-fallback"], "false");  // a hedge is not a fallback
        if (r.headers["x-route-hedged"] == "true") ++out.second;
      }
      return out;
    }));
  }
  std::vector<double> ms;
  hedged = 0;
  for (auto& r : runs) {
    auto [times, h] = r.get();
    ms.insert(ms.end(), times.begin(), times.end());
    hedged += h;
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

double P99(const std::vector<double>& sorted) {
  return sorted[static_cast<size_t>(0.99 * static_cast<double>(sorted.size() - 1))];
}

// Polls the router's /metrics until no upstream transfer is in flight (hedges' slower attempts
// finish after their clients were answered).
void AwaitNoUpstream(int port) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    const std::string m = Call(port, "GET", "/metrics").body;
    if (m.find("hybrid_router_route_upstream_in_flight 0\n") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "upstream transfers still in flight after 10 s";
}

// 10 % of Lambda answers are 500 ms slow (time scale 0.01: the prototype's times / 100). Hedging
// after 60 ms (twice the model's lightweight p95 on Lambda, 3 s, at that scale: room for a slow
// sanitizer build, whose ordinary answers would otherwise be hedged too and spend the retry
// budget) sends those to ECS as well: the load's p99 drops, and the outcome log keeps both
// attempts of every hedged request.
TEST(RouteHedge, CutsTheP99OfSlowLambdaAnswersAndLogsBothAttempts) {
  ServerProcess emu =
      Emulate({"--time-scale", "0.01", "--fault", "lambda:slow:0.1:50000", "--threads", "2"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  const std::vector<std::string> common = {"--lambda-url", Url(emu.port(), "/prod"),
                                           "--ecs-url",    Url(emu.port()),
                                           "--policy",     "lambda-only"};
  constexpr int kRequests = 200, kWorkers = 8;
  LogDir log;
  std::vector<std::string> hedging = common;
  hedging.insert(hedging.end(), {"--hedge", "--hedge-after-ms", "60", "--hedge-share", "0.5",
                                 "--outcome-log", log.path});
  ServerProcess plain = Route(common);
  ServerProcess hedged_route = Route(hedging);
  ASSERT_GT(plain.port(), 0) << plain.Stderr();
  ASSERT_GT(hedged_route.port(), 0) << hedged_route.Stderr();
  int unused = 0, hedged = 0;
  const auto without = Drive(plain.port(), kRequests, kWorkers, unused);
  const auto with = Drive(hedged_route.port(), kRequests, kWorkers, hedged);
  EXPECT_EQ(unused, 0);
  EXPECT_GT(P99(without), 500.0);  // the slow tenth sets the p99 without hedging
  EXPECT_LT(P99(with), P99(without) / 2)
      << "p99 with hedging " << P99(with) << " ms, without " << P99(without) << " ms";
  // About one request in ten is hedged (the slow ones, and a few ordinary ones over 60 ms).
  EXPECT_GE(hedged, 5);
  EXPECT_LE(hedged, kRequests / 2);
  AwaitNoUpstream(hedged_route.port());
  const std::string metrics = Call(hedged_route.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("hybrid_router_route_hedges_total{platform=\"ecs\"}"), std::string::npos);
  StopCleanly(hedged_route);
  // Every hedged request: its Lambda attempt and its ECS hedge, both logged (the slower after
  // the client had its answer), each a measurement.
  simdjson::dom::parser p;
  std::map<std::string, std::vector<std::string>> by_request;
  std::map<std::string, std::vector<int64_t>> attempts;
  int hedge_lines = 0;
  for (const std::string& line : log.Lines()) {
    auto e = Json(p, line);
    const std::string id(e["request_id"].get_string().value());
    by_request[id].push_back(std::string(e["platform"].get_string().value()));
    attempts[id].push_back(e["route"]["attempt"].get_int64().value());
    bool is_hedge = false;
    if (e["route"]["hedge"].get_bool().get(is_hedge) == simdjson::SUCCESS && is_hedge) {
      ++hedge_lines;
      EXPECT_EQ(e["platform"].get_string().value(), "ecs") << line;
    }
  }
  EXPECT_EQ(by_request.size(), static_cast<size_t>(kRequests));
  EXPECT_GE(hedge_lines, hedged);  // hedges that lost the race are logged too
  int both = 0;
  for (const auto& [id, platforms] : by_request) {
    if (platforms.size() == 2) {
      ++both;
      EXPECT_NE(platforms[0], platforms[1]) << id;
      auto numbers = attempts[id];
      std::sort(numbers.begin(), numbers.end());
      EXPECT_EQ(numbers, (std::vector<int64_t>{1, 2})) << id;  // numbered in the order sent
    }
  }
  EXPECT_EQ(both, hedge_lines);
}

}  // namespace
}  // namespace hr::testing
