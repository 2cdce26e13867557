#include "train/training_set.h"

#include <cstdio>

namespace hr::train {

features::Request RequestOf(const data::Record& r) {
  features::Request q;
  q.workload = r.workload;
  q.payload_kb = r.target_payload_kb;
  q.time_window = r.time_window.value_or(features::TimeWindow::kOther);
  q.load_pattern = r.load_pattern.value_or(features::LoadPattern::kLowLoad);
  q.hour_of_day = r.hour;
  q.is_weekend = r.weekday >= 5;
  return q;
}

TrainingSet BuildTrainingSet(std::span<const data::Record> records, const data::Labels& labels,
                             const SplitConfig& split) {
  TrainingSet ts;
  for (size_t i = 0; i < records.size(); ++i) {
    if (labels.label[i] < 0) {
      ++ts.unlabelled;
    } else if (!records[i].time_window || !records[i].load_pattern) {
      ++ts.skipped_unknown_context;
    } else {
      ts.record.push_back(static_cast<uint32_t>(i));
    }
  }
  const auto rows = static_cast<Eigen::Index>(ts.record.size());
  ts.x.resize(rows, static_cast<Eigen::Index>(features::kSeedV1Size));
  ts.y.resize(ts.record.size());
  for (Eigen::Index k = 0; k < rows; ++k) {
    const uint32_t i = ts.record[static_cast<size_t>(k)];
    const auto f = features::SeedV1Features(RequestOf(records[i]));
    for (size_t j = 0; j < f.size(); ++j) ts.x(k, static_cast<Eigen::Index>(j)) = f[j];
    ts.y[static_cast<size_t>(k)] = labels.label[i];
  }
  ts.part = StratifiedSplit(ts.y, split.validation, split.test, split.seed);
  return ts;
}

model::ModelSpec SeedV1Spec(const TrainedMlp& trained, model::Activation hidden_activation) {
  model::ModelSpec spec;
  spec.feature_schema = std::string(features::kSeedV1Schema);
  for (auto n : features::kSeedV1Names) spec.feature_names.emplace_back(n);
  spec.scaler = trained.scaler;
  spec.layers = trained.layers;
  spec.hidden_activation = hidden_activation;
  return spec;
}

core::Status ExportRows(const TrainingSet& ts, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f)
    return core::MakeError(core::ErrorCode::kIo, "cannot write '" + path + "'", "export_rows");
  std::fprintf(f, "part,label");
  for (auto n : features::kSeedV1Names)
    std::fprintf(f, ",%.*s", static_cast<int>(n.size()), n.data());
  std::fputc('\n', f);
  static constexpr const char* kParts[] = {"train", "validation", "test"};
  for (Eigen::Index k = 0; k < ts.x.rows(); ++k) {
    std::fprintf(f, "%s,%d", kParts[static_cast<int>(ts.part[static_cast<size_t>(k)])],
                 ts.y[static_cast<size_t>(k)]);
    for (Eigen::Index j = 0; j < ts.x.cols(); ++j) std::fprintf(f, ",%.17g", ts.x(k, j));
    std::fputc('\n', f);
  }
  if (std::fclose(f) != 0)
    return core::MakeError(core::ErrorCode::kIo, "write to '" + path + "' failed", "export_rows");
  return {};
}

}  // namespace hr::train
