#include "policy/placement.h"

#include <charconv>
#include <cstdlib>

namespace hr::policy {

namespace {

// "NAME" or "NAME:WAIT"; nullopt when `text` is not NAME's.
std::optional<std::string_view> After(std::string_view text, std::string_view name) {
  if (text == name) return std::string_view();
  if (text.size() > name.size() && text.starts_with(name) && text[name.size()] == ':')
    return text.substr(name.size() + 1);
  return std::nullopt;
}

}  // namespace

core::Result<PolicySpec> ParsePolicy(std::string_view text, std::string_view field,
                                     bool model_files) {
  PolicySpec p;
  p.text = std::string(text);
  if (text == "model") {
    p.kind = PolicyKind::kModel;
  } else if (text == "adaptive") {
    p.kind = PolicyKind::kAdaptive;
  } else if (text == "oracle") {
    p.kind = PolicyKind::kOracle;
  } else if (text == "lambda-only") {
    p.kind = PolicyKind::kLambdaOnly;
  } else if (text == "ecs-only") {
    p.kind = PolicyKind::kEcsOnly;
  } else if (const auto share = After(text, "split")) {
    p.kind = PolicyKind::kSplit;
    const std::string s(*share);
    char* end = nullptr;
    p.lambda_share = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !(p.lambda_share >= 0 && p.lambda_share <= 1))
      return core::InvalidArgument(
          field,
          "split:S needs S, the share sent to Lambda, 0 to 1 (got '" + s.substr(0, 32) + "')");
  } else if (const auto wait = After(text, "spillover-model") ? After(text, "spillover-model")
                                                              : After(text, "spillover")) {
    const bool with_model = text.starts_with("spillover-model");
    p.kind = with_model ? PolicyKind::kSpilloverModel : PolicyKind::kSpillover;
    if (!wait->empty()) {
      const auto [ptr, ec] =
          std::from_chars(wait->data(), wait->data() + wait->size(), p.spill_wait);
      if (ec != std::errc() || ptr != wait->data() + wait->size() || p.spill_wait < 0 ||
          p.spill_wait > 1000)
        return core::InvalidArgument(
            field, std::string(with_model ? "spillover-model" : "spillover") +
                       ":W needs W, the requests that may wait per ECS task, 0 to 1000 "
                       "(got '" +
                       std::string(wait->substr(0, 32)) + "')");
    }
  } else if (model_files && !text.empty()) {
    p.kind = PolicyKind::kModel;
    p.model_file = std::string(text);
  } else {
    std::string why(field);
    why += " '";
    why += text.substr(0, 64);
    why += "' is not known; allowed: ";
    why += kPolicyGrammar;
    if (model_files) why += ", or a model file";
    return core::MakeError(core::ErrorCode::kInvalidArgument, why, std::string(field));
  }
  return p;
}

std::string Name(const PolicySpec& spec) {
  switch (spec.kind) {
    case PolicyKind::kModel:
      return "model";
    case PolicyKind::kAdaptive:
      return "adaptive";
    case PolicyKind::kOracle:
      return "oracle";
    case PolicyKind::kLambdaOnly:
      return "lambda-only";
    case PolicyKind::kEcsOnly:
      return "ecs-only";
    case PolicyKind::kSplit: {
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, spec.lambda_share);
      std::string out = "split:";
      out.append(buf, ec == std::errc() ? end : buf);
      return out;
    }
    case PolicyKind::kSpillover:
    case PolicyKind::kSpilloverModel: {
      std::string out = spec.kind == PolicyKind::kSpillover ? "spillover" : "spillover-model";
      if (spec.spill_wait != 0) {
        out += ':';
        out += std::to_string(spec.spill_wait);
      }
      return out;
    }
  }
  return "model";
}

