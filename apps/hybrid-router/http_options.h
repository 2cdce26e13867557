// The HTTP options `serve` and `route` share (address, threads, timeouts, connection limit,
// drain, access log), wired once with the same defaults, ranges and HYBRID_ROUTER_* variables;
// and the two logs both start: events as JSON lines on stderr, the access log where asked.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/server.h"
#include "service/service.h"

namespace hr::app {

struct HttpOptions {
  http::ServerOptions server;
  std::string access_log = "stdout";
  size_t buffer_budget_mb = 256;             // --buffer-budget-mb
  std::unique_ptr<http::ByteBudget> budget;  // made by StartLogs, shared by server and router
};

void AddHttpOptions(CLI::App& sub, HttpOptions& o);
// Sets the service's event log (stderr) and access log, flushed every second; threads 0 becomes
// one per core; makes the buffer budget (the server's and the service's).
core::Status StartLogs(HttpOptions& o, service::ServiceConfig& service);

}  // namespace hr::app
