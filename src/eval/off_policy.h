// Off-policy evaluation on the router's own outcome logs (docs/evaluate.md "Off-policy
// evaluation"): what would another policy have given on the requests the router served, from the
// outcome lines route (and simulate --outcome-log) write, each with the propensity of the platform
// the logging policy chose. Three estimators of a policy's mean response time and cost per 1M
// requests: inverse propensity scoring (IPS), self-normalised IPS (SNIPS) and doubly robust (DR,
// with outcome tables trained on the other half of the log as its direct model, cross-fitted),
// each with a 95 % interval by a seeded bootstrap over requests, and the effective sample size.
// Reading is an adapter (files); estimating is pure.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "cost/cost.h"
#include "data/record.h"
#include "json/json_writer.h"
#include "model/mlp.h"

namespace hr::eval {

// One usable outcome line: the first attempt of a request, answered, with the propensity of its
// platform under the logging policy.
struct LoggedAttempt {
  data::Record record;    // the measurement: platform, cell, response and execution time
  double propensity = 1;  // route.propensity, in (0, 1]
  std::string model;      // route.model (the logging model's fingerprint); empty: none
};

// What one line gives: a usable attempt, or why it is skipped; `model` as the line names it.
struct LineRead {
  std::optional<LoggedAttempt> used;
  std::string skip;  // the reason, grouped by ReasonKind
  std::string model;
};
// Reads one line (at most max_line_bytes; JSON depth limited). Never throws.
LineRead ReadOutcomeLine(std::string_view line);

struct OffPolicyReadOptions {
  std::optional<int64_t> since_us, until_us;  // wall clock as written (data::Record::timestamp_us)
  size_t max_line_bytes = 1u << 20;           // a longer line is skipped unread
  uint64_t max_bytes = 4ull << 30;            // per file, decompressed; the rest is not read
};

struct OffPolicyLog {
  std::vector<std::string> files;
  uint64_t lines = 0;
  std::vector<LoggedAttempt> used;
  std::vector<std::pair<std::string, uint64_t>> skipped;  // reason, lines; most first
  std::vector<std::pair<std::string, uint64_t>> models;   // route.model ("none"), lines; most first
  uint64_t skipped_total() const;
};

// Paths are .jsonl / .jsonl.gz files or directories (searched recursively, in sorted order). Fails
// when nothing can be read, or when no line is usable: then the error names the missing field
// (route.propensity when that is what most lines lack).
core::Result<OffPolicyLog> ReadOffPolicyLog(const std::vector<std::string>& paths,
                                            const OffPolicyReadOptions& options = {});
// The same accounting over lines already in memory (tests, the fuzz target).
OffPolicyLog ReadOffPolicyLines(const std::vector<std::string>& lines,
                                const OffPolicyReadOptions& options = {});
// The error ReadOffPolicyLog gives for a log without usable lines, or success.
core::Status RequireUsable(const OffPolicyLog& log);

// A policy to evaluate: where it sends a request.
struct CandidatePolicy {
  std::string name;
  std::function<features::Platform(const features::Request&)> choose;
};
// lambda-only, ecs-only, and with a model that has outcome tables objective:latency,
// objective:p95 and objective:cost:<cost model> for each seed cost model (named as evaluate names
// them).
std::vector<CandidatePolicy> DefaultCandidates(const std::shared_ptr<const model::Model>& model);

// The cost models a log can price: per request, from its execution time (provisioned ECS needs
// the task-hours of the run, which a log does not have).
inline constexpr std::array<cost::CostModel, 2> kOffPolicyCostModels = {
    cost::CostModel::kSeedProrated, cost::CostModel::kSeedProratedDeployedMemory};

struct Interval {
  double mean = 0;
  std::array<double, 2> ci95{};  // bootstrap percentiles 2.5 and 97.5
};
// The q-quantile of `v` with numpy's linear interpolation; 0 for none.
double Percentile(std::vector<double> v, double q);
// `{"mean": m, "ci95": [lo, hi]}`, with "effective_sample_size" when given.
void PutInterval(json::Writer& w, const Interval& i, std::optional<double> ess = std::nullopt);
struct Estimators {
  Interval ips, snips, dr;
};

struct PolicyEstimate {
  std::string policy;
  Estimators response_ms;
  std::optional<double> response_p95_ms;  // SNIPS-weighted quantile; when >= 20 lines match
  std::array<Estimators, kOffPolicyCostModels.size()> cost_per_million_usd;
  double effective_sample_size = 0;  // (sum w)^2 / sum w^2, w = match / propensity
  uint64_t matched = 0;              // lines where the logging policy chose as this one would
  double min_matched_propensity = 0;
};

// When not to trust a policy's estimates (docs/evaluate.md "When not to trust them"): an effective
// sample size under kMinTrustedEss makes the intervals themselves noisy; a matched line with a
// propensity under kLowPropensity carries a weight over 1 / kLowPropensity, and a few such lines
// swing IPS (SNIPS less, DR least).
inline constexpr double kMinTrustedEss = 100;
inline constexpr double kLowPropensity = 0.02;
// The reasons, as sentences (text, JSON and the HTML report print them); none: empty.
std::vector<std::string> TrustCaveats(const PolicyEstimate& p);

struct LoggedValue {  // what the logging policy itself gave, as observed
  double response_ms = 0, response_p95_ms = 0;
  std::array<double, kOffPolicyCostModels.size()> cost_per_million_usd{};
};

struct OffPolicyConfig {
  uint64_t seed = 42;
  int bootstrap = 200;  // resamples over requests
  cost::Pricing pricing;
};

struct OffPolicyResult {
  std::vector<PolicyEstimate> policies;
  LoggedValue logged;
  uint64_t used = 0;
  bool direct_model = true;  // false: a half of the log could not make outcome tables (DR = IPS)
};

OffPolicyResult EstimateOffPolicy(const std::vector<LoggedAttempt>& log,
                                  const std::vector<CandidatePolicy>& policies,
                                  const OffPolicyConfig& config);

// Per request of `log`, each policy's doubly robust term for `metric` (0: response time in ms;
// 1 + c: cost per 1M requests under kOffPolicyCostModels[c]): their mean is DR's estimate, and
// two policies' terms are paired request by request (promote's improvement).
struct DrTerms {
  std::vector<std::vector<double>> terms;  // [policy][request]
  std::vector<double> ess;                 // [policy]
  bool direct_model = true;
};
DrTerms DoublyRobustTerms(const std::vector<LoggedAttempt>& log,
                          const std::vector<CandidatePolicy>& policies, size_t metric,
                          const OffPolicyConfig& config);

// Text and JSON of a result (evaluate --off-policy).
std::string OffPolicyText(const OffPolicyLog& log, const OffPolicyResult& r);
std::string OffPolicyJson(const OffPolicyLog& log, const OffPolicyResult& r);

}  // namespace hr::eval