std::string_view Name(Source s) {
  switch (s) {
    case Source::kPolicy:
      return "policy";
    case Source::kModel:
      return "model";
    case Source::kExplore:
      return "explore";
    case Source::kPrior:
      return "prior";
    case Source::kLearned:
      return "learned";
    case Source::kSpillover:
      return "spillover";
    case Source::kNoTarget:
      return "no_target";
    case Source::kBreaker:
      return "breaker";
    case Source::kFallback:
      return "fallback";
  }
  return "policy";
}

namespace {

// The model's decision for the objective, with uniform exploration (--explore P).
Placement PlaceByModel(const features::Request& req, const PlacementContext& ctx,
                       model::Scratch& scratch) {
  Placement out;
  out.source = Source::kModel;
  if (ctx.model && ctx.objective) {
    const Decision d = DecideFor(*ctx.model, req, *ctx.objective, scratch);
    out.platform = d.platform;
    out.objective = d.objective;
  } else {
    out.platform = FallbackHeuristic(req.workload, req.payload_kb).platform;
  }
  return MixUniform(out, ctx.explore, ctx.draw);
}

// The tables corrected by the learner; Thompson sampling's choice, mixed with the floor, and a
// cell short of live records on a platform sent there.
Placement PlaceAdaptive(const features::Request& req, const PlacementContext& ctx,
                        model::Scratch& scratch) {
  const outcome::OutcomeModel* tables = ctx.model ? ctx.model->spec().outcomes.get() : nullptr;
  if (!ctx.learner || !tables || !ctx.objective ||
      ctx.objective->kind == ObjectiveKind::kClassifier)
    return PlaceByModel(req, ctx, scratch);
  const LearnOptions& o = ctx.learner->options();
  const LearnedView v = ctx.learner->Look(req);
  std::array<outcome::Estimate, 2> e;
  tables->Estimate(req, e);
  // Thompson sampling's posterior spread is the estimate's over its effective count; scaling the
  // count by 1 / scale^2 scales that spread by `scale` (the means and the per-request spreads
  // stay).
  const double tempered = 1 / (o.thompson_scale * o.thompson_scale);
  for (size_t p = 0; p < 2; ++p)
    e[p] = Scaled(e[p], v.factor[p], std::max(1.0, v.records[p]) * tempered);
  // A wait the caller predicts at ECS (simulate: its service's queue; route: none) is part of
  // what the request would get there: without it a workload moved at once onto an ECS service
  // sized for the traffic it had queues there, and that queue is learned as ECS being slow.
  AddWait(e[1], ctx.ecs_wait_ms);
  const Decision d = DecideOnEstimates(e, *ctx.objective, tables->spec().default_slo_ms);
  const auto min = static_cast<uint32_t>(o.min_records);
  const bool lambda_short = v.live[0] < min, ecs_short = v.live[1] < min;
  // Each platform's floor: --explore-floor, or --watch-share when the platform has not served
  // one of the workload's last --watch outcomes (the watch: a change there would go unseen) or
  // its size detector is in doubt (its next outcomes confirm a change or clear the doubt).
  std::array<double, 2> floor{o.explore_floor, o.explore_floor};
  for (size_t p = 0; p < 2; ++p)
    if (o.watch > 0 && (v.stale[p] >= static_cast<uint32_t>(o.watch) || v.doubt[p]))
      floor[p] = std::max(floor[p], o.watch_share);
  // Thompson sampling's probability is that of Lambda's *mean* being the lower one (not the
  // per-request lambda_probability): the propensities the records carry depend on it.
  const double thompson = d.lambda_mean_lower_probability.value_or(0.5);
  const double p_lambda = lambda_short && ecs_short ? 0.5
                          : lambda_short            ? 1 - floor[1]
                          : ecs_short               ? floor[0]
                                      : floor[0] + (1 - floor[0] - floor[1]) * thompson;
  Placement out;
  out.objective = ctx.objective->kind;
  const bool lambda = ctx.draw < p_lambda;
  out.platform = lambda ? Platform::kLambda : Platform::kEcs;
  out.propensity = lambda ? p_lambda : 1 - p_lambda;
  const size_t chosen = lambda ? 0 : 1;
  out.source = lambda_short || ecs_short || out.platform != d.platform ? Source::kExplore
               : v.live[chosen] > 0 || v.factor[chosen] != 1           ? Source::kLearned
                                                                       : Source::kPrior;
  return out;
}

}  // namespace

