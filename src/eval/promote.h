// `promote` as a library call (docs/promote.md): should the router's model be replaced by one that
// learned from the router's own log? The log's lines (eval/off_policy's reader) are split by time:
// the challenger is the champion with its outcome tables re-learned from the older share (its
// classifier kept), and both decide for the objective on the newer share, where doubly robust
// estimates (cross-fitted on that share) judge them request by request. The challenger wins only
// when the one-sided 95 % lower bound of its improvement (seeded bootstrap over requests, paired)
// is above zero and both policies' effective sample sizes are above a floor. Pure but for the
// files the caller reads and writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "eval/off_policy.h"
#include "model/mlp.h"
#include "policy/objective.h"

namespace hr::eval {

// Below this effective sample size on the newer share, an estimate is not trusted
// (docs/evaluate.md "When not to trust them").
inline constexpr double kDefaultMinEss = kMinTrustedEss;

struct PromoteConfig {
  std::shared_ptr<const model::Model> champion;
  uint64_t champion_fingerprint = 0;  // FNV-1a of its file (service::ModelFingerprint)
  policy::Objective objective;        // latency, or cost under a seed-prorated cost model
  double train_share = 0.5;           // the older share of the lines, by timestamp
  double min_ess = kDefaultMinEss;
  double shrinkage = 0;  // the challenger's outcome tables: pseudo-count toward the parent cell
  OffPolicyConfig estimate;
  core::Status Validate() const;  // errors name the option
};

struct PromoteDecision {
  bool promote = false;
  std::string why;
  std::string metric;             // "response_time_ms" or "cost_per_million_usd.<cost model>"
  Interval champion, challenger;  // DR on the newer share (lower is better)
  double improvement = 0;         // champion - challenger
  double lower_bound = 0;         // its one-sided 95 % lower bound
  double champion_ess = 0, challenger_ess = 0, min_ess = 0;
  uint64_t train_lines = 0, eval_lines = 0;
  std::string window_from, window_to, split_at;          // the lines' timestamps
  std::shared_ptr<const model::Model> challenger_model;  // with its lineage in the metadata
};

core::Result<PromoteDecision> DecidePromotion(const PromoteConfig& config, const OffPolicyLog& log);

std::string PromoteText(const PromoteDecision& d);
std::string PromoteJson(const PromoteDecision& d, bool written, const std::string& out_path);

}  // namespace hr::eval
