// The live bar of the adaptive policy (route's default): `emulate` serves an environment that is
// not the one the built-in model's tables were measured in (by default the shipped measurements
// with every ECS medium_processing and heavy_processing response time x1.6; HR_LIVE_ENV_DIR names
// any other measurement directory), at the measurements' own speed (--time-scale 1). `route` from
// the built-in model with its defaults routes 20,000 requests of the shipped mix from many
// concurrent clients; then the same requests again with `--learn off` (the model policy, frozen).
// Each decision (attempt 1's platform in the outcome log) is scored against the environment's true
// means (the mean of the records emulate draws that request's answers from, per platform, not the
// noisy draws): regret = the chosen platform's true mean - the better platform's. The adaptive
// router's mean regret per request over the second half of its run must be at most a fifth of the
// frozen model's.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "data/ingest.h"
#include "emulate/emulate.h"
#include "features/request.h"
#include "route_fixtures.h"
#include "run_binary.h"
#include "workload/request.h"

namespace hr::testing {
namespace {

namespace fs = std::filesystem;
using policy::Platform;

constexpr int kLiveRequests = 20'000;
// Answers take 3.2 s on average at --time-scale 1: 320 clients make a run about 200 s.
constexpr int kLiveClients = 320;
constexpr double kSlowdown = 1.6;

// A copy of the measurement directory `from` in `to` (plain .jsonl, same relative paths) with
// every ECS medium_processing and heavy_processing record's response_time_ms times `factor`;
// every other line as it was.
void WriteSlowedCopy(const fs::path& from, const fs::path& to, double factor) {
  simdjson::dom::parser parser;
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || !(name.ends_with(".jsonl") || name.ends_with(".jsonl.gz")))
      continue;
    if (name.ends_with(".gz")) name.resize(name.size() - 3);
    const fs::path out_path = to / fs::relative(e.path().parent_path(), from) / name;
    fs::create_directories(out_path.parent_path());
    std::ofstream out(out_path);
    gzFile in = gzopen(e.path().c_str(), "rb");  // reads plain files as they are
    ASSERT_NE(in, nullptr) << e.path();
    std::string line;
    char buf[1 << 16];
    while (gzgets(in, buf, sizeof buf)) {
      line += buf;
      if (line.back() != '\n' && !gzeof(in)) continue;
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      simdjson::dom::element doc;
      std::string_view platform, workload;
      const size_t key = line.find("\"response_time_ms\":");
      if (parser.parse(line).get(doc) == simdjson::SUCCESS &&
          doc["platform"].get(platform) == simdjson::SUCCESS &&
          doc["workload_type"].get(workload) == simdjson::SUCCESS && platform == "ecs" &&
          (workload == "medium_processing" || workload == "heavy_processing") &&
          key != std::string::npos) {
        const size_t at = key + 19;
        double ms = 0;
        const auto [end, ec] = std::from_chars(line.data() + at, line.data() + line.size(), ms);
        ASSERT_EQ(ec, std::errc()) << line;
        char number[64];
        const auto [n_end, n_ec] = std::to_chars(number, number + sizeof number, ms * factor);
        ASSERT_EQ(n_ec, std::errc());
        line.replace(at, static_cast<size_t>(end - (line.data() + at)), std::string(number, n_end));
      }
      out << line << '\n';
      line.clear();
    }
    gzclose(in);
  }
}

struct LiveRequest {
  features::Workload workload;
  double kb;
  std::optional<features::TimeWindow> tw;
  std::optional<features::LoadPattern> lp;
};

// `n` requests of the shipped mix: records of the shipped measurements drawn at random (seeded),
// each as a request for its cell.
std::vector<LiveRequest> ShippedMix(int n) {
  auto shipped = data::Ingest({data::DefaultDataDir()});
  EXPECT_TRUE(shipped) << shipped.error().message;
  std::vector<LiveRequest> out;
  if (!shipped || shipped->records.empty()) return out;
  std::mt19937_64 rng(2026);
  std::uniform_int_distribution<size_t> pick(0, shipped->records.size() - 1);
  for (int i = 0; i < n; ++i) {
    const data::Record& r = shipped->records[pick(rng)];
    out.push_back({r.workload, r.target_payload_kb, r.time_window, r.load_pattern});
  }
  return out;
}

