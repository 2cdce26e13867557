// The router's outcome log: one JSON line per attempt in the measurement schema the prototype's
// load tests wrote (so `audit`, `train` and `evaluate` read the router's own traffic unchanged),
// plus a `route{}` object with how the attempt came about. Lines go to .jsonl files in a
// directory, written by a thread of their own at least every second and on close; memory stays
// bounded when the disk stalls (lines beyond the limit are counted and dropped). Adapter: files.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "aws/lambda_invoke.h"
#include "core/result.h"
#include "features/request.h"
#include "policy/decision.h"

namespace hr::route {

// What the platform's answer reported under `metrics` (the keys the measurement schema knows;
// everything else in the answer is not copied).
struct AnswerMetrics {
  std::optional<double> execution_time_ms, memory_used_mb, memory_limit_mb, cpu_percent,
      payload_size_kb;
  std::optional<bool> cold_start;
  bool found = false;  // the answer was a JSON object with a `metrics` object
};
// Reads the answer body (at most 1 MB of it is looked at; depth limited). Never fails: an answer
// that is not the workload's JSON has no metrics.
AnswerMetrics ReadAnswerMetrics(std::string_view body);

struct AttemptLine {
  std::string request_id;
  policy::Platform platform = policy::Platform::kLambda;
  features::Workload workload = features::Workload::kLightweightApi;
  std::string timestamp;  // wall clock in the router's time zone, no offset (as the prototype)
  int http_status = 0;    // the platform's, or 502/504 when there was none
  double response_time_ms = 0;
  double target_payload_kb = 0;
  double actual_payload_kb = 0;
  features::TimeWindow time_window = features::TimeWindow::kOther;
  features::LoadPattern load_pattern = features::LoadPattern::kLowLoad;
  AnswerMetrics metrics;
  // route{}
  std::string decision;   // why this platform: "model:latency", "explore", "breaker_open"...
  std::string policy;     // model, lambda-only, ecs-only
  std::string objective;  // the objective's label; empty for a fixed policy
  double propensity = 1;  // probability that the policy sends this request where it sent it
  bool fallback = false;  // this attempt follows a failed one on the other platform
  int attempt = 1;
  std::string outcome;  // answered, not_run, failed, config_error
  std::string error;    // the transport's message, when the attempt failed without an answer
  bool time_window_derived = false, load_pattern_derived = false;
  // Metadata values the router did not know, read as absent: route.warnings (field, value).
  std::vector<std::pair<std::string, std::string>> unknown;
  int64_t overhead_us = 0;   // the router's own time for the request (set on the final attempt)
  bool hedge = false;        // sent while the first attempt was still running (--hedge)
  aws::InvokeReport report;  // a Lambda Invoke API call's REPORT line, when it came back
};
std::string FormatAttempt(const AttemptLine& a);

// OutcomeLogOptions::dir that writes the lines to standard output (for a container's log shipper).
inline constexpr std::string_view kOutcomeLogStdout = "stdout";

struct OutcomeLogOptions {
  std::string dir;
  int flush_ms = 1000;
  uint64_t max_file_bytes = uint64_t{256} << 20;  // then the next file
  size_t max_buffer_bytes = size_t{64} << 20;     // lines beyond this wait are dropped (counted)
};

class OutcomeLog {
 public:
  // Creates `dir` when missing; each process writes its own files,
  // route-<UTC start>-<pid>-<n>.jsonl, never appending to another's.
  static core::Result<std::unique_ptr<OutcomeLog>> Open(const OutcomeLogOptions& options);
  ~OutcomeLog();                      // writes what is buffered
  void Write(std::string_view line);  // one JSON line, without its newline; thread-safe
  core::Status Flush();               // writes what is buffered now
  uint64_t written() const { return written_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  const std::string& current_file() const { return path_; }

 private:
  OutcomeLog() = default;
  core::Status OpenNext();
  void Loop();
  OutcomeLogOptions options_;
  std::string stem_, path_;
  int fd_ = -1, sequence_ = 0;
  uint64_t file_bytes_ = 0;
  std::mutex mutex_;     // guards buffer_ and stop_
  std::mutex io_mutex_;  // one writer of the file at a time
  std::condition_variable cv_;
  std::string buffer_;
  uint64_t buffered_lines_ = 0;
  bool stop_ = false;
  std::thread thread_;
  std::atomic<uint64_t> written_{0}, dropped_{0}, write_errors_{0};
};

}  // namespace hr::route
