#include "sim/ecs_service.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hr::sim {

EcsService::EcsService(const EcsOptions& options, uint8_t workload, EventQueue& events,
                       const cost::Pricing& pricing, double stats_from_s, double stats_to_s)
    : options_(options),
      workload_(workload),
      events_(events),
      pricing_(pricing),
      alive_(stats_from_s, stats_to_s),
      busy_(stats_from_s, stats_to_s),
      running_(stats_from_s, stats_to_s) {
  for (int i = 0; i < options_.tasks; ++i) Launch(0, true);
  UpdateLevels(0);
}

void EcsService::UpdateLevels(double t_s) {
  const double dt = t_s - last_level_s_;
  if (dt > 0) {
    period_busy_ += busy_now_ * dt;
    period_running_ += running_now_ * dt;
    last_level_s_ = t_s;
  }
  alive_.Set(t_s, alive_now_);
  busy_.Set(t_s, busy_now_);
  running_.Set(t_s, running_now_);
}

int EcsService::capacity() const {
  int n = 0;
  for (const Task& k : tasks_) n += !k.stopped && !k.draining;
  return n;
}

uint32_t EcsService::Launch(double t_s, bool ready_now) {
  uint32_t i;
  if (!free_slots_.empty()) {
    i = free_slots_.back();
    free_slots_.pop_back();
  } else {
    i = static_cast<uint32_t>(tasks_.size());
    tasks_.emplace_back();
  }
  Task& k = tasks_[i];
  k.launched_s = t_s;
  k.ready = ready_now;
  k.draining = false;
  k.stopped = false;
  k.in_flight = 0;
  ++k.generation;
  ++alive_now_;
  max_alive_ = std::max(max_alive_, alive_now_);
  if (ready_now) {
    ++running_now_;
    active_.push_back(i);
  } else {
    events_.Push(
        {t_s + options_.start_delay_s, 0, EventKind::kEcsReady, workload_, 0, i, k.generation});
  }
  return i;
}

void EcsService::Deactivate(uint32_t task) {
  auto it = std::find(active_.begin(), active_.end(), task);
  if (it != active_.end()) active_.erase(it);
}

void EcsService::Stop(double t_s, uint32_t task) {
  Task& k = tasks_[task];
  cost_usd_ += cost::FargateTaskUsd(t_s - k.launched_s, options_.task, pricing_);
  k.stopped = true;
  --alive_now_;
  if (k.ready) --running_now_;
  Deactivate(task);
  free_slots_.push_back(task);
}

void EcsService::Start(double t_s, uint32_t task, const Pending& p) {
  Task& k = tasks_[task];
  ++k.in_flight;
  ++busy_now_;
  const double wait_ms = (t_s - p.arrival_s) * 1000;
  outcomes_.push_back({p.arrival_s, wait_ms + p.s.response_ms, wait_ms, false, false});
  events_.Push({t_s + p.s.busy_ms / 1000, 0, EventKind::kEcsDone, workload_, 0, task, 0});
}

void EcsService::Pull(double t_s, uint32_t task) {
  auto take = [&](std::deque<Pending>& q) {
    while (tasks_[task].in_flight < options_.concurrency && !q.empty()) {
      const Pending p = q.front();
      q.pop_front();
      --queued_;
      if (t_s - p.arrival_s > options_.timeout_s) {
        outcomes_.push_back(
            {p.arrival_s, options_.timeout_s * 1000, options_.timeout_s * 1000, true, false});
        continue;
      }
      Start(t_s, task, p);
    }
  };
  take(tasks_[task].queue);
  if (!tasks_[task].draining) take(shared_);
}

void EcsService::Arrive(double t_s, const ServiceSample& s) {
  UpdateLevels(t_s);
  const Pending p{t_s, s};
  if (queued_ >= options_.queue_limit) {
    ++refused_;
    outcomes_.push_back({t_s, 0, 0, false, true});
    return;
  }
  if (options_.dispatch == Dispatch::kShared || active_.empty()) {
    if (shared_.empty()) {
      for (uint32_t i : active_) {
        if (tasks_[i].in_flight < options_.concurrency) {
          Start(t_s, i, p);
          UpdateLevels(t_s);
          return;
        }
      }
    }
    shared_.push_back(p);
    ++queued_;
  } else {
    uint32_t i = active_[rr_next_++ % active_.size()];
    if (options_.dispatch == Dispatch::kLeastOutstanding) {
      // The task with the fewest requests in flight and waiting (the first of equals).
      auto load = [&](uint32_t t) { return tasks_[t].in_flight + tasks_[t].queue.size(); };
      i = *std::min_element(active_.begin(), active_.end(),
                            [&](uint32_t a, uint32_t b) { return load(a) < load(b); });
    }
    Task& k = tasks_[i];
    if (k.in_flight < options_.concurrency && k.queue.empty()) {
      Start(t_s, i, p);
    } else {
      k.queue.push_back(p);
      ++queued_;
    }
  }
  UpdateLevels(t_s);
}

