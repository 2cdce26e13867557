// Black-box tests of `hybrid-router serve`: the real binary on 127.0.0.1, over a real socket.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>

#include "http_client.h"
#include "parse_json.h"

namespace hr::testing {
namespace {

// The prototype's documented requests, pinned to a Saturday evening (UTC) as in the measurements:
// without a timestamp the answer follows the clock, since hour_of_day is a feature.
const std::string kLight =
    R"({"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday", "load_pattern": "medium_load", "timestamp": "2025-11-22T19:30:00Z"})";
const std::string kHeavy =
    R"({"workload_type": "heavy_processing", "payload_size_kb": 5120.0, "time_window": "evening", "load_pattern": "burst_load", "timestamp": "2025-11-22T19:30:00Z"})";
const std::string kKey = "test-key-0123456789abcdef";

class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({"--threads", "2"}); }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Stop(SIGTERM), 0);
    delete server_;
  }
  static int port() { return server_->port(); }
  static ServerProcess* server_;
};
ServerProcess* Serve::server_ = nullptr;

TEST_F(Serve, ObjectivesInRequestsAndBatchesAndTheirErrors) {
  ASSERT_GT(port(), 0) << server_->Stderr();
  simdjson::dom::parser p;
  auto r = Call(
      port(), "POST", "/predict",
      R"({"workload_type":"medium_processing","payload_size_kb":2048,)"
      R"("objective":"balanced","cost_model":"seed-prorated","value_of_time_usd_per_s":1e-5})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = Json(p, r.body);
  EXPECT_EQ(doc["prediction"]["objective"].get_string().value(), "balanced");
  EXPECT_TRUE(doc["prediction"]["expected"]["ecs"]["cost_usd"].is_number());
  r = Call(port(), "POST", "/predict",
           R"({"workload_type":"medium_processing","payload_size_kb":2048,"objective":"cheap"})");
  EXPECT_EQ(r.status, 400);
  doc = Json(p, r.body);
  EXPECT_EQ(doc["error"]["field"].get_string().value(), "objective");
  // In a batch each item has its own objective, and a bad one fails that item only.
  r = Call(
      port(), "POST", "/predict/batch",
      R"({"requests":[{"workload_type":"lightweight_api","payload_size_kb":1,"objective":"p95"},)"
      R"({"workload_type":"lightweight_api","payload_size_kb":1,"objective":"Cost"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  doc = Json(p, r.body);
  EXPECT_EQ(doc["failed"].get_uint64().value(), 1u);
  EXPECT_EQ(doc["results"].at(0)["prediction"]["objective"].get_string().value(), "p95");
  EXPECT_EQ(doc["results"].at(1)["error"]["field"].get_string().value(), "objective");
  // /model says which format version the model file has.
  r = Call(port(), "GET", "/model");
  doc = Json(p, r.body);
  EXPECT_EQ(doc["format_version"].get_int64().value(), 2);
}

TEST_F(Serve, ThePrototypesRequestsGetThePrototypesShape) {
  ASSERT_GT(port(), 0) << server_->Stderr();
  for (const auto& [body, platform] : {std::pair{kLight, ""}, std::pair{kHeavy, "lambda"}}) {
    auto r = Call(port(), "POST", "/predict", body);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_EQ(r.headers["access-control-allow-origin"], "*");
    simdjson::dom::parser p;
    auto doc = Json(p, r.body);
    // Exactly the prototype's four sections, in its order.
    std::vector<std::string_view> keys;
    for (auto field : simdjson::dom::object(doc)) keys.push_back(field.key);
    EXPECT_EQ(keys, (std::vector<std::string_view>{"prediction", "metrics", "request_context",
                                                   "model_info"}));
    auto pred = doc["prediction"];
    const std::string_view got = pred["platform"].get_string().value();
    EXPECT_TRUE(got == "lambda" || got == "ecs");
    if (*platform) {
      EXPECT_EQ(got, platform);  // heavy work: Lambda, as the prototype documented
    }
    const double pl = pred["lambda_probability"].get_double().value();
    EXPECT_DOUBLE_EQ(pl + pred["ecs_probability"].get_double().value(), 1.0);
    EXPECT_EQ(pred["confidence"].get_double().value(), std::max(pl, 1 - pl));
    EXPECT_GT(doc["metrics"]["inference_time_ms"].get_double().value(), 0.0);
    EXPECT_GT(doc["metrics"]["inference_cost_usd"].get_double().value(), 2e-7);
    const std::string_view ts = doc["metrics"]["timestamp"].get_string().value();
    EXPECT_EQ(ts.back(), 'Z');
    auto ctx = doc["request_context"];
    EXPECT_TRUE(ctx["workload_type"].is_string());
    EXPECT_TRUE(ctx["payload_size_kb"].is_number());
    EXPECT_TRUE(ctx["time_window"].is_string());
    EXPECT_TRUE(ctx["load_pattern"].is_string());
    EXPECT_TRUE(doc["model_info"]["model_type"].is_string());
    EXPECT_TRUE(doc["model_info"]["test_accuracy"].is_number());
    EXPECT_TRUE(doc["model_info"]["training_date"].is_string());
  }
}

TEST_F(Serve, EveryErrorHasItsStatusAndAJsonBodyNamingTheField) {
  struct Case {
    std::string method, path, body;
    std::vector<std::string> headers;
    int status;
    std::string code, field;
  };
  const std::vector<std::string> json = {"Content-Type: application/json"};
  const Case cases[] = {
      {"POST", "/predict", "{\"workload_type\":", json, 400, "invalid_json", ""},
      {"POST", "/predict", "not json", json, 400, "invalid_json", ""},
      {"POST", "/predict", R"({"workload_type":"lightweight_api","payload_size_kb":"5"})", json,
       400, "wrong_type", "payload_size_kb"},
      {"POST", "/predict", R"({"workload_type":"lightweight-api","payload_size_kb":5})", json, 400,
       "unknown_value", "workload_type"},
      {"POST", "/predict",
       R"({"workload_type":"lightweight_api","payload_size_kb":5,"time_window":"noon"})", json, 400,
       "unknown_value", "time_window"},
      {"POST", "/predict", R"({"payload_size_kb":5})", json, 400, "missing_field", "workload_type"},
      {"POST", "/predict",
       R"({"workload_type":"lightweight_api","payload_size_kb":5,"extra":1,"request_id":2})", json,
       400, "wrong_type", "request_id"},
      {"POST", "/predict",
       R"({"workload_type":"lightweight_api","payload_size_kb":5,"x":)" + std::string(65, '[') +
           std::string(65, ']') + "}",
       json, 400, "invalid_json", ""},
      {"POST", "/predict/batch", std::string(100000, '['), json, 400, "invalid_json", ""},
      {"POST", "/predict/batch",
       "[{\"workload_type\":\"lightweight_api\",\"payload_size_kb\":0." + std::string(540, '0') +
           "3347797894}, 1e400, {",
       json, 400, "invalid_json", ""},
      {"GET", "/n\xff\xfeowhere", "", {}, 404, "not_found", ""},
      {"POST", "/predict", R"({"workload_type":"lightweight_api","payload_size_kb":-1})", json, 400,
       "out_of_range", "payload_size_kb"},
      {"POST", "/predict",
       R"({"workload_type":"lightweight_api","payload_size_kb":1,"timestamp":"soon"})", json, 400,
       "invalid_timestamp", "timestamp"},
      {"GET", "/nowhere", "", {}, 404, "not_found", ""},
      {"GET", "/predict", "", {}, 405, "method_not_allowed", ""},
      {"DELETE", "/healthz", "", {}, 405, "method_not_allowed", ""},
      {"POST", "/predict", kLight, {"Content-Type: text/plain"}, 415, "unsupported_media_type", ""},
  };
  simdjson::dom::parser p;
  for (const auto& c : cases) {
    auto r = Call(port(), c.method, c.path, c.body, c.headers);
    ASSERT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body.substr(0, 80)
                                  << "\n"
                                  << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    auto doc = Json(p, r.body);
    EXPECT_EQ(doc["error"]["code"].get_string().value(), c.code) << r.body;
    EXPECT_FALSE(doc["error"]["message"].get_string().value().empty());
    if (!c.field.empty()) {
      EXPECT_EQ(doc["error"]["field"].get_string().value(), c.field) << r.body;
    }
  }
  auto r405 = Call(port(), "GET", "/predict");
  EXPECT_EQ(r405.headers["allow"], "POST");
  // A body over the default 1 MB limit is refused from its Content-Length, before it is read.
  Connection big(port());
  ASSERT_TRUE(
      big.Send("POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
               "Content-Length: " +
               std::to_string(1024 * 1024 + 1) + "\r\n\r\n{\"x\":"));
  auto r413 = big.Read();
  EXPECT_EQ(r413.status, 413);
  EXPECT_EQ(Json(p, r413.body)["error"]["code"].get_string().value(), "payload_too_large")
      << r413.body;
}

TEST_F(Serve, MalformedHttpIsA400) {
  Connection c(port());
  ASSERT_TRUE(c.Send("GARBAGE\r\n\r\n"));
  auto r = c.Read();
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid_http"), std::string::npos);
}

// The server parses requests from its buffer and writes responses itself: framing cases a client
// would notice if they went wrong.
TEST_F(Serve, HttpFramingPipeliningSplitsChunksAndLimits) {
  {  // two requests in one write: two answers, in order, on the same connection
    Connection c(port());
    ASSERT_TRUE(
        c.Send(BuildRequest("POST", "/predict", kLight) + BuildRequest("GET", "/healthz", "", {})));
    auto first = c.Read();
    EXPECT_EQ(first.status, 200);
    EXPECT_NE(first.body.find("\"prediction\""), std::string::npos);
    EXPECT_EQ(first.headers["content-length"], std::to_string(first.body.size()));
    auto second = c.Read();
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.body, R"({"status":"ok"})");
  }
  {  // a request arriving a few bytes at a time
    Connection c(port());
    const std::string req = BuildRequest("POST", "/predict", kLight);
    for (size_t at = 0; at < req.size(); at += 7) {
      ASSERT_TRUE(c.Send(std::string_view(req).substr(at, 7)));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(c.Read().status, 200);
  }
  {  // a chunked body
    Connection c(port());
    const std::string half1 = kLight.substr(0, 20), half2 = kLight.substr(20);
    char sizes[2][16];
    std::snprintf(sizes[0], sizeof sizes[0], "%zx", half1.size());
    std::snprintf(sizes[1], sizeof sizes[1], "%zx", half2.size());
    ASSERT_TRUE(
        c.Send("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n" +
               std::string(sizes[0]) + "\r\n" + half1 + "\r\n" + sizes[1] + "\r\n" + half2 +
               "\r\n0\r\n\r\n"));
    EXPECT_EQ(c.Read().status, 200);
  }
  {  // HTTP/1.0 without keep-alive: answered in 1.0, then closed
    Connection c(port());
    ASSERT_TRUE(c.Send("GET /healthz HTTP/1.0\r\n\r\n"));
    auto r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(c.ClosedByPeer(2000));
  }
  {  // Connection: close is honoured and announced
    Connection c(port());
    ASSERT_TRUE(c.Send(BuildRequest("GET", "/healthz", "", {}, false)));
    auto r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["connection"], "close");
    EXPECT_TRUE(c.ClosedByPeer(2000));
  }
  {  // headers over the limit (16 KB): 431 and closed
    Connection c(port());
    ASSERT_TRUE(c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') +
                       "\r\n\r\n"));
    auto r = c.Read();
    EXPECT_EQ(r.status, 431);
    EXPECT_NE(r.body.find("headers_too_large"), std::string::npos);
    EXPECT_TRUE(c.ClosedByPeer(2000));
  }
}

