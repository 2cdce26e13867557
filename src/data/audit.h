// The data-quality audit of a measurement set: what a researcher must know before training on it.
// Counts per cell, one-sided cells, latency quantiles, cold starts, censoring (logged vs sent,
// a response-time ceiling), constant features, client-clock time windows, Lambda memory as logged
// vs as the features assume, the pro-rated ECS cost vs provisioned, and the label ceiling. Each
// problem found becomes a Finding with a stable id. Pure computation over an ingested Dataset.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "data/labels.h"
#include "data/record.h"
#include "data/schedules.h"

namespace hr::data {

struct Quantiles {
  uint64_t n = 0;
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
};

struct CellCount {
  std::optional<features::TimeWindow> time_window;
  std::optional<features::LoadPattern> load_pattern;
  features::Workload workload = features::Workload::kLightweightApi;
  uint32_t lambda = 0, ecs = 0;
};

struct RunGroup {  // one (workload, platform) within a run
  features::Workload workload;
  features::Platform platform;
  uint32_t logged = 0;
  double expected_sent = 0;  // from the load pattern's schedule; 0 unknown
};

struct Run {  // one load test: a (time_window, load_pattern) pair as logged
  std::optional<features::TimeWindow> time_window;
  std::optional<features::LoadPattern> load_pattern;
  double duration_s = 0;
  std::vector<int> utc_hours;    // distinct hours of the server timestamps
  uint32_t window_mismatch = 0;  // records whose time_window disagrees with the timestamp's hour
  uint32_t records = 0;
  std::vector<RunGroup> groups;
};

struct Ceiling {  // the top of the response-time distribution, per platform
  double max_ms = 0;
  double top_band_share = 0;  // share of records in [0.9 max, max]
  double band_ratio = 0;      // records in [0.9 max, max] / records in [0.8 max, 0.9 max)
};

struct MemoryRow {
  features::Workload workload;
  std::vector<double> logged_limits_mb;  // distinct values of metrics.memory_limit_mb
  int feature_memory_mb = 0;             // what seed-v1's lambda_memory_limit_mb says
};

struct CostRow {
  features::Workload workload;
  uint32_t ecs_requests = 0;
  double task_hours = 0;         // one task per service, for each run's duration
  double prorated_mean_usd = 0;  // the prototype's per-request formula, seed prices
  double provisioned_per_request_usd = 0;
};

struct ConstantFeature {
  std::string name;
  double value = 0;
};

struct Finding {
  std::string id;  // stable: censoring, response_time_ceiling, label_ceiling, ...
  std::string title;
  std::string evidence;  // numbers from this data
};

struct AuditReport {
  uint64_t files = 0, lines = 0, accepted = 0, rejected = 0;
  uint64_t failed_requests = 0;  // well-formed lines of requests that failed (http_status != 200)
  RouteCounts routed;            // the router's attempts, when the logs are `route`'s
  std::vector<std::pair<std::string, uint64_t>> rejection_reasons;  // by reason, most first
  std::vector<CellCount> cells;
  std::array<Quantiles, 2> response_ms{}, execution_ms{};  // [lambda, ecs]
  std::array<Ceiling, 2> ceiling{};
  uint64_t lambda_records = 0, lambda_cold = 0;
  std::array<std::pair<uint64_t, uint64_t>, 4> cold_by_workload{};  // (cold, total)
  std::vector<Run> runs;
  double logged_share = 0;   // logged / expected sent, over runs with a known schedule
  double logged = 0;         // records of runs with a known schedule
  double expected_sent = 0;  // what their schedules sent
  std::string schedules;     // where the schedules came from (LoadSchedules::source)
  std::vector<ConstantFeature> constant_features;
  int distinct_hours = 0;
  uint64_t window_checked = 0, window_mismatch = 0;
  std::vector<MemoryRow> memory;
  std::vector<CostRow> cost;
  uint64_t labelled = 0, label_cells = 0;
  double label_ceiling_accuracy = 0;  // per-cell majority lookup, in-sample
  std::vector<Finding> findings;
};

// `schedules`: what the campaign's load tests sent, for the censoring section (logged vs sent).
AuditReport Audit(const Dataset& ds, const LoadSchedules& schedules = PrototypeSchedules());

// Hours the measurement runs lasted, summed: each run (time_window, load_pattern as logged) from
// its first to its last timestamp. With one task per service, the task-hours that ran.
double MeasuredRunHours(std::span<const Record> records);

// Provisioned ECS from the data: for each workload, `tasks` tasks of `task` size (vCPU 0: the
// measured sizes) running `hours` (0: the measurement runs' total duration), at Fargate prices,
// over the ECS requests served; and one load balancer for the same hours over all ECS requests.
cost::Provisioned ProvisionedFromData(std::span<const Record> records, const cost::Pricing& p,
                                      int tasks = 1, double hours = 0, cost::EcsTask task = {0, 0});

// Quantile with numpy's linear interpolation; `sorted` must be sorted ascending and non-empty.
double Quantile(const std::vector<double>& sorted, double q);

// Requests the load generator sent to one platform+workload pair in `duration_s` seconds of a
// run with this load pattern (data README: rates split over 4 workloads x 2 platforms).
double ExpectedSentPerGroup(features::LoadPattern pattern, double duration_s);

}  // namespace hr::data
