// One ECS service on Fargate: tasks of a size, each running up to k requests at once; requests
// beyond that wait in FIFO order, either in one queue for the service (`shared`, as M/M/c) or in
// each task's own queue behind a round-robin load balancer (`round-robin`, as an ALB does); a
// request that waited longer than the timeout is answered as a timeout and not run. Target
// tracking autoscaling on the mean utilisation of the running tasks' slots (rules in
// EcsOptions). Tasks are billed from launch (image pull) to stop. Pure. Units: s.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "cost/cost.h"
#include "sim/service_times.h"
#include "sim/stats.h"

namespace hr::sim {

// kShared: one FIFO queue per service (M/M/c); kRoundRobin: each task in turn, a queue per task
// (an ALB's default); kLeastOutstanding: the task with the fewest requests in flight and waiting
// (an ALB's least_outstanding_requests), a queue per task.
enum class Dispatch : uint8_t { kShared, kRoundRobin, kLeastOutstanding };

// Autoscaling, with AWS's target-tracking defaults: every `period_s` the utilisation of the
// period (busy slot-seconds over running task slot-seconds) is one datapoint. Scale out when the
// last `out_points` datapoints are all above the target and no scale-out happened within
// `out_cooldown_s`: desired = ceil(capacity x datapoint / target), capacity counting starting
// tasks. Scale in when the last `in_points` are all below `in_ratio` x target and neither a
// scale-in within `in_cooldown_s` nor a scale-out within `out_cooldown_s` happened: desired =
// max(min, ceil(capacity x datapoint / target)); starting tasks are stopped first, then the
// least busy drain (they take no new requests, finish what they have, then stop). A new task
// takes requests after `start_delay_s`.
struct EcsOptions {
  int tasks = 1;  // at the start (Simulate: 0 sizes each service for its expected load)
  int min_tasks = 1, max_tasks = 100;
  int concurrency = 2;  // k: requests in flight per task
  Dispatch dispatch = Dispatch::kRoundRobin;
  double timeout_s = 60;  // the load balancer's idle timeout: longer waits are answered 504
  // Waiting requests per service (--ecs-queue-limit); a request arriving with that many waiting is
  // refused (503) at once: counted as refused, neither served nor timed out.
  size_t queue_limit = 10'000;
  bool autoscale = true;
  double target = 0.7;
  double period_s = 60;
  int out_points = 3, in_points = 15;
  double in_ratio = 0.9;
  double out_cooldown_s = 300, in_cooldown_s = 300;
  double start_delay_s = 60;
  cost::EcsTask task{0.25, 0.5};
};

struct ScalingStep {
  double t_s;
  int from, to;  // tasks before and after (starting ones counted)
};

// What happened to one request that reached the service.
struct EcsOutcome {
  double arrival_s;
  double response_ms;  // wait + the sample's response (the timeout when it timed out)
  double wait_ms;
  bool timed_out;  // waited past the timeout (answered 504 then)
  bool refused;    // the queue was full (answered 503 at once)
};

class EcsService {
 public:
  EcsService(const EcsOptions& options, uint8_t workload, EventQueue& events,
             const cost::Pricing& pricing, double stats_from_s, double stats_to_s);
  void Arrive(double t_s, const ServiceSample& s);
  // Events addressed to this service.
  void Done(double t_s, uint32_t task);
  void Ready(double t_s, uint32_t task, uint32_t generation);
  // A metric period ended at `t_s`.
  void Tick(double t_s);
  // Bills the tasks still alive at `t_s` and closes the averages.
  void Finish(double t_s);

  // Outcomes since the last call (the caller records and clears them).
  std::vector<EcsOutcome>& outcomes() { return outcomes_; }
  double cost_usd() const { return cost_usd_; }
  const TimeAverage& tasks_alive() const { return alive_; }
  const TimeAverage& busy_slots() const { return busy_; }
  const TimeAverage& running_tasks() const { return running_; }
  const std::vector<ScalingStep>& steps() const { return steps_; }
  int capacity() const;  // tasks starting or running, not draining
  // Whether a request arriving now would start at once (a running task has a free slot and
  // nothing waits): what a gateway counting its own requests in flight knows.
  bool HasFreeSlot() const;
  // Whether the service takes a request arriving now: a free slot, or fewer than
  // `wait_per_task` x running tasks requests waiting (< 0: always).
  bool Accepts(int wait_per_task) const;
  // What a request arriving now would wait before it starts, predicted: 0 with a free slot, else
  // the requests waiting (and it) served by every running slot at `mean_busy_ms` each; infinity
  // without a running task.
  double PredictedWaitMs(double mean_busy_ms) const;
  int max_alive() const { return max_alive_; }
  uint64_t refused() const { return refused_; }

 private:
  struct Pending {
    double arrival_s;
    ServiceSample s;
  };
  struct Task {
    double launched_s = 0;
    bool ready = false, draining = false, stopped = true;
    int in_flight = 0;
    uint32_t generation = 0;
    std::deque<Pending> queue;  // round-robin: this task's own
  };
  uint32_t Launch(double t_s, bool ready_now);
  void Stop(double t_s, uint32_t task);
  void Start(double t_s, uint32_t task, const Pending& p);
  // Starts queued requests on `task` while it has free slots (timed-out ones are answered).
  void Pull(double t_s, uint32_t task);
  void Assign(double t_s, const Pending& p);
  void UpdateLevels(double t_s);
  void Deactivate(uint32_t task);

  EcsOptions options_;
  uint8_t workload_;

 public:
  uint8_t workload() const { return workload_; }

 private:
  EventQueue& events_;
  cost::Pricing pricing_;
  std::vector<Task> tasks_;
  std::vector<uint32_t> free_slots_;  // stopped task slots to reuse
  std::vector<uint32_t> active_;      // ready, not draining, in launch order
  size_t rr_next_ = 0;
  std::deque<Pending> shared_;  // shared dispatch (and round-robin while no task is ready)
  int busy_now_ = 0, running_now_ = 0, alive_now_ = 0, max_alive_ = 0;
  TimeAverage alive_, busy_, running_;
  double period_busy_ = 0, period_running_ = 0, last_level_s_ = 0;
  std::vector<double> datapoints_;
  double last_out_s_ = -1e300, last_in_s_ = -1e300;
  std::vector<ScalingStep> steps_;
  std::vector<EcsOutcome> outcomes_;
  double cost_usd_ = 0;
  size_t queued_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace hr::sim
