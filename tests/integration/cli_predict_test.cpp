// Black-box tests of `hybrid-router predict` and the command line itself.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <tuple>
#include <vector>

#include "run_binary.h"

namespace hr::testing {
namespace {

const std::string kModel = std::string(HR_TEST_DATA_DIR) + "/tiny_seed_v1.json";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

simdjson::dom::element ParseJson(simdjson::dom::parser& p, const std::string& line) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(line).get(e), simdjson::SUCCESS) << line;
  return e;
}

TEST(CliPredict, OneRequestGivesOneDecisionInTheApiShape) {
  auto r = RunCli("predict --model " + kModel + " " +
                  Quote(R"({"workload_type":"lightweight_api","payload_size_kb":5.0,)"
                        R"("time_window":"midday","load_pattern":"medium_load",)"
                        R"("timestamp":"2025-11-24T14:21:02Z"})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  simdjson::dom::parser p;
  auto doc = ParseJson(p, lines[0]);
  std::string_view platform = doc["prediction"]["platform"].get_string().value();
  EXPECT_TRUE(platform == "lambda" || platform == "ecs");
  const double pl = doc["prediction"]["lambda_probability"].get_double().value();
  const double pe = doc["prediction"]["ecs_probability"].get_double().value();
  EXPECT_DOUBLE_EQ(pl + pe, 1.0);
  EXPECT_EQ(doc["prediction"]["confidence"].get_double().value(), std::max(pl, pe));
  EXPECT_EQ(platform, pl >= 0.5 ? "lambda" : "ecs");  // the classifier (no outcome tables)
  const double ms = doc["metrics"]["inference_time_ms"].get_double().value();
  EXPECT_GE(ms, 0.0);
  // The request price plus 512 MB for the inference time reported beside it (not a bound on the
  // time: under the sanitizers on a busy machine one request took 2.3 ms).
  const double cost = doc["metrics"]["inference_cost_usd"].get_double().value();
  EXPECT_NEAR(cost, 0.2e-6 + 0.5 * ms / 1000 * 0.0000166667, 1e-12);
  std::string_view ts = doc["metrics"]["timestamp"].get_string().value();
  EXPECT_EQ(ts.size(), 27u);
  EXPECT_EQ(ts.back(), 'Z');
  EXPECT_EQ(doc["request_context"]["workload_type"].get_string().value(), "lightweight_api");
  EXPECT_EQ(doc["request_context"]["payload_size_kb"].get_double().value(), 5.0);
  EXPECT_EQ(doc["model_info"]["model_type"].get_string().value(), "test fixture");
  EXPECT_EQ(doc["model_info"]["test_accuracy"].get_double().value(), 0.5);
}

TEST(CliPredict, JsonLinesOnStdinWithBadLinesReportedByNumber) {
  const std::string input =
      R"({"workload_type":"lightweight_api","payload_size_kb":1})"
      "\n"
      R"({"workload_type":"lightweight_apx","payload_size_kb":1})"
      "\n"
      "\n"
      R"({"workload_type":"heavy_processing","payload_size_kb":5120,"time_window":"evening"})"
      "\n"
      "{truncated\n"
      R"({"workload_type":"medium_processing","payload_size_kb":-3})"
      "\n"
      R"({"workload_type":"thumbnail_processing","payload_size_kb":200})";
  auto r = RunCli("predict --model " + kModel, input);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("3 of 7 lines failed"), std::string::npos) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;  // the blank line is skipped
  simdjson::dom::parser p;
  const int64_t want_error_lines[] = {2, 5, 6};
  int k = 0;
  for (const auto& line : lines) {
    auto doc = ParseJson(p, line);
    simdjson::dom::element err;
    if (doc["error"].get(err) == simdjson::SUCCESS) {
      ASSERT_LT(k, 3);
      EXPECT_EQ(doc["line"].get_int64().value(), want_error_lines[k++]);
      EXPECT_FALSE(err["message"].get_string().value().empty());
    } else {
      EXPECT_TRUE(doc["prediction"].is_object());
    }
  }
  EXPECT_EQ(k, 3);
  EXPECT_NE(lines[1].find(R"("field":"workload_type")"), std::string::npos);
  EXPECT_NE(lines[4].find(R"("code":"out_of_range")"), std::string::npos);
}

TEST(CliPredict, OneBadArgumentRequestExitsNonZero) {
  auto r = RunCli("predict --model " + kModel + " " +
                  Quote(R"({"workload_type":"x","payload_size_kb":1})"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(R"("code":"unknown_value")"), std::string::npos) << r.out;
}

// The prototype's generator lines: unknown fields named in warnings, request_id echoed; --strict
// (or HYBRID_ROUTER_STRICT) refuses them with exit 2.
TEST(CliPredict, UnknownFieldsAreWarningsUnlessStrict) {
  const std::string line =
      R"({"request_id":"eval_7","workload_type":"heavy_processing","payload_size_kb":5120,)"
      R"("timestamp":"2025-11-22T19:04:05.5","lambda_memory_mb":2048})";
  auto r = RunCli("predict", line + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  auto doc = ParseJson(p, Lines(r.out).at(0));
  EXPECT_EQ(doc["request_id"].get_string().value(), "eval_7");
  EXPECT_EQ(doc["warnings"].at(0)["field"].get_string().value(), "lambda_memory_mb");
  for (const std::string& how : {std::string("predict --strict"),
                                 std::string("HYBRID_ROUTER_STRICT=1 ") + HR_BINARY + " predict"}) {
    auto strict =
        how.rfind("predict", 0) == 0 ? RunCli(how, line + "\n") : RunCli("", line + "\n", how);
    EXPECT_EQ(strict.exit_code, 2) << how;
    EXPECT_NE(strict.out.find(R"("code":"unknown_field","message")"), std::string::npos)
        << strict.out;
    EXPECT_NE(strict.out.find(R"("field":"lambda_memory_mb")"), std::string::npos) << strict.out;
  }
}

TEST(CliPredict, ModelProblemsAreClearErrors) {
  auto missing_model_flag_value = RunCli("predict --model");
  EXPECT_NE(missing_model_flag_value.exit_code, 0);
  EXPECT_NE(missing_model_flag_value.err.find("--model"), std::string::npos);

  auto missing = RunCli("predict --model /nonexistent.json '{}'");
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("/nonexistent.json"), std::string::npos);

  char path[] = "/tmp/hr_bad_model_XXXXXX";
  const int fd = mkstemp(path);
  const std::string text = Slurp(kModel);
  ASSERT_EQ(write(fd, text.data(), text.size() / 2), static_cast<ssize_t>(text.size() / 2));
  close(fd);
  auto truncated = RunCli(std::string("predict --model ") + path + " '{}'");
  unlink(path);
  EXPECT_EQ(truncated.exit_code, 3);
  EXPECT_NE(truncated.err.find("truncated or corrupt"), std::string::npos) << truncated.err;
  EXPECT_TRUE(truncated.out.empty());
}

TEST(CliPredict, TheBuiltInModelAnswersWithoutModelFlag) {
  auto r =
      RunCli("predict " + Quote(R"({"workload_type":"heavy_processing","payload_size_kb":5120.0,)"
                                R"("time_window":"evening","load_pattern":"burst_load",)"
                                R"("timestamp":"2025-11-22T19:30:00Z"})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  auto doc = ParseJson(p, r.out);
  // The prototype documented Lambda for this request; the built-in model agrees, confident that
  // Lambda's mean is the lower, and three single requests in four are faster there.
  EXPECT_EQ(doc["prediction"]["platform"].get_string().value(), "lambda");
  EXPECT_GT(doc["prediction"]["confidence"].get_double().value(), 0.7);
  EXPECT_GT(doc["prediction"]["expected"]["lambda_mean_lower_probability"].get_double().value(),
            0.9);
  EXPECT_EQ(doc["model_info"]["model_type"].get_string().value(),
            "Neural Network (hybrid-router MLP)");
  EXPECT_GT(doc["model_info"]["test_accuracy"].get_double().value(), 0.69);
}

// Issue 27: under the default objective (latency) the built-in model answers ECS for README's
// request, its expected response being the lower; lambda_probability is per request: in the
// shipped data a single such request is faster on Lambda about 6 % of the time. How sure the tables
// are that Lambda's mean is the lower one is its own field.
TEST(CliPredict, UnderAnObjectiveTheProbabilityIsPerRequest) {
  auto r = RunCli("predict " + Quote(R"({"workload_type":"lightweight_api","payload_size_kb":5.0,)"
                                     R"("time_window":"midday","load_pattern":"medium_load"})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  auto doc = ParseJson(p, r.out);
  auto pred = doc["prediction"];
  EXPECT_EQ(pred["objective"].get_string().value(), "latency");
  EXPECT_EQ(pred["platform"].get_string().value(), "ecs");
  const double pl = pred["lambda_probability"].get_double().value();
  EXPECT_GT(pl, 0.02);
  EXPECT_LT(pl, 0.15);
  EXPECT_DOUBLE_EQ(pl + pred["ecs_probability"].get_double().value(), 1.0);
  EXPECT_EQ(pred["confidence"].get_double().value(), std::max(pl, 1 - pl));
  EXPECT_LT(pred["expected"]["lambda_mean_lower_probability"].get_double().value(), 1e-100);
}

TEST(CliPredict, ObjectivesAnswerWithWhatEachPlatformShouldExpect) {
  const std::string heavy = R"({"workload_type":"heavy_processing","payload_size_kb":5120,)";
  simdjson::dom::parser p;
  auto r = RunCli("predict " + Quote(heavy + R"("objective":"latency"})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = ParseJson(p, r.out);
  auto pred = doc["prediction"];
  EXPECT_EQ(pred["objective"].get_string().value(), "latency");
  const double lambda_ms = pred["expected"]["lambda"]["response_time_ms"]["mean"].get_double();
  const double ecs_ms = pred["expected"]["ecs"]["response_time_ms"]["mean"].get_double();
  EXPECT_GT(pred["expected"]["ecs"]["response_time_ms"]["p95"].get_double().value(), ecs_ms);
  EXPECT_GT(pred["expected"]["lambda"]["cost_usd"].get_double().value(), 0);
  // The platform with the lower expected response time, with the means' probability to match
  // (the per-request lambda_probability may disagree with it).
  EXPECT_EQ(pred["platform"].get_string().value(), lambda_ms <= ecs_ms ? "lambda" : "ecs");
  EXPECT_EQ(pred["expected"]["lambda_mean_lower_probability"].get_double().value() >= 0.5,
            lambda_ms <= ecs_ms);
  const double pl = pred["lambda_probability"].get_double().value();
  EXPECT_TRUE(pl >= 0 && pl <= 1);
  EXPECT_TRUE(doc["warnings"].error());  // nothing to warn about

  // Cost under a named cost model, and the classifier as the prototype decided.
  r = RunCli("predict " + Quote(heavy + R"("objective":"cost","cost_model":"provisioned"})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = ParseJson(p, r.out);
  pred = doc["prediction"];
  const double lambda_usd = pred["expected"]["lambda"]["cost_usd"].get_double();
  const double ecs_usd = pred["expected"]["ecs"]["cost_usd"].get_double();
  EXPECT_EQ(pred["platform"].get_string().value(), lambda_usd <= ecs_usd ? "lambda" : "ecs");
  auto classic =
      RunCli("predict --objective classifier " + Quote(heavy + R"("load_pattern":"low_load"})"));
  ASSERT_EQ(classic.exit_code, 0) << classic.err;
  doc = ParseJson(p, classic.out);
  EXPECT_EQ(doc["prediction"]["objective"].get_string().value(), "classifier");

  // A classifier-only model decides as the classifier and says so.
  r = RunCli("predict --model " + kModel + " " + Quote(heavy + R"("objective":"p95"})"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = ParseJson(p, r.out);
  EXPECT_EQ(doc["prediction"]["objective"].get_string().value(), "classifier");
  EXPECT_EQ(doc["warnings"].at(0)["code"].get_string().value(), "objective_unavailable");
  EXPECT_TRUE(doc["prediction"]["expected"].error());
}

TEST(CliPredict, TheCostObjectiveDefaultsToTheCostModelABillFollows) {
  // provisioned: Fargate tasks billed every second they run, as simulate bills them.
  const std::string heavy =
      R"({"workload_type":"heavy_processing","payload_size_kb":5120,"load_pattern":"low_load")";
  auto ecs_usd = [&](const std::string& args, const std::string& fields) {
    auto r = RunCli("predict " + args + Quote(heavy + fields + "}"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    simdjson::dom::parser p;
    auto doc = ParseJson(p, r.out);
    return doc["prediction"]["expected"]["ecs"]["cost_usd"].get_double().value();
  };
  const double by_default = ecs_usd("--objective cost ", "");
  EXPECT_EQ(by_default, ecs_usd("", R"(,"objective":"cost","cost_model":"provisioned")"));
  EXPECT_NE(by_default, ecs_usd("", R"(,"objective":"cost","cost_model":"seed-prorated")"));
  auto help = RunCli("predict --help");
  EXPECT_NE(help.out.find("=provisioned (Env:HYBRID_ROUTER_COST_MODEL)"), std::string::npos)
      << help.out;
}

TEST(CliPredict, BadObjectivesAreErrorsNamingTheField) {
  const std::string heavy = R"({"workload_type":"heavy_processing","payload_size_kb":5120,)";
  simdjson::dom::parser p;
  for (const auto& [extra, field, code] :
       {std::tuple<std::string, std::string, std::string>{R"("objective":"fastest"})", "objective",
                                                          "unknown_value"},
        {R"("objective":7})", "objective", "wrong_type"},
        {R"("objective":"cost","cost_model":"prorated"})", "cost_model", "unknown_value"},
        {R"("objective":"p95","slo_ms":-1})", "slo_ms", "out_of_range"},
        {R"("slo_ms":"fast"})", "slo_ms", "wrong_type"},
        {R"("value_of_time_usd_per_s":5})", "value_of_time_usd_per_s", "out_of_range"}}) {
    auto r = RunCli("predict " + Quote(heavy + extra));
    EXPECT_EQ(r.exit_code, 2) << extra;
    auto doc = ParseJson(p, r.out);
    EXPECT_EQ(doc["error"]["field"].get_string().value(), field) << r.out;
    EXPECT_EQ(doc["error"]["code"].get_string().value(), code) << r.out;
  }
  auto flag = RunCli("predict --objective fastest " + Quote(heavy + R"("objective":"p95"})"));
  EXPECT_NE(flag.exit_code, 0);
  EXPECT_NE(flag.err.find("--objective"), std::string::npos) << flag.err;
}

TEST(Cli, HelpVersionAndUsageErrors) {
  auto help = RunCli("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("predict"), std::string::npos);
  auto phelp = RunCli("predict --help");
  EXPECT_EQ(phelp.exit_code, 0);
  EXPECT_NE(phelp.out.find("--memory-mb"), std::string::npos);
  auto version = RunCli("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("hybrid-router "), std::string::npos);

  auto unknown_flag = RunCli("predict --modle x '{}'");
  EXPECT_NE(unknown_flag.exit_code, 0);
  EXPECT_NE(unknown_flag.err.find("--modle"), std::string::npos) << unknown_flag.err;
  auto unknown_cmd = RunCli("predikt");
  EXPECT_NE(unknown_cmd.exit_code, 0);
  auto bad_memory = RunCli("predict --model " + kModel + " --memory-mb 64 '{}'");
  EXPECT_NE(bad_memory.exit_code, 0);
  EXPECT_NE(bad_memory.err.find("memory-mb"), std::string::npos) << bad_memory.err;
  auto nothing = RunCli("");
  EXPECT_NE(nothing.exit_code, 0);
}

// The option parsers every command shares: a number that is not one (nan passes every range
// check and sends every request to ECS; -1 wraps to 2^64 - 1) is refused, naming the option.
TEST(Cli, NumbersThatAreNotNumbersAreRefusedByEveryCommand) {
  const std::string heavy = Quote(R"({"workload_type":"heavy_processing","payload_size_kb":5120})");
  struct Case {
    std::string env, args, option;
  } cases[] = {
      {"", "predict --objective balanced --value-of-time nan " + heavy, "--value-of-time"},
      {"HYBRID_ROUTER_VALUE_OF_TIME=nan", "predict --objective balanced " + heavy,
       "HYBRID_ROUTER_VALUE_OF_TIME"},
      {"", "predict --objective p95 --slo-ms nan " + heavy, "--slo-ms"},
      {"", "predict --value-of-time inf " + heavy, "--value-of-time"},
      {"", "serve --port 0 --value-of-time nan", "--value-of-time"},
      {"", "lambda --value-of-time nan", "--value-of-time"},
      {"", "route --lambda-url http://127.0.0.1:1 --ecs-url http://127.0.0.1:1 --seed -1",
       "--seed"},
      {"", "simulate -q --duration-s 10 --advise --p95-target-ms nan", "--p95-target-ms"},
      {"", "simulate -q --duration-s 10 --slo-ms nan", "--slo-ms"},
      {"", "simulate -q --duration-s 10 --rate nan", "--rate"},
      {"", "simulate -q --duration-s 10 --seed -1", "--seed"},
      {"", "simulate -q --duration-s 10 --seed 18446744073709551616", "--seed"},
      {"", "simulate -q --duration-s 10 --seed 010", "--seed"},
      {"", "evaluate --model builtin --seed -1", "--seed"},
  };
  for (const Case& c : cases) {
    // A command that accepted its options would serve until killed: `timeout` ends it.
    auto r = RunCli("", "", c.env + " timeout 20 " + std::string(HR_BINARY) + " " + c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.exit_code, 124) << c.args << ": not refused";
    EXPECT_NE(r.err.find(c.option), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args << "\n" << r.out.substr(0, 300);
  }
  // The largest seed is a seed.
  auto ok = RunCli("simulate -q --duration-s 10 --seed 18446744073709551615");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

}  // namespace
}  // namespace hr::testing
