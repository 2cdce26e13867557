// The access log's destination: one JSON line per request to stdout, stderr or a file, buffered
// (written when 64 KB have gathered, at each periodic flush, and at shutdown) rather than one
// write(2) per request; "off" gives none. Adapter: files and descriptors.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "core/result.h"

namespace hr::service {

inline constexpr size_t kAccessLogBufferBytes = 64u << 10;

// One request's line: {"time", "request_id", "method", "path", "status", "latency_us",
// "decision" (null when empty)} and, for `route`, "platform" and "attempts" (when given).
struct AccessEntry {
  std::string_view request_id, method, path;
  int status = 0;
  int64_t latency_us = 0;
  std::string_view decision;
  std::string_view platform;  // empty: not written
  int attempts = 0;           // 0: not written
};
void WriteAccessLine(spdlog::logger& log, const AccessEntry& e);

// "stdout", "stderr", "off" (a null logger) or a file path (appended to).
core::Result<std::shared_ptr<spdlog::logger>> MakeAccessLog(const std::string& target);

}  // namespace hr::service
