// Lambda event formats in-process: each documented event shape (tests/data/lambda, from AWS's
// documentation) is recognised, its request extracted, and the answer wrapped in its format.
#include "lambda/events.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "service/service.h"

namespace hr::lambda {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(HR_TEST_DATA_DIR) + "/lambda/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Events, EachFormatIsRecognisedAndItsRequestExtracted) {
  const std::pair<const char*, EventFormat> cases[] = {
      {"apigw_v1.json", EventFormat::kApiGatewayV1},
      {"http_api_v2.json", EventFormat::kHttpApiV2},
      {"function_url.json", EventFormat::kFunctionUrl},
      {"alb.json", EventFormat::kAlb},
      {"direct.json", EventFormat::kDirect}};
  for (const auto& [file, format] : cases) {
    auto e = ParseEvent(Fixture(file));
    ASSERT_TRUE(e) << file << ": " << e.error().message;
    EXPECT_EQ(e->format, format) << file;
    EXPECT_FALSE(e->bad_request) << file;
    if (format == EventFormat::kFunctionUrl) {
      EXPECT_EQ(e->path, "/healthz") << file;  // the fixture probes health
    } else {
      EXPECT_NE(e->body.find("workload_type"), std::string::npos) << file << ": " << e->body;
    }
  }
}

TEST(Events, AnswersAreWrappedInTheEventsFormat) {
  http::Response res;
  res.status = 200;
  res.body = R"({"prediction":{"platform":"ecs"}})";
  const std::string v1 = FormatResponse(EventFormat::kApiGatewayV1, res);
  EXPECT_NE(v1.find(R"("statusCode":200)"), std::string::npos) << v1;
  EXPECT_NE(v1.find(R"("body":"{\"prediction\")"), std::string::npos) << v1;
  EXPECT_NE(v1.find(R"("isBase64Encoded":false)"), std::string::npos) << v1;
  // A direct invocation gets statusCode and body as the prototype's handler returned them.
  const std::string direct = FormatResponse(EventFormat::kDirect, res);
  EXPECT_NE(direct.find(R"("statusCode":200)"), std::string::npos) << direct;
  EXPECT_EQ(direct.find("isBase64Encoded"), std::string::npos) << direct;
}

// GET /metrics through a Function URL answers Prometheus text, not JSON: the event answer is still
// JSON and carries the text's content type (the fuzz target once took the text for a defect).
TEST(Events, MetricsTextIsWrappedWithItsContentType) {
  std::string event = Fixture("function_url.json");
  for (const char* from : {R"("rawPath": "/healthz")", R"("path": "/healthz")"}) {
    const size_t at = event.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    event.replace(at, std::string_view(from).size(),
                  std::string(from).replace(std::string(from).find("/healthz"), 8, "/metrics"));
  }
  auto e = ParseEvent(event);
  ASSERT_TRUE(e) << e.error().message;
  auto svc = service::Service::Create(service::ServiceConfig{});
  ASSERT_TRUE(svc) << svc.error().message;
  EventRequest req(*e);
  http::Response res;
  (*svc)->Handle(req, res);
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("# HELP hybrid_router_requests_total"), std::string::npos) << res.body;
  EXPECT_NE(res.content_type.find("text/plain"), std::string::npos) << res.content_type;
  const std::string wrapped = FormatResponse(EventFormat::kFunctionUrl, res);
  EXPECT_NE(wrapped.find(R"("statusCode":200)"), std::string::npos) << wrapped;
  EXPECT_NE(wrapped.find(R"("Content-Type":"text/plain)"), std::string::npos) << wrapped;
  EXPECT_NE(wrapped.find(R"(# HELP hybrid_router_requests_total)"), std::string::npos) << wrapped;
}

TEST(Events, AnUndecodableBodyIsA400AndNotJsonIsAnError) {
  auto e = ParseEvent(
      R"({"httpMethod":"POST","path":"/predict","body":"!!not base64!!","isBase64Encoded":true})");
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->bad_request);
  const http::Response res = BadRequestResponse(*e->bad_request);
  EXPECT_EQ(res.status, 400);
  EXPECT_FALSE(ParseEvent("not json"));
}

