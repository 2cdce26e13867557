#include "route/route_config.h"

#include <gtest/gtest.h>

namespace hr::route {
namespace {

using features::Workload;

TEST(RouteTargets, BaseUrlsGetThePrototypesPaths) {
  auto t = ParseTargets({}, "https://abc.execute-api.eu-west-1.amazonaws.com/prod/",
                        "http://alb.example:8080");
  ASSERT_TRUE(t) << t.error().message;
  const WorkloadTargets& heavy = t->of(Workload::kHeavyProcessing);
  EXPECT_EQ(heavy.url[0], "https://abc.execute-api.eu-west-1.amazonaws.com/prod/heavy");
  EXPECT_EQ(heavy.url[1], "http://alb.example:8080/heavy/process");
  EXPECT_EQ(t->of(Workload::kLightweightApi).url[1], "http://alb.example:8080/lightweight/process");
  EXPECT_TRUE(heavy.idempotent);
  EXPECT_EQ(heavy.timeout_ms, 30'000);
  EXPECT_EQ(heavy.deadline_ms, 60'000);
}

TEST(RouteTargets, AFileSetsPerWorkloadUrlsTimeoutsAndIdempotency) {
  auto t = ParseTargets(
      R"({"lambda_url":"http://l/prod","timeout_ms":1000,
          "workloads":{"heavy_processing":{"ecs_url":"http://e/h","timeout_ms":50,"idempotent":false},
                       "thumbnail":{"timeout_ms":60,"deadline_ms":70}}})",
      "", "");
  ASSERT_TRUE(t) << t.error().message;
  const auto& h = t->of(Workload::kHeavyProcessing);
  EXPECT_EQ(h.url[0], "http://l/prod/heavy");
  EXPECT_EQ(h.url[1], "http://e/h");
  EXPECT_EQ(h.timeout_ms, 50);
  EXPECT_EQ(h.deadline_ms, 100);  // no deadline given: two attempts' worth
  EXPECT_FALSE(h.idempotent);
  EXPECT_EQ(t->of(Workload::kThumbnailProcessing).deadline_ms, 70);
  EXPECT_TRUE(t->of(Workload::kMediumProcessing).url[1].empty());  // no ECS for it
  // The command line's base URL wins over the file's.
  t = ParseTargets(R"({"lambda_url":"http://l/prod"})", "http://other/stage", "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->of(Workload::kMediumProcessing).url[0], "http://other/stage/medium");
}

TEST(RouteTargets, MistakesAreErrorsNamingTheKey) {
  for (
      const auto& [text, field] : {
          std::pair<const char*, const char*>{R"({"lamda_url":"http://x"})", "lamda_url"},
          {R"({"lambda_url":"ftp://x"})", "lambda_url"},
          {R"({"lambda_url":"http://"})", "lambda_url"},
          {R"({"lambda_url":"http://a b"})", "lambda_url"},
          {R"({"lambda_url":5})", "lambda_url"},
          {R"({"lambda_url":"http://x","timeout_ms":0})", "timeout_ms"},
          {R"({"lambda_url":"http://x","timeout_ms":1.5})", "timeout_ms"},
          {R"({"lambda_url":"http://x","idempotent":"yes"})", "idempotent"},
          {R"({"lambda_url":"http://x","workloads":{"huge":{}}})", "workloads.huge"},
          {R"({"lambda_url":"http://x","workloads":{"heavy":{"timout_ms":5}}})",
           "workloads.heavy_processing.timout_ms"},
          {R"({"lambda_url":"http://x","workloads":[]})", "workloads"},
          {R"({"lambda_url":"http://x:99999"})", "lambda_url"},      // no such port
          {R"({"ecs_url":"http://alb/heavy/process"})", "ecs_url"},  // a workload's, as a base
          {R"({"lambda_url":"http://x","timeout_ms":5,"timeout_ms":6})", "timeout_ms"},
          {R"({"lambda_url":"http://x","workloads":{"heavy":{"idempotent":true,"idempotent":false}}})",
           "workloads.heavy.idempotent"},
          {R"({"lambda_url":"http://x","timeout_ms":5000,"deadline_ms":1000})", "deadline_ms"},
          {"[1]", "config"},
          {"{", "config"},
          {"{}", "config"},  // no targets at all
      }) {
    auto t = ParseTargets(text, "", "");
    ASSERT_FALSE(t) << text;
    EXPECT_EQ(t.error().field, field) << text << ": " << t.error().message;
  }
  EXPECT_FALSE(ParseTargets({}, "", ""));
  EXPECT_EQ(ParseTargets({}, "localhost:9000", "").error().field, "--lambda-url");
  EXPECT_FALSE(ReadTargets("/no/such/file.json", "", ""));
  EXPECT_EQ(ParseTargets({}, "", "http://alb:80/medium/process").error().field, "--ecs-url");
  EXPECT_TRUE(ParseTargets({}, "https://x.execute-api.eu-west-1.amazonaws.com/prod", ""));
}

TEST(RouteTargets, LogsShowUrlsWithoutTheirPasswords) {
  EXPECT_EQ(Redacted("http://user:secret@alb.example:8080/x"), "http://***@alb.example:8080/x");
  EXPECT_EQ(Redacted("https://alb.example/x?a=b@c"), "https://alb.example/x?a=b@c");
  auto t = ParseTargets({}, "", "http://u:p@alb");
  ASSERT_TRUE(t);
  const std::string json = TargetsJson(*t);
  EXPECT_EQ(json.find(":p@"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("heavy_processing":{"lambda":null,"ecs":"http://***@alb/heavy/process"})"),
            std::string::npos)
      << json;
}

TEST(RouteTargets, FunctionNamesAreCalledThroughTheSignedInvokeApi) {
  auto t = ParseTargets(
      R"({"region":"eu-west-1","ecs_url":"http://alb",
          "workloads":{"heavy_processing":{"lambda_function":"hr-heavy","lambda_qualifier":"live"},
                       "medium_processing":{"lambda_url":"https://x.lambda-url.eu-central-1.on.aws/","lambda_auth":"iam"}}})",
      "", "");
  ASSERT_TRUE(t) << t.error().message;
  const auto& h = t->of(Workload::kHeavyProcessing);
  EXPECT_EQ(h.url[0],
            "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/hr-heavy/"
            "invocations?Qualifier=live");
  EXPECT_TRUE(h.lambda_invoke);
  EXPECT_EQ(h.lambda_sigv4, "aws:amz:eu-west-1:lambda");
  const auto& m = t->of(Workload::kMediumProcessing);
  EXPECT_FALSE(m.lambda_invoke);
  EXPECT_EQ(m.lambda_sigv4, "aws:amz:eu-central-1:lambda");  // the Function URL's own region
  EXPECT_TRUE(t->of(Workload::kLightweightApi).lambda_sigv4.empty());  // no Lambda target
  EXPECT_TRUE(t->signs());
  // The endpoint can be another (a VPC endpoint, the emulator); the region comes from the
  // environment when the file has none.
  auto local = ParseTargets(
      R"({"lambda_endpoint":"http://127.0.0.1:9000",
          "workloads":{"heavy_processing":{"lambda_function":"hr-heavy"}}})",
      "", "", "us-east-2");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->of(Workload::kHeavyProcessing).url[0],
            "http://127.0.0.1:9000/2015-03-31/functions/hr-heavy/invocations");
  EXPECT_EQ(local->of(Workload::kHeavyProcessing).lambda_sigv4, "aws:amz:us-east-2:lambda");
  auto plain = ParseTargets({}, "https://abc.execute-api.eu-west-1.amazonaws.com/prod", "");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->signs());  // the prototype's layout: no signing
}

// The example the ECS deployment ships is a config the router accepts, calling every workload's
// function by name.
TEST(RouteTargets, TheDeploymentsExampleConfigIsAccepted) {
  auto t = ReadTargets(std::string(HR_SOURCE_DIR) + "/deploy/ecs/route.example.json", "", "");
  ASSERT_TRUE(t) << t.error().message;
  for (const auto& w : t->workloads) {
    EXPECT_TRUE(w.lambda_invoke);
    EXPECT_EQ(w.lambda_sigv4, "aws:amz:eu-west-1:lambda");
    EXPECT_FALSE(w.url[1].empty());
  }
}

TEST(RouteTargets, SigningMistakesAreErrorsNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"workloads":{"heavy_processing":{"lambda_function":"hr-heavy"}}})", "region"},
      {R"({"region":"eu-west-1","workloads":{"heavy_processing":{"lambda_function":"arn:aws:lambda:eu-west-1:1:function:f"}}})",
       "workloads.heavy_processing.lambda_function"},
      {R"({"region":"eu-west-1","workloads":{"heavy_processing":{"lambda_function":"f","lambda_url":"http://x"}}})",
       "workloads.heavy_processing.lambda_function"},
      {R"({"region":"eu-west-1","workloads":{"heavy_processing":{"lambda_qualifier":"live","ecs_url":"http://x"}}})",
       "workloads.heavy_processing.lambda_qualifier"},
      {R"({"region":"eu-west-1","workloads":{"heavy_processing":{"lambda_function":"f","lambda_qualifier":"a b"}}})",
       "workloads.heavy_processing.lambda_qualifier"},
      {R"({"lambda_url":"http://x","lambda_auth":"IAM"})", "lambda_auth"},
      {R"({"lambda_url":"http://x","lambda_auth":"iam"})", "region"},
      {R"({"region":"EU West","lambda_url":"http://x"})", "region"},
      {R"({"regoin":"eu-west-1","lambda_url":"http://x"})", "regoin"},
      {R"({"lambda_url":"http://x","workloads":{"heavy_processing":{"ecs_capacity":-1}}})",
       "workloads.heavy_processing.ecs_capacity"},
  };
  auto env_region =
      ParseTargets(R"({"lambda_url":"http://x","lambda_auth":"iam"})", "", "", "x@evil.example/");
  ASSERT_FALSE(env_region);
  EXPECT_EQ(env_region.error().field, "region");
  for (const auto& [text, field] : cases) {
    auto t = ParseTargets(text, "", "");
    ASSERT_FALSE(t) << text;
    EXPECT_EQ(t.error().field, field) << text << ": " << t.error().message;
  }
}

// A workload's spill-over capacity from its ECS service: the API's endpoint from the region (or
// given), signed as service ecs; mistakes name their key.
TEST(RouteTargets, EcsServicesAreDescribedThroughTheSignedEcsApi) {
  auto t = ParseTargets(
      R"({"region":"eu-west-1","ecs_url":"http://alb","ecs_cluster":"prod","ecs_capacity":4,)"
      R"("workloads":{"heavy_processing":{"ecs_service":"hr-heavy","ecs_task_concurrency":2}}})",
      "", "");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->discovers());
  EXPECT_FALSE(t->signs());  // no Lambda target is signed; the ECS API is asked under spill-over
  EXPECT_EQ(t->ecs_api_url, "https://ecs.eu-west-1.amazonaws.com/");
  EXPECT_EQ(t->ecs_sigv4, "aws:amz:eu-west-1:ecs");
  EXPECT_EQ(t->ecs_cluster, "prod");
  const auto& heavy = t->of(features::Workload::kHeavyProcessing);
  EXPECT_EQ(heavy.ecs_service, "hr-heavy");
  EXPECT_EQ(heavy.ecs_task_concurrency, 2);
  EXPECT_EQ(heavy.ecs_capacity, -1);  // discovered, not the file's 4 for the others
  EXPECT_EQ(t->of(features::Workload::kMediumProcessing).ecs_capacity, 4);

  const std::pair<const char*, const char*> cases[] = {
      {R"({"region":"eu-west-1","ecs_url":"http://x","workloads":{"heavy_processing":{"ecs_service":"hr-heavy"}}})",
       "workloads.heavy_processing.ecs_task_concurrency"},
      {R"({"ecs_url":"http://x","ecs_task_concurrency":2,"workloads":{"heavy_processing":{"ecs_service":"hr-heavy"}}})",
       "region"},
      {R"({"region":"eu-west-1","ecs_url":"http://x","ecs_task_concurrency":2,"workloads":{"heavy_processing":{"ecs_service":"hr-heavy","ecs_capacity":3}}})",
       "workloads.heavy_processing.ecs_capacity"},
      {R"({"region":"eu-west-1","ecs_url":"http://x","ecs_task_concurrency":2,"workloads":{"heavy_processing":{"ecs_service":"hr heavy"}}})",
       "workloads.heavy_processing.ecs_service"},
      {R"({"region":"eu-west-1","ecs_url":"http://x","ecs_task_concurrency":0,"workloads":{"heavy_processing":{"ecs_service":"hr-heavy"}}})",
       "ecs_task_concurrency"},
      {R"({"ecs_url":"http://x","ecs_api_endpoint":"ftp://x"})", "ecs_api_endpoint"},
      {R"({"ecs_url":"http://x","ecs_clustre":"prod"})", "ecs_clustre"},
  };
  for (const auto& [text, field] : cases) {
    auto bad = ParseTargets(text, "", "");
    ASSERT_FALSE(bad) << text;
    EXPECT_EQ(bad.error().field, field) << text << ": " << bad.error().message;
  }
}

}  // namespace
}  // namespace hr::route
