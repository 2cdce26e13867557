// `hybrid-router evaluate [DIR...]`: counterfactual replay of held-out measurements under the
// policies (lambda-only, ecs-only, model, seed-heuristic, oracle-cost, oracle-latency, hindsight)
// and the cost models; out of sample by K-fold cross-validation (training included) or by a model
// file's recorded split. Table, --format json or csv.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "data/audit.h"
#include "data/ingest.h"
#include "data/labels.h"
#include "eval/replay.h"
#include "json/json_writer.h"
#include "model_source.h"
#include "modelfile/model_file.h"
#include "report/html_report.h"
#include "train/rng.h"
#include "train/training_set.h"

namespace hr::app {

namespace {

struct EvaluateConfig {
  std::vector<std::string> data;
  int folds = 5;
  std::string model;  // a file, or "builtin"; empty: cross-validate
  bool allow_in_sample = false;
  eval::ReplayConfig replay;
  std::string pricing_file;
  int ecs_tasks = 1;
  double ecs_hours = 0;
  std::vector<double> ecs_task;  // vCPU, GB; empty: the measured sizes
  std::string format = "table";
  std::string html;  // also write the HTML report here
  bool quiet = false;
};

core::Status LoadPricing(const std::string& path, eval::Pricing& p) {
  std::ifstream in(path);
  if (!in)
    return core::MakeError(core::ErrorCode::kIo, "cannot read pricing file '" + path + "'",
                           "pricing");
  std::stringstream ss;
  ss << in.rdbuf();
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(ss.str()).get(obj)) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, path + ": not a JSON object",
                           "pricing");
  }
  const std::pair<const char*, double*> fields[] = {
      {"lambda_request_usd", &p.lambda_request_usd},
      {"lambda_gb_second_usd", &p.lambda_gb_second_usd},
      {"fargate_vcpu_hour_usd", &p.fargate_vcpu_hour_usd},
      {"fargate_gb_hour_usd", &p.fargate_gb_hour_usd},
      {"seed_vcpu_hour_usd", &p.seed_vcpu_hour_usd},
      {"seed_gb_hour_usd", &p.seed_gb_hour_usd},
      {"api_gateway_per_million_usd", &p.api_gateway_per_million_usd},
      {"alb_hour_usd", &p.alb_hour_usd}};
  for (auto field : obj) {
    double* target = nullptr;
    for (const auto& [name, ptr] : fields) {
      if (field.key == name) target = ptr;
    }
    double v = 0;
    if (!target) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             path + ": unknown price '" + std::string(field.key) + "'",
                             std::string(field.key));
    }
    if (field.value.get_double().get(v) || !(v >= 0) || !std::isfinite(v)) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             path + ": '" + std::string(field.key) + "' must be a number >= 0",
                             std::string(field.key));
    }
    *target = v;
  }
  return {};
}

// Fold of each row: stratified by label, seeded.
std::vector<uint16_t> Folds(const std::vector<int8_t>& y, int k, uint64_t seed) {
  std::vector<uint16_t> fold(y.size(), 0);
  train::Rng rng(seed);
  for (int8_t cls = 0; cls <= 1; ++cls) {
    std::vector<uint32_t> idx;
    for (size_t i = 0; i < y.size(); ++i) {
      if (y[i] == cls) idx.push_back(static_cast<uint32_t>(i));
    }
    rng.Shuffle(idx);
    for (size_t j = 0; j < idx.size(); ++j)
      fold[idx[j]] = static_cast<uint16_t>(j % static_cast<size_t>(k));
  }
  return fold;
}

struct Plan {
  std::vector<eval::EvalItem> items;
  std::vector<std::shared_ptr<const model::Model>> models;
  std::string mode;
  bool in_sample = false;
};

