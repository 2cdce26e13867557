// Black-box tests of `route`'s front end: what a client sees of the requests the router answers
// itself (refusals), of metadata it does not know, of framing nginx would refuse, and of a flood
// of connections that send nothing. The real binary on real sockets, behind it `emulate`.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "http_client.h"
#include "route_fixtures.h"
#include "run_binary.h"

namespace hr::testing {
namespace {

// route's own answers (400, 401, 404, 405, 413) carry what a relayed answer carries: the request id
// (the client's, or one made for it), the CORS header, and an access-log line with the real path.
TEST(RouteFront, EveryAnswerTheRouterMakesItselfHasItsIdCorsAndAccessLine) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  char key_file[] = "/tmp/hr_route_keys_XXXXXX";
  const int fd = mkstemp(key_file);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "sekret-sekret-sekret\n", 21), 21);
  close(fd);
  ServerProcess route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()),
                       "--max-body-mb", "1", "--api-key-file", key_file, "--access-log", "stderr"},
                      {}, 0, "route");
  ASSERT_GT(route.port(), 0) << route.Stderr();
  const std::vector<std::string> key = {"Content-Type: application/json",
                                        "x-api-key: sekret-sekret-sekret"};
  struct Case {
    std::string method, target, body;
    std::vector<std::string> headers;
    int status;
  };
  std::vector<std::string> with_id = key;
  with_id.push_back("X-Request-Id: client-7");
  const std::vector<Case> cases = {
      {"POST", "/heavy/process?x=1", "{not json", key, 400},
      {"POST", "/heavy", Request("lightweight_api", 1, "body-id-3"), key, 400},
      {"GET", "/heavy", "", key, 405},
      {"POST", "/heavy", Request("heavy_processing", 1), {"Content-Type: application/json"}, 401},
      {"POST", "/lightweight", "{not json", with_id, 400},
  };
  for (const Case& c : cases) {
    Connection conn(route.port());
    ASSERT_TRUE(conn.Send(BuildRequest(c.method, c.target, c.body, c.headers, false)));
    const HttpResponse r = conn.Read();
    EXPECT_EQ(r.status, c.status) << c.target << " " << r.body;
    EXPECT_FALSE(r.headers.at("x-request-id").empty()) << c.target;
    EXPECT_EQ(r.headers.count("access-control-allow-origin"), 1u) << c.target;
  }
  {  // 413 from the server's own limit, before any handler: the same headers.
    Connection big(route.port());
    ASSERT_TRUE(
        big.Send("POST /heavy HTTP/1.1\r\nHost: t\r\nX-Request-Id: big-1\r\n"
                 "Content-Length: " +
                 std::to_string((1 << 20) + 1) + "\r\n\r\n{"));
    HttpResponse r = big.Read();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.headers["x-request-id"], "big-1");
    EXPECT_EQ(r.headers["access-control-allow-origin"], "*");
  }
  // A relayed answer logs the path the client posted, not the workload's short name.
  ASSERT_EQ(
      Call(route.port(), "POST", "/heavy/process", Request("heavy_processing", 1, "ok-1"), key)
          .status,
      200);
  route.Stop(SIGTERM);  // the access log is written out
  const std::string log = route.Stderr();
  EXPECT_NE(log.find(R"("request_id":"body-id-3")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("request_id":"client-7")"), std::string::npos);
  EXPECT_NE(log.find(R"("request_id":"big-1")"), std::string::npos);
  EXPECT_NE(log.find(R"("path":"/heavy/process","status":400)"), std::string::npos);
  EXPECT_NE(log.find(R"("method":"GET","path":"/heavy","status":405)"), std::string::npos);
  EXPECT_NE(log.find(R"("path":"/heavy","status":401)"), std::string::npos);
  EXPECT_NE(log.find(R"("path":"/heavy","status":413)"), std::string::npos);
  EXPECT_NE(log.find(R"("request_id":"ok-1","method":"POST","path":"/heavy/process")"),
            std::string::npos);
  unlink(key_file);
}

