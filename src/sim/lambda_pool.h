// One Lambda function's execution environments: an instance serves one request at a time; a
// finished one waits idle and may be reused until its keep-alive expires (which idle one a request
// takes is `Reuse`, an option: AWS documents none); a request
// finding none idle starts a new one (a cold start) unless the account's concurrency limit or the
// function's burst scaling limit (1,000 new environments per 10 s) throttles it. Provisioned
// instances are always warm and never expire. Pure. Units: s.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/stats.h"

namespace hr::sim {

// Which idle instance a request takes: the one that became idle last (idle instances as a stack;
// the others expire sooner), or the one created last, as SimFaaS (Mahmoudi and Khazaei) does.
enum class Reuse : uint8_t { kMostRecentlyIdle, kMostRecentlyCreated };
std::string_view Name(Reuse r);  // "most-recently-idle", "most-recently-created"
std::optional<Reuse> ParseReuse(std::string_view name);

struct LambdaOptions {
  double keep_alive_s = 600;
  int concurrency_limit = 1000;  // concurrent executions, all functions of the account
  int burst_limit = 1000;        // new environments per function per burst window
  double burst_window_s = 10;
  int provisioned = 0;    // provisioned concurrency per function
  bool bill_init = true;  // the INIT phase of cold starts is billed (since August 2025)
  Reuse reuse = Reuse::kMostRecentlyIdle;
};

class LambdaFunction {
 public:
  enum class Start : uint8_t { kWarm, kProvisioned, kCold, kThrottled };
  LambdaFunction(const LambdaOptions& options, double stats_from_s, double stats_to_s);
  // A request arriving at `t_s` while the account runs `account_busy` executions; `instance`: the
  // on-demand instance it runs on (numbered in creation order), to give back to Release.
  Start Acquire(double t_s, int account_busy, uint64_t* instance = nullptr);
  // The request that started with `start` on `instance` finished at `t_s`.
  void Release(double t_s, Start start, uint64_t instance = 0);
  // Expires what has expired by `t_s` and brings the averages there (the end of a run).
  void Finish(double t_s);

  int busy() const { return busy_ + provisioned_busy_; }
  uint64_t environments_started() const { return started_; }
  // Averages over the statistics window: running (busy) and idle instances, provisioned included.
  const TimeAverage& running() const { return running_; }
  const TimeAverage& idle() const { return idle_; }

 private:
  void Expire(double t_s);
  void Update(double t_s);
  struct Idle {
    double since;
    uint64_t instance;
  };
  void TakeIdle(std::map<uint64_t, Idle>::iterator it);
  LambdaOptions options_;
  // On-demand idle instances by the order they became idle (which is the order they expire in),
  // and the same by instance (creation order) -> that order.
  std::map<uint64_t, Idle> idle_by_release_;
  std::map<uint64_t, uint64_t> idle_by_instance_;
  uint64_t releases_ = 0;
  int busy_ = 0, provisioned_busy_ = 0;
  uint64_t started_ = 0;
  std::vector<double> created_;  // ring of the last burst_limit creation times
  size_t created_next_ = 0;
  TimeAverage running_, idle_;
};

}  // namespace hr::sim
