// The adaptive policy live: `route` in front of `emulate` whose answers differ from what the
// built-in model's tables expect. The platform the model prefers for a cell is made slower than
// the other (emulate's slow fault); the frozen model keeps sending every request there, the
// adaptive router learns from the answers it relays and moves. At emulate's time scale 0.05 the
// whole environment is also 20 times faster than the tables' campaign (as a deployment in the
// workloads' own region would be): the learner must not leave the platform it tried less at the
// tables' scale.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "policy/learner.h"
#include "route_fixtures.h"
#include "run_binary.h"
#include "simulate_fixtures.h"

namespace hr::testing {
namespace {

constexpr int kClients = 16;
// heavy_processing at 5 MB: answers of seconds in the campaign, so the router's own time is
// negligible even at emulate's time scale.
const std::string kWorkload = "heavy_processing";
constexpr double kKb = 5120;

struct Totals {
  int second_half = 0, second_half_on_slowed = 0;
  double min_propensity = 1;
  int with_source = 0, with_model = 0, lines = 0;
  std::string metrics;
};

Totals Drive(const std::string& policy, int emu_port, const std::string& slowed, int requests) {
  LogDir log;
  ServerProcess route = Route({"--lambda-url", Url(emu_port, "/prod"), "--ecs-url", Url(emu_port),
                               "--policy", policy, "--seed", "11", "--outcome-log", log.path});
  EXPECT_GT(route.port(), 0) << route.Stderr();
  Totals run;
  if (route.port() <= 0) return run;
  std::atomic<int> next{0};
  std::vector<std::string> platform(static_cast<size_t>(requests));
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&] {
      for (int i = next++; i < requests; i = next++) {
        auto r = Call(route.port(), "POST", "/heavy", Request(kWorkload, kKb));
        EXPECT_EQ(r.status, 200) << r.body;
        platform[static_cast<size_t>(i)] = r.headers["x-route-platform"];
      }
    });
  for (auto& t : clients) t.join();
  run.metrics = Call(route.port(), "GET", "/metrics").body;
  StopCleanly(route);
  for (int i = requests / 2; i < requests; ++i) {
    ++run.second_half;
    run.second_half_on_slowed += platform[static_cast<size_t>(i)] == slowed;
  }
  simdjson::dom::parser p;
  for (const std::string& line : log.Lines()) {
    simdjson::dom::element e;
    if (p.parse(line).get(e) != simdjson::SUCCESS) continue;
    ++run.lines;
    run.min_propensity =
        std::min(run.min_propensity, e["route"]["propensity"].get_double().value());
    std::string_view source, model;
    run.with_source += e["route"]["source"].get(source) == simdjson::SUCCESS && !source.empty();
    run.with_model += e["route"]["model"].get(model) == simdjson::SUCCESS &&
                      model.starts_with("fnv1a64:") && model.size() == 24;
  }
  return run;
}