TEST_F(Serve, BatchHealthReadinessModelAndMetricsAnswer) {
  simdjson::dom::parser p;
  auto batch = Call(port(), "POST", "/predict/batch",
                    "{\"requests\":[" + kLight + "," + kHeavy +
                        R"(,{"workload_type":"nope","payload_size_kb":1}, 7]})");
  ASSERT_EQ(batch.status, 200) << batch.body;
  auto b = Json(p, batch.body);
  EXPECT_EQ(b["count"].get_uint64().value(), 4u);
  EXPECT_EQ(b["failed"].get_uint64().value(), 2u);
  auto results = simdjson::dom::array(b["results"]);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results.at(0)["prediction"]["platform"].is_string());
  EXPECT_EQ(results.at(1)["prediction"]["platform"].get_string().value(), "lambda");
  EXPECT_EQ(results.at(2)["error"]["field"].get_string().value(), "workload_type");
  EXPECT_EQ(results.at(3)["error"]["code"].get_string().value(), "wrong_type");
  auto bare = Call(port(), "POST", "/predict/batch", "[" + kLight + "]");
  EXPECT_EQ(bare.status, 200);
  std::string big = "[";
  for (int i = 0; i < 1001; ++i)
    big +=
        (i ? "," : "") + std::string(R"({"workload_type":"lightweight_api","payload_size_kb":1})");
  auto too_big = Call(port(), "POST", "/predict/batch", big + "]");
  EXPECT_EQ(too_big.status, 413) << too_big.body;

  EXPECT_EQ(Call(port(), "GET", "/healthz").status, 200);
  auto ready = Call(port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_NE(ready.body.find("\"ready\":true"), std::string::npos);
  auto model = Call(port(), "GET", "/model");
  ASSERT_EQ(model.status, 200);
  auto m = Json(p, model.body);
  EXPECT_EQ(m["source"].get_string().value(), "built-in");
  EXPECT_EQ(m["feature_schema"].get_string().value(), "seed-v1");
  EXPECT_EQ(m["metadata"]["labels"]["total"].get_uint64().value(), 88161u);

  auto metrics = Call(port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["content-type"].rfind("text/plain", 0), 0u);
  for (const char* name :
       {"hybrid_router_requests_total{route=\"/predict/batch\",status=\"200\"}",
        "hybrid_router_request_duration_seconds_bucket{le=\"+Inf\"}",
        "hybrid_router_decisions_total{platform=\"lambda\"}",
        "hybrid_router_errors_total{code=\"payload_too_large\"}",
        "hybrid_router_model_info{model_type=\"Neural Network (hybrid-router MLP)\"",
        "hybrid_router_model_reloads_total{result=\"success\"}",
        "hybrid_router_in_flight_requests 1", "process_start_time_seconds"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name;
  }
}

TEST_F(Serve, CorsPreflightAndRequestIds) {
  auto pre = Call(port(), "OPTIONS", "/predict", "",
                  {"Origin: https://example.org", "Access-Control-Request-Method: POST"});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.headers["access-control-allow-origin"], "*");
  EXPECT_NE(pre.headers["access-control-allow-methods"].find("POST"), std::string::npos);
  EXPECT_NE(pre.headers["access-control-allow-headers"].find("X-Api-Key"), std::string::npos);
  auto echoed = Call(port(), "POST", "/predict", kLight,
                     {"Content-Type: application/json", "X-Request-Id: abc-123"});
  EXPECT_EQ(echoed.headers["x-request-id"], "abc-123");
  auto a = Call(port(), "GET", "/healthz"), b = Call(port(), "GET", "/healthz");
  EXPECT_EQ(a.headers["x-request-id"].size(), 16u);
  EXPECT_NE(a.headers["x-request-id"], b.headers["x-request-id"]);
  // One JSON access-log line per request, with the id and the decision.
  std::string log;
  for (int i = 0; i < 40 && log.find("abc-123") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    log = server_->AccessLog();
  }
  const auto at = log.find("\"request_id\":\"abc-123\"");
  ASSERT_NE(at, std::string::npos) << log.substr(0, 500);
  const std::string line =
      log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at) - 1);
  for (const char* field : {"\"time\":", "\"method\":\"POST\"", "\"path\":\"/predict\"",
                            "\"status\":200", "\"latency_us\":", "\"decision\":\""}) {
    EXPECT_NE(line.find(field), std::string::npos) << line;
  }
}

