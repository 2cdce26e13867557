// Lambda event formats in-process: each documented event shape (tests/data/lambda, from AWS's
// documentation) is recognised, its request extracted, and the answer wrapped in its format.
#include "lambda/events.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

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
