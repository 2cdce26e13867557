#include "route/outcome_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/civil_time.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "modelfile/provenance.h"

namespace hr::route {

namespace {

using core::ErrorCode;
using core::MakeError;

// A number, or a string holding one (the prototype's Lambda wrote memory_used_mb as "512"); a
// measurement only when finite and not negative (10e403 overflows to infinity, which the writer
// would turn into null and the ingest refuse: found by fuzz_route).
std::optional<double> Number(const json::Value& v) {
  double d = 0;
  if (v.IsNumber()) {
    d = v.GetDouble();
  } else if (!v.IsString() || !json::ParseJsonDouble(json::Text(v), d)) {
    return std::nullopt;
  }
  if (!std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

void Put(json::Writer& w, std::string_view key, const std::optional<double>& v) {
  if (!v) return;
  json::Key(w, key);
  json::Double(w, *v);
}

}  // namespace

AnswerMetrics ReadAnswerMetrics(std::string_view body) {
  AnswerMetrics m;
  if (body.empty() || body.size() > (1u << 20)) return m;
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, body, json::kRequestLimits, why) || !doc.IsObject()) return m;
  const json::Value* metrics = json::Find(doc, "metrics");
  if (!metrics || !metrics->IsObject()) return m;
  m.found = true;
  for (const auto& f : metrics->GetObject()) {
    const std::string_view k = json::Text(f.name);
    if (k == "execution_time_ms") {
      m.execution_time_ms = Number(f.value);
    } else if (k == "memory_used_mb") {
      m.memory_used_mb = Number(f.value);
    } else if (k == "memory_limit_mb") {
      m.memory_limit_mb = Number(f.value);
    } else if (k == "cpu_percent") {
      m.cpu_percent = Number(f.value);
    } else if (k == "payload_size_kb") {
      m.payload_size_kb = Number(f.value);
    } else if (k == "cold_start" && f.value.IsBool()) {
      m.cold_start = f.value.GetBool();
    }
  }
  return m;
}

std::string FormatAttempt(const AttemptLine& a) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "request_id");
  json::String(w, a.request_id);
  json::Key(w, "platform");
  json::String(w, policy::Name(a.platform));
  json::Key(w, "workload_type");
  json::String(w, features::Name(a.workload));
  json::Key(w, "timestamp");
  json::String(w, a.timestamp);
  json::Key(w, "http_status");
  w.Int(a.http_status);
  json::Key(w, "response_time_ms");
  json::Double(w, a.response_time_ms);
  json::Key(w, "target_payload_size_kb");
  json::Double(w, a.target_payload_kb);
  json::Key(w, "actual_payload_size_kb");
  json::Double(w, a.actual_payload_kb);
  json::Key(w, "time_window");
  json::String(w, features::Name(a.time_window));
  json::Key(w, "load_pattern");
  json::String(w, features::Name(a.load_pattern));
  json::Key(w, "metrics");
  w.StartObject();
  const AnswerMetrics& m = a.metrics;
  Put(w, "execution_time_ms", m.execution_time_ms);
  Put(w, "memory_used_mb", m.memory_used_mb);
  Put(w, "memory_limit_mb", m.memory_limit_mb);
  if (m.cold_start) {
    json::Key(w, "cold_start");
    w.Bool(*m.cold_start);
  }
  Put(w, "cpu_percent", m.cpu_percent);
  Put(w, "payload_size_kb", m.payload_size_kb);
  w.EndObject();
  json::Key(w, "route");
  w.StartObject();
  json::Key(w, "decision");
  json::String(w, a.decision);
  json::Key(w, "policy");
  json::String(w, a.policy);
  json::Key(w, "objective");
  if (a.objective.empty()) {
    w.Null();
  } else {
    json::String(w, a.objective);
  }
  json::Key(w, "propensity");
  json::Double(w, a.propensity);
  json::Key(w, "source");
  json::String(w, a.source);
  if (a.model != 0) {
    json::Key(w, "model");
    json::String(w, modelfile::FingerprintText(a.model));
  }
  json::Key(w, "fallback");
  w.Bool(a.fallback);
  json::Key(w, "attempt");
  w.Int(a.attempt);
  json::Key(w, "outcome");
  json::String(w, a.outcome);
  if (!a.error.empty()) {
    json::Key(w, "error");
    json::String(w, a.error.substr(0, 256));
  }
  if (a.hedge) {
    json::Key(w, "hedge");
    w.Bool(true);
  }
  const aws::InvokeReport& r = a.report;
  if (r.billed_duration_ms || r.duration_ms || r.max_memory_used_mb) {
    json::Key(w, "lambda_report");  // the REPORT line of the Invoke API's log tail
    w.StartObject();
    Put(w, "duration_ms", r.duration_ms);
    Put(w, "billed_duration_ms", r.billed_duration_ms);
    Put(w, "memory_size_mb", r.memory_size_mb);
    Put(w, "max_memory_used_mb", r.max_memory_used_mb);
    Put(w, "init_duration_ms", r.init_duration_ms);
    w.EndObject();
  }
  json::Key(w, "time_window_derived");
  w.Bool(a.time_window_derived);
  json::Key(w, "load_pattern_derived");
  w.Bool(a.load_pattern_derived);
  if (!a.unknown.empty()) {  // metadata the request named that the router did not know
    json::Key(w, "warnings");
    w.StartArray();
    for (const auto& [field, value] : a.unknown) {
      w.StartObject();
      json::Key(w, "code");
      json::String(w, "unknown_value");
      json::Key(w, "field");
      json::String(w, field);
      json::Key(w, "value");
      json::String(w, value);
      w.EndObject();
    }
    w.EndArray();
  }
  json::Key(w, "overhead_us");
  w.Int64(a.overhead_us);
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// ---- OutcomeLog ----

