// The evaluation as one self-contained HTML file: method, data-quality caveats, tables, and charts
// drawn by gnuplot (SVG, inlined; no network needed to view). Adapter: runs gnuplot, writes files.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "data/audit.h"
#include "eval/evaluate.h"
#include "eval/replay.h"

namespace hr::report {

struct ReportInput {
  std::string mode;  // how the records were held out
  int draws = 0;
  uint64_t seed = 0;
  bool in_sample = false;
  const eval::ReplayResult* result = nullptr;
  const data::AuditReport* audit = nullptr;
  const eval::CensoringCheck* censoring = nullptr;  // the replay with timeouts put back
};

// One-paragraph conclusion computed from the numbers (also printed by `evaluate`).
std::string Conclusion(const eval::ReplayResult& r);

// Writes the report to `path` (via a temporary file and rename). Needs gnuplot on PATH.
core::Status WriteHtmlReport(const ReportInput& in, const std::string& path);

}  // namespace hr::report
