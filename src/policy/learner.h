// Live outcome estimates for the `adaptive` policy (docs/design.md "Learning from what the router
// sees"): the model's outcome tables are the prior; every completed attempt corrects them.
//
// The correction is multiplicative: per (cell, platform) the learner keeps decayed sums of
// observed / tabled mean response time, so a cell's estimate is its tabled estimate (mean, spread,
// quantiles, execution time, costs) times a factor. A cell's factor is shrunk toward its
// workload's on that platform, which is shrunk toward the workload's on both platforms (an
// environment uniformly faster or slower than the tables' campaign moves both at once, so the
// platform tried less is not left at the tables' scale), which is shrunk toward 1 (the tables as
// they are), each by the prior's weight in records, so a thin cell learns from its workload.
// Statistics forget with a half-life in outcomes. A cell is (workload, payload bin, time window,
// load pattern); payload bins are half octaves of 1 + KB (policy::PayloadBin), so a body of 1,024.3
// KB and a nominal 1,024 KB share one. Not the measured sizes the tables, the replay and emulate
// match payloads to (features/payload_size.h): those depend on the data, while this state has a
// fixed size and a snapshot layout that must survive loading another model.
//
// A change detector per (workload, platform) watches the sign of each outcome against the cell's
// current median (a two-sided CUSUM of +1 / -1: under no change both are equally likely whatever
// the distribution's shape, so cold starts and heavy tails do not trip it). An alarm makes the
// workload's cells on that platform forget what they learned (not how often they were tried) and
// most of the prior's weight, so the new regime dominates within tens of outcomes, and is returned
// to the caller to log. With the watch (LearnOptions::watch) a platform the workload has left is
// sent a request now and then, and a second CUSUM reads the size of its outcomes, since the signs
// of the few it gets would take thousands of requests to add up.
//
// Fixed-size state (no allocation after construction), one mutex; per process (each replica
// learns on its own).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "features/request.h"
#include "outcome/outcome.h"

namespace hr::policy {

struct LearnOptions {
  // The tables' estimate counts as this many outcomes (or as many as it has, if fewer).
  double prior_weight = 10;
  // Outcomes of one cell and platform after which an old outcome counts half.
  double half_life = 200;
  // Thompson sampling's floor: each platform keeps at least this propensity.
  double explore_floor = 0.001;
  // Thompson sampling draws each platform's mean from its posterior with the spread times this
  // (1: the posterior as it is; smaller explores less where the platforms are close).
  double thompson_scale = 0.5;
  // A cell with fewer live outcomes than this on a platform is sent there (with 1 - floor).
  int min_records = 3;
  // Change detection: the CUSUM's threshold and slack (in outcomes); 0 threshold: off.
  double drift_threshold = 20;
  double drift_slack = 0.5;
  // After an alarm the prior (and the workload's learned factor) counts as this many outcomes.
  double prior_weight_after_drift = 1;
  // The watch: a platform that has not served one of the workload's last `watch` outcomes is sent
  // a request with probability `watch_share` (0: off), so a change there is seen although the
  // policy does not use it; its outcomes feed a second detector, on their size (below).
  int watch = 0;
  double watch_share = 0.1;
  core::Status Validate() const;  // errors name the option (--prior-weight, ...)
};

// The half-octave bin of a payload: floor(2 * log2(1 + KB)), at most kPayloadBins - 1.
inline constexpr int kPayloadBins = 48;
int PayloadBin(double payload_kb);

struct DriftEvent {
  features::Workload workload = features::Workload::kLightweightApi;
  features::Platform platform = features::Platform::kLambda;
  bool slower = true;         // the outcomes moved up (slower) or down
  double size = 1;            // recent outcomes / the estimate before the alarm (about)
  double learned_before = 1;  // the workload's factor that was forgotten
};

// What the learner knows about one request's cell, per platform [lambda, ecs].
struct LearnedView {
  std::array<double, 2> factor{1, 1};   // multiply the tabled estimate by this
  std::array<double, 2> records{0, 0};  // effective records behind the estimate (prior included)
  std::array<uint32_t, 2> live{0, 0};   // live outcomes of the cell since start (alarms keep them)
  // The workload's outcomes on the other platform since this platform's last (the watch).
  std::array<uint32_t, 2> stale{0, 0};
  // The watch's size detector doubts this platform: its sum is past kZDoubt of its threshold.
  std::array<bool, 2> doubt{false, false};
};

// Per (workload, platform), for /metrics and GET /learn.
struct LearnedSummary {
  double factor = 1;        // the workload's learned factor
  double records = 0;       // effective live records at the workload level
  uint64_t outcomes = 0;    // every outcome seen
  uint64_t drifts = 0;      // alarms
  uint32_t cells_live = 0;  // cells with at least one live outcome
};

class Learner {
 public:
  explicit Learner(const LearnOptions& options);

