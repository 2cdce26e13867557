#include "model/mlp.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace hr::model {

namespace {

using core::ErrorCode;
using core::MakeError;

constexpr std::string_view kActivationNames[] = {"identity", "logistic", "tanh", "relu"};

bool AllFinite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

void Activate(Activation act, double* v, size_t n) {
  switch (act) {
    case Activation::kIdentity:
      return;
    case Activation::kRelu:
      for (size_t j = 0; j < n; ++j) v[j] = v[j] > 0.0 ? v[j] : 0.0;
      return;
    case Activation::kTanh:
      for (size_t j = 0; j < n; ++j) v[j] = std::tanh(v[j]);
      return;
    case Activation::kLogistic:
      // The same expression as scipy.special.expit, so probabilities match scikit-learn.
      for (size_t j = 0; j < n; ++j) v[j] = 1.0 / (1.0 + std::exp(-v[j]));
      return;
  }
}

// out = in . W, then + bias, as scikit-learn computes a layer. Vectorised across outputs, so each
// output still sums its inputs in order and every clone gives the same bits (the module is built
// with -ffp-contract=off: no FMA contraction). Blocks of outputs stay in registers while the
// inputs stream past; wide blocks keep enough independent sums to hide the add latency.
// Four outputs in one GCC vector (one AVX2 register in the x86-64-v3 clone, two SSE2 registers in
// the default one): the loop is written in vectors because GCC vectorised the scalar form of the
// 16-wide layer badly (38 % of a decision's time).
typedef double Vec4 __attribute__((vector_size(32)));

template <size_t kBlock>
inline __attribute__((always_inline)) void DenseBlock(size_t n_in, size_t n_out, size_t j0,
                                                      const double* __restrict in,
                                                      const double* __restrict w,
                                                      const double* __restrict b,
                                                      double* __restrict out) {
  if constexpr (kBlock % 4 == 0) {
    constexpr size_t kVectors = kBlock / 4;
    Vec4 acc[kVectors] = {};
    for (size_t i = 0; i < n_in; ++i) {
      const Vec4 xi = {in[i], in[i], in[i], in[i]};
      const double* __restrict row = w + i * n_out + j0;
      for (size_t v = 0; v < kVectors; ++v) {
        Vec4 r;
        std::memcpy(&r, row + 4 * v, sizeof r);
        acc[v] += xi * r;
      }
    }
    for (size_t v = 0; v < kVectors; ++v) {
      Vec4 bias;
      std::memcpy(&bias, b + j0 + 4 * v, sizeof bias);
      const Vec4 sum = acc[v] + bias;
      std::memcpy(out + j0 + 4 * v, &sum, sizeof sum);
    }
  } else {
    double acc[kBlock] = {};
    for (size_t i = 0; i < n_in; ++i) {
      const double xi = in[i];
      const double* __restrict row = w + i * n_out + j0;
      for (size_t k = 0; k < kBlock; ++k) acc[k] += xi * row[k];
    }
    for (size_t k = 0; k < kBlock; ++k) out[j0 + k] = acc[k] + b[j0 + k];
  }
}

__attribute__((target_clones("arch=x86-64-v3", "default"))) void DenseKernel(
    size_t n_in, size_t n_out, const double* __restrict in, const double* __restrict w,
    const double* __restrict b, double* __restrict out) {
  size_t j0 = 0;
  for (; j0 + 32 <= n_out; j0 += 32) DenseBlock<32>(n_in, n_out, j0, in, w, b, out);
  for (; j0 + 16 <= n_out; j0 += 16) DenseBlock<16>(n_in, n_out, j0, in, w, b, out);
  for (; j0 + 8 <= n_out; j0 += 8) DenseBlock<8>(n_in, n_out, j0, in, w, b, out);
  for (; j0 + 4 <= n_out; j0 += 4) DenseBlock<4>(n_in, n_out, j0, in, w, b, out);
  for (; j0 < n_out; ++j0) DenseBlock<1>(n_in, n_out, j0, in, w, b, out);
}

void Dense(const Layer& layer, const double* in, double* out) {
  DenseKernel(layer.inputs, layer.outputs, in, layer.weights.data(), layer.bias.data(), out);
}

}  // namespace

std::string_view Name(Activation a) { return kActivationNames[static_cast<size_t>(a)]; }

core::Result<Activation> ParseActivation(std::string_view text) {
  for (size_t i = 0; i < std::size(kActivationNames); ++i) {
    if (kActivationNames[i] == text) return static_cast<Activation>(i);
  }
  return MakeError(ErrorCode::kInvalidModel,
                   "activation '" + std::string(text.substr(0, 32)) +
                       "' is not one of: identity, logistic, tanh, relu",
                   "activation");
}

Scratch::Scratch(const Model& model) { Fit(model.MaxWidth(), model.InputSize()); }

