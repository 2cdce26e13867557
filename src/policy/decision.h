// The routing decision: features + model -> platform with probabilities, or the prototype's
// fallback heuristic when no model can be used. Pure and allocation-free on the model path.
#pragma once

#include <string_view>

#include "features/request.h"
#include "features/seed_v1.h"
#include "model/mlp.h"

namespace hr::policy {

enum class Platform { kLambda, kEcs };
std::string_view Name(Platform p);  // "lambda" / "ecs", lower case as in the API

struct Decision {
  Platform platform = Platform::kLambda;
  double lambda_probability = 0.5;
  double ecs_probability = 0.5;
  double confidence = 0.5;  // max(p, 1 - p)
  bool from_model = false;  // false: the fallback heuristic decided
};

// lambda when P(lambda) >= the model's decision threshold.
Decision Decide(const model::Model& m, const features::SeedV1Vector& x, model::Scratch& scratch);

// The prototype's heuristic for when no model is usable: lightweight_api over 7 KB -> ecs,
// heavy_processing over 8000 KB -> ecs, otherwise lambda; confidence 0.5.
Decision FallbackHeuristic(features::Workload workload, double payload_kb);

}  // namespace hr::policy
