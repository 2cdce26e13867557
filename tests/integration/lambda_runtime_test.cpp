// The real binary as a Lambda `bootstrap` against a local Runtime API endpoint on 127.0.0.1,
// written from AWS's documented API (GET .../invocation/next with the Lambda-Runtime-* headers;
// POST .../invocation/{id}/response, .../invocation/{id}/error, .../init/error). The events in
// tests/data/lambda are written by hand from AWS's documented examples.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "http/server.h"
#include "parse_json.h"
#include "run_binary.h"

namespace hr::testing {
namespace {

struct Posted {
  std::string path, body, error_type;
};

class FakeRuntimeApi {
 public:
  FakeRuntimeApi() {
    http::ServerOptions o;
    o.port = 0;
    o.threads = 1;
    auto s = http::Server::Create(
        o, [this](const http::Request& req, http::Response& res) { Handle(req, res); });
    EXPECT_TRUE(s.ok());
    server_ = std::move(*s);
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~FakeRuntimeApi() {
    server_->Shutdown();
    thread_.join();
  }
  int port() const { return server_->port(); }
  void Queue(std::string id, std::string event, int64_t deadline_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back({std::move(id), std::move(event), deadline_ms});
  }
  std::vector<Posted> posted() {
    std::lock_guard<std::mutex> lock(mu_);
    return posted_;
  }
  int next_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return next_calls_;
  }

