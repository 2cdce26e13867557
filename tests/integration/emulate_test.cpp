// Black-box tests of `hybrid-router emulate`: the real binary on a real socket, the shipped
// measurements.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <future>
#include <vector>

#include "http_client.h"
#include "parse_json.h"

namespace hr::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The prototype's workload request (payload shortened).
const std::string kHeavyEvent =
    R"({"request_id":"req_1","workload_type":"heavy_processing","timestamp":"2025-11-22T19:30:00",)"
    R"("metadata":{"target_size_kb":5120,"time_window":"evening","load_pattern":"burst_load"},)"
    R"("payload":"QUJD"})";

double Header(HttpResponse& r, const char* name) { return std::atof(r.headers[name].c_str()); }

TEST(Emulate, AnswersBothSurfacesInThePrototypesShapesAfterTheDrawnDelay) {
  ServerProcess emu({"--time-scale", "0.01", "--seed", "7"}, {}, 0, "emulate");
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  simdjson::dom::parser p;
  // API Gateway stage: Lambda's answer.
  auto t0 = Clock::now();
  auto r = Call(emu.port(), "POST", "/prod/heavy", kHeavyEvent);
  const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = Json(p, r.body);
  EXPECT_EQ(doc["platform"].get_string().value(), "lambda");
  EXPECT_EQ(doc["workload_type"].get_string().value(), "heavy_processing");
  EXPECT_EQ(doc["request_id"].get_string().value(), "req_1");
  for (const char* k :
       {"execution_time_ms", "memory_used_mb", "memory_limit_mb", "payload_size_kb"})
    EXPECT_TRUE(doc["metrics"][k].is_number()) << k;
  EXPECT_TRUE(doc["metrics"]["cold_start"].is_bool());
  EXPECT_EQ(doc["metrics"]["payload_size_kb"].get_double().value(), 5120);
  EXPECT_EQ(r.headers["x-emulated-cell"], "full");  // evening burst heavy 5120 was measured
  const double delay = Header(r, "x-emulated-delay-ms");
  EXPECT_GT(delay, 1);  // a heavy request takes seconds; a hundredth of that
  EXPECT_GE(took_ms, delay);
  // The ALB path: ECS's answer.
  r = Call(emu.port(), "POST", "/heavy/process", kHeavyEvent);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = Json(p, r.body);
  EXPECT_EQ(doc["platform"].get_string().value(), "ecs");
  EXPECT_TRUE(doc["metrics"]["cpu_percent"].is_number());
  // The Lambda Invoke API with an API Gateway proxy event: statusCode/headers/body back.
  std::string escaped;
  for (char c : kHeavyEvent) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
  const std::string event =
      R"({"httpMethod":"POST","path":"/heavy","headers":{},"body":")" + escaped + "\"}";
  r = Call(emu.port(), "POST", "/2015-03-31/functions/hr-heavy/invocations", event);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = Json(p, r.body);
  EXPECT_EQ(doc["statusCode"].get_int64().value(), 200);
  simdjson::dom::parser inner;
  auto answer = Json(inner, std::string(doc["body"].get_string().value()));
  EXPECT_EQ(answer["platform"].get_string().value(), "lambda");
  // Errors: unknown route, unknown workload, wrong method, bad metadata, a body over the limit.
  EXPECT_EQ(Call(emu.port(), "POST", "/a/b/c").status, 404);
  EXPECT_EQ(Call(emu.port(), "POST", "/prod/huge", kHeavyEvent).status, 404);
  EXPECT_EQ(Call(emu.port(), "GET", "/prod/heavy").status, 405);
  // Metadata outside the prototype's sets is served as the prototype's handlers would (the cell
  // as if the field were absent); a target size out of range is still an error.
  r = Call(emu.port(), "POST", "/prod/heavy",
           R"({"metadata":{"target_size_kb":5,"load_pattern":"spiky"}})");
  EXPECT_EQ(r.status, 200);
  r = Call(emu.port(), "POST", "/prod/heavy", R"({"metadata":{"target_size_kb":-5}})");
  EXPECT_EQ(r.status, 400);
  doc = Json(p, r.body);
  EXPECT_EQ(doc["error"]["field"].get_string().value(), "metadata.target_size_kb");
  {  // A body over --max-body-mb (6) is refused from its Content-Length, before it is read.
    Connection c(emu.port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c.Send("POST /prod/heavy HTTP/1.1\r\nHost: t\r\nContent-Length: 7340032\r\n\r\n{"));
    EXPECT_EQ(c.Read().status, 413);
  }
  EXPECT_EQ(emu.Stop(SIGTERM), 0);
}

TEST(Emulate, WaitingAnswersDoNotHoldTheEventLoop) {
  // Twenty heavy requests at once, each delayed about 40-100 ms, on one event-loop thread: they
  // overlap, so the whole takes far less than the sum of the delays.
  ServerProcess emu({"--time-scale", "0.01", "--threads", "1"}, {}, 0, "emulate");
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  std::vector<std::future<HttpResponse>> calls;
  const auto t0 = Clock::now();
  for (int i = 0; i < 20; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      return Call(emu.port(), "POST", i % 2 ? "/prod/heavy" : "/heavy/process", kHeavyEvent);
    }));
  }
  double sum = 0;
  for (auto& c : calls) {
    auto r = c.get();
    ASSERT_EQ(r.status, 200) << r.body;
    sum += Header(r, "x-emulated-delay-ms");
  }
  const double wall = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  EXPECT_LT(wall, sum / 2) << "sum of delays " << sum;
}

TEST(Emulate, InjectedFaultsAnswerAsEachSurfaceWould) {
  ServerProcess emu({"--time-scale", "0", "--fault", "lambda:throttle:1", "--fault", "ecs:error:1"},
                    {}, 0, "emulate");
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  auto r = Call(emu.port(), "POST", "/prod/medium", kHeavyEvent);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["x-emulated-fault"], "throttle");
  r = Call(emu.port(), "POST", "/2015-03-31/functions/medium/invocations", R"({"body":"{}"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["x-amzn-errortype"], "TooManyRequestsException");
  r = Call(emu.port(), "POST", "/medium/process", kHeavyEvent);
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.headers["x-emulated-fault"], "error");
  // A misspelt fault is an error naming the option, and nothing listens.
  ServerProcess bad({"--fault", "lambda:throtle:1"}, {}, 0, "emulate");
  EXPECT_EQ(bad.port(), 0);
  EXPECT_TRUE(bad.exited());
  EXPECT_EQ(bad.exit_code(), 2);
  EXPECT_NE(bad.Stderr().find("kind must be throttle, error, cold or slow"), std::string::npos)
      << bad.Stderr();
}

}  // namespace
}  // namespace hr::testing