TEST(RouteLearn, AdaptiveMovesOffAPlatformThatIsSlowerThanTheTablesSay) {
  // Which platform the built-in model prefers for the cell (latency objective).
  std::string preferred;
  {
    ServerProcess emu = Emulate({"--time-scale", "0"});
    ASSERT_GT(emu.port(), 0) << emu.Stderr();
    ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                                 Url(emu.port()), "--policy", "model"});
    ASSERT_GT(route.port(), 0) << route.Stderr();
    preferred =
        Call(route.port(), "POST", "/heavy", Request(kWorkload, kKb)).headers["x-route-platform"];
    StopCleanly(route);
  }
  ASSERT_TRUE(preferred == "lambda" || preferred == "ecs") << preferred;
  // That platform 4 s slower per answer (scaled with the answers: 200 ms here).
  ServerProcess emu =
      Emulate({"--time-scale", "0.05", "--threads", "4", "--fault", preferred + ":slow:1:4000"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();

  const Totals frozen = Drive("model", emu.port(), preferred, 64);
  const Totals adaptive = Drive("adaptive", emu.port(), preferred, 600);
  // The frozen model sends every request to the slowed platform; the adaptive router at most a
  // fifth of the second half (exploration and its floor keep a few there).
  EXPECT_EQ(frozen.second_half_on_slowed, frozen.second_half);
  EXPECT_LE(adaptive.second_half_on_slowed, adaptive.second_half / 5)
      << "adaptive kept " << adaptive.second_half_on_slowed << " of " << adaptive.second_half
      << " on " << preferred;
  // Every line names why and which model; the learner's propensities keep the floor.
  EXPECT_GE(adaptive.lines, 600);
  EXPECT_EQ(adaptive.with_source, adaptive.lines);
  EXPECT_EQ(adaptive.with_model, adaptive.lines);
  EXPECT_GE(adaptive.min_propensity, policy::LearnOptions{}.explore_floor);
  // /metrics shows what it learned: the slowed platform's factor above the other's.
  const auto factor = [&](const std::string& platform) {
    const std::string key =
        "hybrid_router_route_learned_factor{workload=\"heavy_processing\","
        "platform=\"" +
        platform + "\"} ";
    const size_t at = adaptive.metrics.find(key);
    return at == std::string::npos ? -1.0 : std::stod(adaptive.metrics.substr(at + key.size()));
  };
  const std::string other = preferred == "lambda" ? "ecs" : "lambda";
  EXPECT_GT(factor(preferred), factor(other)) << adaptive.metrics.substr(0, 0);
  EXPECT_GT(factor(other), 0);
}

}  // namespace
}  // namespace hr::testing

namespace hr::testing {
namespace {

// adaptive is route's default policy; --learn off freezes it to the model policy, also when
// adaptive is named, and leaves a fixed policy as it is.
TEST(RouteLearn, AdaptiveIsTheDefaultAndLearnOffFreezesItToTheModel) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  const auto route = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                                     Url(emu.port())};
    args.insert(args.end(), extra.begin(), extra.end());
    return Route(args);
  };
  for (const auto& [extra, policy, decision, learns] :
       {std::tuple<std::vector<std::string>, std::string, std::string, bool>{
            {}, "adaptive", "", true},
        {{"--learn", "on"}, "adaptive", "", true},
        {{"--learn", "off"}, "model", "model:latency", false},
        {{"--policy", "adaptive", "--learn", "off"}, "model", "model:latency", false},
        {{"--policy", "lambda-only", "--learn", "off"},
         "lambda-only",
         "policy:lambda-only",
         false}}) {
    ServerProcess r = route(extra);
    ASSERT_GT(r.port(), 0) << r.Stderr();
    const std::string described = ::testing::PrintToString(extra);
    EXPECT_NE(r.Stderr().find("\"policy\":\"" + policy + "\""), std::string::npos)
        << described << ": " << r.Stderr();
    auto a = Call(r.port(), "POST", "/heavy", Request("heavy_processing", 5120));
    ASSERT_EQ(a.status, 200) << described;
    const std::string tag = a.headers["x-route-decision"];
    if (learns) {  // a new cell is tried on both platforms first
      EXPECT_TRUE(tag == "explore" || tag.starts_with("adaptive:")) << described << ": " << tag;
    } else {
      EXPECT_EQ(tag, decision) << described;
    }
    EXPECT_EQ(Call(r.port(), "GET", "/learn").status == 200, learns) << described;
    StopCleanly(r);
  }
  // A misspelt value, and --explore with adaptive, are errors naming the option.
  for (const auto& [args, says] : {std::pair<std::string, std::string>{"--learn of", "--learn"},
                                   {"--explore 0.2", "--explore"},
                                   {"--policy adaptive --explore 0.2", "--explore-floor"}}) {
    auto bad = RunCli("route --port 0 --lambda-url " + Url(emu.port(), "/prod") + " " + args);
    EXPECT_NE(bad.exit_code, 0) << args;
    EXPECT_NE(bad.err.find(says), std::string::npos) << args << ": " << bad.err;
  }
  auto explored = route({"--learn", "off", "--explore", "1", "--seed", "3"});
  ASSERT_GT(explored.port(), 0) << explored.Stderr();
  EXPECT_EQ(Call(explored.port(), "POST", "/heavy", Request("heavy_processing", 5120))
                .headers["x-route-decision"],
            "explore");
  StopCleanly(explored);
}

