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

}  // namespace
}  // namespace hr::lambda
