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
                       "thumbnail":{"deadline_ms":70}}})",
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
  for (const auto& [text, field] : {
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
}

}  // namespace
}  // namespace hr::route
