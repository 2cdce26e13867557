// Bookkeeping of the simulator: time averages of a level over a window (instances, tasks, busy
// slots), a log-bucketed histogram for quantiles in constant memory (0.5 % relative resolution),
// and the event queue. Pure. Units: s for times, ms for histogram values.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace hr::sim {

// The time integral of a piecewise-constant level, counted only inside [from, to].
class TimeAverage {
 public:
  TimeAverage(double from_s = 0, double to_s = 0) : from_(from_s), to_(to_s), last_(from_s) {}
  void Set(double t_s, double level) {
    Advance(t_s);
    level_ = level;
  }
  void Advance(double t_s) {
    const double lo = std::max(last_, from_), hi = std::min(t_s, to_);
    if (hi > lo) area_ += level_ * (hi - lo);
    last_ = std::max(last_, t_s);
  }
  double level() const { return level_; }
  double area() const { return area_; }
  double Mean() const { return to_ > from_ ? area_ / (to_ - from_) : 0; }

 private:
  double from_, to_, last_;
  double level_ = 0, area_ = 0;
};

class Histogram {
 public:
  static constexpr double kMinMs = 1e-3, kMaxMs = 1e8, kRatio = 1.005;
  Histogram() : counts_(Buckets() + 1, 0), inv_log_ratio_(1.0 / std::log(kRatio)) {}
  void Add(double ms) {
    sum_ += ms;
    ++n_;
    max_ = std::max(max_, ms);
    counts_[Index(ms)]++;
  }
  uint64_t count() const { return n_; }
  double Mean() const { return n_ ? sum_ / static_cast<double>(n_) : 0; }
  double Max() const { return max_; }
  // The q-quantile, within the bucket's 0.5 % (the bucket's geometric middle).
  double Quantile(double q) const {
    if (n_ == 0) return 0;
    const double rank = std::max(1.0, std::ceil(q * static_cast<double>(n_)));
    uint64_t run = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      run += counts_[i];
      if (static_cast<double>(run) >= rank)
        return std::min(max_, kMinMs * std::pow(kRatio, static_cast<double>(i) + 0.5));
    }
    return max_;
  }
  void Merge(const Histogram& o) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    sum_ += o.sum_;
    n_ += o.n_;
    max_ = std::max(max_, o.max_);
  }

 private:
  static size_t Buckets() {
    return static_cast<size_t>(std::ceil(std::log(kMaxMs / kMinMs) / std::log(kRatio)));
  }
  size_t Index(double ms) const {
    if (!(ms > kMinMs)) return 0;
    const double i = std::log(ms / kMinMs) * inv_log_ratio_;
    return std::min(counts_.size() - 1, static_cast<size_t>(i));
  }
  std::vector<uint64_t> counts_;
  double inv_log_ratio_;
  double sum_ = 0, max_ = 0;
  uint64_t n_ = 0;
};

enum class EventKind : uint8_t { kLambdaDone, kEcsDone, kEcsReady };

struct Event {
  double t_s;
  uint64_t seq;  // ties in time resolve in the order the events were made: deterministic runs
  EventKind kind;
  uint8_t workload;
  uint8_t flag;  // kLambdaDone: 1 when the instance is provisioned
  uint32_t task;
  uint32_t generation;  // kEcsReady: the task slot's generation (a stopped slot is reused)
};

class EventQueue {
 public:
  void Push(Event e) {
    e.seq = seq_++;
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later);
  }
  bool empty() const { return heap_.empty(); }
  double NextTime() const { return heap_.front().t_s; }
  Event Pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    Event e = heap_.back();
    heap_.pop_back();
    return e;
  }
  size_t size() const { return heap_.size(); }

 private:
  static bool Later(const Event& a, const Event& b) {
    return a.t_s > b.t_s || (a.t_s == b.t_s && a.seq > b.seq);
  }
  std::vector<Event> heap_;
  uint64_t seq_ = 0;
};

}  // namespace hr::sim
