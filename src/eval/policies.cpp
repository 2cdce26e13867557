// The built-in policies of the replay.
#include <optional>
#include <unordered_map>

#include "eval/cells.h"
#include "eval/replay.h"
#include "features/seed_v1.h"
#include "policy/decision.h"
#include "policy/objective.h"
#include "policy/placement.h"

namespace hr::eval {

namespace {

// A policy of the placement engine (policy/placement.h), with the model trained for the item's
// fold: lambda-only, ecs-only, the classifier ("model") and the objective policies.
class Placed final : public Policy {
 public:
  Placed(std::string name, policy::PolicySpec spec,
         std::vector<std::shared_ptr<const model::Model>> models, policy::Objective objective)
      : name_(std::move(name)),
        spec_(std::move(spec)),
        models_(std::move(models)),
        objective_(objective) {}
  std::string name() const override { return name_; }
  Platform Choose(const EvalItem& item, const Peek&) override {
    policy::PlacementContext ctx;
    if (!models_.empty()) ctx.model = models_[item.fold < models_.size() ? item.fold : 0].get();
    ctx.objective = &objective_;
    return policy::Place(spec_, item.request, ctx, scratch_).platform;
  }

 private:
  std::string name_;
  policy::PolicySpec spec_;
  std::vector<std::shared_ptr<const model::Model>> models_;
  policy::Objective objective_;
  model::Scratch scratch_;
};

class Heuristic final : public Policy {
 public:
  std::string name() const override { return "seed-heuristic"; }
  Platform Choose(const EvalItem& item, const Peek&) override {
    return policy::FallbackHeuristic(item.request.workload, item.request.payload_kb).platform;
  }
};

// Per cell, the platform with the lower mean of `value`, each platform's mean taken where the
// replay draws its outcomes (FallbackLevel: the cell, else the (workload, payload) cell, else the
// workload).
class Oracle final : public Policy {
 public:
  Oracle(std::string name, std::span<const data::Record> records,
         const std::function<double(const data::Record&)>& value, bool in_sample = true,
         std::span<const uint32_t> only = {})
      : name_(std::move(name)), in_sample_(in_sample), keys_(records) {
    const auto add = [&](const data::Record& r) {
      const int p = r.platform == Platform::kLambda ? 0 : 1;
      const double v = value(r);
      for (auto* sum :
           {&fine_[keys_.Cell(r)][p], &coarse_[keys_.Coarse(r.workload, r.target_payload_kb)][p],
            &workload_[static_cast<size_t>(r.workload)][p]}) {
        sum->first += v;
        ++sum->second;
      }
    };
    if (only.empty()) {
      for (const auto& r : records) add(r);
    } else {
      for (uint32_t i : only) add(records[i]);
    }
  }
  std::string name() const override { return name_; }
  bool in_sample() const override { return in_sample_; }
  Platform Choose(const EvalItem& item, const Peek&) override {
    const Means* fine = Find(fine_, keys_.Cell(item.request));
    const Means* coarse =
        Find(coarse_, keys_.Coarse(item.request.workload, item.request.payload_kb));
    const Means& workload = workload_[static_cast<size_t>(item.request.workload)];
    std::array<std::optional<double>, 2> mean;
    for (size_t p = 0; p < 2; ++p) {
      const auto at = [&](Level l) -> const std::pair<double, uint64_t>* {
        if (l == Level::kCell) return fine ? &(*fine)[p] : nullptr;
        if (l == Level::kPayload) return coarse ? &(*coarse)[p] : nullptr;
        return &workload[p];
      };
      const Level level = FallbackLevel([&](Level l) { return at(l) && at(l)->second > 0; });
      if (level != Level::kNone)
        mean[p] = at(level)->first / static_cast<double>(at(level)->second);
    }
    if (!mean[1]) return Platform::kLambda;
    if (!mean[0]) return Platform::kEcs;
    return *mean[0] <= *mean[1] ? Platform::kLambda : Platform::kEcs;
  }

 private:
  using Means = std::array<std::pair<double, uint64_t>, 2>;
  static const Means* Find(const std::unordered_map<uint64_t, Means>& map, uint64_t key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  std::string name_;
  bool in_sample_;
  CellKeys keys_;  // the replay's: made from the same records
  std::unordered_map<uint64_t, Means> fine_, coarse_;
  std::array<Means, features::kWorkloadCount> workload_{};
};

// One Oracle per fold, over the records of the other folds' items.
class PerFold final : public Policy {
 public:
  PerFold(std::string name, std::vector<std::unique_ptr<Oracle>> folds)
      : name_(std::move(name)), folds_(std::move(folds)) {}
  std::string name() const override { return name_; }
  Platform Choose(const EvalItem& item, const Peek& peek) override {
    return folds_[item.fold < folds_.size() ? item.fold : 0]->Choose(item, peek);
  }