 private:
  struct Invocation {
    std::string id, event;
    int64_t deadline_ms;
  };
  void Handle(const http::Request& req, http::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string path(req.target());
    if (req.method() == "GET" && path == "/2018-06-01/runtime/invocation/next") {
      ++next_calls_;
      if (events_.empty()) {
        res.status = 500;  // a transient failure: the runtime must retry, bounded
        return;
      }
      Invocation inv = events_.front();
      events_.pop_front();
      res.headers = {{"Lambda-Runtime-Aws-Request-Id", inv.id},
                     {"Lambda-Runtime-Deadline-Ms", std::to_string(inv.deadline_ms)},
                     {"Lambda-Runtime-Trace-Id",
                      "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"},
                     {"Lambda-Runtime-Invoked-Function-Arn",
                      "arn:aws:lambda:eu-west-1:123456789012:function:hybrid-router"}};
      res.body = inv.event;
      return;
    }
    if (req.method() == "POST") {
      posted_.push_back({path, std::string(req.body()),
                         std::string(req.header("Lambda-Runtime-Function-Error-Type"))});
      res.status = 202;
      res.body = R"({"status":"OK"})";
      return;
    }
    res.status = 404;
  }
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::mutex mu_;
  std::deque<Invocation> events_;
  std::vector<Posted> posted_;
  int next_calls_ = 0;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The binary under test: the packaged static bootstrap when HR_LAMBDA_BOOTSTRAP names one
// (tools/package-lambda.sh runs these tests so), else this build's hybrid-router.
std::string BootstrapBinary() {
  const char* packaged = std::getenv("HR_LAMBDA_BOOTSTRAP");
  return packaged && *packaged ? packaged : HR_BINARY;
}

// A fresh folder holding nothing but a copy of the binary named `bootstrap`, as in /var/task.
// One folder per test process: ctest runs the tests of this file in parallel processes, and a
// shared folder was removed under a running test.
std::string TaskFolder() {
  const std::string dir = ::testing::TempDir() + "/hr_lambda_task_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(BootstrapBinary(), dir + "/bootstrap");
  return dir;
}

// Runs the binary as `bootstrap` in an otherwise empty folder, with only the Lambda variables set.
RunResult RunBootstrap(int port, const std::string& extra_args) {
  return RunCli("", "",
                "cd " + TaskFolder() +
                    " && env -i AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(port) +
                    " AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024 ./bootstrap " + extra_args);
}

TEST(LambdaRuntime, EveryEventFormatIsAnsweredInItsOwnFormat) {
  FakeRuntimeApi api;
  const std::string dir = std::string(HR_TEST_DATA_DIR) + "/lambda/";
  const char* files[] = {"apigw_v1.json", "http_api_v2.json", "function_url.json",
                         "alb.json",      "direct.json",      "bad_body_v1.json"};
  for (const char* f : files) api.Queue(f, Slurp(dir + f), NowMs() + 30000);
  api.Queue("not-json", "this is not an event", NowMs() + 30000);
  api.Queue("late", Slurp(dir + "direct.json"), NowMs() - 1000);
  auto r = RunBootstrap(api.port(), "--max-invocations 8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto posted = api.posted();
  ASSERT_EQ(posted.size(), 8u);
  simdjson::dom::parser p;
  std::map<std::string, Posted> by_id;
  for (const auto& x : posted) {
    const auto start = std::string("/2018-06-01/runtime/invocation/").size();
    by_id[x.path.substr(start, x.path.find('/', start) - start)] = x;
  }
  auto proxy = [&](const std::string& id) {
    EXPECT_EQ(by_id[id].path, "/2018-06-01/runtime/invocation/" + id + "/response");
    return Json(p, by_id[id].body);
  };
  auto inner = [&](simdjson::dom::element e, simdjson::dom::parser& q) {
    return Json(q, std::string(e["body"].get_string().value()));
  };
  simdjson::dom::parser q;
  auto v1 = proxy("apigw_v1.json");
  EXPECT_EQ(v1["statusCode"].get_int64().value(), 200);
  EXPECT_EQ(v1["headers"]["Access-Control-Allow-Origin"].get_string().value(), "*");
  EXPECT_FALSE(v1["isBase64Encoded"].get_bool().value());
  auto v1_body = inner(v1, q);
  EXPECT_TRUE(v1_body["prediction"]["platform"].is_string());
  // 1024 MB from AWS_LAMBDA_FUNCTION_MEMORY_SIZE prices the inference.
  const double ms = v1_body["metrics"]["inference_time_ms"].get_double().value();
  EXPECT_NEAR(v1_body["metrics"]["inference_cost_usd"].get_double().value(),
              1.0 * ms / 1000 * 0.0000166667 + 0.2e-6, 1e-15);

  auto v2 = proxy("http_api_v2.json");  // base64 body
  EXPECT_EQ(v2["statusCode"].get_int64().value(), 200);
  simdjson::dom::parser q2;
  EXPECT_EQ(inner(v2, q2)["prediction"]["platform"].get_string().value(), "lambda");
  EXPECT_EQ(v2["headers"]["X-Request-Id"].get_string().value(), "v2-request-1");

  auto url = proxy("function_url.json");
  EXPECT_EQ(url["statusCode"].get_int64().value(), 200);
  EXPECT_EQ(std::string(url["body"].get_string().value()), R"({"status":"ok"})");

  auto alb = proxy("alb.json");
  EXPECT_EQ(alb["statusCode"].get_int64().value(), 200);
  EXPECT_EQ(alb["statusDescription"].get_string().value(), "200 OK");

  auto direct = proxy("direct.json");  // the prototype's shape for a raw invocation
  EXPECT_EQ(direct["statusCode"].get_int64().value(), 200);
  simdjson::dom::parser q3;
  EXPECT_TRUE(inner(direct, q3)["model_info"]["model_type"].is_string());

  auto bad = proxy("bad_body_v1.json");  // a bad request is a 400 answer, not a function error
  EXPECT_EQ(bad["statusCode"].get_int64().value(), 400);
  simdjson::dom::parser q4;
  EXPECT_EQ(inner(bad, q4)["error"]["field"].get_string().value(), "workload_type");

  EXPECT_EQ(by_id["not-json"].path, "/2018-06-01/runtime/invocation/not-json/error");
  EXPECT_EQ(by_id["not-json"].error_type, "Runtime.InvalidEvent");
  EXPECT_NE(by_id["not-json"].body.find("\"errorType\":\"Runtime.InvalidEvent\""),
            std::string::npos);
  EXPECT_EQ(by_id["late"].error_type, "Runtime.DeadlineExceeded");
}

// Found by the bad-input campaign: a base64 body whose length is not a multiple of 4 wrote past
// its buffer; events nested 100k deep, or a direct invocation's body object nested 50k deep,
// overflowed the stack; a malformed body went to the invocation-error endpoint (a 502 through API
// Gateway). Each is now a JSON 400 in the event's own format, and the runtime keeps serving.
TEST(LambdaRuntime, HostileEventsAreAnswered400AndTheRuntimeKeepsServing) {
  FakeRuntimeApi api;
  const std::string v1_head =
      R"({"resource":"/predict","path":"/predict","httpMethod":"POST","headers":{"Content-Type":"application/json"},"requestContext":{"stage":"prod"},)";
  const std::string good = R"({\"workload_type\":\"lightweight_api\",\"payload_size_kb\":5})";
  struct Case {
    std::string id, event;
    int status;
    std::string code, field;
  };
  const Case cases[] = {
      {"b64-5", v1_head + R"("isBase64Encoded":true,"body":"abcde"})", 400, "invalid_json", "body"},
      {"b64-bad", v1_head + R"("isBase64Encoded":true,"body":"eyJ3b3Jr*G9hZA=="})", 400,
       "invalid_json", "body"},
      {"body-number", v1_head + R"("isBase64Encoded":false,"body":42})", 400, "wrong_type", "body"},
      {"deep-event", std::string(100000, '[') + std::string(100000, ']'), 400, "invalid_json", ""},
      {"deep-direct", R"({"body":)" + std::string(50000, '[') + std::string(50000, ']') + "}", 400,
       "invalid_json", ""},
      {"deep-direct-object",
       R"({"body":{"a":)" +
           [] {
             std::string s;
             for (int i = 0; i < 50000; ++i) s += R"({"a":)";
             return s + "1" + std::string(50000, '}');
           }() +
           "}}",
       400, "invalid_json", ""},
      {"huge-number",
       v1_head +
           R"("isBase64Encoded":false,"body":"{\"workload_type\":\"lightweight_api\",\"payload_size_kb\":1e999}"})",
       400, "out_of_range", "payload_size_kb"},
      {"direct-huge", R"({"body":{"workload_type":"lightweight_api","payload_size_kb":-1e999}})",
       400, "out_of_range", "payload_size_kb"},
      {"long-mantissa",
       v1_head +
           R"("isBase64Encoded":false,"body":"{\"workload_type\":\"lightweight_api\",\"payload_size_kb\":0.)" +
           std::string(540, '0') + R"(3347797894}"})",
       200, "", ""},
      // serve's limit, and serve's 413.
      {"over-limit",
       v1_head + R"("isBase64Encoded":false,"body":")" + std::string((1 << 20) + 1, ' ') + R"("})",
       413, "payload_too_large", ""},
      // An ALB with multi-value headers: answered with multiValueHeaders (checked below).
      {"alb-multi",
       R"({"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1"}},"httpMethod":"POST","path":"/predict","multiValueHeaders":{"content-type":["application/json"]},"isBase64Encoded":false,"body":")" +
           good + R"("})",
       200, "", ""},
      {"still-serving", v1_head + R"("isBase64Encoded":false,"body":")" + good + R"("})", 200, "",
       ""},
  };
  for (const auto& c : cases) api.Queue(c.id, c.event, NowMs() + 30000);
  auto r = RunBootstrap(api.port(), "--max-invocations " + std::to_string(std::size(cases)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Posted> by_id;
  for (const auto& x : api.posted()) {
    const auto start = std::string("/2018-06-01/runtime/invocation/").size();
    by_id[x.path.substr(start, x.path.find('/', start) - start)] = x;
  }
  ASSERT_EQ(by_id.size(), std::size(cases));
  for (const auto& c : cases) {
    const Posted& got = by_id[c.id];
    ASSERT_EQ(got.path, "/2018-06-01/runtime/invocation/" + c.id + "/response")
        << c.id << ": " << got.body;
    simdjson::dom::parser p, q;
    auto proxy = Json(p, got.body);
    EXPECT_EQ(proxy["statusCode"].get_int64().value(), c.status) << c.id << ": " << got.body;
    auto inner = Json(q, std::string(proxy["body"].get_string().value()));
    if (c.status == 200) {
      EXPECT_TRUE(inner["prediction"]["platform"].is_string()) << c.id;
      continue;
    }
    EXPECT_EQ(inner["error"]["code"].get_string().value(), c.code) << c.id << ": " << got.body;
    if (!c.field.empty()) {
      EXPECT_EQ(inner["error"]["field"].get_string().value(), c.field) << c.id;
    }
  }
  simdjson::dom::parser p;
  auto alb = Json(p, by_id["alb-multi"].body);
  EXPECT_TRUE(alb["multiValueHeaders"]["Content-Type"].is_array()) << by_id["alb-multi"].body;
  EXPECT_TRUE(alb["headers"].error()) << by_id["alb-multi"].body;
}

TEST(LambdaRuntime, TheSameRequestGetsTheSameAnswerAsServe) {
  FakeRuntimeApi api;
  api.Queue("same", Slurp(std::string(HR_TEST_DATA_DIR) + "/lambda/bad_body_v1.json"),
            NowMs() + 30000);
  auto r = RunBootstrap(api.port(), "--max-invocations 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  auto out = Json(p, api.posted().at(0).body);
  // serve answers this body with exactly this error (tests/integration/serve_test.cpp).
  EXPECT_EQ(
      std::string(out["body"].get_string().value()),
      R"({"error":{"code":"unknown_value","message":"workload_type 'video_transcoding' is not one of: )"
      R"(lightweight_api, thumbnail_processing, medium_processing, heavy_processing","field":"workload_type"}})");
}