// --learn-state: a router stopped and started again decides from what it had learned: the state
// it shows is the one it showed before the stop, and the first request of a learned cell is not
// explored again.
TEST(RouteLearn, ARestartWithLearnStateKeepsWhatWasLearned) {
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  LogDir dir;
  const std::string state = dir.path + "/learned.json";
  const std::vector<std::string> args = {
      "--lambda-url", Url(emu.port(), "/prod"), "--ecs-url", Url(emu.port()), "--policy",
      "adaptive",     "--learn-state",          state};
  std::string before;
  {
    ServerProcess route = Route(args);
    ASSERT_GT(route.port(), 0) << route.Stderr();
    for (int i = 0; i < 60; ++i)
      ASSERT_EQ(Call(route.port(), "POST", "/medium", Request("medium_processing", 1024)).status,
                200);
    before = Call(route.port(), "GET", "/learn").body;
    StopCleanly(route);
  }
  ASSERT_TRUE(std::filesystem::exists(state));
  ServerProcess again = Route(args);
  ASSERT_GT(again.port(), 0) << again.Stderr();
  EXPECT_EQ(Call(again.port(), "GET", "/learn").body, before);
  auto first = Call(again.port(), "POST", "/medium", Request("medium_processing", 1024));
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.headers["x-route-decision"], "explore") << "the cell was explored again";
  StopCleanly(again);
  // A damaged state file stops the router at start with the reason.
  std::ofstream(state) << "{\"hybrid_router_learn_state\":1,\"cells_per_platform\":3}";
  auto refused = RunCli("route --port 0 --lambda-url " + Url(emu.port(), "/prod") + " --ecs-url " +
                        Url(emu.port()) + " --policy adaptive --learn-state " + state);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--learn-state"), std::string::npos) << refused.err;
}

// The production loop of docs/promote.md: a log from a changed environment (simulated: ECS three
// times slower than the tables say), `promote --reload` writing the challenger over the model a
// running `route` serves and asking it to reload, while 4 clients keep sending: every request is
// answered 200 and the reload is counted.
TEST(RouteLearn, APromotedModelReloadedUnderLoadLosesNoRequest) {
  const std::string dir = ::testing::TempDir() + "promote-reload";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/keys") << "promote-test-key-0123456789abcdef\n";
  auto sim = SimulateEcsThreeTimesSlowerLog(dir);
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const std::string model = dir + "/model.json";
  auto first = RunCli("promote -q --log " + dir + "/log --out " + model);  // the served model
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ServerProcess emu = Emulate({"--time-scale", "0"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  ServerProcess route = Route({"--lambda-url", Url(emu.port(), "/prod"), "--ecs-url",
                               Url(emu.port()), "--model", model, "--api-key-file", dir + "/keys"});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  const std::vector<std::string> headers = {"Content-Type: application/json",
                                            "x-api-key: promote-test-key-0123456789abcdef"};
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&] {
      while (!stop) {
        const auto r = Call(route.port(), "POST", "/medium", kMedium, headers);
        (r.status == 200 ? answered : other) += 1;
      }
    });
  while (answered < 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto promoted = RunCli("promote -q --format json --log " + dir + "/log --out " + model +
                         " --reload " + Url(route.port()) + " --api-key-file " + dir + "/keys");
  const int at_reload = answered;
  while (answered < at_reload + 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(promoted.exit_code, 0) << promoted.out << promoted.err;
  EXPECT_NE(promoted.out.find(R"("decision":"promoted")"), std::string::npos) << promoted.out;
  EXPECT_EQ(other.load(), 0) << answered.load() << " answered";
  const std::string metrics = Call(route.port(), "GET", "/metrics", "", headers).body;
  EXPECT_NE(metrics.find("hybrid_router_model_reloads_total{result=\"success\"} 1"),
            std::string::npos)
      << metrics.substr(0, 2000);
  StopCleanly(route);
}

}  // namespace
}  // namespace hr::testing
