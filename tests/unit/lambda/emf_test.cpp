// The Lambda runtime's Embedded Metric Format line: its exact text for one invocation, and the
// namespace and dimension options each refused with the option named.
#include "lambda/emf.h"

#include <gtest/gtest.h>

#include <string>

namespace hr::lambda {
namespace {

TEST(Emf, OneLinePerInvocationInTheSpecificationsShape) {
  auto o = MakeEmfOptions("HybridRouter", "", "my-function");
  ASSERT_TRUE(o) << o.error().message;
  InvocationMetrics m;
  m.timestamp_ms = 1767225600123;
  m.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  m.status = 200;
  m.decisions = {3, 1, 0};
  m.failed_items = 1;
  m.inference_ms = 0.25;
  EXPECT_EQ(
      EmfLine(*o, m),
      R"({"_aws":{"Timestamp":1767225600123,"CloudWatchMetrics":[{"Namespace":"HybridRouter",)"
      R"("Dimensions":[["FunctionName"]],"Metrics":[{"Name":"Invocations","Unit":"Count"},)"
      R"({"Name":"LambdaDecisions","Unit":"Count"},{"Name":"EcsDecisions","Unit":"Count"},)"
      R"({"Name":"FallbackDecisions","Unit":"Count"},{"Name":"ClientErrors","Unit":"Count"},)"
      R"({"Name":"Errors","Unit":"Count"},{"Name":"InferenceTime","Unit":"Milliseconds"},)"
      R"({"Name":"FailedItems","Unit":"Count"}]}]},"FunctionName":"my-function",)"
      R"("Invocations":1,"LambdaDecisions":3,"EcsDecisions":1,"FallbackDecisions":0,)"
      R"("ClientErrors":0,"Errors":0,"InferenceTime":0.25,"FailedItems":1,)"
      R"("RequestId":"8476a536-e9f4-11e8-9739-2dfe598c3fcd","Status":200})");
  // No function name and no dimensions given: one empty dimension set (metrics without any).
  auto bare = MakeEmfOptions("Team/Router", "", "");
  ASSERT_TRUE(bare);
  m.status = 0;  // the runtime posted an error
  const std::string line = EmfLine(*bare, m);
  EXPECT_NE(line.find(R"("Namespace":"Team/Router","Dimensions":[[]])"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("Errors":1)"), std::string::npos) << line;
  auto two = MakeEmfOptions("HybridRouter", "Service=router,Stage=prod", "ignored");
  ASSERT_TRUE(two);
  EXPECT_NE(EmfLine(*two, m).find(R"("Dimensions":[["Service","Stage"]])"), std::string::npos);
  auto none = MakeEmfOptions("HybridRouter", "none", "my-function");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->dimensions.empty());
  EXPECT_FALSE(MakeEmfOptions("off", "", "")->enabled());
}

TEST(Emf, BadNamespacesAndDimensionsNameTheOption) {
  for (const char* ns : {"", "AWS/Lambda", "bad\"quote", "   "}) {
    auto o = MakeEmfOptions(ns, "", "");
    ASSERT_FALSE(o) << ns;
    EXPECT_EQ(o.error().field, "--emf-namespace") << ns;
  }
  EXPECT_FALSE(MakeEmfOptions(std::string(256, 'a'), "", ""));
  struct Bad {
    std::string text, says;
  };
  std::string many;
  for (int i = 0; i < 31; ++i) many += (i ? ",D" : "D") + std::to_string(i) + "=v";
  for (const Bad& b : std::vector<Bad>{{"Stage", "Stage is not NAME=VALUE"},
                                       {"=prod", "a name must be"},
                                       {":Stage=prod", "not starting with ':'"},
                                       {"Stage=", "the value of Stage"},
                                       {"Stage=pr\tod", "the value of Stage"},
                                       {"Errors=x", "Errors is the name of a metric"},
                                       {"RequestId=x", "RequestId is the name of a metric"},
                                       {"Stage=a,Stage=b", "Stage is given twice"},
                                       {many, "at most 30"}}) {
    auto o = MakeEmfOptions("HybridRouter", b.text, "");
    ASSERT_FALSE(o) << b.text;
    EXPECT_EQ(o.error().field, "--emf-dimensions");
    EXPECT_NE(o.error().message.find(b.says), std::string::npos) << o.error().message;
  }
}

}  // namespace
}  // namespace hr::lambda