TEST(ServeAuth, KeysGuardTheApiButNotHealth) {
  ServerProcess s({}, {"HYBRID_ROUTER_API_KEYS=" + kKey + ",second-key-0123456789"});
  ASSERT_GT(s.port(), 0) << s.Stderr();
  EXPECT_EQ(Call(s.port(), "POST", "/predict", kLight).status, 401);
  auto wrong = Call(s.port(), "POST", "/predict", kLight,
                    {"Content-Type: application/json", "x-api-key: test-key-0123456789abcdeX"});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("\"code\":\"unauthorized\""), std::string::npos);
  EXPECT_EQ(Call(s.port(), "POST", "/predict", kLight,
                 {"Content-Type: application/json", "x-api-key: " + kKey})
                .status,
            200);
  EXPECT_EQ(Call(s.port(), "POST", "/predict", kLight,
                 {"Content-Type: application/json", "Authorization: Bearer second-key-0123456789"})
                .status,
            200);
  EXPECT_EQ(Call(s.port(), "GET", "/model").status, 401);
  EXPECT_EQ(Call(s.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(Call(s.port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(Call(s.port(), "GET", "/metrics").status, 200);
  EXPECT_EQ(Call(s.port(), "POST", "/admin/reload").status, 401);
  EXPECT_EQ(s.Stderr().find(kKey), std::string::npos) << "keys are never logged";
  EXPECT_EQ(s.Stop(), 0);
  EXPECT_EQ(s.AccessLog().find(kKey), std::string::npos);

  const std::string key_file = ::testing::TempDir() + "/hr_keys";
  std::ofstream(key_file) << "# operators\n" << kKey << "\n";
  ServerProcess guarded({"--api-key-file", key_file, "--metrics-auth"});
  EXPECT_EQ(Call(guarded.port(), "GET", "/metrics").status, 401);
  EXPECT_EQ(Call(guarded.port(), "GET", "/metrics", "", {"x-api-key: " + kKey}).status, 200);

  ServerProcess open({});
  EXPECT_EQ(Call(open.port(), "POST", "/admin/reload").status, 403);  // no keys: admin disabled
}

TEST(ServeModel, NoUsableModelAnswers503WithTheFallback) {
  const std::string bad = ::testing::TempDir() + "/hr_bad_model.json";
  std::ofstream(bad) << "{\"format\": \"hybrid-router-model\", trunc";
  ServerProcess refused({"--model", bad});
  EXPECT_TRUE(refused.exited());
  EXPECT_EQ(refused.exit_code(), 3);
  EXPECT_NE(refused.Stderr().find("hr_bad_model.json"), std::string::npos);

  ServerProcess s({"--model", bad, "--allow-missing-model"});
  ASSERT_GT(s.port(), 0) << s.Stderr();
  EXPECT_EQ(Call(s.port(), "GET", "/readyz").status, 503);
  EXPECT_EQ(Call(s.port(), "GET", "/healthz").status, 200);
  auto r = Call(s.port(), "POST", "/predict",
                R"({"workload_type":"lightweight_api","payload_size_kb":10})");
  ASSERT_EQ(r.status, 503) << r.body;
  simdjson::dom::parser p;
  auto doc = Json(p, r.body);
  EXPECT_EQ(doc["fallback_prediction"]["platform"].get_string().value(), "ecs");  // light > 7 KB
  EXPECT_EQ(doc["fallback_prediction"]["confidence"].get_double().value(), 0.5);
  EXPECT_EQ(doc["error"]["code"].get_string().value(), "unavailable");
  EXPECT_EQ(doc["fallback_prediction"]["note"].get_string().value(),
            "Fallback prediction due to error");

  // In a batch each good item carries the fallback, a bad one its own error; neither fails the
  // batch.
  auto batch = Call(
      s.port(), "POST", "/predict/batch",
      R"([{"workload_type":"heavy_processing","payload_size_kb":9000},{"workload_type":"x","payload_size_kb":1}])");
  ASSERT_EQ(batch.status, 200) << batch.body;
  simdjson::dom::parser q;
  auto b = Json(q, batch.body);
  EXPECT_EQ(b["count"].get_uint64().value(), 2u);
  EXPECT_EQ(b["failed"].get_uint64().value(), 2u);
  auto first = b["results"].at(0);
  EXPECT_EQ(first["index"].get_uint64().value(), 0u);
  EXPECT_EQ(first["error"]["code"].get_string().value(), "unavailable");
  EXPECT_EQ(first["fallback_prediction"]["platform"].get_string().value(),
            "ecs");  // heavy > 8000 KB
  EXPECT_EQ(first["fallback_prediction"]["confidence"].get_double().value(), 0.5);
  auto second = b["results"].at(1);
  EXPECT_EQ(second["index"].get_uint64().value(), 1u);
  EXPECT_EQ(second["error"]["field"].get_string().value(), "workload_type");
  EXPECT_TRUE(second["fallback_prediction"].error());
}

// The prototype's evaluation request generator: request_id, lambda_memory_mb and a naive local
// timestamp beside the five fields, posted one by one to /predict and saved as one JSON array
// (json.dump with indent=2) of 1,000 requests.
std::vector<std::string> PrototypeGeneratorRequests(int n) {
  const char* workloads[] = {"lightweight_api", "thumbnail_processing", "medium_processing",
                             "heavy_processing"};
  const int memory[] = {128, 512, 1024, 2048};
  const char* windows[] = {"early_morning", "morning_peak", "midday", "evening", "late_night"};
  const char* loads[] = {"low_load", "medium_load", "burst_load", "ramp_load"};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    char buf[512];
    std::snprintf(
        buf, sizeof buf,
        "{\n    \"request_id\": \"eval_%06d\",\n    \"workload_type\": \"%s\",\n    "
        "\"payload_size_kb\": %.2f,\n"
        "    \"time_window\": \"%s\",\n    \"load_pattern\": \"%s\",\n"
        "    \"timestamp\": \"2025-11-24T%02d:%02d:%02d.%06d\",\n    \"lambda_memory_mb\": %d\n  }",
        i, workloads[i % 4], 1.0 + (i * 37 % 5120), windows[i % 5], loads[(i / 5) % 4], i % 24,
        i % 60, (i * 7) % 60, i * 977 % 1000000, memory[i % 4]);
    out.emplace_back(buf);
  }
  return out;
}

TEST_F(Serve, ThePrototypesGeneratorIsAnsweredWithWarningsAndItsRequestIds) {
  const auto requests = PrototypeGeneratorRequests(1000);
  simdjson::dom::parser p;
  for (int i : {0, 1, 2, 3, 999}) {
    auto r = Call(port(), "POST", "/predict", requests[static_cast<size_t>(i)]);
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = Json(p, r.body);
    char id[32];
    std::snprintf(id, sizeof id, "eval_%06d", i);
    EXPECT_EQ(doc["request_id"].get_string().value(), id);
    EXPECT_EQ(r.headers["x-request-id"], id)
        << "the body's request_id names the request without a header";
    EXPECT_EQ(doc["warnings"].at(0)["field"].get_string().value(), "lambda_memory_mb") << r.body;
    EXPECT_EQ(simdjson::dom::array(doc["warnings"]).size(), 1u);
    EXPECT_TRUE(doc["prediction"]["platform"].is_string());
  }
  // A given X-Request-Id still wins.
  auto headed = Call(port(), "POST", "/predict", requests[5], {"X-Request-Id: mine-1"});
  EXPECT_EQ(headed.headers["x-request-id"], "mine-1");

  std::string array = "[\n  ";
  for (size_t i = 0; i < requests.size(); ++i) array += (i ? ",\n  " : "") + requests[i];
  array += "\n]";
  ASSERT_GT(array.size(), 200u * 1024);  // the generator's ~230 KB file, over the old 64 KB limit
  auto batch = Call(port(), "POST", "/predict/batch", array);
  ASSERT_EQ(batch.status, 200) << batch.body.substr(0, 300);
  auto b = Json(p, batch.body);
  EXPECT_EQ(b["count"].get_uint64().value(), 1000u);
  EXPECT_EQ(b["failed"].get_uint64().value(), 0u);
  auto results = simdjson::dom::array(b["results"]);
  ASSERT_EQ(results.size(), 1000u);
  EXPECT_EQ(results.at(999)["request_id"].get_string().value(), "eval_000999");
  EXPECT_TRUE(results.at(999)["prediction"]["platform"].is_string());
}

TEST(ServeStrict, StrictRefusesUnknownFieldsByFlagAndByEnvironment) {
  const std::string body =
      R"({"workload_type":"lightweight_api","payload_size_kb":5,"lambda_memory_mb":128})";
  for (const auto& [args, env] :
       {std::pair<std::vector<std::string>, std::vector<std::string>>{{"--strict"}, {}},
        {{}, {"HYBRID_ROUTER_STRICT=true"}}}) {
    ServerProcess s(args, env);
    ASSERT_GT(s.port(), 0) << s.Stderr();
    auto r = Call(s.port(), "POST", "/predict", body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(R"("code":"unknown_field")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("field":"lambda_memory_mb")"), std::string::npos) << r.body;
    auto batch = Call(s.port(), "POST", "/predict/batch", R"({"requests":[],"x":1})");
    EXPECT_EQ(batch.status, 400) << batch.body;
    EXPECT_EQ(s.Stop(), 0);
  }
}

}  // namespace
}  // namespace hr::testing
