#include "route/outcome_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "data/ingest.h"

namespace hr::route {
namespace {

AttemptLine Lambda200() {
  AttemptLine a;
  a.request_id = "req_1";
  a.platform = policy::Platform::kLambda;
  a.workload = features::Workload::kHeavyProcessing;
  a.timestamp = "2025-11-22T19:30:00.123456";
  a.http_status = 200;
  a.response_time_ms = 7012.5;
  a.target_payload_kb = 5120;
  a.actual_payload_kb = 5132.8;
  a.time_window = features::TimeWindow::kEvening;
  a.load_pattern = features::LoadPattern::kBurstLoad;
  a.metrics = ReadAnswerMetrics(
      R"({"request_id":"req_1","platform":"lambda","metrics":{"execution_time_ms":6500.5,)"
      R"("memory_used_mb":"512","memory_limit_mb":512,"cold_start":true,"payload_size_kb":5132.8,)"
      R"("extra":{"deep":[1,2,3]}},"result":{"status":"ok"}})");
  a.decision = "model:latency";
  a.policy = "model";
  a.objective = "latency";
  a.outcome = "answered";
  return a;
}

TEST(OutcomeLog, AttemptsAreMeasurementsTheIngestReads) {
  AttemptLine a = Lambda200();
  ASSERT_TRUE(a.metrics.found);
  EXPECT_EQ(a.metrics.memory_used_mb, 512);  // the prototype's "512" string read as a number
  auto r = data::ParseRecordLine(FormatAttempt(a));
  ASSERT_TRUE(r) << r.error().message << "\n" << FormatAttempt(a);
  EXPECT_EQ(r->platform, policy::Platform::kLambda);
  EXPECT_EQ(r->workload, features::Workload::kHeavyProcessing);
  EXPECT_EQ(r->response_time_ms, 7012.5);
  EXPECT_EQ(r->execution_time_ms, 6500.5);
  EXPECT_EQ(r->cold_start, 1);
  EXPECT_EQ(r->time_window, features::TimeWindow::kEvening);
  EXPECT_EQ(r->load_pattern, features::LoadPattern::kBurstLoad);
  EXPECT_EQ(r->hour, 19);
  // A failed attempt is a line the ingest counts as a failed request.
  AttemptLine f = Lambda200();
  f.http_status = 502;
  f.metrics = {};
  f.outcome = "not_run";
  f.error = "Failed to connect";
  int status = 0;
  EXPECT_FALSE(data::ParseRecordLine(FormatAttempt(f), &status));
  EXPECT_EQ(status, 502);
  // Answers that are not the workload's JSON have no metrics, and nothing breaks.
  for (const char* body : {"", "not json", "[]", R"({"metrics":5})", "{\"metrics\":{"})
    EXPECT_FALSE(ReadAnswerMetrics(body).found) << body;
  // A number that overflows to infinity, or a negative one, is no measurement: left out, so the
  // line stays readable (fuzz_route found 10e403 written as null and refused by the ingest).
  AttemptLine g = Lambda200();
  g.metrics = ReadAnswerMetrics(
      R"({"metrics":{"execution_time_ms":10e403,"memory_used_mb":-5,"memory_limit_mb":"1e999"}})");
  EXPECT_TRUE(g.metrics.found);
  EXPECT_FALSE(g.metrics.execution_time_ms);
  EXPECT_FALSE(g.metrics.memory_used_mb);
  EXPECT_FALSE(g.metrics.memory_limit_mb);
  const std::string line = FormatAttempt(g);
  EXPECT_EQ(line.find(":null"), std::string::npos) << line;
  status = 0;
  auto rec = data::ParseRecordLine(line, &status);
  EXPECT_TRUE(rec || status != 0) << line;
}

TEST(OutcomeLog, WritesOneFileOfCompleteLinesPerProcess) {
  const std::string dir = ::testing::TempDir() + "/outcome_log_test_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  {
    OutcomeLogOptions o;
    o.dir = dir + "/nested";  // created
    o.flush_ms = 10;
    auto log = OutcomeLog::Open(o);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < 1000; ++i) (*log)->Write(FormatAttempt(Lambda200()));
  }  // closing writes the rest
  auto ds = data::Ingest({dir + "/nested"});
  ASSERT_TRUE(ds) << ds.error().message;
  EXPECT_EQ(ds->records.size(), 1000u);
  EXPECT_EQ(ds->rejected, 0u);
  EXPECT_EQ(ds->files.size(), 1u);
  {
    OutcomeLogOptions o;
    o.dir = dir + "/nested";
    o.max_buffer_bytes = 1000;  // a stalled disk: lines beyond the buffer are dropped, counted
    o.flush_ms = 60'000;
    auto log = OutcomeLog::Open(o);
    ASSERT_TRUE(log);
    for (int i = 0; i < 10; ++i) (*log)->Write(std::string(300, 'x'));
    EXPECT_EQ((*log)->dropped(), 7u);
  }
  // A path that cannot be a directory is an error, not a crash.
  std::ofstream(dir + "/file") << "x";
  OutcomeLogOptions bad;
  bad.dir = dir + "/file/sub";
  EXPECT_FALSE(OutcomeLog::Open(bad));
  std::filesystem::remove_all(dir);
}

// Every line of every file in `dir`, by file name; each file must end with a newline (no torn
// line).
std::map<std::string, std::vector<std::string>> FileLines(const std::string& dir) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    EXPECT_TRUE(text.empty() || text.back() == '\n') << e.path() << " ends inside a line";
    auto& lines = out[e.path().filename().string()];
    for (size_t at = 0; at < text.size();) {
      const size_t nl = text.find('\n', at);
      if (nl == std::string::npos) break;
      lines.push_back(text.substr(at, nl - at));
      at = nl + 1;
    }
  }
  return out;
}