core::Result<Plan> CrossValidate(const EvaluateConfig& cfg, const data::Dataset& ds,
                                 const train::TrainingSet& ts) {
  Plan plan;
  plan.mode = "cross-validation, " + std::to_string(cfg.folds) + " folds";
  const auto fold = Folds(ts.y, cfg.folds, cfg.replay.seed);
  train::TrainConfig tc;
  tc.seed = cfg.replay.seed;
  for (int k = 0; k < cfg.folds; ++k) {
    std::vector<Eigen::Index> rows;
    for (size_t i = 0; i < fold.size(); ++i) {
      if (fold[i] != k) rows.push_back(static_cast<Eigen::Index>(i));
    }
    train::RowMatrix x(static_cast<Eigen::Index>(rows.size()), ts.x.cols());
    std::vector<int8_t> y;
    for (size_t j = 0; j < rows.size(); ++j) {
      x.row(static_cast<Eigen::Index>(j)) = ts.x.row(rows[j]);
      y.push_back(ts.y[static_cast<size_t>(rows[j])]);
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto trained = train::TrainMlp(x, y, tc);
    if (!trained) return trained.error();
    auto m = model::Model::Create(train::SeedV1Spec(*trained, tc.activation));
    if (!m) return m.error();
    plan.models.push_back(*m);
    if (!cfg.quiet) {
      std::fprintf(stderr, "evaluate: fold %d/%d trained on %zu rows in %.1f s (%d epochs)\n",
                   k + 1, cfg.folds, rows.size(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                   trained->epochs);
    }
  }
  for (size_t i = 0; i < ts.record.size(); ++i) {
    plan.items.push_back({ts.record[i], train::RequestOf(ds.records[ts.record[i]]), fold[i]});
  }
  return plan;
}

core::Result<Plan> FromModel(const EvaluateConfig& cfg, const data::Dataset& ds,
                             const data::Labels& labels) {
  auto m = LoadModel(cfg.model == "builtin" ? "" : cfg.model);
  if (!m) return m.error();
  Plan plan;
  plan.models.push_back(*m);
  plan.mode = "model " + (cfg.model == "builtin" ? std::string("built-in") : cfg.model);
  // Which records did it see? Its metadata records the data fingerprint and the split.
  simdjson::dom::parser parser;
  simdjson::dom::element md;
  uint64_t seed = 0;
  double validation = 0, test = 0;
  std::string_view fingerprint;
  char ours[32];
  std::snprintf(ours, sizeof ours, "fnv1a64:%016llx",
                static_cast<unsigned long long>(ds.fingerprint));
  const bool known = parser.parse((*m)->spec().metadata.json).get(md) == simdjson::SUCCESS &&
                     !md.at_pointer("/split/seed").get_uint64().get(seed) &&
                     !md.at_pointer("/split/validation").get_double().get(validation) &&
                     !md.at_pointer("/split/test").get_double().get(test) &&
                     !md.at_pointer("/data_fingerprint").get_string().get(fingerprint) &&
                     fingerprint == ours;
  train::SplitConfig split{validation, test, seed};
  const train::TrainingSet ts = train::BuildTrainingSet(ds.records, labels, split);
  if (!known) {
    if (!cfg.allow_in_sample) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "the model's metadata does not say which of these records it was trained on "
          "(no split, or another data fingerprint); evaluating it here may be in-sample. "
          "Use --cross-validate, or --allow-in-sample to accept an in-sample result",
          "model");
    }
    plan.in_sample = true;
    plan.mode += " (IN-SAMPLE: may include its own training records)";
    for (size_t i = 0; i < ts.record.size(); ++i)
      plan.items.push_back({ts.record[i], train::RequestOf(ds.records[ts.record[i]]), 0});
    return plan;
  }
  plan.mode += ", on its held-out test split";
  for (size_t i = 0; i < ts.record.size(); ++i) {
    if (ts.part[i] == train::Part::kTest)
      plan.items.push_back({ts.record[i], train::RequestOf(ds.records[ts.record[i]]), 0});
  }
  return plan;
}

