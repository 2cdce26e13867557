#include "eval/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "core/rng.h"
#include "data/derive.h"
#include "data/ingest.h"
#include "data/labels.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "modelfile/provenance.h"
#include "outcome/outcome.h"
#include "policy/objective.h"
#include "train/outcome_tables.h"
#include "train/training_set.h"

namespace hr::eval {

namespace {

using core::ErrorCode;
using core::MakeError;

struct Plan {
  std::vector<EvalItem> items;
  std::vector<std::shared_ptr<const model::Model>> models;
  std::string mode;
  bool in_sample = false;
  std::string held_out = "folds";  // Evaluation::held_out
};

core::Result<Plan> CrossValidate(const EvaluateConfig& cfg, const data::Dataset& ds,
                                 const train::TrainingSet& ts, const train::OutcomeConfig& outcomes,
                                 const ProgressFn& progress) {
  Plan plan;
  plan.mode = "cross-validation, " + std::to_string(cfg.folds) + " folds";
  const auto fold = StratifiedFolds(ts.y, cfg.folds, cfg.replay.seed);
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
    model::ModelSpec spec = train::SeedV1Spec(*trained, tc.activation);
    // Outcome tables from the same rows, for the objective policies.
    std::vector<uint32_t> seen;
    seen.reserve(rows.size());
    for (auto row : rows) seen.push_back(ts.record[static_cast<size_t>(row)]);
    auto tables = outcome::OutcomeModel::Create(train::LearnOutcomes(ds.records, seen, outcomes));
    if (!tables) return tables.error();
    spec.outcomes = *tables;
    auto m = model::Model::Create(std::move(spec));
    if (!m) return m.error();
    plan.models.push_back(*m);
    if (progress) {
      char line[160];
      std::snprintf(line, sizeof line, "fold %d/%d trained on %zu rows in %.1f s (%d epochs)",
                    k + 1, cfg.folds, rows.size(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                    trained->epochs);
      progress(line);
    }
  }
  for (size_t i = 0; i < ts.record.size(); ++i)
    plan.items.push_back({ts.record[i], train::RequestOf(ds.records[ts.record[i]]), fold[i]});
  return plan;
}

// Every labelled record is judged (a model that did not train on them, or --allow-in-sample).
void JudgeAll(Plan& plan, const data::Dataset& ds, const train::TrainingSet& ts) {
  for (size_t i = 0; i < ts.record.size(); ++i)
    plan.items.push_back({ts.record[i], train::RequestOf(ds.records[ts.record[i]]), 0});
}

core::Result<Plan> FromModel(const EvaluateConfig& cfg, const data::Dataset& ds,
                             const data::Labels& labels) {
  Plan plan;
  plan.models.push_back(cfg.model);
  plan.mode = "model " + cfg.model_name;
  // Which records did it see? Its provenance records the data fingerprint and the split.
  auto provenance = modelfile::ReadProvenance(cfg.model->spec().metadata.json);
  const bool known = provenance && provenance->split && provenance->data_fingerprint &&
                     *provenance->data_fingerprint == ds.fingerprint;
  train::SplitConfig split{0, 0, 0};
  if (known)
    split = {provenance->split->validation, provenance->split->test, provenance->split->seed};
  const train::TrainingSet ts = train::BuildTrainingSet(ds.records, labels, split);
  if (!known && provenance && !provenance->data_files.empty() && provenance->data_fingerprint) {
    // Which of these files did the model train on? None: out of sample, all of it.
    std::vector<std::string> shared;
    for (const data::FileSummary& f : ds.files)
      if (std::binary_search(provenance->data_files.begin(), provenance->data_files.end(),
                             f.content_hash))
        shared.push_back(f.path);
    if (shared.empty()) {
      plan.mode += " (out-of-sample: other data set; the model's data " +
                   modelfile::FingerprintText(*provenance->data_fingerprint) + ", these records " +
                   modelfile::FingerprintText(ds.fingerprint) + ", no file in common)";
      plan.held_out = "other data set";
      JudgeAll(plan, ds, ts);
      return plan;
    }
    if (!cfg.allow_in_sample) {
      std::string names;
      for (size_t i = 0; i < shared.size() && i < 3; ++i) names += (i ? ", " : "") + shared[i];
      if (shared.size() > 3) names += ", ...";
      return MakeError(ErrorCode::kInvalidArgument,
                       std::to_string(shared.size()) + " of these " +
                           std::to_string(ds.files.size()) +
                           " files were among the model's training data (" + names +
                           ") and its split cannot be found in these records: the result would "
                           "be in-sample. Evaluate it on files it did not see, use "
                           "--cross-validate, or --allow-in-sample to accept an in-sample result",
                       "model");
    }
    plan.in_sample = true;
    plan.held_out = "none";
    plan.mode += " (IN-SAMPLE: " + std::to_string(shared.size()) +
                 " of these files were among "
                 "its training data)";
    JudgeAll(plan, ds, ts);
    return plan;
  }
  if (!known) {
    if (!cfg.allow_in_sample) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the model's metadata does not say which of these records it was trained "
                       "on (no split, or another data fingerprint and no list of its files); "
                       "evaluating it here may be in-sample. Use --cross-validate, or "
                       "--allow-in-sample to accept a result that may be in-sample",
                       "model");
    }
    plan.in_sample = true;
    plan.held_out = "unknown";
    plan.mode += " (MAY BE IN-SAMPLE: its training records are not known to be other than these)";
    JudgeAll(plan, ds, ts);
    return plan;
  }
  plan.held_out = "test split";
  plan.mode += ", on its held-out test split";
  for (size_t i = 0; i < ts.record.size(); ++i) {
    if (ts.part[i] == train::Part::kTest)
      plan.items.push_back({ts.record[i], train::RequestOf(ds.records[ts.record[i]]), 0});
  }
  return plan;
}