  const LearnOptions& options() const { return options_; }

  LearnedView Look(const features::Request& req) const;

  // One completed attempt that took `response_ms` (a timeout or a failure that may have run: the
  // time it took, a lower bound). `tabled` is the tables' estimate for the request on `p`.
  std::optional<DriftEvent> Observe(const features::Request& req, features::Platform p,
                                    double response_ms, const outcome::Estimate& tabled);

  LearnedSummary Summary(features::Workload w, features::Platform p) const;

  // The whole state as JSON (GET /learn): options, and per workload and platform the summary and
  // every live cell.
  std::string Json() const;

  // The state as a snapshot (--learn-state), and back. Restore refuses a snapshot of another
  // layout or with a number that is not finite and >= 0, naming the field; the state is then
  // unchanged.
  std::string Snapshot() const;
  core::Status Restore(std::string_view snapshot);

 private:
  struct CellStats {
    double weight = 0;  // decayed count
    double ratio = 0;   // decayed sum of observed / tabled mean
    // The change detector's reference: the cell's median as a multiple of the tabled median,
    // tracked by stochastic approximation (0: not yet set, start from the cell's factor).
    double median = 0;
    uint32_t live = 0;
  };
  struct WorkloadStats {
    double weight = 0, ratio = 0;
    double prior_weight = 0;  // the prior's weight for this workload and platform now
    double up = 0, down = 0;  // the CUSUM's two sides
    double recent = 1;        // EWMA of observed / estimate, for the alarm's size
    uint64_t outcomes = 0, drifts = 0;
    // Outcomes still to come that do not feed the detector: set on the other platform's alarm
    // (kept out of the snapshot: a restart starts without it; the watch's fields below are in).
    uint32_t hold = 0;
    // The workload's outcomes on the other platform since this platform's last one.
    uint32_t stale = 0;
    // With the watch on, the detector of a platform the workload seldom uses: a two-sided CUSUM
    // of how far each outcome falls from the platform's recent ones (log of observed / tabled
    // mean, against its moving mean and mean absolute deviation), so that the few outcomes the
    // watch gives it can show a change.
    double zup = 0, zdown = 0;
    double rmean = 0, rdev = 0, zthreshold = 0;
    uint32_t rn = 0;     // outcomes behind rmean (reset to 1 by an alarm)
    bool zwarm = false;  // rdev has seen enough outcomes to score by
    bool doubt = false;  // zup or zdown past kZDoubt of the threshold (LearnedView::doubt)
    double share = 0.5;  // moving share of the workload's outcomes that were this platform's
  };
  static constexpr size_t kContexts =
      static_cast<size_t>(features::kTimeWindowCount) * features::kLoadPatternCount;
  static constexpr size_t kCellsPerPlatform =
      static_cast<size_t>(features::kWorkloadCount) * kPayloadBins * kContexts;
  static size_t CellIndex(const features::Request& req);
  struct Common {
    double weight = 0, ratio = 0;  // both platforms' outcomes of the workload
    double prior_weight = 0;
  };
  double CommonFactor(size_t w) const;
  double WorkloadFactor(size_t w, const WorkloadStats& ws) const;
  DriftEvent Alarm(const features::Request& req, size_t pi, bool slower);
  // The watch's size detector on one outcome (observed / tabled mean `ratio`, the platform's
  // share before it): +1 an alarm upward, -1 downward, 0 none.
  static int SizeDetector(WorkloadStats& ws, features::Platform p, double ratio, double share);
  double CellFactor(size_t w, const WorkloadStats& ws, const CellStats& c) const;

  LearnOptions options_;
  double decay_ = 1;
  mutable std::mutex mutex_;
  std::array<std::vector<CellStats>, 2> cells_;  // [platform][cell]
  std::array<std::array<WorkloadStats, 2>, features::kWorkloadCount> workloads_{};
  std::array<Common, features::kWorkloadCount> common_{};
};

// The tabled estimate scaled by a learned factor (response times, spread, quantiles, execution
// time, costs), with `records` as its effective count.
outcome::Estimate Scaled(const outcome::Estimate& e, double factor, double records);

}  // namespace hr::policy
