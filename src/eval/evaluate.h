// `evaluate` as a library call: read the measurements, decide which records each model judges
// (K-fold cross-validation with a model trained per fold, or a model file's recorded test split;
// in-sample only when asked and then labelled so), and replay every policy over them
// (eval/replay). Opens the measurement and pricing files; prints nothing.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/audit.h"
#include "data/record.h"
#include "eval/replay.h"
#include "model/mlp.h"

namespace hr::eval {

struct EvaluateConfig {
  std::vector<std::string> data;  // empty: the shipped measurements
  int folds = 5;                  // cross-validation when no model is given
  // A model to evaluate on its recorded test split instead of cross-validating; `model_name`
  // names it in the output.
  std::shared_ptr<const model::Model> model;
  std::string model_name;
  bool allow_in_sample = false;  // evaluate a model whose split is unknown, labelled in-sample
  ReplayConfig replay;
  std::string pricing_file;      // JSON object of prices overriding cost::Pricing's defaults
  int ecs_tasks = 1;             // provisioned ECS: tasks per service
  double ecs_hours = 0;          // provisioned ECS: hours running (0: the measurement runs')
  cost::EcsTask ecs_task{0, 0};  // provisioned ECS: size for every service (0: the measured)
  bool with_audit = false;       // also audit the data (the HTML report shows it)
  // Also replay with every request the load schedules sent but nobody logged counted as a timeout
  // at the client's cap (needs the audit's schedules; the HTML report shows it).
  bool with_censoring = false;
  double shrinkage = 0;  // outcome tables per fold: pseudo-count toward the parent cell
  // Also write the replayed requests here, one JSON line each ({"workload_type",
  // "target_size_kb", "time_window", "load_pattern"}), for a live run of the same requests
  // (bench/route_load.py --requests).
  std::string export_requests;
  core::Status Validate() const;
};

// The replay again, with the unlogged requests put back as timeouts: for each run, workload and
// platform, as many records as the schedule sent beyond those logged, spread evenly over the
// workload's payload sizes in that run, answering at the client's cap (execution billed to it).
struct CensoringCheck {
  double cap_ms = 0;     // the client timeout: the longest response logged
  uint64_t added = 0;    // timeouts put back
  uint64_t cells = 0;    // full cells measured on both platforms
  uint64_t flipped = 0;  // of them, where the latency oracle's choice changes
  ReplayResult result;   // same policies; oracles recomputed with the timeouts
};

struct Evaluation {
  std::string mode;  // how the records were held out, for people
  bool in_sample = false;
  // What the judged records are to the model: "folds" (cross-validation), "test split" (its own
  // held-out part), "other data set" (no file in common with its training data), "none" (files it
  // trained on, --allow-in-sample) or "unknown" (it does not say, --allow-in-sample).
  std::string held_out;
  uint64_t data_fingerprint = 0;  // of the evaluated records
  ReplayResult result;
  data::AuditReport audit;                  // when with_audit or with_censoring
  std::optional<CensoringCheck> censoring;  // when with_censoring
  double seconds = 0;
};

using ProgressFn = std::function<void(std::string_view line)>;

core::Result<Evaluation> Evaluate(const EvaluateConfig& config, const ProgressFn& progress = {});

// Reads a pricing file: a JSON object whose keys are cost::Pricing's fields, each a number >= 0.
// Unknown keys are errors naming the key.
core::Status LoadPricing(const std::string& path, cost::Pricing& pricing);

// Fold of each row, stratified by label and seeded.
std::vector<uint16_t> StratifiedFolds(const std::vector<int8_t>& labels, int folds, uint64_t seed);

}  // namespace hr::eval
