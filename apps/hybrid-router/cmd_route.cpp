// `hybrid-router route`: the gateway that decides, forwards, falls back and logs (see route/).
#include <spdlog/spdlog.h>

#include "commands.h"
#include "http/server.h"
#include "http_options.h"
#include "json/json_writer.h"
#include "model_source.h"
#include "route/events.h"
#include "route/router.h"
#include "route_options.h"
#include "service_options.h"

namespace hr::app {

namespace {

struct RouteCommandConfig {
  HttpOptions http;
  ServiceOptions shared;
  route::RouterConfig router;
  RouteMoreOptions more;
  std::string config_path, lambda_url, ecs_url, policy = "adaptive", time_zone = "UTC";
  size_t max_body_mb = 6;
  int ecs_capacity = 0;
};

int RunRoute(RouteCommandConfig& cfg) {
  if (auto s = FinishServiceOptions(cfg.shared); !s) return ReportError(s.error());
  route::RouterConfig& rc = cfg.router;
  rc.service = cfg.shared.service;
  const auto parsed = policy::ParsePolicy(cfg.policy, "--policy");
  if (!parsed) return ReportError(parsed.error());
  rc.policy = *parsed;
  rc.ecs_capacity.fill(cfg.ecs_capacity);
  auto zone = core::UseTimeZone(cfg.time_zone);
  if (!zone) return ReportError(zone.error());
  rc.zone = *zone;
  auto targets =
      route::ReadTargets(cfg.config_path, cfg.lambda_url, cfg.ecs_url, RegionOf(cfg.more));
  if (!targets) return ReportError(targets.error());
  rc.targets = *targets;
  if (auto s = FinishRouteOptions(cfg.more, cfg.http.access_log, rc); !s)
    return ReportError(s.error());
  if (auto s = StartLogs(cfg.http, rc.service); !s) return ReportError(s.error());
  cfg.http.server.max_body_bytes = cfg.max_body_mb << 20;
  rc.upstream.budget = cfg.http.budget.get();

  auto router = route::Router::Create(rc);
  if (!router) return ReportError(router.error());
  route::Router* r = router->get();
  service::Service& s = r->service();
  auto server = http::Server::Create(
      cfg.http.server, [r](const http::Request& req, http::Response& res) { r->Handle(req, res); },
      [&s](const http::Refused& refused, http::Response* out) {
        s.ObserveServerError(refused, out);
      });
  if (!server) return ReportError(server.error());
  http::Server* srv = server->get();
  s.SetConnectionGauge([srv] { return srv->open_connections(); });
  const auto& ev = rc.service.event_log;
  route::LogListening(ev, rc, "http://" + cfg.http.server.host + ":" + std::to_string(srv->port()),
                      srv->port(), cfg.http.server.threads);
  ev->flush();
  srv->Run([&s] { s.RequestReload(); });
  router->reset();  // before the server: late answers still reach its (stopped) loops
  ev->info(R"("event":"stopped")");
  spdlog::shutdown();
  return 0;
}

}  // namespace

RunFn AddRoute(CLI::App& app) {
  auto cfg = std::make_shared<RouteCommandConfig>();
  cfg->http.server.port = 8088;
  cfg->http.server.threads = 0;
  CLI::App* sub = app.add_subcommand(
      "route",
      "Route workload requests (POST /{workload} or /{workload}/process) to Lambda or ECS: decide "
      "per request, forward the body, fall back when the chosen platform provably did not run "
      "it, and log every attempt as a measurement (--outcome-log).");
  AddHttpOptions(*sub, cfg->http);
  AddServiceOptions(*sub, cfg->shared);
  auto& r = cfg->router;
  sub->add_option("--lambda-url", cfg->lambda_url,
                  "Lambda base URL: an API Gateway stage or Function URL (BASE/{workload})")
      ->envname("HYBRID_ROUTER_LAMBDA_URL");
  sub->add_option("--ecs-url", cfg->ecs_url, "ECS base URL: the ALB (BASE/{workload}/process)")
      ->envname("HYBRID_ROUTER_ECS_URL");
  sub->add_option("--config", cfg->config_path,
                  "JSON file of per-workload URLs or Lambda function names, timeouts, "
                  "idempotency, region (docs/route.md: the route config)")
      ->check(CLI::ExistingFile)
      ->envname("HYBRID_ROUTER_ROUTE_CONFIG");
  sub->add_option("--policy", cfg->policy,
                  "adaptive (the model's tables corrected by every outcome the router sees, "
                  "exploring by Thompson sampling; --learn off: as model), model (the model's "
                  "tables as they are), lambda-only, ecs-only, spillover (ECS up to "
                  "--ecs-capacity in flight, Lambda for the rest) or spillover-model (the same, "
                  "and Lambda when --objective prefers it to a free ECS slot)")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_POLICY");
  sub->add_option("--ecs-capacity", cfg->ecs_capacity,
                  "Spillover: requests each workload's ECS service runs at once (tasks x k), for "
                  "workloads without ecs_capacity in --config")
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--replicas", r.replicas,
                  "Spillover: routers sharing that capacity (each takes an equal share)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  sub->add_option("--replica-index", r.replica_index, "Spillover: this router's index, 0-based")
      ->capture_default_str()
      ->check(CLI::Range(0, 9999));
  sub->add_option("--explore", r.explore,
                  "Share of requests (model policy) sent to a platform drawn at random; every "
                  "decision logs its propensity")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0))
      ->envname("HYBRID_ROUTER_EXPLORE");
  sub->add_option("--seed", r.seed, "Seed of exploration's draws (0: from the system)")
      ->capture_default_str();
  sub->add_option("--time-zone", cfg->time_zone,
                  "Clock for requests without metadata.time_window: UTC, +01:00, or Europe/Dublin")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_TIME_ZONE");
  sub->add_option("--outcome-log", r.outcome_log.dir,
                  "Directory for the outcome log (.jsonl, one line per attempt; off when empty), "
                  "or stdout")
      ->envname("HYBRID_ROUTER_OUTCOME_LOG");
  sub->add_option("--max-body-mb", cfg->max_body_mb, "Largest request body (413 above)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64))
      ->envname("HYBRID_ROUTER_MAX_BODY_MB");
  AddRouteGuardOptions(*sub, r, cfg->more);
  return [cfg] { return RunRoute(*cfg); };
}

}  // namespace hr::app
