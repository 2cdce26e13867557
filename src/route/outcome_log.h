// The router's outcome log: one JSON line per attempt in the measurement schema the prototype's
// load tests wrote (so `audit`, `train` and `evaluate` read the router's own traffic unchanged),
// plus a `route{}` object with how the attempt came about. Lines go to .jsonl files in a
// directory, written by a thread of their own at least every second and on close, rotated by
// size and by time, the oldest deleted beyond a retention count; memory stays bounded when the
// disk stalls (lines beyond the limit are counted and dropped). Adapter: files.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
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
  std::string_view source = "policy";  // prior, learned, explore, model, spillover, fallback...
  uint64_t model = 0;                  // the deciding model's fingerprint (FNV-1a of its file)
  bool fallback = false;               // this attempt follows a failed one on the other platform
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
  uint64_t max_file_bytes = uint64_t{256} << 20;  // a line that would pass this starts a new file
  int64_t rotate_s = 3600;  // a line this long after its file's first starts a new file; 0: never
  int keep_files = 0;       // route-*.jsonl files kept in the directory, newest first; 0: all
  size_t max_buffer_bytes = size_t{64} << 20;  // lines beyond this wait are dropped (counted)
  // Microseconds since the Unix epoch, UTC, for file names and rotation; empty: the system clock.
  std::function<int64_t()> clock_us;
};

// An outcome log file's name, route-<UTC time of its first line>Z-<pid>-<sequence>.jsonl: names
// sort by time, and any reader of *.jsonl (audit, train, evaluate) takes every file.
std::string OutcomeFileName(int64_t first_line_us, int pid, int sequence);

class OutcomeLog {
 public:
  // Creates `dir` when missing; each process writes its own files, never appending to another's.
  // A file is created when its first line is written out, named by that line's time; a line goes
  // to a new file when the current one would pass max_file_bytes or began rotate_s before it.
  // Each line is in exactly one file, whole. With keep_files, the oldest route-*.jsonl files of
  // the directory beyond that count are deleted when a new file starts (this process's current
  // file never): give each router a directory of its own then.
  static core::Result<std::unique_ptr<OutcomeLog>> Open(const OutcomeLogOptions& options);
  ~OutcomeLog();                      // writes what is buffered
  void Write(std::string_view line);  // one JSON line, without its newline; thread-safe
  core::Status Flush();               // writes what is buffered now
  uint64_t written() const { return written_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  uint64_t files() const { return files_.load(); }      // files started
  uint64_t deleted() const { return deleted_.load(); }  // files removed for keep_files
  std::string current_file() const;

 private:
  // Lines bound for one file; `opens` when they begin a new one, named by `first_us`.
  struct Segment {
    bool opens = false;
    int64_t first_us = 0;
    std::string data;
    uint64_t lines = 0;
  };
  OutcomeLog() = default;
  int64_t NowUs() const;
  core::Status OpenFile(int64_t first_us);
  void Prune();
  void Loop();
  OutcomeLogOptions options_;
  std::string path_;  // guarded by io_mutex_
  int fd_ = -1, sequence_ = 0;
  std::mutex mutex_;  // guards the fields below up to stop_
  std::vector<Segment> segments_;
  size_t buffered_bytes_ = 0;
  bool planned_ = false;       // a file has been planned (the last segment's, or one written)
  int64_t file_first_us_ = 0;  // the planned file's first line
  uint64_t file_bytes_ = 0;    // bytes planned for it, written or not
  bool stop_ = false;
  mutable std::mutex io_mutex_;  // one writer of the files at a time
  std::condition_variable cv_;
  std::thread thread_;
  std::atomic<uint64_t> written_{0}, dropped_{0}, write_errors_{0}, files_{0}, deleted_{0};
};

}  // namespace hr::route