// Two of the prototype's own load tests send load_pattern "quick_validation" and
// "validation_test": the router forwards them (the body unchanged) and the backend answers; the
// outcome line notes the value and decides as if the field were absent; /metrics counts them.
TEST(RouteFront, UnknownMetadataIsForwardedAndNotedNotRefused) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir log;
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  for (const char* pattern : {"quick_validation", "validation_test"}) {
    const std::string body =
        std::string(R"({"request_id":"q-)") + pattern +
        R"(","workload_type":"lightweight_api","metadata":{"target_size_kb":1,)"
        R"("load_pattern":")" +
        pattern + R"(","time_window":"midday"},"payload":{"a":1}})";
    const auto r = Call(route.port(), "POST", "/lightweight", body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find(std::string("q-") + pattern), std::string::npos);  // the backend's
  }
  const std::string metrics = Call(route.port(), "GET", "/metrics").body;
  EXPECT_NE(
      metrics.find("hybrid_router_route_unknown_values_total{field=\"metadata.load_pattern\"} 2"),
      std::string::npos);
  StopCleanly(route);
  simdjson::dom::parser p;
  int noted = 0;
  for (const std::string& line : log.Lines()) {
    simdjson::dom::element e;
    ASSERT_EQ(p.parse(line).get(e), simdjson::SUCCESS);
    EXPECT_EQ(e["load_pattern"].get_string().value(), "low_load");  // derived, as when absent
    EXPECT_TRUE(e["route"]["load_pattern_derived"].get_bool().value());
    auto w = e["route"]["warnings"].at(0);
    EXPECT_EQ(w["field"].get_string().value(), "metadata.load_pattern");
    const std::string_view value = w["value"].get_string().value();
    EXPECT_TRUE(value == "quick_validation" || value == "validation_test");
    ++noted;
  }
  EXPECT_EQ(noted, 2);
}

