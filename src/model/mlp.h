// Multilayer perceptron for a binary decision: optional standard scaler, any number of dense
// layers with relu/tanh/logistic/identity hidden activations, logistic output = P(class 1).
// Immutable after Create(); share one instance across threads, each caller owns its Scratch, and
// PredictProba allocates nothing. Pure: no I/O, no JSON (the file format lives in modelfile/).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "outcome/outcome.h"

namespace hr::model {

enum class Activation { kIdentity, kLogistic, kTanh, kRelu };

std::string_view Name(Activation a);
core::Result<Activation> ParseActivation(std::string_view text);

struct Layer {
  size_t inputs = 0;
  size_t outputs = 0;
  std::vector<double> weights;  // inputs x outputs, row-major (scikit-learn's coefs_ layout)
  std::vector<double> bias;     // outputs
};

struct Scaler {
  std::vector<double> mean;   // subtracted first
  std::vector<double> scale;  // then divided by, as scikit-learn's StandardScaler.transform
};

// What a model says about itself besides its numbers. `json` is the whole metadata object as
// canonical JSON text, kept verbatim so that files round-trip; the rest are read out of it.
struct Metadata {
  std::string json = "{}";
  std::string model_type;
  std::string training_date;
  std::optional<double> test_accuracy;
};

struct ModelSpec {
  std::string feature_schema;              // e.g. "seed-v1"
  std::vector<std::string> feature_names;  // one per input
  std::optional<Scaler> scaler;
  std::vector<Layer> layers;  // hidden layers then the single-output layer
  Activation hidden_activation = Activation::kRelu;
  std::vector<std::string> classes = {"ecs", "lambda"};  // [negative, positive]
  double decision_threshold = 0.5;                       // positive when P >= threshold
  Metadata metadata;
  // Per-platform outcome estimates for objective decisions (format version 2); null: the model
  // is a classifier only (version 1 files, imported scikit-learn models).
  std::shared_ptr<const outcome::OutcomeModel> outcomes;
};

class Model;

// Per-caller working memory for PredictProba. It grows (allocates) only when it meets a model
// larger than any it has served, so steady-state predictions allocate nothing.
class Scratch {
 public:
  Scratch() = default;
  explicit Scratch(const Model& model);
  void Fit(size_t width, size_t inputs);
  double* a() { return a_.data(); }
  double* b() { return b_.data(); }
  double* x() { return x_.data(); }
  size_t width() const { return a_.size(); }
  size_t inputs() const { return x_.size(); }

 private:
  std::vector<double> a_, b_, x_;
};

class Model {
 public:
  // Validates shapes (layers chain, one output, names match inputs), finite numbers, non-zero
  // scales, threshold in [0, 1], and the class names.
  static core::Result<std::shared_ptr<const Model>> Create(ModelSpec spec);

  // P(class 1) for one feature row of InputSize() values. No allocation; thread-safe.
  double PredictProba(std::span<const double> features, Scratch& scratch) const;

  size_t InputSize() const { return spec_.layers.front().inputs; }
  size_t MaxWidth() const { return max_width_; }
  const ModelSpec& spec() const { return spec_; }

 private:
  explicit Model(ModelSpec spec);
  ModelSpec spec_;
  size_t max_width_ = 0;
};

}  // namespace hr::model