constexpr int64_t kS = 1'000'000;
constexpr int64_t kNoon = int64_t{1'767'268'800} * kS;  // 2026-01-01T12:00:00Z

TEST(OutcomeLog, FileNamesSortByTheirFirstLinesTime) {
  EXPECT_EQ(OutcomeFileName(kNoon + 345'678, 42, 7), "route-2026-01-01T12-00-00Z-42-000007.jsonl");
  EXPECT_LT(OutcomeFileName(kNoon, 99, 0), OutcomeFileName(kNoon + kS, 1, 0));
}

// By time: a line at least rotate_s after its file's first starts a new file named by its own
// time; by size: a line that would pass max_file_bytes starts a new file; keep_files deletes the
// oldest. Each line is in exactly one file, whole.
TEST(OutcomeLog, RotatesByTimeAndBySizeAndKeepsTheNewestFiles) {
  const std::string dir = ::testing::TempDir() + "/outcome_rotate_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::atomic<int64_t> now{kNoon};
  {
    OutcomeLogOptions o;
    o.dir = dir;
    o.flush_ms = 60'000;  // written only by Flush() below and on close
    o.rotate_s = 10;
    o.max_file_bytes = 100;
    o.clock_us = [&now] { return now.load(); };
    auto log = OutcomeLog::Open(o);
    ASSERT_TRUE(log) << log.error().message;
    (*log)->Write("a1");
    now += 5 * kS;
    (*log)->Write("a2");
    ASSERT_TRUE((*log)->Flush());
    now += 5 * kS;  // 10 s after a1: b1 starts the next file
    (*log)->Write("b1");
    now += 20 * kS;
    (*log)->Write("c1");                  // 20 s after b1
    (*log)->Write(std::string(60, 'c'));  // 3 + 61 bytes: still within 100
    (*log)->Write(std::string(60, 'd'));  // would pass 100: a new file, the same second
    EXPECT_EQ((*log)->files(), 1u) << "files are made when written out";
  }
  auto files = FileLines(dir);
  ASSERT_EQ(files.size(), 4u);
  const std::string pid = std::to_string(::getpid());
  auto it = files.begin();
  EXPECT_EQ(it->first, "route-2026-01-01T12-00-00Z-" + pid + "-000000.jsonl");
  EXPECT_EQ(it->second, (std::vector<std::string>{"a1", "a2"}));
  ++it;
  EXPECT_EQ(it->first, "route-2026-01-01T12-00-10Z-" + pid + "-000001.jsonl");
  EXPECT_EQ(it->second, (std::vector<std::string>{"b1"}));
  ++it;
  EXPECT_EQ(it->first, "route-2026-01-01T12-00-30Z-" + pid + "-000002.jsonl");
  EXPECT_EQ(it->second, (std::vector<std::string>{"c1", std::string(60, 'c')}));
  ++it;
  EXPECT_EQ(it->first, "route-2026-01-01T12-00-30Z-" + pid + "-000003.jsonl");
  EXPECT_EQ(it->second, (std::vector<std::string>{std::string(60, 'd')}));
  // Retention: two files kept; the oldest go when a new one starts, never the one in use.
  {
    OutcomeLogOptions o;
    o.dir = dir;
    o.rotate_s = 1;
    o.keep_files = 2;
    o.clock_us = [&now] { return now.load(); };
    auto log = OutcomeLog::Open(o);
    ASSERT_TRUE(log);
    for (int i = 0; i < 3; ++i) {
      now += 2 * kS;
      (*log)->Write("k" + std::to_string(i));
      ASSERT_TRUE((*log)->Flush());
    }
    EXPECT_EQ((*log)->deleted(), 5u);  // 4 + 3 files, 2 kept
  }
  files = FileLines(dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files.begin()->second, std::vector<std::string>{"k1"});
  EXPECT_EQ(files.rbegin()->second, std::vector<std::string>{"k2"});
  std::filesystem::remove_all(dir);
}

// Writers on 8 threads while the log rotates every 4 KB: every line in exactly one file, whole.
TEST(OutcomeLog, RotationUnderConcurrentWritersLosesAndTearsNoLine) {
  const std::string dir = ::testing::TempDir() + "/outcome_rotate_mt_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  constexpr int kThreads = 8, kLines = 2'000;
  uint64_t files_made = 0;
  {
    OutcomeLogOptions o;
    o.dir = dir;
    o.flush_ms = 10;
    o.max_file_bytes = 4096;
    auto log = OutcomeLog::Open(o);
    ASSERT_TRUE(log);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLines; ++i) {
          (*log)->Write(R"({"t":)" + std::to_string(t) + R"(,"i":)" + std::to_string(i) + "," +
                        std::string(static_cast<size_t>(i % 97), 'x') + "}");
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE((*log)->Flush());
    EXPECT_EQ((*log)->dropped(), 0u);
    files_made = (*log)->files();
  }
  std::set<std::string> seen;
  size_t lines = 0;
  const auto files = FileLines(dir);
  for (const auto& [name, in_file] : files) {
    size_t bytes = 0;
    for (const std::string& line : in_file) {
      ++lines;
      bytes += line.size() + 1;
      EXPECT_EQ(line.front(), '{') << name;
      EXPECT_EQ(line.back(), '}') << name;
      seen.insert(line.substr(0, line.find(",\"i\":") + 12));
    }
    EXPECT_LE(bytes, 4096u) << name;
  }
  EXPECT_EQ(lines, size_t{kThreads} * kLines);
  EXPECT_EQ(files.size(), files_made);
  EXPECT_GT(files.size(), 100u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hr::route