void PrintJson(const EvaluateConfig& cfg, const Plan& plan, const eval::ReplayResult& r,
               double seconds) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "method");
  w.StartObject();
  json::Key(w, "mode");
  json::String(w, plan.mode);
  json::Key(w, "in_sample");
  w.Bool(plan.in_sample);
  json::Key(w, "draws");
  w.Int(cfg.replay.draws);
  json::Key(w, "seed");
  w.Uint64(cfg.replay.seed);
  json::Key(w, "requests");
  w.Uint64(r.items);
  json::Key(w, "fallbacks");
  w.Uint64(r.fallbacks);
  json::Key(w, "coarse_fallbacks");
  w.Uint64(r.coarse_fallbacks);
  json::Key(w, "draws_made");
  w.Uint64(r.draws_made);
  json::Key(w, "seconds");
  json::Double(w, seconds);
  w.EndObject();
  json::Key(w, "policies");
  w.StartArray();
  for (const auto& p : r.policies) {
    w.StartObject();
    json::Key(w, "policy");
    json::String(w, p.policy);
    json::Key(w, "lambda_share");
    json::Double(w, p.lambda_share.mean);
    json::Key(w, "lambda_share_by_workload");
    w.StartObject();
    for (int k = 0; k < features::kWorkloadCount; ++k) {
      json::Key(w, features::Name(static_cast<features::Workload>(k)));
      json::Double(w, p.lambda_share_by_workload[static_cast<size_t>(k)].mean);
    }
    w.EndObject();
    json::Key(w, "response_time_ms");
    w.StartObject();
    const std::pair<const char*, eval::Stat> rt[] = {{"mean", p.response_mean},
                                                     {"p50", p.response_p50},
                                                     {"p95", p.response_p95},
                                                     {"p99", p.response_p99}};
    for (const auto& [k, s] : rt) {
      json::Key(w, k);
      json::Double(w, s.mean);
    }
    json::Key(w, "mean_ci95");
    json::Double(w, p.response_mean.ci95);
    w.EndObject();
    json::Key(w, "execution_time_ms_mean");
    json::Double(w, p.execution_mean.mean);
    json::Key(w, "cold_starts");
    json::Double(w, p.cold_starts.mean);
    json::Key(w, "cost_per_million_usd");
    w.StartObject();
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, eval::Name(eval::kCostModels[c]));
      json::Double(w, p.cost_per_million[c].mean);
    }
    w.EndObject();
    json::Key(w, "cost_per_million_ci95_usd");
    w.StartObject();
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, eval::Name(eval::kCostModels[c]));
      json::Double(w, p.cost_per_million[c].ci95);
    }
    w.EndObject();
    json::Key(w, "savings_vs_best_single_platform");
    w.StartObject();
    json::Key(w, "response_time");
    json::Double(w, p.latency_savings);
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, eval::Name(eval::kCostModels[c]));
      json::Double(w, p.cost_savings[c]);
    }
    w.EndObject();
    json::Key(w, "regret_vs_oracle");
    w.StartObject();
    json::Key(w, "response_time_ms");
    json::Double(w, p.latency_regret_ms);
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, eval::Name(eval::kCostModels[c]));
      json::Double(w, p.cost_regret_per_million[c]);
    }
    w.EndObject();
    json::Key(w, "gap_closed");
    w.StartObject();
    json::Key(w, "response_time");
    json::Double(w, p.latency_gap_closed);
    json::Key(w, "seed-prorated");
    json::Double(w, p.cost_gap_closed);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::fwrite(buf.GetString(), 1, buf.GetSize(), stdout);
  std::fputc('\n', stdout);
}

void PrintTable(const EvaluateConfig& cfg, const Plan& plan, const eval::ReplayResult& r,
                double seconds, bool csv) {
  if (csv) {
    std::printf(
        "policy,lambda_share,response_mean_ms,response_p50_ms,response_p95_ms,response_p99_ms,"
        "execution_mean_ms,cold_starts,cost_seed_prorated,cost_seed_prorated_deployed_memory,"
        "cost_provisioned,latency_savings,cost_savings_seed_prorated,latency_regret_ms,"
        "cost_regret_seed_prorated\n");
    for (const auto& p : r.policies) {
      std::printf("%s,%.6f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.6f\n",
                  p.policy.c_str(), p.lambda_share.mean, p.response_mean.mean, p.response_p50.mean,
                  p.response_p95.mean, p.response_p99.mean, p.execution_mean.mean,
                  p.cold_starts.mean, p.cost_per_million[0].mean, p.cost_per_million[1].mean,
                  p.cost_per_million[2].mean, p.latency_savings, p.cost_savings[0],
                  p.latency_regret_ms, p.cost_regret_per_million[0]);
    }
    return;
  }
  std::printf(
      "Counterfactual replay: %s; %llu requests x %d draws (seed %llu); %llu of %llu draws fell "
      "back "
      "to (workload, payload), %llu to the workload alone; %.1f s\n\n",
      plan.mode.c_str(), static_cast<unsigned long long>(r.items), cfg.replay.draws,
      static_cast<unsigned long long>(cfg.replay.seed),
      static_cast<unsigned long long>(r.fallbacks), static_cast<unsigned long long>(r.draws_made),
      static_cast<unsigned long long>(r.coarse_fallbacks), seconds);
  std::printf("%-15s %7s %14s %7s %7s %7s %14s %10s %10s %8s %8s\n", "policy", "lambda",
              "resp mean ms", "p50", "p95", "p99", "$/1M prorated", "deployed", "provision",
              "save lat", "save $");
  for (const auto& p : r.policies) {
    std::printf(
        "%-15s %6.1f%% %8.0f+-%-4.0f %7.0f %7.0f %7.0f %8.2f+-%-4.2f %10.2f %10.2f %7.1f%% "
        "%7.1f%%\n",
        p.policy.c_str(), p.lambda_share.mean * 100, p.response_mean.mean, p.response_mean.ci95,
        p.response_p50.mean, p.response_p95.mean, p.response_p99.mean, p.cost_per_million[0].mean,
        p.cost_per_million[0].ci95, p.cost_per_million[1].mean, p.cost_per_million[2].mean,
        p.latency_savings * 100, p.cost_savings[0] * 100);
  }
  std::printf(
      "\nsave lat / save $: against the better single platform for that measure (seed-prorated "
      "cost);"
      " +-: 95%% interval over the draws.\n\n%s\n",
      report::Conclusion(r).c_str());
}

