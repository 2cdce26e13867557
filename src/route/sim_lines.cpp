#include "route/sim_lines.h"

#include <cstdio>

#include "core/civil_time.h"
#include "route/outcome_line.h"
#include "route/outcome_log.h"

namespace hr::route {

namespace {

// 2026-01-05, a Monday, at the start hour: the wall clock the lines' timestamps count from.
constexpr int64_t kEpochDay = 20458;  // days from 1970-01-01 to 2026-01-05

std::string Timestamp(double arrival_s, int start_hour) {
  const auto us = static_cast<int64_t>(arrival_s * 1e6);
  const int64_t seconds = kEpochDay * 86400 + int64_t{start_hour} * 3600 + us / 1'000'000;
  core::CivilTime t = core::FromUnixSeconds(seconds);
  t.nanos = static_cast<int>(us % 1'000'000) * 1000;
  return core::FormatWallClockMicros(t);
}

// The answer the workload's handler would have given: its metrics, as route reads them.
std::string AnswerBody(const sim::SimLine& l) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"metrics\":{\"execution_time_ms\":%.3f,\"memory_used_mb\":%.1f,"
                "\"payload_size_kb\":%.3f%s}}",
                l.execution_ms, l.memory_mb, l.request.payload_kb,
                l.platform == features::Platform::kLambda
                    ? (l.cold_start ? ",\"cold_start\":true" : ",\"cold_start\":false")
                    : "");
  return buf;
}

}  // namespace

std::string FormatSimLine(const sim::SimLine& l, const SimLineContext& ctx) {
  RequestFacts facts;
  facts.request_id = "sim-" + std::to_string(ctx.seed) + "-" + std::to_string(l.sequence);
  facts.timestamp = Timestamp(l.arrival_s, ctx.start_hour);
  facts.features = l.request;
  facts.actual_kb = l.request.payload_kb;
  facts.model = ctx.spec.uses_model() ? ctx.model : 0;
  DescribeDecision(facts, ctx.spec, l.placed, ctx.objective, "", false);
  AttemptFacts attempt;
  attempt.platform = l.platform;
  attempt.fallback = l.fallback;
  attempt.attempt = l.fallback ? 2 : 1;
  upstream::UpstreamResult r;
  r.status = l.status;
  r.total_ms = l.response_ms;
  if (l.status == 504) {
    r.failure = upstream::Failure::kTimeout;
    r.message = "simulated ECS wait past its timeout";
  } else if (l.status == 200) {
    r.body = AnswerBody(l);
  }
  const bool lambda = l.platform == features::Platform::kLambda;
  const Verdict v = l.status == 200                      ? Verdict::kAnswered
                    : l.status == 429 || l.status == 503 ? Verdict::kNotRun
                                                         : Verdict::kFailed;
  aws::InvokeReport report;
  if (lambda && l.status == 200) {
    report.duration_ms = l.execution_ms;
    report.memory_size_mb = l.memory_mb;
    report.max_memory_used_mb = l.memory_mb;
    if (l.cold_start) report.init_duration_ms = l.init_ms;
  }
  return FormatAttempt(MakeAttemptLine(facts, attempt, r, v, report));
}

namespace {

class FileLog final : public SimOutcomeLog {
 public:
  explicit FileLog(std::unique_ptr<OutcomeLog> log) : log_(std::move(log)) {}
  core::Status Close() override { return log_->Flush(); }
  uint64_t written() const override { return log_->written(); }
  OutcomeLog& log() { return *log_; }

 private:
  std::unique_ptr<OutcomeLog> log_;
};

}  // namespace

core::Result<std::shared_ptr<SimOutcomeLog>> OpenOutcomeLines(const std::string& dir,
                                                              const SimLineContext& context,
                                                              sim::SimConfig& config) {
  OutcomeLogOptions o;
  o.dir = dir;
  o.rotate_s = 0;  // one file per run: simulated time is not the wall clock
  auto log = OutcomeLog::Open(o);
  if (!log) return core::MakeError(log.error().code, log.error().message, "--outcome-log");
  auto handle = std::make_shared<FileLog>(std::move(*log));
  FileLog* raw = handle.get();
  config.on_line = [raw, context](const sim::SimLine& line) {
    raw->log().Write(FormatSimLine(line, context));
  };
  return std::shared_ptr<SimOutcomeLog>(handle);
}

}  // namespace hr::route
