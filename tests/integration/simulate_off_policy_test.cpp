// Black-box tests of the off-policy loop on logs `simulate` writes: `simulate --explore
// --outcome-log` as a logging system whose truth is known, `evaluate --off-policy` (text, JSON and
// the HTML section) and `promote`.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "run_binary.h"
#include "simulate_fixtures.h"

namespace hr::testing {
namespace {

// A fresh folder `name` under the test's temporary directory with the outcome log of 300 s at
// 2 requests/s, the built-in model deciding for latency with uniform exploration 0.2; empty when
// simulate failed (the failure is reported).
std::string ExploringLog(const std::string& name) {
  const std::string dir = ::testing::TempDir() + name;
  std::filesystem::remove_all(dir);
  auto s = RunCli(
      "simulate -q --policy builtin --objective latency --explore 0.2 --rate 2 "
      "--duration-s 300 --start-hour 10 --outcome-log " +
      dir);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  return s.exit_code == 0 ? dir : std::string();
}

// simulate --explore --outcome-log makes a log evaluate --off-policy reads: every line used, its
// propensities those of the mix (1 - 0.2 / 2 for the model's choice, 0.2 / 2 for the other).
TEST(CliSimulate, AnOutcomeLogWithPropensitiesFeedsOffPolicyEvaluation) {
  const std::string dir = ExploringLog("offpolicy-log");
  ASSERT_FALSE(dir.empty());
  std::string text;
  for (const auto& f : std::filesystem::directory_iterator(dir)) text += Slurp(f.path().string());
  EXPECT_NE(text.find(R"("propensity":0.9,)"), std::string::npos);
  EXPECT_NE(text.find(R"("propensity":0.1,)"), std::string::npos);
  EXPECT_NE(text.find(R"("source":"explore")"), std::string::npos);
  simdjson::dom::parser p;
  auto r = RunCli("evaluate -q --format json --off-policy " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = Json(p, r);
  EXPECT_EQ(doc["lines"]["skipped"].get_uint64().value(), 0u);
  EXPECT_GT(doc["lines"]["used"].get_uint64().value(), 400u);
  std::vector<std::string> names;
  for (auto item : simdjson::dom::array(doc["policies"])) {
    names.emplace_back(item["policy"].get_string().value());
    for (const char* e : {"ips", "snips", "dr"}) {
      auto rt = item["off_policy"][e]["response_time_ms"];
      const double mean = rt["mean"].get_double().value();
      EXPECT_LE(rt["ci95"].at(0).get_double().value(), mean) << names.back() << " " << e;
      EXPECT_GE(rt["ci95"].at(1).get_double().value(), mean) << names.back() << " " << e;
      EXPECT_TRUE(
          item["off_policy"][e]["cost_per_million_usd"]["seed-prorated"]["mean"].is_number());
    }
    EXPECT_GT(item["effective_sample_size"].get_double().value(), 0);
  }
  EXPECT_EQ(names.size(), 6u);
  EXPECT_EQ(names[0], "lambda-only");
  EXPECT_EQ(names[2], "objective:latency");
}

// The interval as the HTML report writes it: "mean [lo, hi]".
std::string IntervalCell(simdjson::dom::element i, int digits) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.*f [%.*f, %.*f]", digits, i["mean"].get_double().value(),
                digits, i["ci95"].at(0).get_double().value(), digits,
                i["ci95"].at(1).get_double().value());
  return buf;
}

// The text between `from` (found after `after`) and the next `to`; empty when absent.
std::string Between(const std::string& page, const std::string& after, const std::string& from,
                    const std::string& to) {
  const size_t a = page.find(after);
  if (a == std::string::npos) return "";
  const size_t b = page.find(from, a);
  if (b == std::string::npos) return "";
  const size_t e = page.find(to, b);
  return e == std::string::npos ? "" : page.substr(b, e - b);
}

// evaluate --off-policy --html: the section, per policy a row whose numbers are the JSON output's
// (IPS, SNIPS and DR with their intervals, ESS; cost per cost model), the logging policy's observed
// value, the lines and logging models, the caveats, and every chart drawn inline.
TEST(CliSimulate, TheOffPolicyHtmlReportCarriesTheJsonNumbersAndItsCharts) {
  const std::string dir = ExploringLog("offpolicy-html-log");
  ASSERT_FALSE(dir.empty());
  const std::string html = ::testing::TempDir() + "offpolicy.html";
  std::remove(html.c_str());
  auto r = RunCli("evaluate -q --format json --off-policy " + dir + " --html " + html);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  auto doc = Json(p, r);
  const std::string page = Slurp(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(page.substr(page.size() - 15), "</body></html>\n");
  for (const char* part :
       {"<section id=\"off-policy\">", "id=\"off-policy-summary\"", "id=\"off-policy-lines\"",
        "id=\"off-policy-models\"", "id=\"off-policy-trust\"", "When not to trust these numbers",
        "</section>"})
    EXPECT_NE(page.find(part), std::string::npos) << part;
  const uint64_t used = doc["lines"]["used"].get_uint64().value();
  EXPECT_NE(page.find("<tr><td>used</td><td>" + std::to_string(used) + "</td></tr>"),
            std::string::npos);
  for (auto m : simdjson::dom::array(doc["logging_models"]))
    EXPECT_NE(page.find("<tr><td>" + std::string(m["model"].get_string().value()) + "</td><td>" +
                        std::to_string(m["lines"].get_uint64().value()) + "</td></tr>"),
              std::string::npos);
  char logged[64];
  std::snprintf(logged, sizeof logged, "<td colspan=\"3\">%.1f</td>",
                doc["logged"]["response_time_ms"]["mean"].get_double().value());
  EXPECT_NE(
      Between(page, "id=\"off-policy-response\"", "<tr class=\"logged\">", "</tr>").find(logged),
      std::string::npos)
      << logged;
  size_t policies = 0;
  for (auto item : simdjson::dom::array(doc["policies"])) {
    const std::string name(item["policy"].get_string().value());
    ++policies;
    const std::string row =
        Between(page, "id=\"off-policy-response\"", "<tr><td>" + name + "</td>", "</tr>");
    ASSERT_FALSE(row.empty()) << name;
    char ess[64];
    std::snprintf(ess, sizeof ess, "<td>%.1f</td>",
                  item["effective_sample_size"].get_double().value());
    EXPECT_NE(row.find(ess), std::string::npos) << name << ": " << row;
    for (const char* e : {"ips", "snips", "dr"}) {
      const std::string cell = IntervalCell(item["off_policy"][e]["response_time_ms"], 1);
      EXPECT_NE(row.find("<td>" + cell + "</td>"), std::string::npos)
          << name << " " << e << ": " << cell << " in " << row;
      for (const char* cm : {"seed-prorated", "seed-prorated-deployed-memory"}) {
        const std::string cost_row = Between(page, "id=\"off-policy-cost-" + std::string(cm) + "\"",
                                             "<tr><td>" + name + "</td>", "</tr>");
        const std::string c = IntervalCell(item["off_policy"][e]["cost_per_million_usd"][cm], 3);
        EXPECT_NE(cost_row.find("<td>" + c + "</td>"), std::string::npos)
            << name << " " << e << " " << cm << ": " << c << " in " << cost_row;
      }
    }
    for (auto why : simdjson::dom::array(item["caveats"]))
      EXPECT_NE(page.find("<b>" + name + "</b>: " + std::string(why.get_string().value())),
                std::string::npos)
          << name;
  }
  EXPECT_EQ(policies, 6u);
  // Every chart is drawn inline: three SVGs, each closed, each in its figure; nothing to fetch.
  size_t svgs = 0, closed = 0;
  for (size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1))
    ++svgs;
  for (size_t at = page.find("</svg>"); at != std::string::npos; at = page.find("</svg>", at + 1))
    ++closed;
  EXPECT_EQ(svgs, 3u);
  EXPECT_EQ(closed, 3u);
  for (const char* chart : {"chart-off-policy-response", "chart-off-policy-cost-seed-prorated\"",
                            "chart-off-policy-cost-seed-prorated-deployed-memory"}) {
    const std::string figure = Between(page, chart, "<svg", "</figure>");
    EXPECT_NE(figure.find("</svg>"), std::string::npos) << chart;
    for (const char* key : {">IPS<", ">SNIPS<", ">DR<", "logging policy (observed)"})
      EXPECT_NE(figure.find(key), std::string::npos) << chart << " " << key;
  }
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("src=\""), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  std::remove(html.c_str());
  // The adaptive policy at its default explore floor: propensities near 0.001 and small effective
  // sample sizes, named per policy in the report as in the JSON and the table.
  const std::string adaptive = ::testing::TempDir() + "offpolicy-html-adaptive";
  std::filesystem::remove_all(adaptive);
  ASSERT_EQ(RunCli("simulate -q --policy adaptive --objective latency --rate 2 --duration-s 300 "
                   "--start-hour 10 --outcome-log " +
                   adaptive)
                .exit_code,
            0);
  auto a = RunCli("evaluate -q --format json --off-policy " + adaptive + " --html " + html);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  simdjson::dom::parser pa;
  auto adoc = Json(pa, a);
  const std::string apage = Slurp(html);
  auto text = RunCli("evaluate -q --off-policy " + adaptive);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  size_t caveats = 0;
  for (auto item : simdjson::dom::array(adoc["policies"])) {
    const std::string name(item["policy"].get_string().value());
    for (auto why : simdjson::dom::array(item["caveats"])) {
      const std::string w(why.get_string().value());
      ++caveats;
      EXPECT_NE(apage.find("<div class=\"caveat\"><b>" + name + "</b>: " + w + "</div>"),
                std::string::npos)
          << name << ": " << w;
      EXPECT_NE(text.out.find("  " + name + ": " + w + "\n"), std::string::npos) << name;
    }
  }
  EXPECT_GT(caveats, 0u);
  EXPECT_NE(apage.find("under 0.02"), std::string::npos);
  std::remove(html.c_str());
}

// promote on a log where ECS ran three times slower than the built-in model knows: exit 0 and a
// written challenger with its lineage; that challenger against itself: exit 1; p95: exit 2.
TEST(CliSimulate, PromoteWritesAChallengerOnlyWhenItProvablyWins) {
  const std::string dir = ::testing::TempDir() + "promote-log";
  std::filesystem::remove_all(dir);
  auto s = SimulateEcsThreeTimesSlowerLog(dir);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const std::string model = dir + "/model.json";
  auto p = RunCli("promote -q --format json --log " + dir + "/log --out " + model);
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_NE(p.out.find(R"("decision":"promoted")"), std::string::npos) << p.out;
  const std::string written = Slurp(model);
  EXPECT_NE(written.find(R"("lineage")"), std::string::npos);
  EXPECT_NE(written.find(R"("train_lines":2993)"), std::string::npos);
  auto again = RunCli("promote -q --champion " + model + " --log " + dir + "/log");
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(again.out.find("Decision: kept"), std::string::npos) << again.out;
  auto p95 = RunCli("promote -q --objective p95 --log " + dir + "/log");
  EXPECT_EQ(p95.exit_code, 2);
  EXPECT_NE(p95.err.find("--objective"), std::string::npos) << p95.err;
}

TEST(CliSimulate, OffPolicyEvaluationOfALogWithoutPropensitiesNamesTheField) {
  // The shipped measurements are the prototype's load tests: no route{} object at all.
  auto r =
      RunCli("evaluate -q --off-policy " + std::string(HR_SOURCE_DIR) + "/data/aws-measurements");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("route.propensity"), std::string::npos) << r.err;
  auto bad = RunCli("evaluate -q --off-policy /nonexistent-dir");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--off-policy"), std::string::npos) << bad.err;
  auto window = RunCli("evaluate -q --off-policy /tmp --since yesterday");
  EXPECT_NE(window.exit_code, 0);
  auto csv = RunCli("evaluate -q --off-policy /tmp --format csv");
  EXPECT_EQ(csv.exit_code, 2);
  EXPECT_NE(csv.err.find("--format csv is not available with --off-policy"), std::string::npos)
      << csv.err;
  auto sweep =
      RunCli("simulate -q --sweep-rate 1:2:2 --outcome-log " + ::testing::TempDir() + "sweep-log");
  EXPECT_EQ(sweep.exit_code, 2);
  EXPECT_NE(sweep.err.find("--outcome-log writes one run's lines"), std::string::npos) << sweep.err;
  auto explore = RunCli("simulate -q --explore 1.5");
  EXPECT_EQ(explore.exit_code, 2) << explore.err;
  EXPECT_NE(explore.err.find("--explore"), std::string::npos) << explore.err;
}
}  // namespace
}  // namespace hr::testing
