// `hybrid-router train [DIR...] --out MODEL`: measurements -> seed-balanced labels -> seed-v1
// features -> seeded stratified 60/20/20 split -> MLP (Adam, L2, mini-batches, early stopping)
// -> model file with the training config, data fingerprint, split and metrics in its metadata.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "commands.h"
#include "core/civil_time.h"
#include "data/ingest.h"
#include "data/labels.h"
#include "json/json_writer.h"
#include "model_source.h"
#include "modelfile/model_file.h"
#include "train/metrics.h"
#include "train/training_set.h"

#ifndef HR_VERSION
#define HR_VERSION "0.0.0"
#endif

namespace hr::app {

namespace {

struct TrainCommandConfig {
  std::vector<std::string> data;
  std::string out;
  train::TrainConfig mlp;
  train::SplitConfig split;
  std::string hidden = "64,32,16";
  std::string activation = "relu";
  bool no_scaler = false;
  bool strict = false;
  bool quiet = false;
  std::string export_rows;  // CSV of the rows used, for comparisons (bench/train_vs_sklearn.py)
};

core::Status ExportRows(const train::TrainingSet& ts, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f)
    return core::MakeError(core::ErrorCode::kIo, "cannot write '" + path + "'", "export_rows");
  std::fprintf(f, "part,label");
  for (auto n : features::kSeedV1Names)
    std::fprintf(f, ",%.*s", static_cast<int>(n.size()), n.data());
  std::fputc('\n', f);
  static const char* kParts[] = {"train", "validation", "test"};
  for (Eigen::Index k = 0; k < ts.x.rows(); ++k) {
    std::fprintf(f, "%s,%d", kParts[static_cast<int>(ts.part[static_cast<size_t>(k)])],
                 ts.y[static_cast<size_t>(k)]);
    for (Eigen::Index j = 0; j < ts.x.cols(); ++j) std::fprintf(f, ",%.17g", ts.x(k, j));
    std::fputc('\n', f);
  }
  const bool ok = std::fclose(f) == 0;
  if (!ok)
    return core::MakeError(core::ErrorCode::kIo, "write to '" + path + "' failed", "export_rows");
  return {};
}

core::Result<std::vector<size_t>> ParseHidden(const std::string& text) {
  std::vector<size_t> sizes;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string part = text.substr(pos, comma - pos);
    char* end = nullptr;
    const long v = std::strtol(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v < 1 || v > 4096) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "--hidden takes layer sizes 1-4096 separated by commas, e.g. 64,32,16",
                             "hidden");
    }
    sizes.push_back(static_cast<size_t>(v));
    pos = comma + 1;
  }
  return sizes;
}

std::string TrainingDate() {
  // Reproducible builds: SOURCE_DATE_EPOCH pins the date so the same inputs give the same file.
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    const long long s = std::strtoll(epoch, &end, 10);
    if (*epoch && *end == '\0' && s >= 0) {
      const core::CivilTime t = core::FromUnixSeconds(s);
      return core::FormatUtcMicros(t);
    }
  }
  return core::FormatUtcMicros(core::NowUtc());
}

void WriteMetrics(json::Writer& w, const train::BinaryMetrics& m) {
  w.StartObject();
  const std::pair<const char*, double> values[] = {
      {"accuracy", m.accuracy}, {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1},
      {"roc_auc", m.roc_auc},   {"log_loss", m.log_loss}};
  for (const auto& [k, v] : values) {
    json::Key(w, k);
    w.Double(v);
  }
  json::Key(w, "rows");
  w.Uint64(m.n);
  json::Key(w, "confusion_matrix");  // [[tn, fp], [fn, tp]], rows = true class (ecs, lambda)
  w.StartArray();
  w.StartArray();
  w.Uint64(m.tn);
  w.Uint64(m.fp);
  w.EndArray();
  w.StartArray();
  w.Uint64(m.fn);
  w.Uint64(m.tp);
  w.EndArray();
  w.EndArray();
  w.EndObject();
}

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1) {}
  void operator()(const train::EpochReport& r) {
    if (quiet_) return;
    if (tty_) {
      constexpr int kWidth = 30;
      // The bar fills towards the patience limit; most runs stop early.
      const int filled = std::min(kWidth, r.epoch * kWidth / std::max(1, r.max_epochs));
      std::fprintf(stderr, "\r[%-*s] epoch %d/%d  loss %.5f  val_acc %.4f%s", kWidth,
                   std::string(static_cast<size_t>(filled), '#').c_str(), r.epoch, r.max_epochs,
                   r.loss, r.validation_accuracy, r.improved ? " *" : "  ");
      std::fflush(stderr);
    } else {
      std::fprintf(stderr, "epoch %d: loss %.6f val_acc %.6f%s\n", r.epoch, r.loss,
                   r.validation_accuracy, r.improved ? " (best)" : "");
    }
  }
  void Done() {
    if (!quiet_ && tty_) std::fputc('\n', stderr);
  }

 private:
  bool quiet_, tty_;
};

