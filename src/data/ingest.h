// Streams JSONL measurement logs (plain or gzip, files or directory trees) into typed records.
// Every line is accounted for: accepted, or rejected with file, line and reason; a damaged file
// (gzip cut short, unreadable) is reported, never silently skipped. Adapter: reads files.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "data/record.h"

namespace hr::data {

struct IngestOptions {
  bool strict = false;  // any rejection fails the whole ingest
  // Memory stays bounded by one line and the records kept, whatever the input (gzip bombs too):
  size_t max_line_bytes = 1u << 20;      // a longer line is one rejection, never held whole
  uint64_t max_file_bytes = 4ull << 30;  // decompressed; the rest of a larger file is not read
  size_t keep_rejections = 100;          // the first ones kept for the report; all are counted
};

// Paths may be files or directories (searched recursively for *.jsonl and *.jsonl.gz, in sorted
// order). Fails only when nothing can be read (no such path, no log files) or, with strict, on the
// first rejection.
core::Result<Dataset> Ingest(const std::vector<std::string>& paths,
                             const IngestOptions& options = {});

// Refuses a data set without one accepted record (exit 2), with the counts and why lines were
// rejected: "no readable measurement: 0 of 64981 lines accepted (64981 rejected, most often:
// REASON (N); the first: FILE:LINE: REASON)". audit, train, evaluate and simulate --data call it.
core::Status RequireRecords(const Dataset& ds);

// Parses one log line; on failure returns the reason (and the status of a failed request).
core::Result<Record> ParseRecordLine(std::string_view line, int* http_status = nullptr);

// Where the shipped measurements are: $HYBRID_ROUTER_DATA, else data/aws-measurements beside the
// source tree this binary was built from.
std::string DefaultDataDir();

}  // namespace hr::data
