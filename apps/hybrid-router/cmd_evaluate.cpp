// `hybrid-router evaluate [DIR...]`: counterfactual replay of held-out measurements under the
// policies (lambda-only, ecs-only, model, seed-heuristic, oracle-cost, oracle-latency, hindsight)
// and the cost models; out of sample by K-fold cross-validation (training included) or by a model
// file's recorded split. Table, --format json or csv.
#include <cstdio>

#include "commands.h"
#include "eval/evaluate.h"
#include "model_source.h"
#include "off_policy_options.h"
#include "report/evaluation_text.h"
#include "report/html_report.h"

namespace hr::app {

namespace {

struct EvaluateCommandConfig {
  eval::EvaluateConfig eval;
  std::string model;             // a file, or "builtin"; empty: cross-validate
  std::vector<double> ecs_task;  // VCPU GB
  std::string format = "table";
  std::string html;  // also write the HTML report here
  bool quiet = false;
  OffPolicyOptions off_policy;
};

int RunEvaluate(EvaluateCommandConfig& cfg) {
  if (!cfg.off_policy.paths.empty())
    return RunOffPolicy(cfg.off_policy, cfg.model, cfg.eval.replay.seed, cfg.eval.pricing_file,
                        cfg.format, cfg.html, cfg.quiet);
  if (!cfg.model.empty()) {
    auto m = LoadModel(cfg.model == "builtin" ? "" : cfg.model);
    if (!m) return ReportError(m.error());
    cfg.eval.model = *m;
    cfg.eval.model_name = cfg.model == "builtin" ? "built-in" : cfg.model;
  }
  if (!cfg.ecs_task.empty()) cfg.eval.ecs_task = {cfg.ecs_task[0], cfg.ecs_task[1]};
  cfg.eval.with_audit = !cfg.html.empty();
  cfg.eval.with_censoring = cfg.eval.with_censoring || !cfg.html.empty();
  auto progress = [&](std::string_view line) {
    if (!cfg.quiet)
      std::fprintf(stderr, "evaluate: %.*s\n", static_cast<int>(line.size()), line.data());
  };
  auto e = eval::Evaluate(cfg.eval, progress);
  if (!e) return ReportError(e.error());
  if (!cfg.html.empty()) {
    report::ReportInput in{e->mode,
                           cfg.eval.replay.draws,
                           cfg.eval.replay.seed,
                           e->in_sample,
                           &e->result,
                           &e->audit,
                           e->censoring ? &*e->censoring : nullptr};
    if (auto s = report::WriteHtmlReport(in, cfg.html); !s) return ReportError(s.error());
    progress("wrote " + cfg.html);
  }
  const std::string text = cfg.format == "json"
                               ? report::EvaluationJson(*e, cfg.eval.replay)
                               : report::EvaluationTable(*e, cfg.eval.replay, cfg.format == "csv");
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

RunFn AddEvaluate(CLI::App& app) {
  auto cfg = std::make_shared<EvaluateCommandConfig>();
  CLI::App* sub = app.add_subcommand(
      "evaluate",
      "Counterfactual replay of held-out measurements: what would lambda-only, ecs-only, the "
      "model, the prototype's heuristic, the oracles and the hindsight bound have cost and how "
      "fast "
      "would they have answered, under each cost model.");
  auto* data = sub->add_option("data", cfg->eval.data,
                               "Measurement files or directories (default: the shipped data)");
  auto* folds = sub->add_option("--cross-validate", cfg->eval.folds,
                                "Folds (a model is trained per fold, out of sample)")
                    ->capture_default_str()
                    ->check(CLI::Range(2, 20));
  sub->add_option("-m,--model", cfg->model,
                  "Evaluate this model file (or 'builtin') on the test split its metadata records")
      ->excludes(folds);
  sub->add_flag("--allow-in-sample", cfg->eval.allow_in_sample,
                "Evaluate a model even when it may have seen the records (labelled in-sample)");
  sub->add_option("--draws", cfg->eval.replay.draws, "Seeded draws (for confidence intervals)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--seed", cfg->eval.replay.seed, "Seed of folds, training and draws")
      ->capture_default_str();
  sub->add_option("--pricing", cfg->eval.pricing_file,
                  "JSON file of prices overriding the eu-west-1 defaults")
      ->check(CLI::ExistingFile);
  sub->add_flag("--api-gateway", cfg->eval.replay.cost_options.api_gateway,
                "Add API Gateway's fee to Lambda requests");
  sub->add_flag("--alb", cfg->eval.replay.cost_options.alb,
                "Add an application load balancer's hours (ALB + 1 LCU) to ECS requests");
  sub->add_option("--ecs-tasks", cfg->eval.ecs_tasks, "Provisioned ECS: tasks per service")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--ecs-hours", cfg->eval.ecs_hours,
                  "Provisioned ECS: hours running (0: the measurement runs')")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  sub->add_option("--ecs-task", cfg->ecs_task,
                  "Provisioned ECS: task size VCPU GB for every service "
                  "(default: the measured 0.25/0.5, 0.5/1, 1/2, 1/2)")
      ->expected(2)
      ->check(CLI::Range(0.125, 64.0));
  sub->add_option("--format", cfg->format, "table, json or csv")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json", "csv"}));
  sub->add_option("--html", cfg->html,
                  "Also write a self-contained HTML report (charts by gnuplot; with "
                  "--off-policy, of the off-policy estimates)");
  sub->add_flag("--censoring", cfg->eval.with_censoring,
                "Also replay with the requests the load schedules sent but nobody logged counted "
                "as timeouts at the client's cap (always in the HTML report)");
  sub->add_option("--export-requests", cfg->eval.export_requests,
                  "Also write the replayed requests (their cells) as JSON lines to this file");
  sub->add_option("--shrinkage", cfg->eval.shrinkage,
                  "Outcome tables per fold: pseudo-count pulling a cell toward its (workload, "
                  "payload) parent, 0-1000")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  sub->add_flag("-q,--quiet", cfg->quiet, "No progress output");
  data->excludes(AddOffPolicyOptions(*sub, cfg->off_policy));
  return [cfg] { return RunEvaluate(*cfg); };
}

}  // namespace hr::app