int RunEvaluate(EvaluateConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!cfg.pricing_file.empty()) {
    if (auto s = LoadPricing(cfg.pricing_file, cfg.replay.pricing); !s)
      return ReportError(s.error());
  }
  if (cfg.data.empty()) cfg.data.push_back(data::DefaultDataDir());
  auto ds = data::Ingest(cfg.data);
  if (!ds) return ReportError(ds.error());
  const data::Labels labels = data::SeedBalancedLabels(ds->records);
  core::Result<Plan> plan = core::MakeError(core::ErrorCode::kInternal, "no plan");
  if (cfg.model.empty()) {
    const train::TrainingSet ts = train::BuildTrainingSet(ds->records, labels, {});
    plan = CrossValidate(cfg, *ds, ts);
  } else {
    plan = FromModel(cfg, *ds, labels);
  }
  if (!plan) return ReportError(plan.error());
  eval::EcsTask task{0, 0};
  if (!cfg.ecs_task.empty()) task = {cfg.ecs_task[0], cfg.ecs_task[1]};
  cfg.replay.provisioned = eval::ProvisionedFromData(ds->records, cfg.replay.pricing, cfg.ecs_tasks,
                                                     cfg.ecs_hours, task);
  std::vector<std::unique_ptr<eval::Policy>> policies;
  policies.push_back(eval::LambdaOnly());
  policies.push_back(eval::EcsOnly());
  policies.push_back(eval::ModelPolicy(plan->models));
  policies.push_back(eval::SeedHeuristic());
  policies.push_back(eval::OracleCost(ds->records, cfg.replay.pricing));
  policies.push_back(eval::OracleLatency(ds->records));
  policies.push_back(eval::HindsightLatency());
  const eval::ReplayResult result = eval::Replay(ds->records, plan->items, policies, cfg.replay);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!cfg.html.empty()) {
    const data::AuditReport audit = data::Audit(*ds);
    report::ReportInput in{plan->mode,      cfg.replay.draws, cfg.replay.seed,
                           plan->in_sample, &result,          &audit};
    if (auto s = report::WriteHtmlReport(in, cfg.html); !s) return ReportError(s.error());
    if (!cfg.quiet) std::fprintf(stderr, "evaluate: wrote %s\n", cfg.html.c_str());
  }
  if (cfg.format == "json") {
    PrintJson(cfg, *plan, result, seconds);
  } else {
    PrintTable(cfg, *plan, result, seconds, cfg.format == "csv");
  }
  return 0;
}

}  // namespace

RunFn AddEvaluate(CLI::App& app) {
  auto cfg = std::make_shared<EvaluateConfig>();
  CLI::App* sub = app.add_subcommand(
      "evaluate",
      "Counterfactual replay of held-out measurements: what would lambda-only, ecs-only, the "
      "model, the prototype's heuristic, the oracles and the hindsight bound have cost and how "
      "fast "
      "would they have answered, under each cost model.");
  sub->add_option("data", cfg->data,
                  "Measurement files or directories (default: the shipped data)");
  auto* folds = sub->add_option("--cross-validate", cfg->folds,
                                "Folds (a model is trained per fold, out of sample)")
                    ->capture_default_str()
                    ->check(CLI::Range(2, 20));
  sub->add_option("-m,--model", cfg->model,
                  "Evaluate this model file (or 'builtin') on the test split its metadata records")
      ->excludes(folds);
  sub->add_flag("--allow-in-sample", cfg->allow_in_sample,
                "Evaluate a model even when it may have seen the records (labelled in-sample)");
  sub->add_option("--draws", cfg->replay.draws, "Seeded draws (for confidence intervals)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--seed", cfg->replay.seed, "Seed of folds, training and draws")
      ->capture_default_str();
  sub->add_option("--pricing", cfg->pricing_file,
                  "JSON file of prices overriding the eu-west-1 defaults")
      ->check(CLI::ExistingFile);
  sub->add_flag("--api-gateway", cfg->replay.cost_options.api_gateway,
                "Add API Gateway's fee to Lambda requests");
  sub->add_flag("--alb", cfg->replay.cost_options.alb,
                "Add an application load balancer's hours (ALB + 1 LCU) to ECS requests");
  sub->add_option("--ecs-tasks", cfg->ecs_tasks, "Provisioned ECS: tasks per service")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--ecs-hours", cfg->ecs_hours,
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
                  "Also write a self-contained HTML report (charts by gnuplot)");
  sub->add_flag("-q,--quiet", cfg->quiet, "No progress output");
  return [cfg] { return RunEvaluate(*cfg); };
}

}  // namespace hr::app