TEST(LambdaRuntime, AnswersWithAnEmptyEnvironmentFromAFolderHoldingOnlyItself) {
  FakeRuntimeApi api;
  api.Queue("lone", Slurp(std::string(HR_TEST_DATA_DIR) + "/lambda/apigw_v1.json"),
            NowMs() + 30000);
  const std::string dir = TaskFolder();
  ASSERT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
  auto r = RunCli("", "",
                  "cd " + dir + " && env -i ./bootstrap --runtime-api 127.0.0.1:" +
                      std::to_string(api.port()) + " --max-invocations 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto posted = api.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/invocation/lone/response");
  simdjson::dom::parser p, q;
  auto out = Json(p, posted[0].body);
  EXPECT_EQ(out["statusCode"].get_int64().value(), 200);
  auto body = Json(q, std::string(out["body"].get_string().value()));
  // Without AWS_LAMBDA_FUNCTION_MEMORY_SIZE the cost uses the prototype's 512 MB.
  const double ms = body["metrics"]["inference_time_ms"].get_double().value();
  EXPECT_NEAR(body["metrics"]["inference_cost_usd"].get_double().value(),
              0.5 * ms / 1000 * 0.0000166667 + 0.2e-6, 1e-15);
  EXPECT_TRUE(body["prediction"]["platform"].is_string());

  // What an operator runs on the package: its version, and whether its model loads.
  auto version = RunCli("", "", "cd " + dir + " && env -i ./bootstrap --version");
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out.rfind("hybrid-router ", 0), 0u) << version.out;
  auto check = RunCli("", "", "cd " + dir + " && env -i ./bootstrap --check");
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("model ok: built-in, schema seed-v1"), std::string::npos) << check.out;
  auto bad =
      RunCli("", "", "cd " + dir + " && env -i ./bootstrap --check --model /nonexistent.json");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("/nonexistent.json"), std::string::npos) << bad.err;
  auto nowhere = RunCli("", "", "cd " + dir + " && env -i ./bootstrap");
  EXPECT_NE(nowhere.exit_code, 0);
  EXPECT_NE(nowhere.err.find("AWS_LAMBDA_RUNTIME_API"), std::string::npos) << nowhere.err;
}

