#include "train/train_model.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "core/civil_time.h"
#include "data/audit.h"
#include "data/derive.h"
#include "data/ingest.h"
#include "data/labels.h"
#include "modelfile/provenance.h"
#include "train/mlp_trainer.h"
#include "train/outcome_tables.h"
#include "train/training_set.h"

namespace hr::train {

namespace {

core::Error Bad(const std::string& message, const char* field) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, message, field);
}

modelfile::PartMetrics Record(const BinaryMetrics& m) {
  return {m.accuracy, m.precision, m.recall, m.f1, m.roc_auc, m.log_loss,
          m.n,        m.tn,        m.fp,     m.fn, m.tp};
}

modelfile::Provenance ProvenanceOf(const TrainModelConfig& cfg, const data::Dataset& ds,
                                   const data::Labels& labels, const TrainingSet& ts,
                                   const TrainedMlp& trained,
                                   const std::array<BinaryMetrics, 3>& metrics) {
  modelfile::Provenance p;
  p.model_type = "Neural Network (hybrid-router MLP)";
  p.training_date = cfg.training_date.empty() ? TrainingDate() : cfg.training_date;
  p.data_fingerprint = ds.fingerprint;
  for (const data::FileSummary& f : ds.files) p.data_files.push_back(f.content_hash);
  std::sort(p.data_files.begin(), p.data_files.end());
  p.data_files.erase(std::unique(p.data_files.begin(), p.data_files.end()), p.data_files.end());
  modelfile::TrainerRecord t;
  t.name = std::string("hybrid-router ") + HR_VERSION;
  t.hidden.assign(cfg.mlp.hidden.begin(), cfg.mlp.hidden.end());
  t.activation = std::string(model::Name(cfg.mlp.activation));
  t.alpha = cfg.mlp.alpha;
  t.learning_rate = cfg.mlp.learning_rate;
  t.tol = cfg.mlp.tol;
  t.validation_fraction = cfg.mlp.validation_fraction;
  t.batch_size = cfg.mlp.batch_size;
  t.n_iter_no_change = cfg.mlp.n_iter_no_change;
  t.max_epochs = cfg.mlp.max_epochs;
  t.early_stopping = cfg.mlp.early_stopping;
  t.scaler = cfg.mlp.scaler;
  t.seed = cfg.mlp.seed;
  t.epochs = trained.epochs;
  t.stopped_early = trained.stopped_early;
  p.trainer = t;
  p.labels =
      modelfile::LabelRecord{std::string(data::kSeedBalancedRule), labels.total, labels.lambda};
  modelfile::SplitRecord split;
  split.seed = cfg.split.seed;
  split.validation = cfg.split.validation;
  split.test = cfg.split.test;
  split.rows = ts.record.size();
  split.skipped_unknown_context = ts.skipped_unknown_context;
  p.split = split;
  for (size_t part = 0; part < 3; ++part) p.metrics[part] = Record(metrics[part]);
  return p;
}

}  // namespace

core::Status TrainModelConfig::Validate() const {
  if (mlp.hidden.empty()) return Bad("--hidden needs at least one layer", "hidden");
  for (size_t h : mlp.hidden) {
    if (h < 1 || h > 4096) return Bad("hidden layer sizes must be 1 to 4096", "hidden");
  }
  if (!(split.validation > 0 && split.test > 0 && split.validation + split.test < 0.9))
    return Bad("validation and test fractions must be > 0 and sum below 0.9", "split");
  if (!(shrinkage >= 0 && shrinkage <= 1000))
    return Bad("shrinkage (--shrinkage) must be 0 to 1000", "shrinkage");
  return mlp.Validate();
}

core::Result<std::vector<size_t>> ParseHiddenSizes(std::string_view text) {
  std::vector<size_t> sizes;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string part(text.substr(pos, comma - pos));
    char* end = nullptr;
    const long v = std::strtol(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v < 1 || v > 4096) {
      return Bad("--hidden takes layer sizes 1-4096 separated by commas, e.g. 64,32,16", "hidden");
    }
    sizes.push_back(static_cast<size_t>(v));
    pos = comma + 1;
  }
  return sizes;
}

std::string TrainingDate() {
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {  // NOLINT(concurrency-mt-unsafe)
    char* end = nullptr;
    const long long s = std::strtoll(epoch, &end, 10);
    if (*epoch && *end == '\0' && s >= 0) return core::FormatUtcMicros(core::FromUnixSeconds(s));
  }
  return core::FormatUtcMicros(core::NowUtc());
}

