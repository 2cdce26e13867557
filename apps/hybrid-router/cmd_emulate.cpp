// `hybrid-router emulate`: local stand-ins for the prototype's Lambda (API Gateway, Invoke API) and
// ECS (ALB) workloads, answering with response times drawn from the measurements (see emulate/).
#include <cstdio>
#include <thread>

#include "commands.h"
#include "data/ingest.h"
#include "emulate/emulate.h"
#include "http/server.h"
#include "json/json_writer.h"
#include "model_source.h"

namespace hr::app {

namespace {

struct EmulateCommandConfig {
  std::vector<std::string> data;  // empty: the shipped measurements
  http::ServerOptions server;
  emulate::EmulateConfig emulate;
  std::vector<std::string> faults;
  size_t max_body_mb = 6;
};

int RunEmulate(EmulateCommandConfig& cfg) {
  for (const auto& text : cfg.faults) {
    auto f = emulate::ParseFault(text);
    if (!f) return ReportError(f.error());
    cfg.emulate.faults.push_back(*f);
  }
  std::vector<std::string> paths = cfg.data;
  if (paths.empty()) paths.push_back(data::DefaultDataDir());
  auto ds = data::Ingest(paths);
  if (!ds) return ReportError(ds.error());
  const size_t records = ds->records.size();
  auto emulator = emulate::Emulator::Create(cfg.emulate, emulate::Pools(std::move(ds->records)));
  if (!emulator) return ReportError(emulator.error());
  cfg.server.max_body_bytes = cfg.max_body_mb << 20;
  // Answers wait on the emulator's timer, not on the event loops: long reads only.
  cfg.server.read_timeout_ms = 60'000;
  emulate::Emulator* e = emulator->get();
  auto server = http::Server::Create(
      cfg.server, [e](const http::Request& req, http::Response& res) { e->Handle(req, res); });
  if (!server) return ReportError(server.error());
  std::fprintf(
      stderr,
      "{\"event\":\"listening\",\"url\":%s,\"port\":%u,\"records\":%zu,\"time_scale\":%g,"
      "\"faults\":%zu}\n",
      json::Quoted("http://" + cfg.server.host + ":" + std::to_string((*server)->port())).c_str(),
      static_cast<unsigned>((*server)->port()), records, cfg.emulate.time_scale,
      cfg.emulate.faults.size());
  std::fflush(stderr);
  (*server)->Run();
  std::fprintf(stderr, "{\"event\":\"stopped\",\"answered\":%llu}\n",
               static_cast<unsigned long long>(e->answered()));
  return 0;
}

}  // namespace

RunFn AddEmulate(CLI::App& app) {
  auto cfg = std::make_shared<EmulateCommandConfig>();
  cfg->server.port = 8090;
  cfg->server.threads = 2;
  CLI::App* sub = app.add_subcommand(
      "emulate",
      "Stand in for the prototype's workloads on one machine: POST /{stage}/{workload} (API "
      "Gateway), /2015-03-31/functions/{name}/invocations (Lambda Invoke) and /{workload}/process "
      "(ALB), each answered after a response time drawn from the measurements of the request's "
      "cell on that platform.");
  sub->add_option("data", cfg->data, "Measurement files or directories (default: the shipped ones)")
      ->check(CLI::ExistingPath);
  sub->add_option("--host", cfg->server.host, "Address to listen on")->capture_default_str();
  sub->add_option("--port", cfg->server.port, "Port (0 picks a free one; see the 'listening' line)")
      ->capture_default_str();
  sub->add_option("--threads", cfg->server.threads, "Event-loop threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  sub->add_option("--time-scale", cfg->emulate.time_scale,
                  "Delays are measured response times times this, 0 to 1000 (0: answer at once)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  sub->add_option("--seed", cfg->emulate.seed, "Seed of the draws and faults")
      ->capture_default_str();
  sub->add_option("--fault", cfg->faults,
                  "PLATFORM:KIND:PROBABILITY[:MS], repeatable: lambda|ecs, throttle (429; ALB "
                  "503), error (API Gateway/ALB 502, Invoke X-Amz-Function-Error), cold or slow "
                  "(MS more delay)");
  sub->add_option("--ecs-tasks", cfg->emulate.ecs_tasks,
                  "ECS tasks per workload service (0: unlimited capacity); with "
                  "--ecs-concurrency K, requests beyond tasks x K wait in FIFO order")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  sub->add_option("--ecs-concurrency", cfg->emulate.ecs_concurrency,
                  "Requests in service at once per ECS task")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  auto& aws = cfg->emulate.aws;
  sub->add_option("--aws-access-key", aws.access_key,
                  "Require Invoke API calls signed (SigV4) by this test key or by credentials "
                  "issued at GET /emulate/credentials")
      ->envname("HYBRID_ROUTER_EMULATE_ACCESS_KEY");
  sub->add_option("--aws-secret-key", aws.secret_key, "The test key's secret")
      ->envname("HYBRID_ROUTER_EMULATE_SECRET_KEY");
  sub->add_option("--aws-region", aws.region, "The region a signature's scope must name")
      ->capture_default_str();
  sub->add_option("--credentials-lifetime-s", aws.credentials_lifetime_s,
                  "Serve GET /emulate/credentials (an ECS container credentials endpoint) issuing "
                  "credentials valid this long (0: off)")
      ->check(CLI::Range(0, 86400));
  sub->add_option("--credentials-token", aws.credentials_token,
                  "The Authorization header GET /emulate/credentials requires");
  sub->add_option("--max-body-mb", cfg->max_body_mb, "Largest request body (413 above)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  sub->add_option("--drain-timeout-ms", cfg->server.drain_timeout_ms,
                  "On SIGTERM, how long waiting answers may take")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  return [cfg] { return RunEmulate(*cfg); };
}

}  // namespace hr::app