int RunTrain(TrainCommandConfig& cfg) {
  auto hidden = ParseHidden(cfg.hidden);
  if (!hidden) return ReportError(hidden.error());
  cfg.mlp.hidden = *hidden;
  auto act = model::ParseActivation(cfg.activation);
  if (!act)
    return ReportError(core::MakeError(core::ErrorCode::kInvalidArgument,
                                       "--activation must be relu, tanh, logistic or identity",
                                       "activation"));
  cfg.mlp.activation = *act;
  cfg.mlp.scaler = !cfg.no_scaler;
  if (cfg.data.empty()) cfg.data.push_back(data::DefaultDataDir());

  const auto t0 = std::chrono::steady_clock::now();
  auto ds = data::Ingest(cfg.data, {cfg.strict});
  if (!ds) return ReportError(ds.error());
  const data::Labels labels = data::SeedBalancedLabels(ds->records);
  const train::TrainingSet ts = train::BuildTrainingSet(ds->records, labels, cfg.split);
  if (!cfg.quiet) {
    std::fprintf(stderr,
                 "train: %zu records from %zu files (%zu lines rejected), %u labelled, %u labelled "
                 "lambda; %zu rows used (%u without time_window/load_pattern left out)\n",
                 ds->records.size(), ds->files.size(), ds->rejections.size(), labels.total,
                 labels.lambda, ts.record.size(), ts.skipped_unknown_context);
  }
  if (!cfg.export_rows.empty()) {
    if (auto s = ExportRows(ts, cfg.export_rows); !s) return ReportError(s.error());
  }
  // Rows of each part.
  auto rows_of = [&](train::Part part) {
    std::vector<Eigen::Index> rows;
    for (size_t k = 0; k < ts.part.size(); ++k) {
      if (ts.part[k] == part) rows.push_back(static_cast<Eigen::Index>(k));
    }
    return rows;
  };
  const auto train_rows = rows_of(train::Part::kTrain);
  train::RowMatrix x_train(static_cast<Eigen::Index>(train_rows.size()), ts.x.cols());
  std::vector<int8_t> y_train;
  for (size_t k = 0; k < train_rows.size(); ++k) {
    x_train.row(static_cast<Eigen::Index>(k)) = ts.x.row(train_rows[k]);
    y_train.push_back(ts.y[static_cast<size_t>(train_rows[k])]);
  }
  Progress progress(cfg.quiet);
  auto trained = train::TrainMlp(x_train, y_train, cfg.mlp, std::ref(progress));
  progress.Done();
  if (!trained) return ReportError(trained.error());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  model::ModelSpec spec = train::SeedV1Spec(*trained, cfg.mlp.activation);
  auto made = model::Model::Create(spec);
  if (!made) return ReportError(made.error());

  // Metrics on each part, with the model as it will be served.
  model::Scratch scratch(**made);
  train::BinaryMetrics metrics[3];
  const char* part_names[3] = {"train", "validation", "test"};
  for (int part = 0; part < 3; ++part) {
    std::vector<double> p;
    std::vector<int8_t> y;
    for (size_t k = 0; k < ts.part.size(); ++k) {
      if (static_cast<int>(ts.part[k]) != part) continue;
      const double* row = ts.x.row(static_cast<Eigen::Index>(k)).data();
      p.push_back((*made)->PredictProba(std::span<const double>(row, ts.x.cols()), scratch));
      y.push_back(ts.y[k]);
    }
    metrics[part] = train::Evaluate(p, y, spec.decision_threshold);
  }

  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "model_type");
  json::String(w, "Neural Network (hybrid-router MLP)");
  json::Key(w, "training_date");
  json::String(w, TrainingDate());
  json::Key(w, "data_fingerprint");
  char fp[32];
  std::snprintf(fp, sizeof fp, "fnv1a64:%016llx", static_cast<unsigned long long>(ds->fingerprint));
  json::String(w, fp);
  json::Key(w, "trainer");
  w.StartObject();
  json::Key(w, "name");
  json::String(w, std::string("hybrid-router ") + HR_VERSION);
  json::Key(w, "hidden");
  w.StartArray();
  for (size_t h : cfg.mlp.hidden) w.Uint64(h);
  w.EndArray();
  json::Key(w, "activation");
  json::String(w, model::Name(cfg.mlp.activation));
  const std::pair<const char*, double> numbers[] = {
      {"alpha", cfg.mlp.alpha},
      {"learning_rate", cfg.mlp.learning_rate},
      {"tol", cfg.mlp.tol},
      {"validation_fraction", cfg.mlp.validation_fraction}};
  for (const auto& [k, v] : numbers) {
    json::Key(w, k);
    w.Double(v);
  }
  json::Key(w, "batch_size");
  w.Uint64(cfg.mlp.batch_size);
  json::Key(w, "n_iter_no_change");
  w.Int(cfg.mlp.n_iter_no_change);
  json::Key(w, "max_epochs");
  w.Int(cfg.mlp.max_epochs);
  json::Key(w, "early_stopping");
  w.Bool(cfg.mlp.early_stopping);
  json::Key(w, "scaler");
  w.Bool(cfg.mlp.scaler);
  json::Key(w, "seed");
  w.Uint64(cfg.mlp.seed);
  json::Key(w, "epochs");
  w.Int(trained->epochs);
  json::Key(w, "stopped_early");
  w.Bool(trained->stopped_early);
  w.EndObject();
  json::Key(w, "labels");
  w.StartObject();
  json::Key(w, "rule");
  json::String(w, data::kSeedBalancedRule);
  json::Key(w, "total");
  w.Uint(labels.total);
  json::Key(w, "lambda");
  w.Uint(labels.lambda);
  w.EndObject();
  json::Key(w, "split");
  w.StartObject();
  json::Key(w, "method");
  json::String(w, "stratified-by-label");
  json::Key(w, "seed");
  w.Uint64(cfg.split.seed);
  json::Key(w, "validation");
  w.Double(cfg.split.validation);
  json::Key(w, "test");
  w.Double(cfg.split.test);
  json::Key(w, "rows");
  w.Uint64(ts.record.size());
  json::Key(w, "skipped_unknown_context");
  w.Uint(ts.skipped_unknown_context);
  w.EndObject();
  json::Key(w, "metrics");
  w.StartObject();
  for (int part = 0; part < 3; ++part) {
    json::Key(w, part_names[part]);
    WriteMetrics(w, metrics[part]);
  }
  w.EndObject();
  w.EndObject();
  spec.metadata.json.assign(buf.GetString(), buf.GetSize());
  auto final_model = model::Model::Create(std::move(spec));
  if (!final_model) return ReportError(final_model.error());
  if (auto s = modelfile::WriteFileAtomic(**final_model, cfg.out); !s)
    return ReportError(s.error());

  std::printf("%-11s %9s %9s %9s %9s %9s %9s\n", "", "accuracy", "precision", "recall", "f1",
              "roc_auc", "log_loss");
  for (int part = 0; part < 3; ++part) {
    const auto& m = metrics[part];
    std::printf("%-11s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n", part_names[part], m.accuracy,
                m.precision, m.recall, m.f1, m.roc_auc, m.log_loss);
  }
  const auto& t = metrics[2];
  std::printf("test confusion (rows true ecs/lambda): [[%llu, %llu], [%llu, %llu]]\n",
              static_cast<unsigned long long>(t.tn), static_cast<unsigned long long>(t.fp),
              static_cast<unsigned long long>(t.fn), static_cast<unsigned long long>(t.tp));
  std::printf("epochs %d%s, %.2f s; wrote %s\n", trained->epochs,
              trained->stopped_early ? " (early stop)" : "", seconds, cfg.out.c_str());
  return 0;
}

}  // namespace