std::string OutcomeFileName(int64_t first_line_us, int pid, int sequence) {
  const int64_t seconds = first_line_us >= 0 ? first_line_us / 1'000'000 : 0;
  std::string time = core::FormatUtcMicros(core::FromUnixSeconds(seconds)).substr(0, 19);
  for (char& c : time) {
    if (c == ':') c = '-';
  }
  char seq[16];
  std::snprintf(seq, sizeof seq, "%06d", sequence);
  return "route-" + time + "Z-" + std::to_string(pid) + "-" + seq + ".jsonl";
}

int64_t OutcomeLog::NowUs() const {
  if (options_.clock_us) return options_.clock_us();
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Result<std::unique_ptr<OutcomeLog>> OutcomeLog::Open(const OutcomeLogOptions& options) {
  std::unique_ptr<OutcomeLog> log(new OutcomeLog());
  log->options_ = options;
  if (options.dir == kOutcomeLogStdout) {  // one stream for a log shipper: never rotated or closed
    log->options_.max_file_bytes = UINT64_MAX;
    log->options_.rotate_s = 0;
    log->options_.keep_files = 0;
    log->path_ = "stdout";
    log->fd_ = STDOUT_FILENO;
    log->planned_ = true;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(options.dir, ec);
    if (ec || !std::filesystem::is_directory(options.dir))
      return MakeError(ErrorCode::kIo,
                       "cannot create the outcome log directory '" + options.dir +
                           "': " + (ec ? ec.message() : "not a directory"),
                       "outcome_log");
    if (::access(options.dir.c_str(), W_OK | X_OK) != 0)
      return MakeError(ErrorCode::kIo,
                       "cannot write in the outcome log directory '" + options.dir +
                           "': " + std::strerror(errno),
                       "outcome_log");
  }
  OutcomeLog* raw = log.get();
  log->thread_ = std::thread([raw] { raw->Loop(); });
  return log;
}

std::string OutcomeLog::current_file() const {
  std::lock_guard<std::mutex> io(io_mutex_);
  return path_;
}

core::Status OutcomeLog::OpenFile(int64_t first_us) {
  if (fd_ >= 0) {  // the finished file reaches the disk before its successor exists
    ::fsync(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  // Never another's file: a name already taken moves to the next sequence number.
  for (int tries = 0; tries < 1000; ++tries) {
    path_ = options_.dir + "/" + OutcomeFileName(first_us, ::getpid(), sequence_++);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ >= 0 || errno != EEXIST) break;
  }
  if (fd_ < 0)
    return MakeError(ErrorCode::kIo,
                     "cannot create the outcome log '" + path_ + "': " + std::strerror(errno),
                     "outcome_log");
  files_.fetch_add(1);
  if (options_.keep_files > 0) Prune();
  return {};
}

// Deletes the oldest route-*.jsonl files beyond keep_files (names sort by their first line's
// time); never the file being written.
void OutcomeLog::Prune() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("route-") && name.ends_with(".jsonl") && entry.is_regular_file(ec))
      names.push_back(name);
  }
  if (names.size() <= static_cast<size_t>(options_.keep_files)) return;
  std::sort(names.begin(), names.end());
  const std::string current = path_.substr(path_.find_last_of('/') + 1);
  size_t excess = names.size() - static_cast<size_t>(options_.keep_files);
  for (const std::string& name : names) {
    if (excess == 0) break;
    if (name == current) continue;
    if (std::filesystem::remove(options_.dir + "/" + name, ec)) deleted_.fetch_add(1);
    --excess;
  }
}