// The requests a replay judges, as JSON lines of their cells.
core::Status ExportRequests(const std::string& path, const std::vector<data::Record>& records,
                            const std::vector<EvalItem>& items) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return MakeError(ErrorCode::kIo, "cannot write '" + path + "'", "export_requests");
  for (const EvalItem& item : items) {
    const data::Record& r = records[item.record];
    json::Buffer buf;
    json::Writer w(buf);
    w.StartObject();
    json::Key(w, "workload_type");
    json::String(w, features::Name(r.workload));
    json::Key(w, "target_size_kb");
    json::Double(w, r.target_payload_kb);
    json::Key(w, "time_window");
    if (r.time_window) {
      json::String(w, features::Name(*r.time_window));
    } else {
      w.Null();
    }
    json::Key(w, "load_pattern");
    if (r.load_pattern) {
      json::String(w, features::Name(*r.load_pattern));
    } else {
      w.Null();
    }
    w.EndObject();
    out << std::string_view(buf.GetString(), buf.GetSize()) << '\n';
  }
  out.flush();
  if (!out) return MakeError(ErrorCode::kIo, "cannot write '" + path + "'", "export_requests");
  return {};
}

// The records plus a timeout at the client's cap for every request a run's schedule sent to a
// (workload, platform) beyond those logged, spread evenly over the workload's payload sizes in the
// run (the load generator drew them evenly).
std::vector<data::Record> WithTimeouts(const std::vector<data::Record>& records,
                                       const data::AuditReport& audit, CensoringCheck& check) {
  check.cap_ms = std::max(audit.ceiling[0].max_ms, audit.ceiling[1].max_ms);
  std::map<std::tuple<int, int, int>, std::set<double>> sizes;  // (tw, lp, workload)
  std::map<std::pair<int, int>, std::vector<double>> memory;    // (workload, platform)
  for (const auto& r : records) {
    if (!r.time_window || !r.load_pattern) continue;
    sizes[{static_cast<int>(*r.time_window), static_cast<int>(*r.load_pattern),
           static_cast<int>(r.workload)}]
        .insert(r.target_payload_kb);
    memory[{static_cast<int>(r.workload), r.platform == Platform::kLambda ? 0 : 1}].push_back(
        r.memory_used_mb);
  }
  std::vector<data::Record> out = records;
  for (const auto& run : audit.runs) {
    if (!run.time_window || !run.load_pattern) continue;
    for (const auto& g : run.groups) {
      const double missing = std::floor(g.expected_sent - g.logged);
      const auto& kb = sizes[{static_cast<int>(*run.time_window),
                              static_cast<int>(*run.load_pattern), static_cast<int>(g.workload)}];
      auto& mem = memory[{static_cast<int>(g.workload), g.platform == Platform::kLambda ? 0 : 1}];
      if (missing < 1 || kb.empty() || mem.empty()) continue;
      std::nth_element(mem.begin(), mem.begin() + static_cast<long>(mem.size() / 2), mem.end());
      data::Record t;
      t.platform = g.platform;
      t.workload = g.workload;
      t.time_window = run.time_window;
      t.load_pattern = run.load_pattern;
      t.response_time_ms = check.cap_ms;
      t.execution_time_ms = check.cap_ms;
      t.memory_used_mb = mem[mem.size() / 2];
      t.cold_start = g.platform == Platform::kLambda ? 0 : -1;
      auto size = kb.begin();
      for (auto k = static_cast<uint64_t>(missing); k > 0; --k) {
        t.target_payload_kb = *size;
        out.push_back(t);
        if (++size == kb.end()) size = kb.begin();
      }
      check.added += static_cast<uint64_t>(missing);
    }
  }
  return out;
}

