#include "emulate/emulate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "json/json_reader.h"

namespace hr::emulate {
namespace {

using features::LoadPattern;
using features::TimeWindow;
using features::Workload;
using policy::Platform;

data::Record Rec(Platform p, Workload w, double kb, std::optional<TimeWindow> tw,
                 std::optional<LoadPattern> lp, double ms) {
  data::Record r;
  r.platform = p;
  r.workload = w;
  r.target_payload_kb = kb;
  r.time_window = tw;
  r.load_pattern = lp;
  r.response_time_ms = ms;
  r.execution_time_ms = ms / 2;
  r.memory_used_mb = 512;
  r.memory_limit_mb = 512;
  r.cold_start = 0;
  return r;
}

Pools Small() {
  return Pools(
      {Rec(Platform::kLambda, Workload::kHeavyProcessing, 5120, TimeWindow::kEvening,
           LoadPattern::kBurstLoad, 7000),
       Rec(Platform::kLambda, Workload::kHeavyProcessing, 2048, TimeWindow::kMidday,
           LoadPattern::kLowLoad, 3000),
       Rec(Platform::kEcs, Workload::kHeavyProcessing, 5120, std::nullopt, std::nullopt, 9000)});
}

TEST(EmulateFaults, ParseAndNameWhatIsWrong) {
  auto f = ParseFault("ecs:slow:0.25:5000");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->platform, Platform::kEcs);
  EXPECT_EQ(f->kind, FaultKind::kSlow);
  EXPECT_EQ(f->probability, 0.25);
  EXPECT_EQ(f->ms, 5000);
  EXPECT_TRUE(ParseFault("lambda:throttle:1"));
  for (const auto& [text, says] : {std::pair<const char*, const char*>{"lambda", "3 or 4 parts"},
                                   {"fargate:error:0.1", "platform must be lambda or ecs"},
                                   {"lambda:crash:0.1", "kind must be"},
                                   {"lambda:error:1.5", "probability"},
                                   {"lambda:error:x", "probability"},
                                   {"lambda:cold:0.1", "need the extra milliseconds"},
                                   {"lambda:throttle:0.1:100", "take no milliseconds"},
                                   {"ecs:slow:0.1:-5", "milliseconds must be"}}) {
    auto bad = ParseFault(text);
    ASSERT_FALSE(bad) << text;
    EXPECT_EQ(bad.error().field, "fault");
    EXPECT_NE(bad.error().message.find(says), std::string::npos) << bad.error().message;
  }
}

TEST(EmulatePools, DrawsFromTheCellThenItsParents) {
  const Pools pools = Small();
  auto d = pools.Pick(Platform::kLambda, Workload::kHeavyProcessing, 5000, TimeWindow::kEvening,
                      LoadPattern::kBurstLoad, 12345);
  ASSERT_NE(d.record, nullptr);
  EXPECT_EQ(d.level, 0);  // 5,000 KB is nearest the measured 5,120
  EXPECT_EQ(d.record->response_time_ms, 7000);
  d = pools.Pick(Platform::kLambda, Workload::kHeavyProcessing, 2000, TimeWindow::kEvening,
                 LoadPattern::kBurstLoad, 1);
  EXPECT_EQ(d.level, 1);  // 2,048 KB was measured only at midday
  EXPECT_EQ(d.record->response_time_ms, 3000);
  d = pools.Pick(Platform::kEcs, Workload::kHeavyProcessing, 5120, TimeWindow::kEvening,
                 LoadPattern::kBurstLoad, 1);
  EXPECT_EQ(d.level, 1);  // the ECS record has no context
  d = pools.Pick(Platform::kEcs, Workload::kLightweightApi, 1, std::nullopt, std::nullopt, 1);
  EXPECT_EQ(d.record, nullptr);  // never measured
}

TEST(EmulatePools, TrueMeansAreOverTheRecordsItDrawsFromAndRegretIsAgainstTheBetter) {
  Pools pools(
      {Rec(Platform::kLambda, Workload::kHeavyProcessing, 5120, TimeWindow::kEvening,
           LoadPattern::kBurstLoad, 7000),
       Rec(Platform::kLambda, Workload::kHeavyProcessing, 5120, TimeWindow::kEvening,
           LoadPattern::kBurstLoad, 9000),
       Rec(Platform::kLambda, Workload::kHeavyProcessing, 2048, TimeWindow::kMidday,
           LoadPattern::kLowLoad, 3000),
       Rec(Platform::kEcs, Workload::kHeavyProcessing, 5120, std::nullopt, std::nullopt, 9000),
       Rec(Platform::kEcs, Workload::kHeavyProcessing, 5120, std::nullopt, std::nullopt, 11000)});
  // The full cell's two records, not the workload's three.
  const std::array<double, 2> mean{pools.MeanMs(Platform::kLambda, Workload::kHeavyProcessing, 5000,
                                                TimeWindow::kEvening, LoadPattern::kBurstLoad),
                                   pools.MeanMs(Platform::kEcs, Workload::kHeavyProcessing, 5000,
                                                TimeWindow::kEvening, LoadPattern::kBurstLoad)};
  EXPECT_DOUBLE_EQ(mean[0], 8000);
  EXPECT_DOUBLE_EQ(mean[1], 10000);  // ECS's (workload, payload) cell, as Pick draws
  EXPECT_DOUBLE_EQ(RegretMs(mean, Platform::kEcs), 2000);
  EXPECT_DOUBLE_EQ(RegretMs(mean, Platform::kLambda), 0);
  // Never measured on ECS: nothing better to choose; the chosen platform unmeasured: unknown.
  const std::array<double, 2> lambda_only{
      pools.MeanMs(Platform::kLambda, Workload::kHeavyProcessing, 2048, std::nullopt, std::nullopt),
      pools.MeanMs(Platform::kEcs, Workload::kLightweightApi, 1, std::nullopt, std::nullopt)};
  EXPECT_DOUBLE_EQ(lambda_only[0], 3000);
  EXPECT_TRUE(std::isnan(lambda_only[1]));
  EXPECT_DOUBLE_EQ(RegretMs(lambda_only, Platform::kLambda), 0);
  EXPECT_TRUE(std::isnan(RegretMs(lambda_only, Platform::kEcs)));
}

class Fake final : public http::Request {
 public:
  Fake(std::string method, std::string target, std::string body)
      : method_(std::move(method)), target_(std::move(target)), body_(std::move(body)) {}
  std::string_view method() const override { return method_; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view) const override { return {}; }

