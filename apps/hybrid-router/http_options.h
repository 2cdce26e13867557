// The HTTP options `serve` and `route` share (address, threads, timeouts, connection limit,
// drain, access log), wired once with the same defaults, ranges and HYBRID_ROUTER_* variables;
// and the two logs both start: events as JSON lines on stderr, the access log where asked.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/result.h"
#include "http/server.h"
#include "service/service.h"

namespace hr::app {

struct HttpOptions {
  http::ServerOptions server;
  std::string access_log = "stdout";
};

void AddHttpOptions(CLI::App& sub, HttpOptions& o);
// Sets the service's event log (stderr) and access log, flushed every second; threads 0 becomes
// one per core.
core::Status StartLogs(HttpOptions& o, service::ServiceConfig& service);

}  // namespace hr::app
