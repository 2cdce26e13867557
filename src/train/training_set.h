// From measurement records to what the trainer eats: seed-v1 features of each record as the
// prototype computed them (payload = target_payload_size_kb, hour and weekday of the logged
// timestamp, time_window and load_pattern as logged), the labels, and a seeded stratified split.
// time_window and load_pattern a line lacked were derived by the reader (data/derive.h); a record
// still without them is left out and counted.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/labels.h"
#include "data/record.h"
#include "features/seed_v1.h"
#include "train/mlp_trainer.h"
#include "train/split.h"

namespace hr::train {

// The request a record stands for, as the router would have seen it.
features::Request RequestOf(const data::Record& r);

struct TrainingSet {
  std::vector<uint32_t> record;  // index into the records, per row
  RowMatrix x;                   // seed-v1 features, one row per usable labelled record
  std::vector<int8_t> y;
  std::vector<Part> part;  // train / validation / test per row
  uint32_t skipped_unknown_context = 0;
  uint32_t unlabelled = 0;
};

TrainingSet BuildTrainingSet(std::span<const data::Record> records, const data::Labels& labels,
                             const SplitConfig& split);

// The rows as CSV: part, label, the seed-v1 features (full precision).
core::Status ExportRows(const TrainingSet& ts, const std::string& path);

// The seed-v1 model spec of a trained MLP (metadata left for the caller).
model::ModelSpec SeedV1Spec(const TrainedMlp& trained, model::Activation hidden_activation);

}  // namespace hr::train