OutcomeLog::~OutcomeLog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)Flush();
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) {
    ::fsync(fd_);
    ::close(fd_);
  }
}

void OutcomeLog::Write(std::string_view line) {
  const int64_t now_us = NowUs();
  std::lock_guard<std::mutex> lock(mutex_);
  const size_t bytes = line.size() + 1;
  if (buffered_bytes_ + bytes > options_.max_buffer_bytes) {
    dropped_.fetch_add(1);
    return;
  }
  // Which file the line belongs to is settled here, line by line: rotation never splits a line
  // or moves one across files, whenever the writer thread writes them out.
  const bool too_old =
      options_.rotate_s > 0 && now_us - file_first_us_ >= options_.rotate_s * 1'000'000;
  const bool too_big = file_bytes_ > 0 && file_bytes_ + bytes > options_.max_file_bytes;
  if (!planned_ || too_old || too_big) {
    segments_.push_back({true, now_us, {}, 0});
    planned_ = true;
    file_first_us_ = now_us;
    file_bytes_ = 0;
  } else if (segments_.empty()) {
    segments_.push_back({false, 0, {}, 0});  // more lines for the file being written
  }
  Segment& seg = segments_.back();
  seg.data += line;
  seg.data += '\n';
  ++seg.lines;
  buffered_bytes_ += bytes;
  file_bytes_ += bytes;
}

core::Status OutcomeLog::Flush() {
  std::lock_guard<std::mutex> io(io_mutex_);
  std::vector<Segment> out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out.swap(segments_);
    buffered_bytes_ = 0;
  }
  core::Status status;
  for (Segment& seg : out) {
    if (seg.opens) {
      if (auto s = OpenFile(seg.first_us); !s) {
        dropped_.fetch_add(seg.lines);
        status = s;
        continue;
      }
    }
    if (fd_ < 0) {  // its file could not be created: try a new one for these lines
      if (auto s = OpenFile(NowUs()); !s) {
        dropped_.fetch_add(seg.lines);
        status = s;
        continue;
      }
    }
    struct stat st {};
    const bool sized = fd_ != STDOUT_FILENO && ::fstat(fd_, &st) == 0;
    size_t done = 0;
    while (done < seg.data.size()) {
      const ssize_t n = ::write(fd_, seg.data.data() + done, seg.data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done < seg.data.size()) {
      if (sized && done > 0) (void)!::ftruncate(fd_, st.st_size);  // no torn line stays behind
      write_errors_.fetch_add(1);
      dropped_.fetch_add(seg.lines);
      status = MakeError(ErrorCode::kIo,
                         "cannot write the outcome log '" + path_ + "': " + std::strerror(errno));
      continue;
    }
    written_.fetch_add(seg.lines);
  }
  return status;
}

void OutcomeLog::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_ms));
    if (stop_) break;
    lock.unlock();
    (void)Flush();
    lock.lock();
  }
}

}  // namespace hr::route