bool EcsService::HasFreeSlot() const {
  if (!shared_.empty()) return false;
  for (uint32_t i : active_)
    if (tasks_[i].in_flight < options_.concurrency && tasks_[i].queue.empty()) return true;
  return false;
}

bool EcsService::Accepts(int wait_per_task) const {
  if (wait_per_task < 0 || HasFreeSlot()) return true;
  return queued_ < static_cast<size_t>(wait_per_task) * active_.size();
}

double EcsService::PredictedWaitMs(double mean_busy_ms) const {
  if (HasFreeSlot()) return 0;
  if (active_.empty()) return std::numeric_limits<double>::infinity();
  const double slots = static_cast<double>(active_.size()) * options_.concurrency;
  return static_cast<double>(queued_ + shared_.size() + 1) * mean_busy_ms / slots;
}

void EcsService::Done(double t_s, uint32_t task) {
  UpdateLevels(t_s);
  Task& k = tasks_[task];
  --k.in_flight;
  --busy_now_;
  Pull(t_s, task);
  if (k.draining && k.in_flight == 0 && k.queue.empty()) Stop(t_s, task);
  UpdateLevels(t_s);
}

void EcsService::Ready(double t_s, uint32_t task, uint32_t generation) {
  Task& k = tasks_[task];
  if (k.stopped || k.generation != generation) return;  // stopped before it started
  UpdateLevels(t_s);
  k.ready = true;
  ++running_now_;
  active_.push_back(task);
  Pull(t_s, task);
  UpdateLevels(t_s);
}

void EcsService::Tick(double t_s) {
  UpdateLevels(t_s);
  const double point =
      period_running_ > 0 ? period_busy_ / (period_running_ * options_.concurrency) : 0;
  period_busy_ = period_running_ = 0;
  datapoints_.push_back(point);
  const size_t keep = static_cast<size_t>(std::max(options_.out_points, options_.in_points));
  if (datapoints_.size() > keep) datapoints_.erase(datapoints_.begin());
  if (!options_.autoscale) return;
  auto last_all = [&](int n, auto pred) {
    if (datapoints_.size() < static_cast<size_t>(n)) return false;
    return std::all_of(datapoints_.end() - n, datapoints_.end(), pred);
  };
  const int capacity_now = capacity();
  const double want = std::ceil(capacity_now * point / options_.target - 1e-9);
  if (last_all(options_.out_points, [&](double d) { return d > options_.target; }) &&
      t_s - last_out_s_ >= options_.out_cooldown_s) {
    const int desired = std::min(options_.max_tasks, static_cast<int>(want));
    if (desired > capacity_now) {
      for (int i = capacity_now; i < desired; ++i) Launch(t_s, false);
      steps_.push_back({t_s, capacity_now, desired});
      last_out_s_ = t_s;
    }
  } else if (last_all(options_.in_points,
                      [&](double d) { return d < options_.in_ratio * options_.target; }) &&
             t_s - last_in_s_ >= options_.in_cooldown_s &&
             t_s - last_out_s_ >= options_.out_cooldown_s) {
    const int desired = std::max(options_.min_tasks, static_cast<int>(want));
    if (desired < capacity_now) {
      for (int n = capacity_now - desired; n > 0; --n) {
        // Starting tasks first; then the least busy running one drains.
        int best = -1;
        for (size_t i = 0; i < tasks_.size(); ++i) {
          const Task& k = tasks_[i];
          if (k.stopped || k.draining) continue;
          if (best < 0) {
            best = static_cast<int>(i);
            continue;
          }
          const Task& b = tasks_[static_cast<size_t>(best)];
          const auto load = [](const Task& x) {
            return (x.ready ? 1e9 : 0.0) + x.in_flight + static_cast<double>(x.queue.size());
          };
          if (load(k) < load(b)) best = static_cast<int>(i);
        }
        if (best < 0) break;
        Task& k = tasks_[static_cast<size_t>(best)];
        k.draining = true;
        Deactivate(static_cast<uint32_t>(best));
        if (k.in_flight == 0 && k.queue.empty()) Stop(t_s, static_cast<uint32_t>(best));
      }
      steps_.push_back({t_s, capacity_now, desired});
      last_in_s_ = t_s;
    }
  }
  UpdateLevels(t_s);
}

void EcsService::Finish(double t_s) {
  UpdateLevels(t_s);
  for (const Task& k : tasks_)
    if (!k.stopped) cost_usd_ += cost::FargateTaskUsd(t_s - k.launched_s, options_.task, pricing_);
}

}  // namespace hr::sim
