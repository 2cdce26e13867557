#include "route/outcome_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace
}  // namespace hr::route