TEST(LambdaRuntime, InitFailureAndAnUnreachableEndpoint) {
  FakeRuntimeApi api;
  auto r = RunBootstrap(api.port(), "--model /nonexistent/model.json --max-invocations 1");
  EXPECT_EQ(r.exit_code, 1);
  const auto posted = api.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(posted[0].error_type, "Runtime.InitError");
  EXPECT_NE(posted[0].body.find("/nonexistent/model.json"), std::string::npos);

  // /next keeps failing: bounded retries, then exit non-zero (Lambda restarts the environment).
  auto gone = RunBootstrap(api.port(), "--max-invocations 1");
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(api.next_calls(), 6);  // 1 + 5 retries, then it gives up
  EXPECT_NE(gone.err.find("runtime endpoint failed"), std::string::npos) << gone.err;
}

// What is wrong with `root` as a CloudWatch Embedded Metric Format document, by the published
// specification (docs.aws.amazon.com, CloudWatch_Embedded_Metric_Format_Specification); empty when
// nothing is. Objects the specification defines may hold no other members.
std::string EmfViolation(simdjson::dom::element root, int64_t now_ms) {
  static const std::set<std::string_view> kUnits = {"Seconds",
                                                    "Microseconds",
                                                    "Milliseconds",
                                                    "Bytes",
                                                    "Kilobytes",
                                                    "Megabytes",
                                                    "Gigabytes",
                                                    "Terabytes",
                                                    "Bits",
                                                    "Kilobits",
                                                    "Megabits",
                                                    "Gigabits",
                                                    "Terabits",
                                                    "Percent",
                                                    "Count",
                                                    "Bytes/Second",
                                                    "Kilobytes/Second",
                                                    "Megabytes/Second",
                                                    "Gigabytes/Second",
                                                    "Terabytes/Second",
                                                    "Bits/Second",
                                                    "Kilobits/Second",
                                                    "Megabits/Second",
                                                    "Gigabits/Second",
                                                    "Terabits/Second",
                                                    "Count/Second",
                                                    "None"};
  simdjson::dom::object doc, aws;
  if (root.get_object().get(doc)) return "the root is not an object";
  if (doc["_aws"].get_object().get(aws)) return "no _aws object";
  for (auto [k, v] : aws) {
    if (k != "Timestamp" && k != "CloudWatchMetrics") return "_aws has " + std::string(k);
  }
  int64_t ts = 0;
  if (aws["Timestamp"].get_int64().get(ts)) return "_aws.Timestamp is not an integer";
  if (ts < now_ms - 14LL * 86'400'000 || ts > now_ms + 2 * 3'600'000)
    return "_aws.Timestamp is not within two weeks before and two hours after now";
  simdjson::dom::array directives;
  if (aws["CloudWatchMetrics"].get_array().get(directives) || directives.size() == 0)
    return "_aws.CloudWatchMetrics is not a non-empty array";
  for (simdjson::dom::element d : directives) {
    simdjson::dom::object dir;
    if (d.get_object().get(dir)) return "a MetricDirective is not an object";
    for (auto [k, v] : dir) {
      if (k != "Namespace" && k != "Dimensions" && k != "Metrics")
        return "a MetricDirective has " + std::string(k);
    }
    std::string_view ns;
    if (dir["Namespace"].get_string().get(ns) || ns.empty() || ns.size() > 255)
      return "Namespace is not a string of 1-255 characters";
    simdjson::dom::array sets, metrics;
    if (dir["Dimensions"].get_array().get(sets)) return "Dimensions is not an array";
    for (simdjson::dom::element set : sets) {
      simdjson::dom::array names;
      if (set.get_array().get(names) || names.size() > 30)
        return "a DimensionSet is not an array of at most 30 names";
      for (simdjson::dom::element n : names) {
        std::string_view name, value;
        if (n.get_string().get(name)) return "a dimension name is not a string";
        if (doc[name].get_string().get(value))
          return "dimension " + std::string(name) + " is not a string member of the root";
        if (value.empty() || value.size() > 1024)
          return "dimension " + std::string(name) + "'s value is not 1-1024 characters";
      }
    }
    if (dir["Metrics"].get_array().get(metrics) || metrics.size() > 100)
      return "Metrics is not an array of at most 100 definitions";
    for (simdjson::dom::element m : metrics) {
      simdjson::dom::object def;
      if (m.get_object().get(def)) return "a MetricDefinition is not an object";
      for (auto [k, v] : def) {
        if (k != "Name" && k != "Unit" && k != "StorageResolution")
          return "a MetricDefinition has " + std::string(k);
      }
      std::string_view name, unit;
      if (def["Name"].get_string().get(name) || name.empty())
        return "a MetricDefinition has no Name";
      if (def["Unit"].error() != simdjson::NO_SUCH_FIELD &&
          (def["Unit"].get_string().get(unit) || !kUnits.count(unit)))
        return std::string(name) + "'s Unit is not a CloudWatch unit";
      simdjson::dom::element value;
      if (doc[name].get(value) || !value.is_number())
        return "metric " + std::string(name) + " is not a number member of the root";
    }
  }
  return "";
}

