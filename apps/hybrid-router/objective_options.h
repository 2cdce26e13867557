// The default objective options `predict`, `serve` and `lambda` share: --objective, --cost-model,
// --slo-ms, --value-of-time, each with its HYBRID_ROUTER_* variable. A request's own objective
// fields override them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "policy/objective.h"

namespace hr::app {

struct ObjectiveOptions {
  std::string objective = "latency";
  std::string cost_model{cost::Name(policy::kDefaultCostModel)};
  double slo_ms = 0;  // 0: the model's default SLO
  double value_of_time = 1e-5;
};

void AddObjectiveOptions(CLI::App& sub, ObjectiveOptions& o);
// After parsing: the default objective (names were checked by the parser).
policy::Objective ToObjective(const ObjectiveOptions& o);

}  // namespace hr::app
