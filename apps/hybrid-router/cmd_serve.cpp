// `hybrid-router serve`: the prototype's HTTP API as a production service (see service/).
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "commands.h"
#include "http/server.h"
#include "json/json_writer.h"
#include "model_source.h"
#include "service/access_log.h"
#include "service/service.h"
#include "service_options.h"

namespace hr::app {

namespace {

struct ServeConfig {
  http::ServerOptions server;
  ServiceOptions shared;
  size_t max_body_kb = 1024;  // the prototype's generator posts 1,000 requests as ~230 KB
  std::string access_log = "stdout";
};

int RunServe(ServeConfig& cfg) {
  if (auto s = FinishServiceOptions(cfg.shared); !s) return ReportError(s.error());
  service::ServiceConfig& service = cfg.shared.service;
  auto events = spdlog::stderr_logger_mt("events");
  events->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  service.event_log = events;
  auto access = service::MakeAccessLog(cfg.access_log);
  if (!access) return ReportError(access.error());
  service.access_log = *access;
  spdlog::flush_every(std::chrono::seconds(1));

  cfg.server.max_body_bytes = cfg.max_body_kb * 1024;
  if (cfg.server.threads <= 0)
    cfg.server.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  auto svc = service::Service::Create(service);
  if (!svc) return ReportError(svc.error());
  service::Service* s = svc->get();
  auto server = http::Server::Create(
      cfg.server, [s](const http::Request& req, http::Response& res) { s->Handle(req, res); },
      [s](core::ErrorCode code) { s->ObserveServerError(code); });
  if (!server) return ReportError(server.error());
  http::Server* srv = server->get();
  s->SetConnectionGauge([srv] { return srv->open_connections(); });

  auto model = s->model();
  events->info(R"("event":"listening","url":{},"port":{},"threads":{},"model":{},"auth":{})",
               json::Quoted("http://" + cfg.server.host + ":" + std::to_string(srv->port())),
               srv->port(), cfg.server.threads, json::Quoted(model ? model->source : "none"),
               service.keys.enabled() ? "true" : "false");
  events->flush();
  srv->Run(
      [s] { s->RequestReload(); });  // read off the event loops; the old model serves meanwhile
  events->info(R"("event":"stopped")");
  spdlog::shutdown();
  return 0;
}

}  // namespace

RunFn AddServe(CLI::App& app) {
  auto cfg = std::make_shared<ServeConfig>();
  cfg->server.threads = 0;  // one event loop per core unless told otherwise
  CLI::App* sub = app.add_subcommand(
      "serve",
      "Serve the prototype's HTTP API (POST /predict and more) with the built-in model or "
      "--model. Every option can also be set by its HYBRID_ROUTER_* environment variable.");
  auto& o = cfg->server;
  sub->add_option("--host", o.host, "Address to listen on")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_HOST");
  sub->add_option("--port", o.port, "Port (0 picks a free one; see the 'listening' log line)")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_PORT");
  sub->add_option("--threads", o.threads, "Event-loop threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256))
      ->envname("HYBRID_ROUTER_THREADS");
  AddServiceOptions(*sub, cfg->shared);
  sub->add_flag("--allow-missing-model", cfg->shared.service.allow_missing_model,
                "Start even if --model cannot be loaded: not ready, /predict answers 503 with the "
                "prototype's fallback_prediction until a reload succeeds")
      ->envname("HYBRID_ROUTER_ALLOW_MISSING_MODEL");
  sub->add_option("--max-body-kb", cfg->max_body_kb, "Largest request body (413 above)")
      ->capture_default_str()
      ->check(CLI::Range(1, 102400))
      ->envname("HYBRID_ROUTER_MAX_BODY_KB");
  sub->add_option("--read-timeout-ms", o.read_timeout_ms, "A request must arrive whole within this")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000))
      ->envname("HYBRID_ROUTER_READ_TIMEOUT_MS");
  sub->add_option("--idle-timeout-ms", o.idle_timeout_ms,
                  "Idle keep-alive connections close after this")
      ->capture_default_str()
      ->check(CLI::Range(100, 3600000))
      ->envname("HYBRID_ROUTER_IDLE_TIMEOUT_MS");
  sub->add_option("--max-connections", o.max_connections,
                  "Connections beyond this are closed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->envname("HYBRID_ROUTER_MAX_CONNECTIONS");
  sub->add_option("--drain-timeout-ms", o.drain_timeout_ms,
                  "On SIGTERM, how long in-flight requests may take")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000))
      ->envname("HYBRID_ROUTER_DRAIN_TIMEOUT_MS");
  sub->add_option("--access-log", cfg->access_log,
                  "Access log: stdout, stderr, off, or a file path")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_ACCESS_LOG");
  return [cfg] { return RunServe(*cfg); };
}

}  // namespace hr::app
