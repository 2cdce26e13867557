// What a decision optimises (docs/design.md "Why objectives, not the prototype's label"): the
// expected response time (`latency`), the probability of exceeding an SLO (`p95`), the expected
// cost under a cost model (`cost`), cost plus a value of time (`balanced`), or the prototype's
// classifier
// (`classifier`). A request may name its own; the server's default fills what it leaves out.
// Pure: names, validation and the decision rule; no JSON.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "cost/cost.h"
#include "features/request.h"
#include "model/mlp.h"
#include "outcome/outcome.h"
#include "policy/decision.h"

namespace hr::policy {

inline constexpr std::array<ObjectiveKind, 5> kObjectiveKinds = {
    ObjectiveKind::kLatency, ObjectiveKind::kP95, ObjectiveKind::kCost, ObjectiveKind::kBalanced,
    ObjectiveKind::kClassifier};

std::string_view Name(ObjectiveKind k);
// Every objective's (cost model's) name, in order: for --help, option checks and errors.
std::vector<std::string> ObjectiveNames();
std::vector<std::string> CostModelNames();
// The names joined with ", ".
std::string Listed(const std::vector<std::string>& names);
std::optional<ObjectiveKind> ParseObjectiveKind(std::string_view text);

// Limits of the numbers an objective takes.
inline constexpr double kMaxSloMs = 3'600'000;  // an hour
inline constexpr double kMaxValueOfTime = 1.0;  // USD per second of response time

// The cost model when none is named (--cost-model, a request's cost_model): the one a bill
// follows. Fargate bills a task for every second it runs, busy or idle, as `simulate` bills it;
// "provisioned" spreads those task-hours over the requests served. The prototype's
// "seed-prorated" bills ECS only for the seconds a request runs, which no bill does.
inline constexpr cost::CostModel kDefaultCostModel = cost::CostModel::kProvisioned;

struct Objective {
  ObjectiveKind kind = ObjectiveKind::kLatency;
  cost::CostModel cost_model = kDefaultCostModel;  // cost, balanced, and `expected`
  std::optional<double> slo_ms;                    // p95; absent: the model's default SLO
  double value_of_time_usd_per_s = 1e-5;           // balanced: USD per second of response time
  core::Status Validate() const;                   // errors name the request field
};

// What a request asked for, each part optional; validated values.
struct ObjectiveRequest {
  std::optional<ObjectiveKind> kind;
  std::optional<cost::CostModel> cost_model;
  std::optional<double> slo_ms;
  std::optional<double> value_of_time_usd_per_s;
  bool empty() const { return !kind && !cost_model && !slo_ms && !value_of_time_usd_per_s; }
  // The default objective with this request's parts put in.
  Objective Over(const Objective& base) const;
};

// Field readers with the API's errors (invalid_value / out_of_range naming the field).
core::Result<ObjectiveKind> ParseObjectiveField(std::string_view text);
core::Result<cost::CostModel> ParseCostModelField(std::string_view text);
core::Status CheckSloMs(double v);
core::Status CheckValueOfTime(double v);

// The objective's value of one platform's estimate (lower is better); p95: the probability of
// exceeding `slo_ms`.
double ObjectiveValue(const outcome::Estimate& e, ObjectiveKind kind, cost::CostModel cm,
                      double slo_ms, double value_of_time);

// P(X < Y) + P(X == Y) / 2 for independent response times X ~ `a`, Y ~ `b`, each distributed by
// its estimate's quantile grid: the CDF is piecewise linear between the grid's points (uniform
// density within each step, a point mass where quantiles repeat). The grid runs from level 0 to
// level 1 (the smallest and largest response the cell measured, after shrinkage), so there is no
// tail beyond its extreme points: no mass below q(0) or above q(1). Exact for those CDFs.
double ResponseLowerProbability(const outcome::Estimate& a, const outcome::Estimate& b);

// The per-request probability that Lambda serves a request better than ECS for `objective`,
// with ties split in half, from the estimates [lambda, ecs]:
//   latency: P(R_lambda < R_ecs), the response times independent (ResponseLowerProbability);
//   p95: P(Lambda meets the SLO and ECS does not) + (P(both meet) + P(both miss)) / 2, from
//        ExceedProbability, which is 0.5 + (P_ecs(exceed) - P_lambda(exceed)) / 2;
//   cost, balanced: normal approximation of the difference of single requests' values, with the
//        per-request spreads (cost_sd; balanced adds value_of_time x response_sd), not divided
//        by the counts;
//   classifier: 0.5 (the classifier's probability comes from the MLP, not from here).
// It answers for one request, not for the means: the platform with the lower expected value can
// have a per-request probability below a half (a skewed distribution, e.g. a rare long tail that
// raises a mean while most single requests are faster).
double LambdaWinProbability(const std::array<outcome::Estimate, 2>& e, const Objective& objective,
                            double default_slo_ms);

// Decides for `objective` with the model's outcome tables: the platform with the lower expected
// value (lambda on ties). lambda_probability is the per-request probability
// (LambdaWinProbability), which may disagree with the platform; lambda_mean_lower_probability is
// the probability that Lambda's expectation is the lower one (normal approximation from each
// estimate's spread over its effective count). A model without tables, or the classifier
// objective, decides with the classifier; `expected` is filled whenever the model has tables. No
// allocation.
Decision DecideFor(const model::Model& m, const features::Request& req, const Objective& objective,
                   model::Scratch& scratch);

// DecideFor's rule on estimates the caller made (the adaptive policy's learned ones): the lower
// objective value wins (lambda on ties); lambda_mean_lower_probability is the probability that
// Lambda's mean is the lower one, which is Thompson sampling's probability of choosing Lambda when
// each mean's posterior is normal with the estimate's spread over its effective count.
Decision DecideOnEstimates(const std::array<outcome::Estimate, 2>& e, const Objective& objective,
                           double default_slo_ms);

// An estimate's response times (mean and quantiles) with a wait before service added (0 or
// less: unchanged).
void AddWait(outcome::Estimate& e, double wait_ms);

// Spill-over with the outcome models: where a request should run when an ECS slot is free for it
// after `ecs_wait_ms` (0: free now). The slot's task runs, and is billed, whether or not it serves
// the request, so ECS's marginal cost is zero and the comparison is the objective's with ECS's
// cost zeroed and the wait added to its response times; ties go to ECS. A model without tables,
// or the classifier objective: ECS (the plain spill-over rule). No allocation.
Decision DecideWithFreeEcsSlot(const model::Model& m, const features::Request& req,
                               const Objective& objective, double ecs_wait_ms);

// The longest wait after which DecideWithFreeEcsSlot still chooses ECS for `req` (to 0.01 ms;
// a wait only worsens ECS's value): < 0 when it never does, infinity when it always does. For
// callers that decide many requests of one cell (simulate).
double LongestEcsWaitMs(const model::Model& m, const features::Request& req,
                        const Objective& objective);

// "latency", "p95", "cost:<cost-model>", "balanced:<cost-model>:<value>", "classifier": the
// evaluation's policy names after "objective:".
std::string Label(const Objective& o);

}  // namespace hr::policy