std::string Body(const LiveRequest& q, int i) {
  std::string meta = R"({"target_size_kb":)" + std::to_string(q.kb);
  if (q.tw) meta += R"(,"time_window":")" + std::string(features::Name(*q.tw)) + "\"";
  if (q.lp) meta += R"(,"load_pattern":")" + std::string(features::Name(*q.lp)) + "\"";
  return R"({"workload_type":")" + std::string(features::Name(q.workload)) + R"(","metadata":)" +
         meta + R"(},"payload":"QUJD","request_id":"live-)" + std::to_string(i) + "\"}";
}

struct LiveRun {
  std::vector<std::string> platform;  // each request's decision: attempt 1's platform
  std::vector<std::string> source;    // and its source (route.source)
  int answered = 0;                   // 200s
  double seconds = 0;
};

LiveRun Drive(int emu_port, const std::vector<LiveRequest>& requests,
              std::vector<std::string> extra_args) {
  LogDir log;
  std::vector<std::string> args = {"--lambda-url",  Url(emu_port, "/prod"),
                                   "--ecs-url",     Url(emu_port),
                                   "--outcome-log", log.path,
                                   "--seed",        "11"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  ServerProcess route = Route(args);
  LiveRun run;
  EXPECT_GT(route.port(), 0) << route.Stderr();
  if (route.port() <= 0) return run;
  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> next{0}, answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kLiveClients; ++c)
    clients.emplace_back([&] {
      for (int i = next++; i < static_cast<int>(requests.size()); i = next++) {
        const LiveRequest& q = requests[static_cast<size_t>(i)];
        Connection conn(route.port());
        if (!conn.ok() ||
            !conn.Send(BuildRequest("POST", "/" + std::string(workload::PathName(q.workload)),
                                    Body(q, i), {"Content-Type: application/json"}, false)))
          continue;
        answered += conn.Read(120'000).status == 200;
      }
    });
  for (auto& t : clients) t.join();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.answered = answered;
  StopCleanly(route);
  run.platform.assign(requests.size(), "");
  run.source.assign(requests.size(), "");
  for (const Attempt& a : Attempts(log)) {
    if (a.attempt != 1 || !a.request_id.starts_with("live-")) continue;
    const size_t i = std::strtoul(a.request_id.c_str() + 5, nullptr, 10);
    if (i < run.platform.size()) {
      run.platform[i] = a.platform;
      run.source[i] = a.source;
    }
  }
  return run;
}

// The regret of request i's decision, from its true means; none when no decision was logged.
std::optional<double> DecisionRegretMs(const LiveRun& run,
                                       const std::vector<std::array<double, 2>>& truth, size_t i) {
  const std::string& p = run.platform[i];
  if (p.empty()) return std::nullopt;
  return emulate::RegretMs(truth[i], p == "lambda" ? Platform::kLambda : Platform::kEcs);
}

// Mean regret per request of the decisions [from, to), from each request's true means.
double MeanRegretMs(const LiveRun& run, const std::vector<std::array<double, 2>>& truth,
                    size_t from, size_t to) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = from; i < to; ++i)
    if (const auto r = DecisionRegretMs(run, truth, i)) {
      sum += *r;
      ++n;
    }
  return n ? sum / static_cast<double>(n) : NAN;
}

// Where the regret of [from, to) comes from: per decision source and per workload, the share of
// the mean regret per request (ms) and the number of decisions.
std::string RegretSources(const LiveRun& run, const std::vector<LiveRequest>& requests,
                          const std::vector<std::array<double, 2>>& truth, size_t from, size_t to) {
  std::map<std::string, std::pair<double, int>> by;
  for (size_t i = from; i < to; ++i) {
    const auto r = DecisionRegretMs(run, truth, i);
    if (!r) continue;
    const std::string keys[] = {"source " + run.source[i],
                                "workload " + std::string(features::Name(requests[i].workload))};
    for (const std::string& key : keys) {
      by[key].first += *r;
      by[key].second += 1;
    }
  }
  std::string out;
  for (const auto& [key, v] : by)
    out += "\n  " + key + ": " + std::to_string(v.first / static_cast<double>(to - from)) +
           " ms per request of the half (" + std::to_string(v.second) + " decisions)";
  return out;
}

