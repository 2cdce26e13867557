// `hybrid-router train [DIR...] --out MODEL`: measurements -> seed-balanced labels -> seed-v1
// features -> seeded stratified 60/20/20 split -> MLP (Adam, L2, mini-batches, early stopping)
// -> model file with its provenance (training config, data fingerprint, split, metrics).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "commands.h"
#include "model_source.h"
#include "modelfile/model_file.h"
#include "report/training_text.h"
#include "train/train_model.h"

namespace hr::app {

namespace {

struct TrainCommandConfig {
  train::TrainModelConfig train;
  std::string out;
  std::string hidden = "64,32,16";
  std::string activation = "relu";
  bool no_scaler = false;
  bool quiet = false;
};

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
  auto hidden = train::ParseHiddenSizes(cfg.hidden);
  if (!hidden) return ReportError(hidden.error());
  cfg.train.mlp.hidden = *hidden;
  cfg.train.mlp.activation = *model::ParseActivation(cfg.activation);  // checked by IsMember
  cfg.train.mlp.scaler = !cfg.no_scaler;
  const auto t0 = std::chrono::steady_clock::now();
  Progress progress(cfg.quiet);
  const auto say = [&](std::string_view line) {
    if (!cfg.quiet)
      std::fprintf(stderr, "train: %.*s\n", static_cast<int>(line.size()), line.data());
  };
  train::TrainNotes notes{say, std::ref(progress)};
  auto trained = train::TrainModel(cfg.train, notes);
  progress.Done();
  if (!trained) return ReportError(trained.error());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto made = model::Model::Create(trained->spec);
  if (!made) return ReportError(made.error());
  if (auto s = modelfile::WriteFileAtomic(**made, cfg.out); !s) return ReportError(s.error());

  std::string warning;
  std::fputs(report::TrainingText(*trained, seconds, cfg.out, warning).c_str(), stdout);
  if (!warning.empty()) std::fprintf(stderr, "warning: %s\n", warning.c_str());
  return 0;
}

}  // namespace

RunFn AddTrain(CLI::App& app) {
  auto cfg = std::make_shared<TrainCommandConfig>();
  CLI::App* sub = app.add_subcommand(
      "train",
      "Train a model from measurement logs (default: the shipped data) with the prototype's "
      "seed-balanced labels and seed-v1 features; writes a model file and prints metrics.");
  sub->add_option("data", cfg->train.data, "Measurement files or directories (.jsonl, .jsonl.gz)")
      ->check(CLI::ExistingPath);
  sub->add_option("-o,--out", cfg->out, "Model file to write")->required();
  auto& m = cfg->train.mlp;  // ranges: train::TrainConfig::Validate()
  sub->add_option("--hidden", cfg->hidden, "Hidden layer sizes")->capture_default_str();
  sub->add_option("--activation", cfg->activation, "Hidden activation")
      ->capture_default_str()
      ->check(CLI::IsMember({"relu", "tanh", "logistic", "identity"}));
  sub->add_option("--alpha", m.alpha, "L2 penalty (>= 0)")->capture_default_str();
  sub->add_option("--learning-rate", m.learning_rate, "Adam learning rate (> 0)")
      ->capture_default_str();
  sub->add_option("--batch-size", m.batch_size,
                  "Mini-batch size, 1-1000000 (min(this, rows) is used)")
      ->capture_default_str();
  sub->add_option("--tol", m.tol, "Improvement below this counts as none (>= 0)")
      ->capture_default_str();
  sub->add_option("--patience", m.n_iter_no_change,
                  "Epochs without improvement before stopping, 1-100000")
      ->capture_default_str();
  sub->add_option("--max-epochs", m.max_epochs, "At most this many epochs, 1-100000")
      ->capture_default_str();
  sub->add_option("--validation-fraction", m.validation_fraction,
                  "Share of the training rows held out for early stopping, 0.01-0.5")
      ->capture_default_str();
  sub->add_flag("--no-early-stopping{false}", m.early_stopping,
                "Stop on training loss instead of a hold-out");
  sub->add_flag("--no-scaler", cfg->no_scaler,
                "Feed raw features to the MLP, as the prototype did (default: standard scaler)");
  sub->add_option("--seed", m.seed, "Seed for initialisation and shuffling")->capture_default_str();
  sub->add_option("--split-seed", cfg->train.split.seed, "Seed of the 60/20/20 split")
      ->capture_default_str();
  sub->add_option("--shrinkage", cfg->train.shrinkage,
                  "Outcome tables: pseudo-count pulling a cell toward its (workload, payload) "
                  "parent, 0-1000 (0 measured best on the shipped data)")
      ->capture_default_str();
  sub->add_flag("--strict", cfg->train.strict, "Fail on any rejected log line");
  sub->add_flag("-q,--quiet", cfg->quiet, "No progress output");
  sub->add_option("--export-rows", cfg->train.export_rows,
                  "Also write the rows used (part, label, features) as CSV, for comparisons");
  return [cfg] { return RunTrain(*cfg); };
}

}  // namespace hr::app
