#include "train/mlp_trainer.h"

#include <cmath>
#include <limits>
#include <numeric>

#include "core/rng.h"
#include "train/split.h"

namespace hr::train {

namespace {

using core::ErrorCode;
using core::MakeError;
using Matrix = RowMatrix;
using RowVector = Eigen::RowVectorXd;

void Activate(model::Activation act, Matrix& z) {
  switch (act) {
    case model::Activation::kIdentity:
      return;
    case model::Activation::kRelu:
      z = z.cwiseMax(0.0);
      return;
    case model::Activation::kTanh:
      z = z.array().tanh();
      return;
    case model::Activation::kLogistic:
      z = (1.0 + (-z.array()).exp()).inverse();
      return;
  }
}

// delta *= f'(z) expressed through the activation a = f(z), as scikit-learn does.
void Derivative(model::Activation act, const Matrix& a, Matrix& delta) {
  switch (act) {
    case model::Activation::kIdentity:
      return;
    case model::Activation::kRelu:
      delta = (a.array() > 0.0).select(delta, 0.0);
      return;
    case model::Activation::kTanh:
      delta.array() *= 1.0 - a.array().square();
      return;
    case model::Activation::kLogistic:
      delta.array() *= a.array() * (1.0 - a.array());
      return;
  }
}

struct Net {
  std::vector<Matrix> w;     // in x out
  std::vector<RowVector> b;  // out
};

class Trainer {
 public:
  Trainer(const TrainConfig& cfg, size_t n_in) : cfg_(cfg) {
    sizes_.push_back(n_in);
    for (size_t h : cfg.hidden) sizes_.push_back(h);
    sizes_.push_back(1);
  }

  void Init(core::Rng& rng) {
    const double factor = cfg_.activation == model::Activation::kLogistic ? 2.0 : 6.0;
    for (size_t l = 0; l + 1 < sizes_.size(); ++l) {
      const size_t fan_in = sizes_[l], fan_out = sizes_[l + 1];
      const double bound = std::sqrt(factor / static_cast<double>(fan_in + fan_out));
      Matrix w(fan_in, fan_out);
      for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.Uniform(-bound, bound);
      RowVector b(fan_out);
      for (Eigen::Index j = 0; j < b.size(); ++j) b[j] = rng.Uniform(-bound, bound);
      net_.w.push_back(w);
      net_.b.push_back(b);
      m_.w.push_back(Matrix::Zero(fan_in, fan_out));
      m_.b.push_back(RowVector::Zero(fan_out));
      v_.w.push_back(Matrix::Zero(fan_in, fan_out));
      v_.b.push_back(RowVector::Zero(fan_out));
      grad_.w.push_back(Matrix::Zero(fan_in, fan_out));
      grad_.b.push_back(RowVector::Zero(fan_out));
    }
    acts_.resize(sizes_.size());
    deltas_.resize(sizes_.size() - 1);
  }

  // Forward pass over rows of x; returns the output column.
  const Matrix& Forward(const Matrix& x) {
    acts_[0] = x;
    const size_t last = net_.w.size() - 1;
    for (size_t l = 0; l <= last; ++l) {
      acts_[l + 1].noalias() = acts_[l] * net_.w[l];
      acts_[l + 1].rowwise() += net_.b[l];
      Activate(l == last ? model::Activation::kLogistic : cfg_.activation, acts_[l + 1]);
    }
    return acts_.back();
  }

  // One Adam step on a batch; returns the batch loss (with the L2 term) as scikit-learn's
  // _backprop.
  double Step(const Matrix& x, const Eigen::VectorXd& y) {
    const auto n = static_cast<double>(x.rows());
    const Matrix& p = Forward(x);
    constexpr double kEps = std::numeric_limits<double>::epsilon();
    double loss = 0;
    for (Eigen::Index i = 0; i < p.rows(); ++i) {
      const double q = std::clamp(p(i, 0), kEps, 1 - kEps);
      loss -= y[i] > 0.5 ? std::log(q) : std::log(1 - q);
    }
    loss /= n;
    double sq = 0;
    for (const auto& w : net_.w) sq += w.squaredNorm();
    loss += 0.5 * cfg_.alpha * sq / n;

    const size_t last = net_.w.size() - 1;
    deltas_[last] = p;
    deltas_[last].col(0) -= y;
    for (size_t l = last + 1; l-- > 0;) {
      grad_.w[l].noalias() = acts_[l].transpose() * deltas_[l];
      grad_.w[l] += cfg_.alpha * net_.w[l];
      grad_.w[l] /= n;
      grad_.b[l] = deltas_[l].colwise().mean();
      if (l > 0) {
        deltas_[l - 1].noalias() = deltas_[l] * net_.w[l].transpose();
        Derivative(cfg_.activation, acts_[l], deltas_[l - 1]);
      }
    }
    ++t_;
    const double lr = cfg_.learning_rate * std::sqrt(1 - std::pow(cfg_.beta2, t_)) /
                      (1 - std::pow(cfg_.beta1, t_));
    for (size_t l = 0; l <= last; ++l) {
      Adam(net_.w[l], m_.w[l], v_.w[l], grad_.w[l], lr);
      Adam(net_.b[l], m_.b[l], v_.b[l], grad_.b[l], lr);
    }
    return loss;
  }

