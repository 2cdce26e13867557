#include "http_options.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "service/access_log.h"

namespace hr::app {

void AddHttpOptions(CLI::App& sub, HttpOptions& h) {
  auto& o = h.server;
  sub.add_option("--host", o.host, "Address to listen on")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_HOST");
  sub.add_option("--port", o.port, "Port (0 picks a free one; see the 'listening' log line)")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_PORT");
  sub.add_option("--threads", o.threads, "Event-loop threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256))
      ->envname("HYBRID_ROUTER_THREADS");
  sub.add_option("--read-timeout-ms", o.read_timeout_ms, "A request must arrive whole within this")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000))
      ->envname("HYBRID_ROUTER_READ_TIMEOUT_MS");
  sub.add_option("--buffer-budget-mb", h.buffer_budget_mb,
                 "Bytes of request bodies and upstream answers buffered at once, over all "
                 "requests; beyond it new work is refused (503, Retry-After)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{8}, size_t{1} << 20))
      ->envname("HYBRID_ROUTER_BUFFER_BUDGET_MB");
  sub.add_option("--header-timeout-ms", o.header_timeout_ms,
                 "A new connection that has sent nothing is closed after this (nginx's "
                 "client_header_timeout)")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000))
      ->envname("HYBRID_ROUTER_HEADER_TIMEOUT_MS");
  sub.add_option("--idle-timeout-ms", o.idle_timeout_ms,
                 "Idle keep-alive connections close after this")
      ->capture_default_str()
      ->check(CLI::Range(100, 3600000))
      ->envname("HYBRID_ROUTER_IDLE_TIMEOUT_MS");
  sub.add_option("--max-connections", o.max_connections,
                 "Beyond this, a new connection replaces the one idle the longest; with none idle, "
                 "32 more are let in for /healthz, /readyz and /metrics only")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->envname("HYBRID_ROUTER_MAX_CONNECTIONS");
  sub.add_option("--drain-timeout-ms", o.drain_timeout_ms,
                 "On SIGTERM, how long in-flight requests may take")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000))
      ->envname("HYBRID_ROUTER_DRAIN_TIMEOUT_MS");
  sub.add_option("--access-log", h.access_log, "Access log: stdout, stderr, off, or a file path")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_ACCESS_LOG");
}

core::Status StartLogs(HttpOptions& o, service::ServiceConfig& service) {
  auto events = spdlog::stderr_logger_mt("events");
  events->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  service.event_log = events;
  auto access = service::MakeAccessLog(o.access_log);
  if (!access) return access.error();
  service.access_log = *access;
  spdlog::flush_every(std::chrono::seconds(1));
  if (o.server.threads <= 0)
    o.server.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.budget = std::make_unique<http::ByteBudget>(o.buffer_budget_mb << 20);
  o.server.budget = o.budget.get();
  service.budget = o.budget.get();
  return {};
}

}  // namespace hr::app
