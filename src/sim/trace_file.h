// Arrival inputs from files: a rate profile (`SECONDS RATE` per line, '#' comments; linear between
// points, a step where two share a time; it repeats after its last point), and a recorded trace:
// either text lines `SECONDS WORKLOAD [PAYLOAD_KB]`, or JSON lines with `timestamp`,
// `workload_type` and `target_payload_size_kb` (the measurement logs and `route`'s outcome log,
// plain or gzip, read by data/ingest). Adapter: reads files. Limits: 100,000 profile points,
// 100 million trace lines, lines up to 4 KB (text) or 1 MB (JSON; a longer line is refused as soon
// as its first 1 MB is read, so a file without newlines such as /dev/zero is no endless read).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sim/arrivals.h"

namespace hr::sim {

inline constexpr size_t kMaxProfilePoints = 100'000;
inline constexpr size_t kMaxTraceLines = 100'000'000;

// `source` names the input in errors ("FILE:LINE: ...").
core::Result<std::vector<ProfilePoint>> ParseProfile(std::string_view text,
                                                     const std::string& source);
// Text traces; times are made relative to the earliest arrival and sorted.
core::Result<std::vector<TraceEntry>> ParseTraceText(std::string_view text,
                                                     const std::string& source);

core::Result<std::vector<ProfilePoint>> ReadProfile(const std::string& path);
core::Result<std::vector<TraceEntry>> ReadTrace(const std::string& path);

}  // namespace hr::sim