// Full cells measured on both platforms in `logged`, and how many of them the latency oracle
// (lower mean response) decides differently once the timeouts are in.
uint64_t FlippedCells(const std::vector<data::Record>& logged, const std::vector<data::Record>& all,
                      uint64_t& cells) {
  using Key = std::tuple<int, double, int, int>;
  auto means = [](const std::vector<data::Record>& records) {
    std::map<Key, std::array<std::pair<double, uint64_t>, 2>> m;
    for (const auto& r : records) {
      if (!r.time_window || !r.load_pattern) continue;
      auto& cell = m[{static_cast<int>(r.workload), r.target_payload_kb,
                      static_cast<int>(*r.time_window), static_cast<int>(*r.load_pattern)}];
      auto& p = cell[r.platform == Platform::kLambda ? 0 : 1];
      p.first += r.response_time_ms;
      ++p.second;
    }
    return m;
  };
  const auto before = means(logged), after = means(all);
  uint64_t flipped = 0;
  cells = 0;
  for (const auto& [key, b] : before) {
    if (b[0].second == 0 || b[1].second == 0) continue;
    ++cells;
    const auto& a = after.at(key);
    const bool lambda_before = b[0].first / static_cast<double>(b[0].second) <=
                               b[1].first / static_cast<double>(b[1].second);
    const bool lambda_after = a[0].first / static_cast<double>(a[0].second) <=
                              a[1].first / static_cast<double>(a[1].second);
    flipped += lambda_before != lambda_after;
  }
  return flipped;
}

}  // namespace

core::Status EvaluateConfig::Validate() const {
  auto bad = [](const std::string& m, const char* f) {
    return MakeError(ErrorCode::kInvalidArgument, m, f);
  };
  if (!model && (folds < 2 || folds > 20)) return bad("folds must be 2 to 20", "cross_validate");
  if (replay.draws < 1 || replay.draws > 1000) return bad("draws must be 1 to 1000", "draws");
  if (ecs_tasks < 1 || ecs_tasks > 1000) return bad("ECS tasks must be 1 to 1000", "ecs_tasks");
  if (!(ecs_hours >= 0 && ecs_hours <= 1e6)) return bad("ECS hours must be 0 to 1e6", "ecs_hours");
  const bool measured = ecs_task.vcpu == 0 && ecs_task.memory_gb == 0;
  const auto in_range = [](double v) { return v >= 0.125 && v <= 64; };
  if (!measured && !(in_range(ecs_task.vcpu) && in_range(ecs_task.memory_gb)))
    return bad("an ECS task size is VCPU GB, each 0.125 to 64", "ecs_task");
  return {};
}

