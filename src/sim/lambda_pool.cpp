#include "sim/lambda_pool.h"

namespace hr::sim {

std::string_view Name(Reuse r) {
  return r == Reuse::kMostRecentlyCreated ? "most-recently-created" : "most-recently-idle";
}

std::optional<Reuse> ParseReuse(std::string_view name) {
  for (Reuse r : {Reuse::kMostRecentlyIdle, Reuse::kMostRecentlyCreated})
    if (Name(r) == name) return r;
  return std::nullopt;
}

LambdaFunction::LambdaFunction(const LambdaOptions& options, double stats_from_s, double stats_to_s)
    : options_(options),
      created_(static_cast<size_t>(std::max(1, options.burst_limit)), -1e300),
      running_(stats_from_s, stats_to_s),
      idle_(stats_from_s, stats_to_s) {
  idle_.Set(0, options_.provisioned);
}

void LambdaFunction::Update(double t_s) {
  running_.Set(t_s, busy_ + provisioned_busy_);
  idle_.Set(
      t_s, static_cast<double>(idle_by_release_.size()) + options_.provisioned - provisioned_busy_);
}

void LambdaFunction::TakeIdle(std::map<uint64_t, Idle>::iterator it) {
  idle_by_instance_.erase(it->second.instance);
  idle_by_release_.erase(it);
}

void LambdaFunction::Expire(double t_s) {
  // The instance idle the longest expires first; each at its own time, so the averages stay exact.
  while (!idle_by_release_.empty() &&
         idle_by_release_.begin()->second.since + options_.keep_alive_s <= t_s) {
    const double at = idle_by_release_.begin()->second.since + options_.keep_alive_s;
    running_.Advance(at);
    idle_.Advance(at);
    TakeIdle(idle_by_release_.begin());
    Update(at);
  }
}

LambdaFunction::Start LambdaFunction::Acquire(double t_s, int account_busy, uint64_t* instance) {
  Expire(t_s);
  if (account_busy >= options_.concurrency_limit) return Start::kThrottled;
  Start start;
  if (provisioned_busy_ < options_.provisioned) {
    ++provisioned_busy_;
    start = Start::kProvisioned;
  } else if (!idle_by_release_.empty()) {
    const auto taken = options_.reuse == Reuse::kMostRecentlyIdle
                           ? std::prev(idle_by_release_.end())
                           : idle_by_release_.find(std::prev(idle_by_instance_.end())->second);
    if (instance) *instance = taken->second.instance;
    TakeIdle(taken);
    ++busy_;
    start = Start::kWarm;
  } else {
    // Burst limit: at most burst_limit environments created within any burst window.
    double& oldest = created_[created_next_];
    if (oldest > t_s - options_.burst_window_s) return Start::kThrottled;
    oldest = t_s;
    created_next_ = (created_next_ + 1) % created_.size();
    if (instance) *instance = started_;
    ++started_;
    ++busy_;
    start = Start::kCold;
  }
  Update(t_s);
  return start;
}

void LambdaFunction::Release(double t_s, Start start, uint64_t instance) {
  Expire(t_s);
  if (start == Start::kProvisioned) {
    --provisioned_busy_;
  } else {
    --busy_;
    const uint64_t release = releases_++;
    idle_by_release_.emplace_hint(idle_by_release_.end(), release, Idle{t_s, instance});
    idle_by_instance_.emplace(instance, release);
  }
  Update(t_s);
}

void LambdaFunction::Finish(double t_s) {
  Expire(t_s);
  running_.Advance(t_s);
  idle_.Advance(t_s);
}

}  // namespace hr::sim