RunFn AddTrain(CLI::App& app) {
  auto cfg = std::make_shared<TrainCommandConfig>();
  CLI::App* sub = app.add_subcommand(
      "train",
      "Train a model from measurement logs (default: the shipped data) with the prototype's "
      "seed-balanced labels and seed-v1 features; writes a model file and prints metrics.");
  sub->add_option("data", cfg->data, "Measurement files or directories (.jsonl, .jsonl.gz)")
      ->check(CLI::ExistingPath);
  sub->add_option("-o,--out", cfg->out, "Model file to write")->required();
  auto& m = cfg->mlp;
  sub->add_option("--hidden", cfg->hidden, "Hidden layer sizes")->capture_default_str();
  sub->add_option("--activation", cfg->activation, "Hidden activation")
      ->capture_default_str()
      ->check(CLI::IsMember({"relu", "tanh", "logistic", "identity"}));
  sub->add_option("--alpha", m.alpha, "L2 penalty")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--learning-rate", m.learning_rate, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--batch-size", m.batch_size, "Mini-batch size (min(this, rows) is used)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  sub->add_option("--tol", m.tol, "Improvement below this counts as none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--patience", m.n_iter_no_change, "Epochs without improvement before stopping")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  sub->add_option("--max-epochs", m.max_epochs, "At most this many epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  sub->add_option("--validation-fraction", m.validation_fraction,
                  "Share of the training rows held out for early stopping")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 0.5));
  sub->add_flag("--no-early-stopping{false}", m.early_stopping,
                "Stop on training loss instead of a hold-out");
  sub->add_flag("--no-scaler", cfg->no_scaler,
                "Feed raw features to the MLP, as the prototype did (default: standard scaler)");
  sub->add_option("--seed", m.seed, "Seed for initialisation and shuffling")->capture_default_str();
  sub->add_option("--split-seed", cfg->split.seed, "Seed of the 60/20/20 split")
      ->capture_default_str();
  sub->add_flag("--strict", cfg->strict, "Fail on any rejected log line");
  sub->add_flag("-q,--quiet", cfg->quiet, "No progress output");
  sub->add_option("--export-rows", cfg->export_rows,
                  "Also write the rows used (part, label, features) as CSV, for comparisons");
  return [cfg] { return RunTrain(*cfg); };
}

}  // namespace hr::app