void Scratch::Fit(size_t width, size_t inputs) {
  if (a_.size() < width) {
    a_.resize(width);
    b_.resize(width);
  }
  if (x_.size() < inputs) x_.resize(inputs);
}

Model::Model(ModelSpec spec) : spec_(std::move(spec)) {
  for (const auto& l : spec_.layers) max_width_ = std::max({max_width_, l.inputs, l.outputs});
}

core::Result<std::shared_ptr<const Model>> Model::Create(ModelSpec spec) {
  if (spec.layers.empty())
    return MakeError(ErrorCode::kInvalidModel, "model has no layers", "layers");
  for (size_t k = 0; k < spec.layers.size(); ++k) {
    const Layer& l = spec.layers[k];
    const std::string where = "layers[" + std::to_string(k) + "]";
    if (l.inputs == 0 || l.outputs == 0) {
      return MakeError(ErrorCode::kInvalidModel, where + " has a zero dimension", where);
    }
    if (l.inputs > 100000 || l.outputs > 100000) {
      return MakeError(ErrorCode::kInvalidModel, where + " is implausibly wide", where);
    }
    if (l.weights.size() != l.inputs * l.outputs) {
      return MakeError(ErrorCode::kInvalidModel,
                       where + " has " + std::to_string(l.weights.size()) + " weights, expected " +
                           std::to_string(l.inputs) + " x " + std::to_string(l.outputs),
                       where);
    }
    if (l.bias.size() != l.outputs) {
      return MakeError(ErrorCode::kInvalidModel, where + " bias length differs from its outputs",
                       where);
    }
    if (k > 0 && spec.layers[k - 1].outputs != l.inputs) {
      return MakeError(ErrorCode::kInvalidModel,
                       where + " takes " + std::to_string(l.inputs) +
                           " inputs but the layer before gives " +
                           std::to_string(spec.layers[k - 1].outputs),
                       where);
    }
    if (!AllFinite(l.weights) || !AllFinite(l.bias)) {
      return MakeError(ErrorCode::kInvalidModel, where + " holds a non-finite number", where);
    }
  }
  if (spec.layers.back().outputs != 1) {
    return MakeError(ErrorCode::kInvalidModel,
                     "the output layer must have exactly 1 output (binary decision)", "layers");
  }
  const size_t n_in = spec.layers.front().inputs;
  if (spec.feature_names.size() != n_in) {
    return MakeError(ErrorCode::kInvalidModel,
                     "model names " + std::to_string(spec.feature_names.size()) +
                         " features but its first layer takes " + std::to_string(n_in),
                     "feature_names");
  }
  if (spec.scaler) {
    const Scaler& s = *spec.scaler;
    if (s.mean.size() != n_in || s.scale.size() != n_in) {
      return MakeError(ErrorCode::kInvalidModel, "scaler length differs from the model's inputs",
                       "scaler");
    }
    if (!AllFinite(s.mean) || !AllFinite(s.scale)) {
      return MakeError(ErrorCode::kInvalidModel, "scaler holds a non-finite number", "scaler");
    }
    if (std::any_of(s.scale.begin(), s.scale.end(), [](double v) { return v == 0.0; })) {
      return MakeError(ErrorCode::kInvalidModel, "scaler has a zero scale", "scaler");
    }
  }
  if (!(spec.decision_threshold >= 0.0 && spec.decision_threshold <= 1.0)) {
    return MakeError(ErrorCode::kInvalidModel, "decision_threshold must be within [0, 1]",
                     "decision_threshold");
  }
  if (spec.classes != std::vector<std::string>{"ecs", "lambda"}) {
    return MakeError(ErrorCode::kInvalidModel,
                     "classes must be [\"ecs\", \"lambda\"] (class 1 = Lambda)", "classes");
  }
  return std::shared_ptr<const Model>(new Model(std::move(spec)));
}

double Model::PredictProba(std::span<const double> features, Scratch& scratch) const {
  const size_t n_in = InputSize();
  scratch.Fit(max_width_, n_in);
  const double* in = features.data();
  if (spec_.scaler) {
    double* x = scratch.x();
    const Scaler& s = *spec_.scaler;
    for (size_t i = 0; i < n_in; ++i) x[i] = (in[i] - s.mean[i]) / s.scale[i];
    in = x;
  }
  double* out = scratch.a();
  double* spare = scratch.b();
  const size_t last = spec_.layers.size() - 1;
  for (size_t k = 0; k <= last; ++k) {
    const Layer& layer = spec_.layers[k];
    Dense(layer, in, out);
    Activate(k == last ? Activation::kLogistic : spec_.hidden_activation, out, layer.outputs);
    in = out;
    std::swap(out, spare);
  }
  return in[0];
}

}  // namespace hr::model
