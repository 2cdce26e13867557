#include "eval/evaluate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "json/json_reader.h"
#include "modelfile/model_file.h"
#include "report/evaluation_text.h"

namespace hr::eval {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(LoadPricing, OverridesOnlyWhatTheFileNames) {
  cost::Pricing p;
  ASSERT_TRUE(LoadPricing(WriteTemp("p1.json", R"({"fargate_vcpu_hour_usd": 0.05})"), p));
  EXPECT_DOUBLE_EQ(p.fargate_vcpu_hour_usd, 0.05);
  EXPECT_DOUBLE_EQ(p.fargate_gb_hour_usd, cost::Pricing{}.fargate_gb_hour_usd);
}

TEST(LoadPricing, BadFilesAreErrorsAndChangeNothing) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"fargate_vcpu_hour_usd": 0.05, "lambda_gb_second": 1})", "lambda_gb_second"},
      {R"({"fargate_vcpu_hour_usd": 0.05, "alb_hour_usd": -1})", "alb_hour_usd"},
      {R"({"alb_hour_usd": "cheap"})", "alb_hour_usd"},
      {R"({"alb_hour_usd": 1e999})", "alb_hour_usd"},
      {R"([1, 2])", "pricing"},
      {R"({"alb_hour_usd": )", "pricing"},
  };
  for (const auto& [text, field] : cases) {
    cost::Pricing p;
    auto s = LoadPricing(WriteTemp("p2.json", text), p);
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().field, field) << text;
    EXPECT_DOUBLE_EQ(p.fargate_vcpu_hour_usd, cost::Pricing{}.fargate_vcpu_hour_usd) << text;
  }
  cost::Pricing p;
  EXPECT_EQ(LoadPricing("/nonexistent/prices.json", p).error().code, core::ErrorCode::kIo);
  // Over 64 KB: refused before parsing, whatever it holds.
  auto big = LoadPricing(WriteTemp("p3.json", std::string(70000, ' ') + "{}"), p);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("64 KB"), std::string::npos);
}

TEST(StratifiedFolds, EachFoldKeepsTheLabelBalance) {
  std::vector<int8_t> y;
  for (int i = 0; i < 1000; ++i) y.push_back(i % 4 == 0 ? 1 : 0);  // 25 % positive
  const auto fold = StratifiedFolds(y, 5, 7);
  std::array<int, 5> rows{}, positive{};
  for (size_t i = 0; i < y.size(); ++i) {
    ++rows[fold[i]];
    positive[fold[i]] += y[i];
  }
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(rows[static_cast<size_t>(k)], 200);
    EXPECT_EQ(positive[static_cast<size_t>(k)], 50);
  }
  EXPECT_EQ(StratifiedFolds(y, 5, 7), fold);  // seeded
  EXPECT_NE(StratifiedFolds(y, 5, 8), fold);
}

TEST(EvaluateConfig, RangesAreCheckedInOnePlace) {
  EvaluateConfig c;
  EXPECT_TRUE(c.Validate());
  c.folds = 1;
  EXPECT_EQ(c.Validate().error().field, "cross_validate");
  c = {};
  c.replay.draws = 0;
  EXPECT_EQ(c.Validate().error().field, "draws");
  c = {};
  c.ecs_task = {0.1, 2};
  EXPECT_EQ(c.Validate().error().field, "ecs_task");
}

TEST(Evaluate, AnUnknownSplitIsRefusedUnlessInSampleIsAccepted) {
  // A model without a recorded split: the tiny fixture model.
  auto text = std::ifstream(std::string(HR_TEST_DATA_DIR) + "/tiny_seed_v1.json");
  std::stringstream ss;
  ss << text.rdbuf();
  auto m = modelfile::Parse(ss.str());
  ASSERT_TRUE(m) << m.error().message;
  EvaluateConfig cfg;
  cfg.data = {std::string(HR_SOURCE_DIR) + "/data/aws-measurements"};
  cfg.model = *m;
  cfg.model_name = "tiny";
  cfg.replay.draws = 1;
  auto refused = Evaluate(cfg);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "model");
  cfg.allow_in_sample = true;
  cfg.with_audit = true;
  cfg.with_censoring = true;
  auto e = Evaluate(cfg);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(e->in_sample);
  EXPECT_NE(e->mode.find("IN-SAMPLE"), std::string::npos);
  // lambda-only, ecs-only, model, seed-heuristic, an oracle per scored objective, hindsight; no
  // objective policies (the model file has no outcome tables).
  ASSERT_EQ(e->result.policies.size(), 4u + eval::DefaultObjectives().size() + 1u);
  EXPECT_GT(e->result.items, 10000u);
  EXPECT_GT(e->audit.accepted, 10000u);
  // The text forms show the same numbers.
  const std::string json = report::EvaluationJson(*e, cfg.replay);
  EXPECT_NE(json.find("\"in_sample\":true"), std::string::npos);
  EXPECT_NE(json.find("\"policy\":\"oracle-latency\""), std::string::npos);
  json::Document doc;
  std::string why;
  ASSERT_TRUE(json::ParseDocument(doc, json, json::kModelFileLimits, why)) << why;
  // The replay with the unlogged requests as timeouts: what each run's schedule sent to a
  // (workload, platform) beyond what was logged (157,500 sent, 88,161 logged; a few groups logged
  // more than their even share).
  ASSERT_TRUE(e->censoring.has_value());
  double missing = 0;
  for (const auto& run : e->audit.runs) {
    for (const auto& g : run.groups)
      missing += std::max(0.0, std::floor(g.expected_sent - g.logged));
  }
  EXPECT_EQ(static_cast<double>(e->censoring->added), missing);
  EXPECT_GT(missing, 157500 - 88161);
  EXPECT_GT(e->censoring->flipped, 0u);
  EXPECT_LT(e->censoring->flipped, e->censoring->cells);
  const json::Value* c = json::Find(doc, "censoring");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(json::Find(*c, "policies")->Size(), e->result.policies.size());
  const std::string csv = report::EvaluationTable(*e, cfg.replay, true);
  EXPECT_EQ(csv.rfind("policy,lambda_share,", 0), 0u);
  EXPECT_EQ(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')),
            e->result.policies.size() + 1);  // header + one line per policy
  const std::string table = report::EvaluationTable(*e, cfg.replay, false);
  EXPECT_NE(table.find("IN-SAMPLE"), std::string::npos);
}

}  // namespace
}  // namespace hr::eval