 private:
  std::string name_;
  std::vector<std::unique_ptr<Oracle>> folds_;
};

class Hindsight final : public Policy {
 public:
  std::string name() const override { return "hindsight"; }
  bool bound() const override { return true; }
  Platform Choose(const EvalItem&, const Peek& peek) override {
    return peek(Platform::kLambda).response_time_ms <= peek(Platform::kEcs).response_time_ms
               ? Platform::kLambda
               : Platform::kEcs;
  }
};

}  // namespace

std::unique_ptr<Policy> LambdaOnly() {
  return std::make_unique<Placed>("lambda-only", *policy::ParsePolicy("lambda-only"),
                                  std::vector<std::shared_ptr<const model::Model>>{},
                                  policy::Objective{});
}
std::unique_ptr<Policy> EcsOnly() {
  return std::make_unique<Placed>("ecs-only", *policy::ParsePolicy("ecs-only"),
                                  std::vector<std::shared_ptr<const model::Model>>{},
                                  policy::Objective{});
}
std::unique_ptr<Policy> SeedHeuristic() { return std::make_unique<Heuristic>(); }
std::unique_ptr<Policy> ModelPolicy(std::vector<std::shared_ptr<const model::Model>> per_fold) {
  policy::Objective classifier;
  classifier.kind = policy::ObjectiveKind::kClassifier;
  return std::make_unique<Placed>("model", *policy::ParsePolicy("model"), std::move(per_fold),
                                  classifier);
}
std::unique_ptr<Policy> OracleCost(std::span<const data::Record> records, const cost::Pricing& p) {
  const cost::Provisioned unused;
  return std::make_unique<Oracle>("oracle-cost", records, [&p, &unused](const data::Record& r) {
    return cost::CostUsd(data::UsageOf(r), cost::CostModel::kSeedProrated, p, unused);
  });
}
std::unique_ptr<Policy> OracleLatency(std::span<const data::Record> records) {
  return std::make_unique<Oracle>("oracle-latency", records,
                                  [](const data::Record& r) { return r.response_time_ms; });
}
std::unique_ptr<Policy> HindsightLatency() { return std::make_unique<Hindsight>(); }

std::function<double(const data::Record&)> RecordValue(const ScoredObjective& o,
                                                       const ReplayConfig& cfg, double slo_ms) {
  const cost::CostModel cm = cost::kCostModels[o.cost_model];
  switch (o.metric) {
    case ScoredObjective::Metric::kResponseMean:
      return [](const data::Record& r) { return r.response_time_ms; };
    case ScoredObjective::Metric::kResponseP95:
      return [slo_ms](const data::Record& r) { return r.response_time_ms > slo_ms ? 1.0 : 0.0; };
    case ScoredObjective::Metric::kCost:
      return [cfg, cm](const data::Record& r) {
        return cost::CostUsd(data::UsageOf(r), cm, cfg.pricing, cfg.provisioned, cfg.cost_options);
      };
    case ScoredObjective::Metric::kBalanced:
      return [cfg, cm, v = o.value_of_time](const data::Record& r) {
        return cost::CostUsd(data::UsageOf(r), cm, cfg.pricing, cfg.provisioned, cfg.cost_options) +
               v * r.response_time_ms / 1000;
      };
  }
  return [](const data::Record& r) { return r.response_time_ms; };
}

std::unique_ptr<Policy> ObjectivePolicy(std::vector<std::shared_ptr<const model::Model>> per_fold,
                                        const policy::Objective& objective) {
  return std::make_unique<Placed>("objective:" + policy::Label(objective),
                                  *policy::ParsePolicy("model"), std::move(per_fold), objective);
}

std::unique_ptr<Policy> OracleFor(const ScoredObjective& o, std::span<const data::Record> records,
                                  const ReplayConfig& cfg, double slo_ms) {
  return std::make_unique<Oracle>(o.oracle, records, RecordValue(o, cfg, slo_ms));
}

std::unique_ptr<Policy> CellMeansFor(const ScoredObjective& o,
                                     std::span<const data::Record> records,
                                     std::span<const EvalItem> items, int folds,
                                     const ReplayConfig& cfg, double slo_ms) {
  const auto value = RecordValue(o, cfg, slo_ms);
  std::vector<std::unique_ptr<Oracle>> per_fold;
  for (int k = 0; k < folds; ++k) {
    std::vector<uint32_t> rows;
    for (const auto& item : items) {
      if (item.fold != k) rows.push_back(item.record);
    }
    per_fold.push_back(
        std::make_unique<Oracle>("cell-means:" + o.name, records, value, false, rows));
  }
  return std::make_unique<PerFold>("cell-means:" + o.name, std::move(per_fold));
}

}  // namespace hr::eval