// Disabled for its length (6.4 minutes of real time on two cores, more than the CI's budget has
// left), not because it fails: with route's defaults it holds (docs/route.md, "Learning as it
// routes": second half 4.8-5.2 ms against the frozen model's 50.7 ms, ratio 0.095-0.103). Run it
// with --gtest_also_run_disabled_tests.
TEST(RouteLive, DISABLED_AdaptiveRegretInTheSecondHalfIsAFifthOfTheFrozenModels) {
  // The environment: HR_LIVE_ENV_DIR, else the shipped measurements with ECS medium and heavy
  // x1.6.
  LogDir copy;
  std::string env_dir;
  if (const char* given = std::getenv("HR_LIVE_ENV_DIR"); given && *given) {
    env_dir = given;
  } else {
    ASSERT_NO_FATAL_FAILURE(WriteSlowedCopy(data::DefaultDataDir(), copy.path, kSlowdown));
    env_dir = copy.path;
  }
  auto env = data::Ingest({env_dir});
  ASSERT_TRUE(env) << env.error().message;
  const emulate::Pools pools(std::move(env->records));

  const std::vector<LiveRequest> requests = ShippedMix(kLiveRequests);
  ASSERT_EQ(requests.size(), static_cast<size_t>(kLiveRequests));
  std::vector<std::array<double, 2>> truth;
  for (const LiveRequest& q : requests)
    truth.push_back({pools.MeanMs(Platform::kLambda, q.workload, q.kb, q.tw, q.lp),
                     pools.MeanMs(Platform::kEcs, q.workload, q.kb, q.tw, q.lp)});

  ServerProcess emu = Emulate({"--time-scale", "1", "--threads", "4", env_dir});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  // HR_LIVE_ROUTE_ARGS: options for the adaptive router (space-separated), to try the learner's
  // options against the same bar; empty: route's defaults.
  std::vector<std::string> adaptive_args;
  if (const char* more = std::getenv("HR_LIVE_ROUTE_ARGS")) {
    std::istringstream words(more);
    for (std::string w; words >> w;) adaptive_args.push_back(w);
  }
  const LiveRun adaptive = Drive(emu.port(), requests, adaptive_args);
  const size_t half = requests.size() / 2;
  std::printf("adaptive, second half:%s\n",
              RegretSources(adaptive, requests, truth, half, requests.size()).c_str());
  // HR_LIVE_ADAPTIVE_ONLY=1: the adaptive run and its numbers only (to try options quickly); the
  // bar is not checked.
  if (const char* only = std::getenv("HR_LIVE_ADAPTIVE_ONLY"); only && *only == '1') {
    std::printf("adaptive %s: first half %f ms, second half %f ms\n",
                ::testing::PrintToString(adaptive_args).c_str(),
                MeanRegretMs(adaptive, truth, 0, half),
                MeanRegretMs(adaptive, truth, half, requests.size()));
    GTEST_SKIP() << "HR_LIVE_ADAPTIVE_ONLY: the frozen run and the bar skipped";
  }
  const LiveRun frozen = Drive(emu.port(), requests, {"--learn", "off"});

  // Every request answered and its decision logged.
  for (const LiveRun* run : {&adaptive, &frozen}) {
    EXPECT_EQ(run->answered, kLiveRequests);
    EXPECT_EQ(std::count(run->platform.begin(), run->platform.end(), ""), 0);
  }
  const double first = MeanRegretMs(adaptive, truth, 0, half);
  const double second = MeanRegretMs(adaptive, truth, half, requests.size());
  const double frozen_all = MeanRegretMs(frozen, truth, 0, requests.size());
  const double frozen_second = MeanRegretMs(frozen, truth, half, requests.size());
  const std::string numbers =
      "environment " + env_dir + ", adaptive " + ::testing::PrintToString(adaptive_args) +
      ": mean regret per request (ms): adaptive first half " + std::to_string(first) +
      ", second half " + std::to_string(second) + "; frozen " + std::to_string(frozen_all) +
      " (second half " + std::to_string(frozen_second) + "); ratio " +
      std::to_string(second / frozen_all) + "; runs " + std::to_string(adaptive.seconds) +
      " s and " + std::to_string(frozen.seconds) + " s";
  std::printf("%s\n", numbers.c_str());
  RecordProperty("live_regret", numbers);
  EXPECT_GT(frozen_all, 0) << "the environment does not punish the frozen model: " << numbers;
  EXPECT_LE(second, 0.2 * frozen_all) << numbers;
}

}  // namespace
}  // namespace hr::testing
