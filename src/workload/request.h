// The prototype's workload request, as the router and its stand-in for the workloads (emulate) read
// it: which workload (from the path the client posted to, or the body's workload_type), its
// payload size and its cell (the body's metadata). The payload itself is never looked at. Pure:
// no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "features/request.h"

namespace hr::workload {

// What a workload request says about its cell: `{"request_id", "workload_type", "timestamp",
// "metadata": {"target_size_kb", "time_window", "load_pattern"}, "payload"}`.
struct Request {
  std::string request_id;                      // at most 128 bytes; empty when absent
  std::optional<features::Workload> workload;  // workload_type, when given
  double payload_kb = 0;                       // metadata.target_size_kb, else the body's size
  bool payload_from_metadata = false;
  std::optional<features::TimeWindow> time_window;
  std::optional<features::LoadPattern> load_pattern;
  // Metadata the reader does not know (a time_window or load_pattern outside the prototype's
  // sets, as two of its own load tests send: "quick_validation"): the metadata is the workload's,
  // so the request is read as if the field were absent, and the field and value (at most 64
  // bytes) are kept here for the outcome log. Empty, and no allocation, when all was known.
  std::vector<std::pair<std::string, std::string>> unknown;
};

// Reads a JSON object body on demand (simdjson): the fields above are read, the rest (the payload
// of up to megabytes) only skipped, nested at most 64 deep; the body must be valid UTF-8 JSON. An
// empty body is an empty request. Errors name the field (workload_type: unknown value, allowed
// values; metadata.target_size_kb: out of range); unknown metadata values are not errors
// (`unknown`). With `capacity` >= body.size() + kReadPadding the body's buffer is read in
// place; otherwise it is copied.
inline constexpr size_t kReadPadding = 64;
core::Result<Request> Read(std::string_view body, size_t capacity = 0);

// The prototype's path names (lightweight, thumbnail, medium, heavy) or the full workload_type.
std::optional<features::Workload> WorkloadOfPath(std::string_view name);

// The prototype's short path name of a workload ("heavy").
std::string_view PathName(features::Workload w);

}  // namespace hr::workload
