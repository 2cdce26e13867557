// `train` as a library call: measurements -> seed-balanced labels -> seed-v1 features -> seeded
// stratified split -> MLP -> a model spec whose metadata is its provenance (modelfile/provenance),
// with metrics on each part computed by the model as it will be served. Opens the measurement
// files (and the optional row export); prints nothing: progress goes to callbacks.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/mlp.h"
#include "train/metrics.h"
#include "train/split.h"
#include "train/train_config.h"

namespace hr::train {

struct TrainModelConfig {
  std::vector<std::string> data;  // files or directories; empty: the shipped measurements
  TrainConfig mlp;
  SplitConfig split;
  bool strict = false;        // any rejected line fails the run
  std::string export_rows;    // also write the rows used as CSV here (bench/train_vs_sklearn.py)
  std::string training_date;  // recorded as is; empty: TrainingDate()
  double shrinkage = 0;       // outcome tables: pseudo-count toward the parent cell, 0-1000
  core::Status Validate() const;
};

// "64,32,16" -> {64, 32, 16}; sizes 1-4096.
core::Result<std::vector<size_t>> ParseHiddenSizes(std::string_view text);
// Now in UTC, or SOURCE_DATE_EPOCH when set (reproducible builds: same inputs, same file).
std::string TrainingDate();

struct TrainedModel {
  model::ModelSpec spec;                 // with its provenance as metadata
  std::array<BinaryMetrics, 3> metrics;  // train, validation, test
  int epochs = 0;
  bool stopped_early = false;
  std::string outcome_note;  // why the model has no outcome tables, or which workloads they lack
};

struct TrainNotes {
  // Called once the data is read: records, files, rejected lines, labels, rows used.
  std::function<void(std::string_view summary)> summary;
  ProgressFn epoch;
};

core::Result<TrainedModel> TrainModel(const TrainModelConfig& config, const TrainNotes& notes = {});

}  // namespace hr::train
