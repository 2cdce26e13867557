#include "policy/objective.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "features/seed_v1.h"

namespace hr::policy {

namespace {

using core::ErrorCode;
using core::MakeError;

constexpr size_t kP95Level = 13;  // outcome::kQuantileLevels[13] == 0.95
static_assert(outcome::kQuantileLevels[kP95Level] == 0.95);

// Spread of the objective's value over single requests, for the probability of the decision.
double Spread(const outcome::Estimate& e, ObjectiveKind kind, size_t c, double slo_ms,
              double value_of_time) {
  switch (kind) {
    case ObjectiveKind::kLatency:
      return e.response_sd_ms;
    case ObjectiveKind::kP95: {
      const double p = outcome::ExceedProbability(e, slo_ms);
      return std::sqrt(p * (1 - p));
    }
    case ObjectiveKind::kCost:
      return e.cost_sd_usd[c];
    case ObjectiveKind::kBalanced: {
      const double t = value_of_time * e.response_sd_ms / 1000;
      return std::sqrt(e.cost_sd_usd[c] * e.cost_sd_usd[c] + t * t);
    }
    case ObjectiveKind::kClassifier:
      break;
  }
  return 0;
}

// Each platform's objective value (lower is better) and its spread over single requests.
struct Values {
  std::array<double, 2> value, spread;
};

Values ValuesOf(const std::array<outcome::Estimate, 2>& e, const Objective& objective,
                double default_slo_ms) {
  const double slo = objective.slo_ms.value_or(default_slo_ms);
  const auto c = static_cast<size_t>(objective.cost_model);
  const double v = objective.value_of_time_usd_per_s;
  Values x{};
  for (size_t k = 0; k < 2; ++k) {
    x.value[k] = ObjectiveValue(e[k], objective.kind, objective.cost_model, slo, v);
    x.spread[k] = Spread(e[k], objective.kind, c, slo, v);
  }
  return x;
}

// The probability that Lambda's value is the lower one, normal with standard deviation `sd` of
// the difference (the means': spreads over the counts; a single request's: the spreads).
double LowerProbability(const Values& x, double sd) {
  const double lambda = x.value[0], ecs = x.value[1];
  if (sd > 0) return 0.5 * std::erfc(-(ecs - lambda) / sd / std::sqrt(2.0));
  return lambda < ecs ? 1.0 : lambda > ecs ? 0.0 : 0.5;
}

// The platform whose estimate has the lower objective value (`ties` on equal values); the
// per-request probability (LambdaWinProbability); and the probability that Lambda's expected value
// is the lower one (normal approximation from each estimate's spread and effective count).
Decision DecideOn(const std::array<outcome::Estimate, 2>& e, const Objective& objective,
                  double default_slo_ms, Platform ties) {
  const auto c = static_cast<size_t>(objective.cost_model);
  const Values x = ValuesOf(e, objective, default_slo_ms);
  const double lambda = x.value[0], ecs = x.value[1];
  double p = LowerProbability(
      x, std::sqrt(x.spread[0] * x.spread[0] / e[0].n + x.spread[1] * x.spread[1] / e[1].n));
  Decision d;
  d.platform = lambda < ecs || (lambda == ecs && ties == Platform::kLambda) ? Platform::kLambda
                                                                            : Platform::kEcs;
  // The tie's winner has a probability of at least a half.
  if (d.platform == Platform::kLambda) p = std::max(p, 0.5);
  if (d.platform == Platform::kEcs) p = std::min(p, 0.5);
  d.lambda_mean_lower_probability = p;
  // Per request; may disagree with the platform chosen by the means (LambdaWinProbability).
  const double w = LambdaWinProbability(e, objective, default_slo_ms);
  d.lambda_probability = w;
  d.ecs_probability = 1 - w;
  d.confidence = std::max(w, 1 - w);
  d.from_model = true;
  d.objective = objective.kind;
  for (size_t k = 0; k < 2; ++k)
    d.expected[k] = {e[k].response_mean_ms, e[k].response_quantiles_ms[kP95Level],
                     e[k].cost_mean_usd[c]};
  d.has_expected = true;
  return d;
}

}  // namespace

std::string_view Name(ObjectiveKind k) {
  switch (k) {
    case ObjectiveKind::kLatency:
      return "latency";
    case ObjectiveKind::kP95:
      return "p95";
    case ObjectiveKind::kCost:
      return "cost";
    case ObjectiveKind::kBalanced:
      return "balanced";
    case ObjectiveKind::kClassifier:
      return "classifier";
  }
  return "latency";
}

std::vector<std::string> ObjectiveNames() {
  std::vector<std::string> out;
  out.reserve(kObjectiveKinds.size());
  for (ObjectiveKind k : kObjectiveKinds) out.emplace_back(Name(k));
  return out;
}

std::vector<std::string> CostModelNames() {
  std::vector<std::string> out;
  out.reserve(cost::kCostModels.size());
  for (cost::CostModel m : cost::kCostModels) out.emplace_back(cost::Name(m));
  return out;
}

std::string Listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::optional<ObjectiveKind> ParseObjectiveKind(std::string_view text) {
  for (ObjectiveKind k : kObjectiveKinds) {
    if (Name(k) == text) return k;
  }
  return std::nullopt;
}

core::Result<ObjectiveKind> ParseObjectiveField(std::string_view text) {
  if (auto k = ParseObjectiveKind(text)) return *k;
  return MakeError(ErrorCode::kUnknownValue,
                   "objective '" + std::string(text.substr(0, 64)) +
                       "' is not known; allowed: " + Listed(ObjectiveNames()),
                   "objective");
}

core::Result<cost::CostModel> ParseCostModelField(std::string_view text) {
  if (auto m = cost::ParseCostModel(text)) return *m;
  return MakeError(ErrorCode::kUnknownValue,
                   "cost_model '" + std::string(text.substr(0, 64)) +
                       "' is not known; allowed: " + Listed(CostModelNames()),
                   "cost_model");
}

core::Status CheckSloMs(double v) {
  if (!(v > 0 && v <= kMaxSloMs)) {
    return MakeError(ErrorCode::kOutOfRange,
                     "slo_ms must be a number of milliseconds above 0 and at most 3600000",
                     "slo_ms");
  }
  return {};
}

core::Status CheckValueOfTime(double v) {
  if (!(v >= 0 && v <= kMaxValueOfTime)) {
    return MakeError(ErrorCode::kOutOfRange,
                     "value_of_time_usd_per_s must be a number from 0 to 1 (USD per second)",
                     "value_of_time_usd_per_s");
  }
  return {};
}

core::Status Objective::Validate() const {
  if (slo_ms) {
    if (auto s = CheckSloMs(*slo_ms); !s) return s;
  }
  return CheckValueOfTime(value_of_time_usd_per_s);
}

Objective ObjectiveRequest::Over(const Objective& base) const {
  Objective o = base;
  if (kind) o.kind = *kind;
  if (cost_model) o.cost_model = *cost_model;
  if (slo_ms) o.slo_ms = slo_ms;
  if (value_of_time_usd_per_s) o.value_of_time_usd_per_s = *value_of_time_usd_per_s;
  return o;
}

double ObjectiveValue(const outcome::Estimate& e, ObjectiveKind kind, cost::CostModel cm,
                      double slo_ms, double value_of_time) {
  const auto c = static_cast<size_t>(cm);
  switch (kind) {
    case ObjectiveKind::kLatency:
      return e.response_mean_ms;
    case ObjectiveKind::kP95:
      return outcome::ExceedProbability(e, slo_ms);
    case ObjectiveKind::kCost:
      return e.cost_mean_usd[c];
    case ObjectiveKind::kBalanced:
      return e.cost_mean_usd[c] + value_of_time * e.response_mean_ms / 1000;
    case ObjectiveKind::kClassifier:
      break;
  }
  return 0;
}

namespace {

// A quantile grid's piecewise-linear CDF at t: its left limit F(t-) and its value F(t).
struct CdfAt {
  double left = 0;
  double right = 0;
};

// On the step from q[i] to q[i + 1] (q[i] < q[i + 1]): linear between their levels.
double OnStep(const std::array<double, outcome::kQuantiles>& q, size_t i, double t) {
  const double lo = outcome::kQuantileLevels[i], hi = outcome::kQuantileLevels[i + 1];
  return lo + (t - q[i]) / (q[i + 1] - q[i]) * (hi - lo);
}

CdfAt Cdf(const std::array<double, outcome::kQuantiles>& q, double t) {
  CdfAt f;
  if (t < q.front()) {
    f.right = 0;
  } else if (t >= q.back()) {
    f.right = 1;
  } else {
    size_t i = 0;  // the last point at or below t (repeated points: the highest level)
    while (q[i + 1] <= t) ++i;
    f.right = OnStep(q, i, t);
  }
  if (t <= q.front()) {
    f.left = 0;
  } else if (t > q.back()) {
    f.left = 1;
  } else {
    size_t j = 1;  // the first point at or above t
    while (q[j] < t) ++j;
    f.left = OnStep(q, j - 1, t);
  }
  return f;
}

}  // namespace

double ResponseLowerProbability(const outcome::Estimate& a, const outcome::Estimate& b) {
  // E[(F_a(Y-) + F_a(Y)) / 2] over Y ~ b: on each open step between the merged grids' points both
  // CDFs are linear (b's density constant), so the mean of F_a there is the mean of its ends;
  // at a point b's jump (repeated quantiles) meets a's half-split.
  std::array<double, 2 * outcome::kQuantiles> t{};
  std::copy(a.response_quantiles_ms.begin(), a.response_quantiles_ms.end(), t.begin());
  std::copy(b.response_quantiles_ms.begin(), b.response_quantiles_ms.end(),
            t.begin() + outcome::kQuantiles);
  std::sort(t.begin(), t.end());
  const size_t m = static_cast<size_t>(std::unique(t.begin(), t.end()) - t.begin());
  double total = 0;
  for (size_t k = 0; k < m; ++k) {
    const CdfAt fa = Cdf(a.response_quantiles_ms, t[k]);
    const CdfAt fb = Cdf(b.response_quantiles_ms, t[k]);
    total += (fb.right - fb.left) * (fa.left + fa.right) / 2;
    if (k + 1 < m) {
      const CdfAt fa1 = Cdf(a.response_quantiles_ms, t[k + 1]);
      const CdfAt fb1 = Cdf(b.response_quantiles_ms, t[k + 1]);
      total += (fb1.left - fb.right) * (fa.right + fa1.left) / 2;
    }
  }
  return std::clamp(total, 0.0, 1.0);
}

double LambdaWinProbability(const std::array<outcome::Estimate, 2>& e, const Objective& objective,
                            double default_slo_ms) {
  const double slo = objective.slo_ms.value_or(default_slo_ms);
  switch (objective.kind) {
    case ObjectiveKind::kLatency:
      return ResponseLowerProbability(e[0], e[1]);
    case ObjectiveKind::kP95: {
      // meet/miss independent: P(L meets, E misses) + (P(both meet) + P(both miss)) / 2
      const double pl = outcome::ExceedProbability(e[0], slo);
      const double pe = outcome::ExceedProbability(e[1], slo);
      return std::clamp(0.5 + (pe - pl) / 2, 0.0, 1.0);
    }
    case ObjectiveKind::kCost:
    case ObjectiveKind::kBalanced: {
      const Values x = ValuesOf(e, objective, default_slo_ms);
      // Single requests: the spreads, not over the counts.
      return LowerProbability(x, std::hypot(x.spread[0], x.spread[1]));
    }
    case ObjectiveKind::kClassifier:
      break;
  }
  return 0.5;
}

namespace {

// The model's outcome tables if they cover the request's workload (a model trained on data without
// it has none for it), else null: the classifier decides.
const outcome::OutcomeModel* TablesFor(const model::Model& m, const features::Request& req) {
  const outcome::OutcomeModel* tables = m.spec().outcomes.get();
  return tables && tables->Covers(req.workload) ? tables : nullptr;
}

}  // namespace

Decision DecideFor(const model::Model& m, const features::Request& req, const Objective& objective,
                   model::Scratch& scratch) {
  const outcome::OutcomeModel* tables = TablesFor(m, req);
  if (!tables || objective.kind == ObjectiveKind::kClassifier) {
    Decision d = Decide(m, features::SeedV1Features(req), scratch);
    d.objective = ObjectiveKind::kClassifier;
    d.objective_unavailable = !tables && objective.kind != ObjectiveKind::kClassifier;
    if (tables) {
      std::array<outcome::Estimate, 2> e;
      tables->Estimate(req, e);
      const auto c = static_cast<size_t>(objective.cost_model);
      for (size_t p = 0; p < 2; ++p)
        d.expected[p] = {e[p].response_mean_ms, e[p].response_quantiles_ms[kP95Level],
                         e[p].cost_mean_usd[c]};
      d.has_expected = true;
    }
    return d;
  }
  std::array<outcome::Estimate, 2> e;
  tables->Estimate(req, e);
  return DecideOn(e, objective, tables->spec().default_slo_ms, Platform::kLambda);
}

void AddWait(outcome::Estimate& e, double wait_ms) {
  if (!(wait_ms > 0)) return;
  e.response_mean_ms += wait_ms;
  for (double& q : e.response_quantiles_ms) q += wait_ms;
}

Decision DecideOnEstimates(const std::array<outcome::Estimate, 2>& e, const Objective& objective,
                           double default_slo_ms) {
  return DecideOn(e, objective, default_slo_ms, Platform::kLambda);
}

Decision DecideWithFreeEcsSlot(const model::Model& m, const features::Request& req,
                               const Objective& objective, double ecs_wait_ms) {
  const outcome::OutcomeModel* tables = TablesFor(m, req);
  if (!tables || objective.kind == ObjectiveKind::kClassifier) {
    Decision d;
    d.platform = Platform::kEcs;
    d.lambda_probability = 0;
    d.ecs_probability = d.confidence = 1;
    d.objective = ObjectiveKind::kClassifier;
    d.objective_unavailable = !tables && objective.kind != ObjectiveKind::kClassifier;
    return d;
  }
  std::array<outcome::Estimate, 2> e;
  tables->Estimate(req, e);
  outcome::Estimate& ecs = e[1];
  ecs.cost_mean_usd.fill(0);  // the task runs (and is billed) whether or not it serves this
  ecs.cost_sd_usd.fill(0);
  AddWait(ecs, ecs_wait_ms);
  return DecideOn(e, objective, tables->spec().default_slo_ms, Platform::kEcs);
}

double LongestEcsWaitMs(const model::Model& m, const features::Request& req,
                        const Objective& objective) {
  const auto ecs = [&](double wait) {
    return DecideWithFreeEcsSlot(m, req, objective, wait).platform == Platform::kEcs;
  };
  if (!ecs(0)) return -1;
  double lo = 0, hi = 1e9;  // about 11.6 days
  if (ecs(hi)) return std::numeric_limits<double>::infinity();
  while (hi - lo > 0.01) {
    const double mid = (lo + hi) / 2;
    (ecs(mid) ? lo : hi) = mid;
  }
  return lo;
}

std::string Label(const Objective& o) {
  std::string s(Name(o.kind));
  if (o.kind == ObjectiveKind::kCost || o.kind == ObjectiveKind::kBalanced) {
    s += ':';
    s += cost::Name(o.cost_model);
  }
  if (o.kind == ObjectiveKind::kBalanced) {
    char v[32];
    std::snprintf(v, sizeof v, ":%g", o.value_of_time_usd_per_s);
    s += v;
  }
  return s;
}

}  // namespace hr::policy