// One EMF line per invocation on stdout (CloudWatch Logs makes metrics of it), valid by the
// specification, with the namespace and dimensions asked for, counting what each invocation did.
TEST(LambdaRuntime, EachInvocationWritesOneEmbeddedMetricFormatLine) {
  FakeRuntimeApi api;
  const std::string dir = std::string(HR_TEST_DATA_DIR) + "/lambda/";
  const std::string item = R"({\"workload_type\":\"heavy_processing\",\"payload_size_kb\":5120})";
  api.Queue("single", Slurp(dir + "apigw_v1.json"), NowMs() + 30000);
  api.Queue("batch",
            R"({"resource":"/predict/batch","path":"/predict/batch","httpMethod":"POST",)"
            R"("headers":{"Content-Type":"application/json"},"requestContext":{"stage":"prod"},)"
            R"("isBase64Encoded":false,"body":"[)" +
                item + "," + item + "," + item + R"(,7]"})",
            NowMs() + 30000);
  api.Queue("bad-body", Slurp(dir + "bad_body_v1.json"), NowMs() + 30000);
  api.Queue("not-json", "this is not an event", NowMs() + 30000);
  const int64_t started = NowMs();
  auto r =
      RunCli("", "",
             "cd " + TaskFolder() +
                 " && env -i AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(api.port()) +
                 " AWS_LAMBDA_FUNCTION_NAME=hr-fn ./bootstrap --max-invocations 4 "
                 "--emf-namespace Team/HybridRouter --emf-dimensions Service=router,Stage=test");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  for (size_t at = 0; at < r.out.size();) {
    const size_t nl = r.out.find('\n', at);
    ASSERT_NE(nl, std::string::npos) << "a line without its newline: " << r.out.substr(at);
    lines.push_back(r.out.substr(at, nl - at));
    at = nl + 1;
  }
  ASSERT_EQ(lines.size(), 4u) << r.out;
  simdjson::dom::parser p;
  std::map<std::string, std::map<std::string, double>> by_id;
  for (const std::string& line : lines) {
    simdjson::dom::element e = Json(p, line);
    EXPECT_EQ(EmfViolation(e, started), "") << line;
    auto directive = e["_aws"]["CloudWatchMetrics"].at(0);
    EXPECT_EQ(directive["Namespace"].get_string().value(), "Team/HybridRouter");
    EXPECT_EQ(simdjson::to_string(directive["Dimensions"]), R"([["Service","Stage"]])");
    EXPECT_EQ(e["Service"].get_string().value(), "router");
    EXPECT_EQ(e["Stage"].get_string().value(), "test");
    EXPECT_EQ(e["FunctionName"].error(), simdjson::NO_SUCH_FIELD) << "dimensions given replace it";
    auto& values = by_id[std::string(e["RequestId"].get_string().value())];
    for (simdjson::dom::element m : directive["Metrics"].get_array()) {
      const std::string_view name = m["Name"].get_string().value();
      values[std::string(name)] = e[name].get_double().value();
    }
  }
  ASSERT_EQ(by_id.size(), 4u);
  for (const auto& [id, v] : by_id) EXPECT_EQ(v.at("Invocations"), 1) << id;
  EXPECT_EQ(by_id["single"]["LambdaDecisions"] + by_id["single"]["EcsDecisions"], 1);
  EXPECT_GT(by_id["single"]["InferenceTime"], 0);
  EXPECT_LT(by_id["single"]["InferenceTime"], 1000);
  EXPECT_EQ(by_id["single"]["Errors"] + by_id["single"]["ClientErrors"], 0);
  EXPECT_EQ(by_id["batch"]["LambdaDecisions"] + by_id["batch"]["EcsDecisions"], 3);
  EXPECT_EQ(by_id["batch"]["FailedItems"], 1);
  EXPECT_EQ(by_id["bad-body"]["ClientErrors"], 1);
  EXPECT_EQ(by_id["bad-body"]["Errors"], 0);
  EXPECT_EQ(by_id["not-json"]["Errors"], 1);
  // A dimension the specification would refuse is a clear error at start.
  auto bad = RunCli("", "",
                    "env -i AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(api.port()) + " " +
                        BootstrapBinary() + " lambda --emf-dimensions :Stage=test");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--emf-dimensions"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace hr::testing