Placement MixUniform(const Placement& placed, double p, double draw) {
  if (!(p > 0)) return placed;
  Placement out = placed;
  const double same = placed.propensity;  // the policy's own probability of its choice
  out.propensity = (1 - p) * same + p / 2;
  if (draw < p) {  // a platform drawn at random, each with p / 2
    const Platform drawn = draw < p / 2 ? Platform::kLambda : Platform::kEcs;
    out.source = Source::kExplore;
    if (drawn != placed.platform) {
      out.platform = drawn;
      out.propensity = (1 - p) * (1 - same) + p / 2;
    }
  }
  return out;
}

Placement Place(const PolicySpec& spec, const features::Request& req, const PlacementContext& ctx,
                model::Scratch& scratch) {
  Placement out;
  switch (spec.kind) {
    case PolicyKind::kLambdaOnly:
      out.platform = Platform::kLambda;
      return out;
    case PolicyKind::kEcsOnly:
      out.platform = Platform::kEcs;
      return out;
    case PolicyKind::kSplit: {
      const bool lambda = ctx.draw < spec.lambda_share;
      out.platform = lambda ? Platform::kLambda : Platform::kEcs;
      out.propensity = lambda ? spec.lambda_share : 1 - spec.lambda_share;
      return out;
    }
    case PolicyKind::kSpillover:
    case PolicyKind::kSpilloverModel: {
      out.source = Source::kSpillover;
      if (!ctx.ecs_admits) {
        out.platform = Platform::kLambda;
        out.detail = "ecs_full";
        return out;
      }
      out.platform = Platform::kEcs;
      out.detail = "ecs";
      if (spec.kind == PolicyKind::kSpilloverModel && ctx.model && ctx.objective) {
        out.objective = ctx.objective->kind;
        const bool leaves =
            ctx.longest_ecs_wait_ms
                ? ctx.ecs_wait_ms > *ctx.longest_ecs_wait_ms
                : DecideWithFreeEcsSlot(*ctx.model, req, *ctx.objective, ctx.ecs_wait_ms)
                          .platform == Platform::kLambda;
        if (leaves) {
          out.platform = Platform::kLambda;
          out.detail = "objective_prefers_lambda";
        }
      }
      return out;
    }
    case PolicyKind::kModel:
      return PlaceByModel(req, ctx, scratch);
    case PolicyKind::kAdaptive:
      return PlaceAdaptive(req, ctx, scratch);
    case PolicyKind::kOracle:
      if (!ctx.true_ms) {
        out.detail = "no_truth";
        return out;
      }
      // Ties go to Lambda, as the model's decisions do.
      out.platform = (*ctx.true_ms)[1] < (*ctx.true_ms)[0] ? Platform::kEcs : Platform::kLambda;
      out.detail = "truth";
      return out;
  }
  return out;
}

std::string DecisionTag(const PolicySpec& spec, const Placement& p,
                        std::string_view objective_label) {
  std::string out;
  switch (p.source) {
    case Source::kSpillover:
      out = "spillover:";
      out += p.detail;
      return out;
    case Source::kExplore:
      return "explore";
    case Source::kPrior:
    case Source::kLearned:
      out = "adaptive:";
      out += objective_label;
      return out;
    case Source::kModel:
      out = "model:";
      out += p.objective == ObjectiveKind::kClassifier ? Name(ObjectiveKind::kClassifier)
                                                       : objective_label;
      return out;
    default:
      out = "policy:";
      out += spec.kind == PolicyKind::kSplit ? std::string("split") : Name(spec);
      return out;
  }
}

}  // namespace hr::policy