  double Accuracy(const Matrix& x, const Eigen::VectorXd& y) {
    const Matrix& p = Forward(x);
    Eigen::Index correct = 0;
    for (Eigen::Index i = 0; i < p.rows(); ++i) correct += (p(i, 0) > 0.5) == (y[i] > 0.5);
    return static_cast<double>(correct) / static_cast<double>(p.rows());
  }

  Net& net() { return net_; }

 private:
  template <typename M>
  void Adam(M& param, M& m, M& v, const M& g, double lr) {
    m = cfg_.beta1 * m + (1 - cfg_.beta1) * g;
    v = cfg_.beta2 * v + (1 - cfg_.beta2) * g.cwiseProduct(g);
    param.array() -= lr * m.array() / (v.array().sqrt() + cfg_.epsilon);
  }

  const TrainConfig& cfg_;
  std::vector<size_t> sizes_;
  Net net_, m_, v_, grad_;
  std::vector<Matrix> acts_, deltas_;
  int t_ = 0;
};

core::Status Check(const TrainConfig& c, size_t rows) {
  if (rows < 2)
    return MakeError(ErrorCode::kInvalidArgument, "need at least 2 training rows", "data");
  return c.Validate();
}

}  // namespace

core::Status TrainConfig::Validate() const {
  auto bad = [](const std::string& m, const char* f) {
    return MakeError(ErrorCode::kInvalidArgument, m, f);
  };
  for (size_t h : hidden) {
    if (h == 0 || h > 4096) return bad("hidden layer sizes (--hidden) must be 1 to 4096", "hidden");
  }
  if (!(alpha >= 0) || !std::isfinite(alpha)) return bad("alpha (--alpha) must be >= 0", "alpha");
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    return bad("learning rate (--learning-rate) must be > 0", "learning_rate");
  if (batch_size < 1 || batch_size > 1'000'000)
    return bad("batch size (--batch-size) must be 1 to 1000000", "batch_size");
  if (!(tol >= 0) || !std::isfinite(tol)) return bad("tol (--tol) must be >= 0", "tol");
  if (max_epochs < 1 || max_epochs > 100'000)
    return bad("max epochs (--max-epochs) must be 1 to 100000", "max_epochs");
  if (n_iter_no_change < 1 || n_iter_no_change > 100'000)
    return bad("patience (--patience) must be 1 to 100000", "n_iter_no_change");
  if (early_stopping && !(validation_fraction >= 0.01 && validation_fraction <= 0.5))
    return bad("validation fraction (--validation-fraction) must be 0.01 to 0.5",
               "validation_fraction");
  return {};
}

core::Result<TrainedMlp> TrainMlp(const RowMatrix& x_raw, std::span<const int8_t> y,
                                  const TrainConfig& cfg, const ProgressFn& progress) {
  if (auto s = Check(cfg, static_cast<size_t>(x_raw.rows())); !s) return s.error();
  if (static_cast<size_t>(x_raw.rows()) != y.size()) {
    return MakeError(ErrorCode::kInternal, "features and labels differ in length");
  }
  TrainedMlp out;
  Matrix x = x_raw;
  if (cfg.scaler) {
    model::Scaler s;
    const RowVector mean = x.colwise().mean();
    const RowVector var = (x.rowwise() - mean).array().square().colwise().mean();
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      s.mean.push_back(mean[j]);
      const double sd = std::sqrt(var[j]);
      s.scale.push_back(sd > 0 ? sd : 1.0);  // constant features: scale 1, as scikit-learn
    }
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      x.col(j) = (x.col(j).array() - s.mean[j]) / s.scale[j];
    }
    out.scaler = std::move(s);
  }

  core::Rng rng(cfg.seed);
  // Early-stopping hold-out: a stratified fraction of the training rows.
  std::vector<uint32_t> fit_rows, val_rows;
  if (cfg.early_stopping) {
    const auto parts = StratifiedSplit(y, cfg.validation_fraction, 0.0, rng.Next());
    for (size_t i = 0; i < parts.size(); ++i) {
      (parts[i] == Part::kValidation ? val_rows : fit_rows).push_back(static_cast<uint32_t>(i));
    }
    if (val_rows.empty() || fit_rows.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "too few rows for an early-stopping split",
                       "validation_fraction");
    }
  } else {
    fit_rows.resize(y.size());
    std::iota(fit_rows.begin(), fit_rows.end(), 0u);
  }
  Matrix x_val(static_cast<Eigen::Index>(val_rows.size()), x.cols());
  Eigen::VectorXd y_val(static_cast<Eigen::Index>(val_rows.size()));
  for (size_t k = 0; k < val_rows.size(); ++k) {
    x_val.row(static_cast<Eigen::Index>(k)) = x.row(val_rows[k]);
    y_val[static_cast<Eigen::Index>(k)] = y[val_rows[k]];
  }

