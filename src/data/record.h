// One measured request from the load-test logs, typed, and the accounting of an ingest: every
// line read is either a Record or a Rejection with its file, line number and reason.
// Units: milliseconds, KB, MB as in the logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "features/request.h"

namespace hr::data {

// Fields a record lacked and that were derived (data/derive.h), as bits of Record::derived.
inline constexpr uint8_t kDerivedTimeWindow = 1, kDerivedLoadPattern = 2, kDerivedPayload = 4;

struct Record {
  features::Platform platform = features::Platform::kLambda;
  features::Workload workload = features::Workload::kLightweightApi;
  std::optional<features::TimeWindow> time_window;    // absent in older logs: derived
  std::optional<features::LoadPattern> load_pattern;  // absent in older logs: derived
  double target_payload_kb = 0;
  double actual_payload_kb = 0;  // NaN when not logged
  double response_time_ms = 0;   // end to end at the client
  double execution_time_ms = 0;  // inside the handler
  double memory_used_mb = 0;     // Lambda: as logged (the configured size); ECS: process RSS
  double memory_limit_mb = 0;    // Lambda only; NaN on ECS
  int8_t cold_start = -1;        // Lambda: 0/1; -1 unknown
  int64_t timestamp_us = 0;      // server time as written, microseconds since 1970 (no offset)
  int8_t hour = 0;               // hour of day as written
  int8_t weekday = 0;            // 0 = Monday
  uint16_t file = 0;             // index into Dataset::files
  uint32_t line = 0;             // 1-based
  uint8_t derived = 0;           // kDerived* bits: what was not in the line
};

struct Rejection {
  uint16_t file = 0;
  uint32_t line = 0;  // 0: the file as a whole (unreadable, cut short)
  std::string reason;
  int http_status = 0;  // when the line was a well-formed record of a failed request
};

struct FileSummary {
  std::string path;
  uint64_t lines = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t content_hash =
      0;  // FNV-1a of its uncompressed bytes (a file's identity across data sets)
};

// What `route` added to the lines it wrote (their `route{}` object): attempts, how many were
// fallbacks, and the verdict of each.
struct RouteCounts {
  uint64_t attempts = 0, fallbacks = 0, answered = 0, not_run = 0, failed = 0, config_errors = 0;
  void Add(const RouteCounts& o) {
    attempts += o.attempts;
    fallbacks += o.fallbacks;
    answered += o.answered;
    not_run += o.not_run;
    failed += o.failed;
    config_errors += o.config_errors;
  }
};

// How many records had each field derived (data/derive.h).
struct DerivedCounts {
  uint64_t time_window = 0, load_pattern = 0, payload_actual = 0, payload_metrics = 0;
  uint64_t payload() const { return payload_actual + payload_metrics; }
  bool any() const { return time_window || load_pattern || payload(); }
};

struct Dataset {
  std::vector<FileSummary> files;
  std::vector<Record> records;
  // The first rejections (IngestOptions::keep_rejections), in file and line order; every one is
  // counted in `rejected` and by kind in `rejection_kinds`.
  std::vector<Rejection> rejections;
  uint64_t rejected = 0;
  uint64_t failed_requests = 0;  // well-formed lines of requests that failed (http_status != 200)
  RouteCounts routed;            // lines written by `route` (accepted or not)
  std::vector<std::pair<std::string, uint64_t>> rejection_kinds;  // by kind, most first
  uint64_t fingerprint = 0;  // FNV-1a over each file name and the FNV-1a of its uncompressed bytes
  DerivedCounts derived;     // fields the lines lacked, derived (data/derive.h)
};

// A rejection's reason without the specifics after its first clause, to group similar ones.
std::string ReasonKind(const std::string& reason);

// What a record used, for the cost models.
inline cost::Usage UsageOf(const Record& r) {
  return {r.platform == features::Platform::kLambda, r.workload, r.execution_time_ms,
          r.memory_used_mb};
}

}  // namespace hr::data
