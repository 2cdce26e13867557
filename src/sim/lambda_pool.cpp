#include "sim/lambda_pool.h"

namespace hr::sim {

LambdaFunction::LambdaFunction(const LambdaOptions& options, double stats_from_s, double stats_to_s)
    : options_(options),
      created_(static_cast<size_t>(std::max(1, options.burst_limit)), -1e300),
      running_(stats_from_s, stats_to_s),
      idle_(stats_from_s, stats_to_s) {
  idle_.Set(0, options_.provisioned);
}

void LambdaFunction::Update(double t_s) {
  running_.Set(t_s, busy_ + provisioned_busy_);
  idle_.Set(t_s,
            static_cast<double>(idle_since_.size()) + options_.provisioned - provisioned_busy_);
}

void LambdaFunction::Expire(double t_s) {
  // The oldest idle instance expires first; each at its own time, so the averages stay exact.
  while (!idle_since_.empty() && idle_since_.front() + options_.keep_alive_s <= t_s) {
    const double at = idle_since_.front() + options_.keep_alive_s;
    running_.Advance(at);
    idle_.Advance(at);
    idle_since_.pop_front();
    Update(at);
  }
}

LambdaFunction::Start LambdaFunction::Acquire(double t_s, int account_busy) {
  Expire(t_s);
  if (account_busy >= options_.concurrency_limit) return Start::kThrottled;
  Start start;
  if (provisioned_busy_ < options_.provisioned) {
    ++provisioned_busy_;
    start = Start::kProvisioned;
  } else if (!idle_since_.empty()) {
    idle_since_.pop_back();  // newest idle first
    ++busy_;
    start = Start::kWarm;
  } else {
    // Burst limit: at most burst_limit environments created within any burst window.
    double& oldest = created_[created_next_];
    if (oldest > t_s - options_.burst_window_s) return Start::kThrottled;
    oldest = t_s;
    created_next_ = (created_next_ + 1) % created_.size();
    ++started_;
    ++busy_;
    start = Start::kCold;
  }
  Update(t_s);
  return start;
}

void LambdaFunction::Release(double t_s, Start start) {
  Expire(t_s);
  if (start == Start::kProvisioned) {
    --provisioned_busy_;
  } else {
    --busy_;
    idle_since_.push_back(t_s);
  }
  Update(t_s);
}

void LambdaFunction::Finish(double t_s) {
  Expire(t_s);
  running_.Advance(t_s);
  idle_.Advance(t_s);
}

}  // namespace hr::sim
