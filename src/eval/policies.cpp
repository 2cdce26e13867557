// The built-in policies of the replay.
#include <unordered_map>

#include "eval/cells.h"
#include "eval/replay.h"
#include "features/seed_v1.h"
#include "policy/decision.h"

namespace hr::eval {

namespace {

class Fixed final : public Policy {
 public:
  Fixed(std::string name, Platform p) : name_(std::move(name)), p_(p) {}
  std::string name() const override { return name_; }
  Platform Choose(const EvalItem&, const Peek&) override { return p_; }

 private:
  std::string name_;
  Platform p_;
};

class Heuristic final : public Policy {
 public:
  std::string name() const override { return "seed-heuristic"; }
  Platform Choose(const EvalItem& item, const Peek&) override {
    return policy::FallbackHeuristic(item.request.workload, item.request.payload_kb).platform;
  }
};

class ModelChoice final : public Policy {
 public:
  explicit ModelChoice(std::vector<std::shared_ptr<const model::Model>> models)
      : models_(std::move(models)) {}
  std::string name() const override { return "model"; }
  Platform Choose(const EvalItem& item, const Peek&) override {
    const auto& m = *models_[item.fold < models_.size() ? item.fold : 0];
    return policy::Decide(m, features::SeedV1Features(item.request), scratch_).platform;
  }

 private:
  std::vector<std::shared_ptr<const model::Model>> models_;
  model::Scratch scratch_;
};

// Per cell, the platform with the lower mean of `value` over every record of the cell; where a
// platform has no record of the cell, the (workload, payload) cell decides.
class Oracle final : public Policy {
 public:
  Oracle(std::string name, std::span<const data::Record> records,
         const std::function<double(const data::Record&)>& value)
      : name_(std::move(name)) {
    for (const auto& r : records) {
      const int p = r.platform == Platform::kLambda ? 0 : 1;
      auto& fine = fine_[CellKey(r)][p];
      fine.first += value(r);
      ++fine.second;
      auto& coarse = coarse_[CoarseKey(r.workload, r.target_payload_kb)][p];
      coarse.first += value(r);
      ++coarse.second;
    }
  }
  std::string name() const override { return name_; }
  Platform Choose(const EvalItem& item, const Peek&) override {
    const Means* m = Find(fine_, CellKey(item.request));
    if (!m || (*m)[0].second == 0 || (*m)[1].second == 0) {
      m = Find(coarse_, CoarseKey(item.request.workload, item.request.payload_kb));
    }
    if (!m || (*m)[1].second == 0) return Platform::kLambda;
    if ((*m)[0].second == 0) return Platform::kEcs;
    const double lambda = (*m)[0].first / static_cast<double>((*m)[0].second);
    const double ecs = (*m)[1].first / static_cast<double>((*m)[1].second);
    return lambda <= ecs ? Platform::kLambda : Platform::kEcs;
  }

 private:
  using Means = std::array<std::pair<double, uint64_t>, 2>;
  static const Means* Find(const std::unordered_map<uint64_t, Means>& map, uint64_t key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  std::string name_;
  std::unordered_map<uint64_t, Means> fine_, coarse_;
};

class Hindsight final : public Policy {
 public:
  std::string name() const override { return "hindsight"; }
  Platform Choose(const EvalItem&, const Peek& peek) override {
    return peek(Platform::kLambda).response_time_ms <= peek(Platform::kEcs).response_time_ms
               ? Platform::kLambda
               : Platform::kEcs;
  }
};

}  // namespace

std::unique_ptr<Policy> LambdaOnly() {
  return std::make_unique<Fixed>("lambda-only", Platform::kLambda);
}
std::unique_ptr<Policy> EcsOnly() { return std::make_unique<Fixed>("ecs-only", Platform::kEcs); }
std::unique_ptr<Policy> SeedHeuristic() { return std::make_unique<Heuristic>(); }
std::unique_ptr<Policy> ModelPolicy(std::vector<std::shared_ptr<const model::Model>> per_fold) {
  return std::make_unique<ModelChoice>(std::move(per_fold));
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

}  // namespace hr::eval