// Framing as strict as nginx's (nginx 1.22 answers each of these the same way): a body's length
// said two ways, or by a coding other than chunked, is refused before the body is read (the
// hidden second request behind it never runs); a request must name one Host; a body shorter than
// its Content-Length gets 408 at the read timeout, not a silent close.
// A client that sends `Expect: 100-continue` (curl does for bodies over 1 MB) gets "100 Continue"
// before it sends its body, as from nginx, and then its answer; on the main before this it got
// nothing and curl waited a second before sending anyway (every 1 MB call took 1.1 s).
TEST(RouteFront, AnExpectContinueIsAnsweredBeforeTheBody) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--policy", "ecs-only"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  const std::string body = Request("lightweight_api", 1, "expect-1");
  Connection conn(route.port());
  ASSERT_TRUE(
      conn.Send("POST /lightweight HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Expect: 100-continue\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n"));
  const HttpResponse interim = conn.Read(2'000);
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(conn.Send(body));
  const HttpResponse answer = conn.Read(5'000);
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_NE(answer.body.find("expect-1"), std::string::npos) << answer.body;
}

TEST(RouteFront, FramingIsAsStrictAsNginxs) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--read-timeout-ms", "500"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  const std::string hidden =
      "POST /heavy HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}";  // smuggled
  struct Case {
    std::string name, head, body;
    int status;
  };
  const std::vector<Case> cases = {
      {"xchunked with a length", "Transfer-Encoding: xchunked\r\nContent-Length: 2\r\n", "{}", 501},
      {"chunked, identity", "Transfer-Encoding: chunked, identity\r\n", "2\r\n{}\r\n0\r\n\r\n",
       501},
      {"gzip, chunked", "Transfer-Encoding: gzip, chunked\r\n", "2\r\n{}\r\n0\r\n\r\n", 501},
      {"chunked with a length", "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n",
       "2\r\n{}\r\n0\r\n\r\n", 400},
      {"two lengths", "Content-Length: 2\r\nContent-Length: 2\r\n", "{}", 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Connection conn(route.port());
    ASSERT_TRUE(
        conn.Send("POST /heavy HTTP/1.1\r\nHost: t\r\n" + c.head + "\r\n" + c.body + hidden));
    const HttpResponse r = conn.Read();
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_TRUE(conn.ClosedByPeer(2'000));  // nothing more is read: the hidden request never runs
  }
  for (const std::string& head :
       {std::string("POST /heavy HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"),
        std::string("POST /heavy HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
                    "Content-Length: 2\r\n\r\n{}")}) {
    Connection conn(route.port());
    ASSERT_TRUE(conn.Send(head));
    EXPECT_EQ(conn.Read().status, 400) << head;
  }
  {  // A body shorter than its Content-Length: 408 when the read timeout passes.
    Connection conn(route.port());
    ASSERT_TRUE(conn.Send("POST /heavy HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"a\":"));
    const HttpResponse r = conn.Read(3'000);
    EXPECT_EQ(r.status, 408);
    EXPECT_NE(r.body.find("request_timeout"), std::string::npos);
  }
  // A well-formed chunked request is still fine.
  Connection ok(route.port());
  const std::string body = Request("heavy_processing", 1);
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  ASSERT_TRUE(
      ok.Send("POST /heavy HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: chunked\r\n\r\n" +
              std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n"));
  EXPECT_EQ(ok.Read().status, 200);
}

// 10,000 connections that send nothing: /healthz still answers within a second all along (a new
// connection takes the place of the one idle the longest), and the header deadline closes every
// silent one. On today's main the router reset every new connection until the 60 s idle timeout.
TEST(RouteFront, AFloodOfSilentConnectionsLocksNobodyOut) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  const rlim_t want = std::min<rlim_t>(limit.rlim_max, 30'000);
  if (limit.rlim_cur < want) {
    limit.rlim_cur = want;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (want < 12'000) GTEST_SKIP() << "needs 12,000 file descriptors; the hard limit is " << want;
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  ServerProcess route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()),
                       "--header-timeout-ms", "4000", "--access-log", "off"},
                      {}, 30'000, "route");
  ASSERT_GT(route.port(), 0) << route.Stderr();
  std::vector<std::unique_ptr<Connection>> flood;
  flood.reserve(10'000);
  double worst_ms = 0;
  int health = 0;
  const auto check = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = Call(route.port(), "GET", "/healthz");
    worst_ms = std::max(
        worst_ms,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    EXPECT_EQ(r.status, 200);
    ++health;
  };
  for (int i = 0; i < 10'000; ++i) {
    flood.push_back(std::make_unique<Connection>(route.port()));
    ASSERT_TRUE(flood.back()->ok()) << i;
    if (i % 1'000 == 999) check();
  }
  for (int i = 0; i < 10; ++i) {  // the limit reached: health checks still get in
    check();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LT(worst_ms, 1'000) << health << " health checks";
  // Every silent connection is closed by the header deadline (4 s after its accept): polled.
  int closed = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (auto& c : flood) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (c->ClosedByPeer(static_cast<int>(std::max<int64_t>(1, left.count())))) ++closed;
  }
  EXPECT_EQ(closed, 10'000);
  check();
}

// route applies the keys' limits as serve does: the key over its quota gets 429 with Retry-After
// and the error names the limit, no platform sees its request, another key is relayed; /metrics
// counts by key id.
TEST(RouteFront, AKeyOverItsLimitGets429AndAnotherKeyIsRelayed) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir keys_dir;
  const std::string keys = keys_dir.path + "/keys";
  std::ofstream(keys) << "capped-key-0123456789 id=capped quota=2\n"
                      << "other-key-0123456789 id=other rate=1000 burst=1000\n";
  LogDir log;
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--api-key-file", keys, "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  auto post = [&](const std::string& key, const std::string& id) {
    return Call(route.port(), "POST", "/lightweight", Request("lightweight_api", 1, id),
                {"Content-Type: application/json", "x-api-key: " + key});
  };
  EXPECT_EQ(post("capped-key-0123456789", "c1").status, 200);
  EXPECT_EQ(post("capped-key-0123456789", "c2").status, 200);
  const HttpResponse r = post("capped-key-0123456789", "c3");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_GE(std::atoi(r.headers.at("retry-after").c_str()), 1);
  EXPECT_LE(std::atoi(r.headers.at("retry-after").c_str()), 86'400);
  EXPECT_NE(r.body.find(R"("field":"quota")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("API key capped has used its quota of 2 requests"), std::string::npos)
      << r.body;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(post("other-key-0123456789", "o").status, 200) << i;
  const std::string metrics = Call(route.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"({key_id="capped",result="quota_exceeded"} 1)"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"({key_id="other",result="allowed"} 20)"), std::string::npos);
  StopCleanly(route);
  int relayed_c3 = 0, attempts = 0;
  for (const Attempt& a : Attempts(log)) {
    ++attempts;
    relayed_c3 += a.request_id == "c3";
  }
  EXPECT_EQ(relayed_c3, 0);  // refused before any platform
  EXPECT_EQ(attempts, 22);
}

}  // namespace
}  // namespace hr::testing
