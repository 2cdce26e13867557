// `hybrid-router serve`: the prototype's HTTP API as a production service (see service/).
#include <spdlog/spdlog.h>

#include "commands.h"
#include "http/server.h"
#include "http_options.h"
#include "json/json_writer.h"
#include "model_source.h"
#include "service/service.h"
#include "service_options.h"

namespace hr::app {

namespace {

struct ServeConfig {
  HttpOptions http;
  ServiceOptions shared;
  size_t max_body_kb = http::kApiMaxBodyBytes / 1024;
};

int RunServe(ServeConfig& cfg) {
  if (auto s = FinishServiceOptions(cfg.shared); !s) return ReportError(s.error());
  service::ServiceConfig& service = cfg.shared.service;
  if (auto s = StartLogs(cfg.http, service); !s) return ReportError(s.error());
  http::ServerOptions& options = cfg.http.server;
  options.max_body_bytes = cfg.max_body_kb * 1024;

  auto svc = service::Service::Create(service);
  if (!svc) return ReportError(svc.error());
  service::Service* s = svc->get();
  auto server = http::Server::Create(
      options, [s](const http::Request& req, http::Response& res) { s->Handle(req, res); },
      [s](const http::Refused& refused, http::Response* out) {
        s->ObserveServerError(refused, out);
      });
  if (!server) return ReportError(server.error());
  http::Server* srv = server->get();
  s->SetConnectionGauge([srv] { return srv->open_connections(); });

  auto model = s->model();
  service.event_log->info(
      R"("event":"listening","url":{},"port":{},"threads":{},"model":{},"auth":{})",
      json::Quoted("http://" + options.host + ":" + std::to_string(srv->port())), srv->port(),
      options.threads, json::Quoted(model ? model->source : "none"),
      service.keys.enabled() ? "true" : "false");
  service.event_log->flush();
  srv->Run(
      [s] { s->RequestReload(); });  // read off the event loops; the old model serves meanwhile
  service.event_log->info(R"("event":"stopped")");
  spdlog::shutdown();
  return 0;
}

}  // namespace

RunFn AddServe(CLI::App& app) {
  auto cfg = std::make_shared<ServeConfig>();
  cfg->http.server.threads = 0;  // one event loop per core unless told otherwise
  CLI::App* sub = app.add_subcommand(
      "serve",
      "Serve the prototype's HTTP API (POST /predict and more) with the built-in model or "
      "--model. Every option can also be set by its HYBRID_ROUTER_* environment variable.");
  AddHttpOptions(*sub, cfg->http);
  AddServiceOptions(*sub, cfg->shared);
  sub->add_flag("--allow-missing-model", cfg->shared.service.allow_missing_model,
                "Start even if --model cannot be loaded: not ready, /predict answers 503 with the "
                "prototype's fallback_prediction until a reload succeeds")
      ->envname("HYBRID_ROUTER_ALLOW_MISSING_MODEL");
  sub->add_option("--max-body-kb", cfg->max_body_kb, "Largest request body (413 above)")
      ->capture_default_str()
      ->check(CLI::Range(1, 102400))
      ->envname("HYBRID_ROUTER_MAX_BODY_KB");
  return [cfg] { return RunServe(*cfg); };
}

}  // namespace hr::app