std::vector<uint16_t> StratifiedFolds(const std::vector<int8_t>& y, int k, uint64_t seed) {
  std::vector<uint16_t> fold(y.size(), 0);
  core::Rng rng(seed);
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

core::Status LoadPricing(const std::string& path, cost::Pricing& p) {
  std::ifstream in(path);
  if (!in) return MakeError(ErrorCode::kIo, "cannot read pricing file '" + path + "'", "pricing");
  constexpr std::streamsize kMaxPricingBytes = 64 << 10;  // eight prices need a few hundred bytes
  std::string text(kMaxPricingBytes + 1, '\0');
  in.read(text.data(), kMaxPricingBytes + 1);
  if (in.gcount() > kMaxPricingBytes)
    return MakeError(ErrorCode::kInvalidArgument, path + ": larger than 64 KB", "pricing");
  text.resize(static_cast<size_t>(in.gcount()));
  json::Document doc;
  std::string error;
  if (!json::ParseDocument(doc, text, json::kRequestLimits, error) || !doc.IsObject())
    return MakeError(ErrorCode::kInvalidArgument, path + ": not a JSON object", "pricing");
  using Field = double cost::Pricing::*;
  const std::pair<const char*, Field> fields[] = {
      {"lambda_request_usd", &cost::Pricing::lambda_request_usd},
      {"lambda_gb_second_usd", &cost::Pricing::lambda_gb_second_usd},
      {"fargate_vcpu_hour_usd", &cost::Pricing::fargate_vcpu_hour_usd},
      {"fargate_gb_hour_usd", &cost::Pricing::fargate_gb_hour_usd},
      {"seed_vcpu_hour_usd", &cost::Pricing::seed_vcpu_hour_usd},
      {"seed_gb_hour_usd", &cost::Pricing::seed_gb_hour_usd},
      {"api_gateway_per_million_usd", &cost::Pricing::api_gateway_per_million_usd},
      {"api_gateway_http_per_million_usd", &cost::Pricing::api_gateway_http_per_million_usd},
      {"lambda_provisioned_gb_second_usd", &cost::Pricing::lambda_provisioned_gb_second_usd},
      {"lambda_provisioned_duration_gb_second_usd",
       &cost::Pricing::lambda_provisioned_duration_gb_second_usd},
      {"alb_hour_usd", &cost::Pricing::alb_hour_usd}};
  cost::Pricing read = p;  // nothing changes unless the whole file is good
  for (const auto& member : doc.GetObject()) {
    const std::string key(json::Text(member.name));
    Field target = nullptr;
    for (const auto& [name, field] : fields) {
      if (key == name) target = field;
    }
    if (!target)
      return MakeError(ErrorCode::kInvalidArgument, path + ": unknown price '" + key + "'", key);
    const double v = member.value.IsNumber() ? member.value.GetDouble() : -1;
    if (!(v >= 0) || !std::isfinite(v))
      return MakeError(ErrorCode::kInvalidArgument, path + ": '" + key + "' must be a number >= 0",
                       key);
    read.*target = v;
  }
  p = read;
  return {};
}

core::Result<Evaluation> Evaluate(const EvaluateConfig& cfg, const ProgressFn& progress) {
  if (auto s = cfg.Validate(); !s) return s.error();
  const auto t0 = std::chrono::steady_clock::now();
  ReplayConfig replay = cfg.replay;
  if (!cfg.pricing_file.empty()) {
    if (auto s = LoadPricing(cfg.pricing_file, replay.pricing); !s) return s.error();
  }
  std::vector<std::string> paths = cfg.data;
  if (paths.empty()) paths.push_back(data::DefaultDataDir());
  auto ds = data::Ingest(paths);
  if (!ds) return ds.error();
  if (auto s = data::RequireRecords(*ds); !s) return s.error();
  if (ds->derived.any() && progress)
    progress("derived where the lines lacked them (docs/train-audit.md): " +
             data::DerivedSummary(ds->derived));
  const data::Labels labels = data::SeedBalancedLabels(ds->records);
  replay.provisioned = data::ProvisionedFromData(ds->records, replay.pricing, cfg.ecs_tasks,
                                                 cfg.ecs_hours, cfg.ecs_task);
  train::OutcomeConfig outcomes;
  outcomes.shrinkage = cfg.shrinkage;
  outcomes.pricing = replay.pricing;
  outcomes.provisioned = replay.provisioned;
  core::Result<Plan> plan =
      cfg.model ? FromModel(cfg, *ds, labels)
                : CrossValidate(cfg, *ds, train::BuildTrainingSet(ds->records, labels, {}),
                                outcomes, progress);
  if (!plan) return plan.error();
  if (plan->items.empty())  // nothing to replay: no table of zeros and -nan %
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "no request to replay: none of the " +
                               std::to_string(ds->records.size()) +
                               " records has a row the evaluation can replay",
                           "data");
  if (!cfg.export_requests.empty()) {
    if (auto s = ExportRequests(cfg.export_requests, ds->records, plan->items); !s)
      return s.error();
  }
  // The in-sample SLO of the p95 oracle: the better single platform's p95 over every record.
  std::vector<uint32_t> all(ds->records.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint32_t>(i);
  const double slo = train::LearnOutcomes(ds->records, all, outcomes).default_slo_ms;
  if (replay.objectives.empty()) replay.objectives = DefaultObjectives();

  // The policies, with oracles over `records` (the logged ones, or with the timeouts put back).
  const auto build = [&](std::span<const data::Record> records) {
    std::vector<std::unique_ptr<Policy>> policies;
    policies.push_back(LambdaOnly());
    policies.push_back(EcsOnly());
    policies.push_back(ModelPolicy(plan->models));
    policies.push_back(SeedHeuristic());
    const bool tables = plan->models.front()->spec().outcomes != nullptr;
    for (const auto& o : replay.objectives) {
      if (!tables) break;  // a classifier-only model decides every objective as the classifier
      policy::Objective objective;
      objective.kind =
          o.metric == ScoredObjective::Metric::kResponseMean  ? policy::ObjectiveKind::kLatency
          : o.metric == ScoredObjective::Metric::kResponseP95 ? policy::ObjectiveKind::kP95
          : o.metric == ScoredObjective::Metric::kCost        ? policy::ObjectiveKind::kCost
                                                              : policy::ObjectiveKind::kBalanced;
      objective.cost_model = cost::kCostModels[o.cost_model];
      objective.value_of_time_usd_per_s = o.value_of_time;
      policies.push_back(ObjectivePolicy(plan->models, objective));
    }
    if (!cfg.model) {
      for (const auto& o : replay.objectives) {
        if (o.metric != ScoredObjective::Metric::kBalanced)
          policies.push_back(CellMeansFor(o, records, plan->items, cfg.folds, replay, slo));
      }
    }
    for (const auto& o : replay.objectives) policies.push_back(OracleFor(o, records, replay, slo));
    policies.push_back(HindsightLatency());
    return policies;
  };
  Evaluation out;
  out.mode = plan->mode;
  out.in_sample = plan->in_sample;
  out.held_out = plan->held_out;
  out.data_fingerprint = ds->fingerprint;
  {
    auto policies = build(ds->records);
    out.result = Replay(ds->records, plan->items, policies, replay);
  }
  if (cfg.with_audit || cfg.with_censoring) out.audit = data::Audit(*ds);
  if (cfg.with_censoring) {
    if (progress) progress("replaying again with the unlogged requests as timeouts");
    CensoringCheck check;
    const std::vector<data::Record> with = WithTimeouts(ds->records, out.audit, check);
    check.flipped = FlippedCells(ds->records, with, check.cells);
    auto policies = build(with);
    check.result = Replay(with, plan->items, policies, replay);
    out.censoring = std::move(check);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace hr::eval
