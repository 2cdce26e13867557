// The placement engine: one policy grammar for `route`, `simulate` and `evaluate`, one parser with
// one error vocabulary, and one pure function that says where a request goes, why, and with what
// probability the policy would have sent it there (its propensity, which the outcome log keeps so
// that off-policy evaluation can read the log later). What route does live and what simulate does
// in simulated time is this code. Pure: the caller passes the random draw and the state of the
// world (a free ECS slot, the predicted wait there); no I/O, no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "features/request.h"
#include "model/mlp.h"
#include "policy/decision.h"
#include "policy/learner.h"
#include "policy/objective.h"

namespace hr::policy {

// model: the model decides for the objective (or its classifier); lambda-only, ecs-only;
// split:S: a share S of requests to Lambda at random; spillover[:W]: ECS while its running tasks
// have a free slot (or, simulate, a place for W waiting requests per task), Lambda for the rest;
// spillover-model[:W]: the same, and a request ECS would take still goes to Lambda when the
// objective prefers Lambda's predicted outcome to ECS's after the predicted wait, at ECS's zero
// marginal cost (its task is paid for either way); adaptive: the model's outcome tables corrected
// by what the router has seen (policy/learner.h), exploring by Thompson sampling; oracle
// (simulate only, a yardstick): the platform whose true mean response time for this request is the
// lower, from the true means the caller passes (route cannot know them and refuses it).
enum class PolicyKind : uint8_t {
  kModel,
  kAdaptive,
  kLambdaOnly,
  kEcsOnly,
  kSplit,
  kSpillover,
  kSpilloverModel,
  kOracle
};
inline constexpr std::string_view kPolicyGrammar =
    "model, adaptive, lambda-only, ecs-only, split:S (S: the share to Lambda, 0 to 1), "
    "spillover[:W], "
    "spillover-model[:W] (W: requests that may wait per ECS task, 0 to 1000), "
    "oracle (simulate only)";

struct PolicySpec {
  PolicyKind kind = PolicyKind::kModel;
  double lambda_share = 0.5;  // split
  int spill_wait = 0;         // spillover, spillover-model
  std::string model_file;     // a model file named as the policy (simulate); empty: --model's
  std::string text;           // as given
  bool uses_model() const {
    return kind == PolicyKind::kModel || kind == PolicyKind::kAdaptive ||
           kind == PolicyKind::kSpilloverModel;
  }
  bool spills() const {
    return kind == PolicyKind::kSpillover || kind == PolicyKind::kSpilloverModel;
  }
  bool fixed_platform() const {
    return kind == PolicyKind::kLambdaOnly || kind == PolicyKind::kEcsOnly;
  }
};

// Reads a policy; errors name `field` and list the grammar. With `model_files`, a text that is not
// a policy's name is a model file ("builtin" the built-in model) for the model policy.
core::Result<PolicySpec> ParsePolicy(std::string_view text, std::string_view field = "policy",
                                     bool model_files = false);
// The policy's name as `evaluate` reports it and `route` logs it: "lambda-only", "ecs-only",
// "split:0.3", "spillover", "spillover-model:2", "model".
std::string Name(const PolicySpec& spec);

// Why a request went where it went (the outcome log's route.source).
enum class Source : uint8_t {
  kPolicy,     // a fixed policy (lambda-only, ecs-only, split)
  kModel,      // the model's decision for the objective (or its classifier)
  kExplore,    // exploration chose it (uniform, Thompson's draw, or a cell short of records)
  kPrior,      // adaptive: the better estimate, from the tables alone (nothing live yet)
  kLearned,    // adaptive: the better estimate, corrected by live outcomes
  kSpillover,  // spill-over: a free ECS slot, or none
  kNoTarget,   // the chosen platform has no target for this workload
  kBreaker,    // the chosen platform's breaker is open
  kFallback,   // an attempt after the other platform failed
};
std::string_view Name(Source s);

// What a placement needs besides the request.
struct PlacementContext {
  const model::Model* model = nullptr;  // the model policies
  const Objective* objective = nullptr;
  double explore = 0;  // model policy: the share of requests sent to a platform drawn at random
  double draw = 0;     // uniform on [0, 1): split, exploration, adaptive's Thompson draw
  const Learner* learner = nullptr;  // adaptive (without one it decides as the model policy)
  bool ecs_admits = true;  // spill-over: ECS has a free slot (or place to wait) for the request
  double ecs_wait_ms = 0;  // spillover-model: the predicted wait there
  // spillover-model: the longest wait ECS is still worth for this request's cell, when the caller
  // keeps it (LongestEcsWaitMs); otherwise it is decided from the model for this request.
  std::optional<double> longest_ecs_wait_ms;
  // oracle: the request's true mean response time [lambda, ecs] now (the wait for ECS included);
  // none: the oracle cannot decide and sends the request to Lambda.
  const std::array<double, 2>* true_ms = nullptr;
};

struct Placement {
  Platform platform = Platform::kLambda;
  double propensity = 1;  // the probability that this policy, in this state, chose `platform`
  Source source = Source::kPolicy;
  // Spill-over's detail: "ecs", "ecs_full", "objective_prefers_lambda"; oracle's "truth" (or
  // "no_truth"); empty otherwise.
  std::string_view detail;
  ObjectiveKind objective = ObjectiveKind::kClassifier;  // the objective a model decision used
};

Placement Place(const PolicySpec& spec, const features::Request& req, const PlacementContext& ctx,
                model::Scratch& scratch);

// Uniform exploration (route and simulate --explore P): with probability P (`draw` below P) a
// platform drawn at random, each with P / 2, else `placed`; the propensity is the chosen
// platform's exact probability under the mix, (1 - P) x the policy's own + P / 2, and the
// source "explore" when the draw decided.
Placement MixUniform(const Placement& placed, double p, double draw);

// The decision as route's X-Route-Decision header and outcome log name it: "policy:lambda-only",
// "policy:split", "spillover:ecs_full", "model:latency", "model:classifier", "explore",
// "adaptive:latency".
// `objective_label`: Label(objective) of a model decision for an objective.
std::string DecisionTag(const PolicySpec& spec, const Placement& p,
                        std::string_view objective_label);

}  // namespace hr::policy
