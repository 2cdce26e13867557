// The routing decision: features + model -> platform with probabilities, or the prototype's
// fallback heuristic when no model can be used. Pure and allocation-free on the model path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "features/request.h"
#include "features/seed_v1.h"
#include "model/mlp.h"

namespace hr::policy {

using features::Name;
using features::Platform;  // features/request.h, beside the workload

// What a decision optimised (policy/objective.h has the rest of the concept).
enum class ObjectiveKind : uint8_t { kLatency, kP95, kCost, kBalanced, kClassifier };

// What a request should expect on one platform, as an answer reports it.
struct Expected {
  double response_mean_ms = 0;
  double response_p95_ms = 0;
  double cost_usd = 0;  // under the cost model in use
};

struct Decision {
  Platform platform = Platform::kLambda;
  // Per request: the probability that this request is served better on Lambda (classifier: the
  // MLP's probability; under an objective: policy::LambdaWinProbability). ecs_probability is
  // 1 - lambda_probability.
  double lambda_probability = 0.5;
  double ecs_probability = 0.5;
  double confidence = 0.5;                               // max(lambda_probability, ecs_probability)
  bool from_model = false;                               // false: the fallback heuristic decided
  ObjectiveKind objective = ObjectiveKind::kClassifier;  // the objective used
  // One was asked for, but the model has no outcome tables for the request's workload.
  bool objective_unavailable = false;
  bool has_expected = false;
  std::array<Expected, 2> expected{};  // [lambda, ecs], when has_expected
  // Under an objective decided with outcome tables: the probability that Lambda's *expected*
  // objective value is the lower one (normal approximation from the estimates' spreads over their
  // effective counts; at least 0.5 for the chosen platform). A confidence in the comparison of
  // the means, not a per-request probability; the adaptive policy's Thompson sampling draws
  // with it. Absent otherwise.
  std::optional<double> lambda_mean_lower_probability;
};

// lambda when P(lambda) >= the model's decision threshold.
Decision Decide(const model::Model& m, const features::SeedV1Vector& x, model::Scratch& scratch);

// The prototype's heuristic for when no model is usable: lightweight_api over 7 KB -> ecs,
// heavy_processing over 8000 KB -> ecs, otherwise lambda; confidence 0.5.
Decision FallbackHeuristic(features::Workload workload, double payload_kb);

}  // namespace hr::policy