// The Lambda function refuses what serve refuses: a body over the same limit, with the same 413.
TEST(Events, ABodyOverServesLimitIsTheSame413) {
  auto event = [](size_t bytes) {
    return R"({"httpMethod":"POST","path":"/predict","body":")" + std::string(bytes, ' ') +
           R"(","isBase64Encoded":false})";
  };
  auto fits = ParseEvent(event(http::kApiMaxBodyBytes));
  ASSERT_TRUE(fits);
  EXPECT_FALSE(fits->bad_request);
  for (const std::string& over : {event(http::kApiMaxBodyBytes + 1),
                                  // Direct invocation: the event is the body.
                                  R"({"workload_type":"lightweight_api","pad":")" +
                                      std::string(http::kApiMaxBodyBytes, 'x') + R"("})"}) {
    auto e = ParseEvent(over);
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->bad_request);
    const http::Response res = BadRequestResponse(*e->bad_request);
    EXPECT_EQ(res.status, 413);
    // Byte for byte what serve's HTTP server answers (tests/integration/hostile_test.cpp).
    EXPECT_EQ(
        res.body,
        R"({"error":{"code":"payload_too_large","message":"request body is larger than the limit"}})");
  }
  // A smaller limit applies to the decoded body.
  auto small = ParseEvent(
      R"({"httpMethod":"POST","path":"/p","body":"aGVsbG8=","isBase64Encoded":true})", 4);
  ASSERT_TRUE(small);
  EXPECT_TRUE(small->bad_request);
}

// ALB with multi-value headers on: the request's headers come in multiValueHeaders and the
// response must use multiValueHeaders (an ALB drops a response's plain headers then).
TEST(Events, AnAlbEventWithMultiValueHeadersIsAnsweredWithThem) {
  std::string alb = Fixture("alb.json");
  const size_t at = alb.find(R"("headers": {)");
  ASSERT_NE(at, std::string::npos);
  alb.replace(at, 12,
              R"("multiValueHeaders": {"x-request-id": ["r-1"], "accept": ["text/html", "*/*"]},)"
              R"( "x": {)");
  auto e = ParseEvent(alb);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->format, EventFormat::kAlb);
  EXPECT_TRUE(e->multi_value_headers);
  EventRequest req(*e);
  EXPECT_EQ(req.header("X-Request-Id"), "r-1");
  EXPECT_EQ(req.header("accept"), "text/html, */*");
  http::Response res;
  res.status = 200;
  res.body = "{}";
  res.headers = {{"X-Request-Id", "r-1"}, {"Vary", "a"}, {"Vary", "b"}};
  const std::string multi = FormatResponse(e->format, res, e->multi_value_headers);
  EXPECT_NE(multi.find(R"("multiValueHeaders":{"Content-Type":["application/json")"),
            std::string::npos)
      << multi;
  EXPECT_NE(multi.find(R"("X-Request-Id":["r-1"])"), std::string::npos) << multi;
  EXPECT_NE(multi.find(R"("Vary":["a","b"])"), std::string::npos) << multi;
  EXPECT_EQ(multi.find(R"("headers")"), std::string::npos) << multi;
  EXPECT_NE(multi.find(R"("statusDescription":"200 OK")"), std::string::npos) << multi;
  // Without them (the shipped fixture), plain headers as before.
  auto plain = ParseEvent(Fixture("alb.json"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->multi_value_headers);
  const std::string single = FormatResponse(plain->format, res, plain->multi_value_headers);
  EXPECT_NE(single.find(R"("headers":{"Content-Type")"), std::string::npos) << single;
  EXPECT_EQ(single.find("multiValueHeaders"), std::string::npos) << single;
}

}  // namespace
}  // namespace hr::lambda
