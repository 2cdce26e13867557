// A model's provenance: what `train` records in a model file's `metadata` (model type, training
// date, data fingerprint, trainer settings, label rule and counts, split, metrics per part) and
// the one reader of it (evaluate's held-out split, the served model_info). The shape is documented
// in models/README.md; tools/import_sklearn.py writes the same keys, with nulls for what a pickle
// does not know. Reading tolerates absent parts; a present part of the wrong type is an error.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "json/json_reader.h"

namespace hr::modelfile {

struct PartMetrics {
  double accuracy = 0, precision = 0, recall = 0, f1 = 0, roc_auc = 0, log_loss = 0;
  uint64_t rows = 0;
  uint64_t tn = 0, fp = 0, fn = 0, tp = 0;  // confusion matrix, rows = true class (ecs, lambda)
};

struct TrainerRecord {
  std::string name;  // "hybrid-router <version>"
  std::vector<uint64_t> hidden;
  std::string activation;
  double alpha = 0, learning_rate = 0, tol = 0, validation_fraction = 0;
  uint64_t batch_size = 0;
  int n_iter_no_change = 0, max_epochs = 0;
  bool early_stopping = false, scaler = false;
  uint64_t seed = 0;
  int epochs = 0;
  bool stopped_early = false;
};

struct LabelRecord {
  std::string rule;
  uint32_t total = 0, lambda = 0;
};

struct SplitRecord {
  std::string method = "stratified-by-label";
  uint64_t seed = 0;
  double validation = 0, test = 0;
  uint64_t rows = 0;
  uint32_t skipped_unknown_context = 0;
};

inline constexpr std::array<std::string_view, 3> kPartNames = {"train", "validation", "test"};

struct Provenance {
  std::string model_type;
  std::string training_date;
  std::optional<uint64_t> data_fingerprint;  // written as "fnv1a64:<16 hex digits>"
  // Each training file's content hash (data::FileSummary::content_hash), sorted: `evaluate` tells
  // data the model never saw (no file in common) from data it may have. Empty: not recorded.
  std::vector<uint64_t> data_files;
  std::optional<TrainerRecord> trainer;
  std::optional<LabelRecord> labels;
  std::optional<SplitRecord> split;
  // By kPartNames. Imported models carry what the prototype's metadata had: a number absent from
  // a part that is present reads as NaN.
  std::array<std::optional<PartMetrics>, 3> metrics;
};

std::string FingerprintText(uint64_t fingerprint);

// The metadata object, keys in a fixed order (so `train` reproduces a file byte for byte).
std::string ToJson(const Provenance& p);
// Reads a metadata object's text (as model::Metadata::json holds it).
core::Result<Provenance> ReadProvenance(std::string_view metadata_json);
// Reads an already parsed metadata object (the model file reader's).
core::Result<Provenance> ReadProvenance(const rapidjson::Value& metadata);

}  // namespace hr::modelfile