 private:
  std::string method_, target_, body_;
};

TEST(Emulator, AnswersAtOnceWhenItCannotDeferAndCountsWhatItAnswered) {
  EmulateConfig cfg;
  cfg.time_scale = 0.5;
  cfg.faults.push_back(*ParseFault("lambda:cold:1:1000"));
  auto e = Emulator::Create(cfg, Small());
  ASSERT_TRUE(e) << e.error().message;
  http::Response res;
  (*e)->Handle(
      Fake(
          "POST", "/prod/heavy",
          R"({"metadata":{"target_size_kb":5120,"time_window":"evening","load_pattern":"burst_load"}})"),
      res);
  ASSERT_EQ(res.status, 200) << res.body;
  json::Document doc;
  std::string why;
  ASSERT_TRUE(json::ParseDocument(doc, res.body, json::kRequestLimits, why)) << why;
  EXPECT_TRUE(json::Find(*json::Find(doc, "metrics"), "cold_start")->GetBool());
  bool delay_seen = false;
  for (const auto& [k, v] : res.headers) {
    if (k == "X-Emulated-Delay-Ms") {
      EXPECT_NEAR(std::atof(v.c_str()), (7000 + 1000) * 0.5, 1e-6);  // drawn + cold, scaled
      delay_seen = true;
    }
  }
  EXPECT_TRUE(delay_seen);
  EXPECT_EQ((*e)->answered(), 1u);
  EmulateConfig none;
  EXPECT_FALSE(Emulator::Create(none, Pools({})));
  none.time_scale = -1;
  EXPECT_FALSE(Emulator::Create(none, Small()));
}

}  // namespace
}  // namespace hr::emulate
