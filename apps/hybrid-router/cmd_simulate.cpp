// `hybrid-router simulate`: what would lambda-only, ecs-only, a fixed split or a model cost and how
// fast would they answer at a given traffic (Poisson rate, rate profile or recorded trace)? A
// discrete-event simulation (sim/); table, --format json, --sweep-rate with an HTML report.
#include <cstdio>

#include "commands.h"
#include "model_source.h"
#include "objective_options.h"
#include "report/simulation_report.h"
#include "report/simulation_text.h"
#include "sim/run.h"
#include "sim_options.h"

namespace hr::app {

namespace {

struct SimulateCommandConfig {
  sim::SimRequest q;
  std::string policy = "lambda-only", arrivals = "poisson", sweep, format = "table", html;
  bool advise = false;
  double p95_target_ms = 0;
  SimPlatformOptions platform;
  ObjectiveOptions objective;
  bool quiet = false;
};

int RunSimulate(SimulateCommandConfig& cfg) {
  sim::SimRequest& q = cfg.q;
  sim::SimConfig& c = q.config;
  if (auto s = ApplyPolicyOption(cfg.policy, cfg.objective, c); !s) return ReportError(s.error());
  if (auto s = ApplySimPlatformOptions(cfg.platform, q); !s) return ReportError(s.error());
  c.arrivals.kind = cfg.arrivals == "uniform" ? sim::ArrivalSpec::Kind::kUniform
                                              : sim::ArrivalSpec::Kind::kPoisson;
  if (!cfg.sweep.empty()) {
    auto rates = sim::ParseSweep(cfg.sweep);
    if (!rates) return ReportError(rates.error());
    q.sweep_rates = *rates;
    q.sweep_policies = {sim::Fixed("lambda-only"), sim::Fixed("ecs-only")};
    if (!c.policy.spec.fixed_platform()) q.sweep_policies.push_back(c.policy);
  } else if (!cfg.html.empty() && !cfg.advise) {
    return ReportError(core::MakeError(core::ErrorCode::kInvalidArgument,
                                       "--html draws a sweep or the advice: give --sweep-rate "
                                       "A:B:N or --advise",
                                       "--html"));
  }
  const std::string setup =
      "duration " + std::to_string(c.duration_s) + " s, seed " + std::to_string(c.seed) +
      ", ECS k = " + std::to_string(c.ecs.concurrency) + ", dispatch " + cfg.platform.dispatch;
  auto say = [&](const std::string& line) {
    if (!cfg.quiet) std::fprintf(stderr, "simulate: %s\n", line.c_str());
  };
  if (cfg.advise) {
    auto advice = sim::RunAdvice(q, cfg.p95_target_ms, say);
    if (!advice) return ReportError(advice.error());
    const std::string text = cfg.format == "json" ? report::AdviceJson(*advice, cfg.p95_target_ms)
                                                  : report::AdviceTable(*advice, cfg.p95_target_ms);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!cfg.html.empty()) {
      if (auto s = report::WriteAdviceReport(*advice, cfg.p95_target_ms, setup, cfg.html); !s)
        return ReportError(s.error());
      if (!cfg.quiet) std::fprintf(stderr, "simulate: wrote %s\n", cfg.html.c_str());
    }
    return 0;
  }
  auto results = sim::Run(q, say);
  if (auto s = CloseSimOutcomeLog(cfg.platform); !s) return ReportError(s.error());
  if (!results) return ReportError(results.error());
  if (!cfg.html.empty()) {
    if (auto s = report::WriteSimulationReport(*results, setup, cfg.html); !s)
      return ReportError(s.error());
    if (!cfg.quiet) std::fprintf(stderr, "simulate: wrote %s\n", cfg.html.c_str());
  }
  const bool json = cfg.format == "json";
  const std::string text = !q.sweep_rates.empty()
                               ? (json ? report::SweepJson(*results) : report::SweepTable(*results))
                               : (json ? report::SimulationJson(results->front())
                                       : report::SimulationTable(results->front()));
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

RunFn AddSimulate(CLI::App& app) {
  auto cfg = std::make_shared<SimulateCommandConfig>();
  sim::SimConfig& c = cfg->q.config;
  CLI::App* s = app.add_subcommand(
      "simulate",
      "Discrete-event simulation of Lambda instances and ECS Fargate tasks: what a policy costs "
      "and how fast it answers at a given traffic (service times from the measurements).");
  s->add_option("--policy", cfg->policy,
                "lambda-only, ecs-only, split:SHARE (SHARE to Lambda), spillover[:WAIT] (ECS "
                "while a task has a free slot, or fewer than WAIT wait per task), "
                "spillover-model[:WAIT] (the same, and Lambda when --objective prefers its "
                "predicted outcome to ECS's after the predicted wait), a model file "
                "('builtin') deciding with --objective, or per workload W=POLICY,... (one of the "
                "first four for every workload that arrives; a missing one is an error)")
      ->capture_default_str();
  s->add_option("--arrivals", cfg->arrivals, "poisson or uniform (evenly spaced)")
      ->capture_default_str()
      ->check(CLI::IsMember({"poisson", "uniform"}));
  auto* duration = AddSimTrafficOptions(*s, cfg->q);
  s->add_option("--warmup-s", c.warmup_s, "Seconds left out of the statistics")
      ->capture_default_str();
  s->add_option("--seed", c.seed, "Seed")->capture_default_str();
  s->add_option("--start-hour", c.start_hour, "Hour of day at the start (the model's time window)")
      ->capture_default_str();
  s->add_option("--data", cfg->q.data, "Measurement files or folders (default: the shipped data)");
  s->add_flag("--ecs-busy-response", cfg->q.ecs_busy_response,
              "Measured ECS slots are held for the client's whole response time (default: the "
              "handler's execution time)");
  AddObjectiveOptions(*s, cfg->objective);
  AddSimPlatformOptions(*s, cfg->platform, c);
  s->add_option("--sweep-rate", cfg->sweep,
                "A:B:N: compare lambda-only, ecs-only and --policy at N rates from A to B");
  auto* advise = s->add_flag("--advise", cfg->advise,
                             "Per workload, the ECS task count that costs least with the rest "
                             "spilled over to Lambda (under --p95-target-ms); the totals are one "
                             "run of the advice together, with the --policy W=POLICY,... options "
                             "that re-run it");
  s->add_option("--p95-target-ms", cfg->p95_target_ms,
                "With --advise: the p95 response time the advice must meet (0: none)")
      ->check(CLI::Range(0.0, 3'600'000.0))
      ->needs(advise);
  s->add_option("--format", cfg->format, "table or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json"}));
  s->add_option("--html", cfg->html,
                "With --sweep-rate or --advise: write an HTML report (gnuplot)");
  s->add_flag("-q,--quiet", cfg->quiet, "No progress output");
  return [cfg, duration] {
    cfg->q.duration_given = duration->count() > 0;
    return RunSimulate(*cfg);
  };
}

}  // namespace hr::app
