// Black-box tests of `route`'s front end: what a client sees of the requests the router answers
// itself (refusals), of metadata it does not know, of framing nginx would refuse, and of a flood
// of connections that send nothing. The real binary on real sockets, behind it `emulate`.
#include <gtest/gtest.h>
#include <simdjson.h>

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

}  // namespace
}  // namespace hr::testing
