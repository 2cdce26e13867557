#include "sim_options.h"

#include <filesystem>
#include <fstream>
#include <tuple>

#include "eval/evaluate.h"
#include "model_source.h"
#include "route_options.h"
#include "service/service.h"

namespace hr::app {

CLI::Option* AddSimTrafficOptions(CLI::App& s, sim::SimRequest& q) {
  auto* rate =
      s.add_option("--rate", q.config.arrivals.rate, "Arrivals per second")->capture_default_str();
  auto* profile = s.add_option("--profile", q.profile_file,
                               "Rate profile: 'SECONDS RATE' lines, repeating after the last "
                               "(default duration: one period; not with --rate)")
                      ->check(CLI::ExistingFile)
                      ->excludes(rate);
  s.add_option("--trace", q.trace_file,
               "Recorded arrivals: 'SECONDS WORKLOAD [KB]' lines, or JSON lines (measurements, "
               "route's outcome log)")
      ->check(CLI::ExistingFile)
      ->excludes(profile);
  s.add_option("--mix", q.mix, "Workload mix W=SHARE,... (default: the data's)");
  return s
      .add_option("--duration-s", q.config.duration_s,
                  "Simulated seconds (a profile: one period; a trace: its span and one second)")
      ->capture_default_str();
}

void AddSimPlatformOptions(CLI::App& s, SimPlatformOptions& o, sim::SimConfig& c) {
  s.add_option("--drift", o.drift_file,
               "JSON array of changes of the true service times: {from_s, until_s, platform, "
               "workload (or all), service_factor, cold_factor} (docs/simulate.md)")
      ->check(CLI::ExistingFile);
  AddLearnOptions(s, c.learn);
  s.add_option("--explore", c.explore,
               "Share of requests sent to a platform drawn at random (not adaptive), as route "
               "--explore; the outcome log's propensities say how likely each choice was")
      ->capture_default_str();
  s.add_option("--outcome-log", o.outcome_log,
               "Write route's outcome lines (propensities included) to .jsonl files in DIR, "
               "created when missing: a log for evaluate --off-policy");
  s.add_option("--keep-alive-s", c.lambda.keep_alive_s, "Lambda idle keep-alive")
      ->capture_default_str();
  s.add_option("--lambda-warm", o.lambda_warm,
               "Lambda warm service time exp:MS|det:MS|uniform:A-B (default: measured)");
  s.add_option("--lambda-cold", o.lambda_cold, "Lambda cold service time (default: as warm)");
  s.add_option("--lambda-concurrency", c.lambda.concurrency_limit, "Account concurrency limit")
      ->capture_default_str();
  s.add_option("--lambda-burst", c.lambda.burst_limit, "New environments per function per 10 s")
      ->capture_default_str();
  s.add_option("--provisioned", c.lambda.provisioned, "Provisioned concurrency per function")
      ->capture_default_str();
  s.add_option("--lambda-reuse", o.reuse,
               "Which idle Lambda instance a request takes: most-recently-idle or "
               "most-recently-created (as SimFaaS)")
      ->capture_default_str()
      ->check(CLI::IsMember({std::string(sim::Name(sim::Reuse::kMostRecentlyIdle)),
                             std::string(sim::Name(sim::Reuse::kMostRecentlyCreated))}));
  s.add_flag("--no-init-billing", o.no_init_billing, "Do not bill cold starts' INIT phase");
  s.add_option("--ecs-service", o.ecs_service,
               "ECS service time exp:MS|det:MS|uniform:A-B (default: measured at low load)");
  s.add_option("--ecs-dispatch", o.dispatch,
               "shared (one FIFO queue per service), round-robin (a queue per task, an ALB's "
               "default) or least-outstanding (an ALB's least_outstanding_requests)")
      ->capture_default_str()
      ->check(CLI::IsMember({"shared", "round-robin", "least-outstanding"}));
  s.add_option("--ecs-tasks", o.ecs_tasks,
               "Tasks per service at the start, N or per workload W=N,... (0: what the target "
               "utilisation needs had every request gone to ECS)")
      ->capture_default_str();
  s.add_option("--ecs-min-tasks", c.ecs.min_tasks, "Autoscaling minimum")->capture_default_str();
  s.add_option("--ecs-max-tasks", c.ecs.max_tasks, "Autoscaling maximum")->capture_default_str();
  s.add_option("--ecs-concurrency", c.ecs.concurrency, "k: requests in flight per task")
      ->capture_default_str();
  s.add_flag("--no-autoscale", o.no_autoscale, "Keep --ecs-tasks fixed");
  s.add_option("--ecs-target", c.ecs.target, "Target slot utilisation, 0-1")->capture_default_str();
  s.add_option("--ecs-start-s", c.ecs.start_delay_s, "Task start-up, billed (image pull)")
      ->capture_default_str();
  s.add_option("--ecs-timeout-s", c.ecs.timeout_s, "Longest wait before a 504")
      ->capture_default_str();
  s.add_option("--ecs-queue-limit", c.ecs.queue_limit,
               "Requests that may wait per service; more are refused at once (503, counted as "
               "refused)")
      ->capture_default_str();
  s.add_option("--ecs-task", o.ecs_task,
               "Task size VCPU GB for every service (default: the measured per workload)")
      ->expected(2)
      ->check(CLI::Range(0.125, 64.0));
  s.add_option("--pricing", o.pricing, "JSON file of prices (as evaluate's)")
      ->check(CLI::ExistingFile);
  s.add_option("--api-gateway", o.api_gateway, "Bill API Gateway on Lambda: none, http, rest")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "http", "rest"}));
  s.add_flag("--alb", c.alb, "Bill one load balancer (hours + 1 LCU) when ECS serves");
}