  Trainer trainer(cfg, static_cast<size_t>(x.cols()));
  trainer.Init(rng);
  const size_t n = fit_rows.size();
  const size_t batch = std::min(cfg.batch_size, n);
  Matrix xb(static_cast<Eigen::Index>(batch), x.cols());
  Eigen::VectorXd yb(static_cast<Eigen::Index>(batch));
  double best = -std::numeric_limits<double>::infinity();
  int no_improvement = 0;
  Net best_net = trainer.net();
  for (int epoch = 1; epoch <= cfg.max_epochs; ++epoch) {
    rng.Shuffle(fit_rows);
    double loss_sum = 0;
    for (size_t start = 0; start < n; start += batch) {
      const size_t len = std::min(batch, n - start);
      if (static_cast<size_t>(xb.rows()) != len) {
        xb.resize(static_cast<Eigen::Index>(len), x.cols());
        yb.resize(static_cast<Eigen::Index>(len));
      }
      for (size_t k = 0; k < len; ++k) {
        xb.row(static_cast<Eigen::Index>(k)) = x.row(fit_rows[start + k]);
        yb[static_cast<Eigen::Index>(k)] = y[fit_rows[start + k]];
      }
      loss_sum += trainer.Step(xb, yb) * static_cast<double>(len);
    }
    EpochReport report;
    report.epoch = epoch;
    report.max_epochs = cfg.max_epochs;
    report.loss = loss_sum / static_cast<double>(n);
    out.loss_curve.push_back(report.loss);
    out.epochs = epoch;
    if (cfg.early_stopping) {
      const double score = trainer.Accuracy(x_val, y_val);
      report.validation_accuracy = score;
      no_improvement = score < best + cfg.tol ? no_improvement + 1 : 0;
      if (score > best) {
        best = score;
        best_net = trainer.net();
        report.improved = true;
      }
    } else {
      // Without a hold-out, scikit-learn watches the training loss instead.
      const double score = -report.loss;
      report.validation_accuracy = std::nan("");
      no_improvement = score < best + cfg.tol ? no_improvement + 1 : 0;
      if (score > best) {
        best = score;
        report.improved = true;
      }
    }
    if (progress) progress(report);
    if (no_improvement > cfg.n_iter_no_change) {
      out.stopped_early = true;
      break;
    }
  }
  const Net& final_net = cfg.early_stopping ? best_net : trainer.net();
  out.best_validation_accuracy = cfg.early_stopping ? best : std::nan("");
  for (size_t l = 0; l < final_net.w.size(); ++l) {
    model::Layer layer;
    layer.inputs = static_cast<size_t>(final_net.w[l].rows());
    layer.outputs = static_cast<size_t>(final_net.w[l].cols());
    layer.weights.assign(final_net.w[l].data(), final_net.w[l].data() + final_net.w[l].size());
    layer.bias.assign(final_net.b[l].data(), final_net.b[l].data() + final_net.b[l].size());
    out.layers.push_back(std::move(layer));
  }
  return out;
}

}  // namespace hr::train