core::Result<TrainedModel> TrainModel(const TrainModelConfig& cfg, const TrainNotes& notes) {
  if (auto s = cfg.Validate(); !s) return s.error();
  std::vector<std::string> paths = cfg.data;
  if (paths.empty()) paths.push_back(data::DefaultDataDir());
  auto ds = data::Ingest(paths, {cfg.strict});
  if (!ds) return ds.error();
  if (auto s = data::RequireRecords(*ds); !s) return s.error();
  const data::Labels labels = data::SeedBalancedLabels(ds->records);
  const TrainingSet ts = BuildTrainingSet(ds->records, labels, cfg.split);
  if (notes.summary) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "%zu records from %zu files (%" PRIu64
                  " lines rejected), %u labelled, %u labelled lambda; %zu rows used (%u without "
                  "time_window/load_pattern left out)",
                  ds->records.size(), ds->files.size(), ds->rejected, labels.total, labels.lambda,
                  ts.record.size(), ts.skipped_unknown_context);
    notes.summary(line);
    if (ds->derived.any())
      notes.summary("derived where the lines lacked them (docs/train-audit.md): " +
                    data::DerivedSummary(ds->derived));
  }
  if (!cfg.export_rows.empty()) {
    if (auto s = ExportRows(ts, cfg.export_rows); !s) return s.error();
  }
  std::vector<Eigen::Index> train_rows;
  for (size_t k = 0; k < ts.part.size(); ++k) {
    if (ts.part[k] == Part::kTrain) train_rows.push_back(static_cast<Eigen::Index>(k));
  }
  RowMatrix x_train(static_cast<Eigen::Index>(train_rows.size()), ts.x.cols());
  std::vector<int8_t> y_train;
  for (size_t k = 0; k < train_rows.size(); ++k) {
    x_train.row(static_cast<Eigen::Index>(k)) = ts.x.row(train_rows[k]);
    y_train.push_back(ts.y[static_cast<size_t>(train_rows[k])]);
  }
  auto trained = TrainMlp(x_train, y_train, cfg.mlp, notes.epoch);
  if (!trained) return trained.error();

  TrainedModel out;
  out.spec = SeedV1Spec(*trained, cfg.mlp.activation);
  out.epochs = trained->epochs;
  out.stopped_early = trained->stopped_early;
  auto made = model::Model::Create(out.spec);
  if (!made) return made.error();
  // Metrics on each part, with the model as it will be served.
  model::Scratch scratch(**made);
  for (size_t part = 0; part < 3; ++part) {
    std::vector<double> p;
    std::vector<int8_t> y;
    for (size_t k = 0; k < ts.part.size(); ++k) {
      if (static_cast<size_t>(ts.part[k]) != part) continue;
      const double* row = ts.x.row(static_cast<Eigen::Index>(k)).data();
      p.push_back((*made)->PredictProba(std::span<const double>(row, ts.x.cols()), scratch));
      y.push_back(ts.y[k]);
    }
    out.metrics[part] = Evaluate(p, y, out.spec.decision_threshold);
  }
  out.spec.metadata.json =
      modelfile::ToJson(ProvenanceOf(cfg, *ds, labels, ts, *trained, out.metrics));

  // Outcome tables from the same rows the classifier may see (not the test part), so that
  // `evaluate --model` judges both on records neither saw.
  std::vector<uint32_t> seen;
  for (size_t k = 0; k < ts.part.size(); ++k) {
    if (ts.part[k] != Part::kTest) seen.push_back(ts.record[k]);
  }
  OutcomeConfig oc;
  oc.shrinkage = cfg.shrinkage;
  oc.provisioned = data::ProvisionedFromData(ds->records, oc.pricing);
  auto tables = outcome::OutcomeModel::Create(LearnOutcomes(ds->records, seen, oc));
  if (tables) {
    out.spec.outcomes = *tables;
    std::string missing;
    for (size_t w = 0; w < features::kWorkloadCount; ++w)
      if (!(*tables)->Covers(static_cast<features::Workload>(w)))
        missing += (missing.empty() ? "" : ", ") +
                   std::string(features::Name(static_cast<features::Workload>(w)));
    if (!missing.empty())
      out.outcome_note = "no outcome tables for " + missing +
                         " (no record in the data): objective decisions for it fall back to the "
                         "classifier, with no expected outcome";
  } else {
    out.outcome_note = "no outcome tables (objective decisions fall back to the classifier): " +
                       tables.error().message;
  }
  return out;
}

}  // namespace hr::train