core::Status ApplyPolicyOption(const std::string& text, const ObjectiveOptions& o,
                               sim::SimConfig& c) {
  if (sim::IsPolicyByWorkload(text) && !std::filesystem::is_regular_file(text)) {
    auto each = sim::ParsePolicyByWorkload(text);
    if (!each) return each.error();
    c.policy_by_workload = *each;
    c.policy = sim::Fixed("lambda-only");
    c.policy.name = text;
    return {};
  }
  auto p = ParsePolicyOption(text, o);
  if (!p) return p.error();
  c.policy = std::move(*p);
  return {};
}

core::Result<sim::SimPolicy> ParsePolicyOption(const std::string& text, const ObjectiveOptions& o) {
  auto spec = policy::ParsePolicy(text, "--policy", true);
  if (!spec) return spec.error();
  sim::SimPolicy p;
  p.spec = *spec;
  p.name = text;
  p.objective = ToObjective(o);  // the oracle's (Validate checks it)
  if (!p.spec.uses_model()) return p;
  const std::string& file = p.spec.model_file;
  if (!file.empty() && file != "builtin" && !std::filesystem::is_regular_file(file))
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--policy '" + text.substr(0, 64) + "' is not known; allowed: " +
                               std::string(policy::kPolicyGrammar) + ", builtin, or a model file",
                           "--policy");
  // spillover-model and "model": the built-in model, whose outcome tables predict both outcomes.
  auto m = LoadModel(file == "builtin" ? "" : file);
  if (!m) return m.error();
  p.model = *m;
  p.objective = ToObjective(o);
  if (p.spec.kind == policy::PolicyKind::kSpilloverModel &&
      p.objective.kind == policy::ObjectiveKind::kClassifier)
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--policy spillover-model compares predicted outcomes: give an "
                           "--objective other than classifier",
                           "--objective");
  const std::string shown =
      file.empty() || file == "builtin" ? (file.empty() ? text : "built-in") : file;
  p.name = shown + " (" + policy::Label(p.objective) + ")";
  return p;
}

core::Status ApplySimPlatformOptions(SimPlatformOptions& o, sim::SimRequest& q) {
  sim::SimConfig& c = q.config;
  if (auto s = c.learn.Validate(); !s) return s;
  if (auto s = sim::ParseEcsTasks(o.ecs_tasks, c); !s) return s;
  if (!(c.explore >= 0 && c.explore <= 1))
    return core::MakeError(core::ErrorCode::kInvalidArgument, "--explore must be from 0 to 1",
                           "--explore");
  if (!o.outcome_log.empty() && c.PerWorkloadPolicy())
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--outcome-log logs one run's policy: not with --policy W=POLICY,...",
                           "--outcome-log");
  if (!o.outcome_log.empty()) {
    route::SimLineContext ctx;
    ctx.seed = c.seed;
    ctx.start_hour = c.start_hour;
    ctx.spec = c.policy.spec;
    ctx.objective = c.policy.objective;
    const std::string& file = c.policy.spec.model_file;
    if (c.policy.model) ctx.model = service::ModelFingerprint(file == "builtin" ? "" : file);
    auto log = route::OpenOutcomeLines(o.outcome_log, ctx, c);
    if (!log) return log.error();
    o.log = *log;
  }
  if (!o.drift_file.empty()) {
    std::ifstream in(o.drift_file, std::ios::binary);
    std::string text(1 << 20, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.gcount() == static_cast<std::streamsize>(text.size()) && in.peek() != EOF)
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "--drift: " + o.drift_file + " is over 1 MB", "--drift");
    text.resize(static_cast<size_t>(in.gcount()));
    auto drift = sim::ParseDrift(text);
    if (!drift) return drift.error();
    c.drift = std::move(*drift);
  }
  for (auto [text, slot, field] : {std::tuple{&o.lambda_warm, &q.lambda_warm, "--lambda-warm"},
                                   std::tuple{&o.lambda_cold, &q.lambda_cold, "--lambda-cold"},
                                   std::tuple{&o.ecs_service, &q.ecs_service, "--ecs-service"}}) {
    if (text->empty()) continue;
    auto d = sim::ParseDistribution(*text, field);
    if (!d) return d.error();
    *slot = *d;
  }
  c.ecs.dispatch = o.dispatch == "shared"              ? sim::Dispatch::kShared
                   : o.dispatch == "least-outstanding" ? sim::Dispatch::kLeastOutstanding
                                                       : sim::Dispatch::kRoundRobin;
  c.ecs.autoscale = !o.no_autoscale;
  c.lambda.bill_init = !o.no_init_billing;
  const auto reuse = sim::ParseReuse(o.reuse);
  if (!reuse)
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--lambda-reuse: '" + o.reuse.substr(0, 64) + "' is not known",
                           "--lambda-reuse");
  c.lambda.reuse = *reuse;
  c.api_gateway = o.api_gateway == "rest"   ? sim::ApiGateway::kRest
                  : o.api_gateway == "http" ? sim::ApiGateway::kHttp
                                            : sim::ApiGateway::kNone;
  if (!o.ecs_task.empty()) {
    c.ecs.task = {o.ecs_task[0], o.ecs_task[1]};
    c.ecs_task_set = true;
  }
  if (!o.pricing.empty()) return eval::LoadPricing(o.pricing, c.pricing);
  return {};
}

core::Status CloseSimOutcomeLog(SimPlatformOptions& o) {
  if (!o.log) return {};
  auto s = o.log->Close();
  o.log.reset();
  return s;
}

}  // namespace hr::app
