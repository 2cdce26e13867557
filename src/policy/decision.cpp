#include "policy/decision.h"

#include <algorithm>

namespace hr::policy {

Decision Decide(const model::Model& m, const features::SeedV1Vector& x, model::Scratch& scratch) {
  Decision d;
  const double p = m.PredictProba(x, scratch);
  d.lambda_probability = p;
  d.ecs_probability = 1.0 - p;  // as scikit-learn's predict_proba computes it
  d.confidence = std::max(d.lambda_probability, d.ecs_probability);
  d.platform = p >= m.spec().decision_threshold ? Platform::kLambda : Platform::kEcs;
  d.from_model = true;
  return d;
}

Decision FallbackHeuristic(features::Workload workload, double payload_kb) {
  Decision d;
  d.platform = Platform::kLambda;
  if (workload == features::Workload::kLightweightApi && payload_kb > 7)
    d.platform = Platform::kEcs;
  if (workload == features::Workload::kHeavyProcessing && payload_kb > 8000) {
    d.platform = Platform::kEcs;
  }
  d.confidence = 0.5;
  d.lambda_probability = 0.5;
  d.ecs_probability = 0.5;
  d.from_model = false;
  return d;
}

}  // namespace hr::policy
