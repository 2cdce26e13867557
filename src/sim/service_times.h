// What one request occupies and answers in, per workload, payload and platform: samples drawn from
// the shipped measurements, warm Lambda and ECS from the low-load runs only (at higher loads the
// ECS records queued behind busy workers, and the load generator itself slowed: Lambda's
// client-side response times doubled at medium load while its execution times did not change),
// cold starts from every run (they are rare); or given distributions for validation. Also the
// workload's payload sizes and their shares in the data. Pure: built from records in memory. Units:
// ms, KB, MB.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "core/result.h"
#include "core/rng.h"
#include "data/record.h"
#include "features/request.h"
#include "sim/distribution.h"

namespace hr::sim {

struct ServiceSample {
  double response_ms = 0;  // what the client sees when nothing waits (network and gateway included)
  double busy_ms = 0;      // how long it occupies the instance or task slot
  double init_ms = 0;      // of busy_ms, the cold start's INIT phase (Lambda)
};

class ServiceTimes {
 public:
  // From measurement records (those of requests that succeeded). Every workload needs Lambda warm
  // and ECS samples; a workload without cold-start records borrows the warm ones plus the median
  // cold penalty of the others.
  // An ECS slot is busy for the handler's execution time (`ecs_busy_response` false: requests
  // wait in the load balancer and the task's socket while the payload travels), or for the whole
  // response time the client saw (true: a synchronous worker also holds the upload and download).
  static core::Result<ServiceTimes> FromRecords(const std::vector<data::Record>& records,
                                                bool ecs_busy_response = false);
  // Only given distributions (no data): every workload the same, one payload size (0 KB), Lambda
  // billed at the memory each workload's function was measured with (cost::MeasuredLambdaMemoryMb).
  static ServiceTimes FromDistributions(Distribution lambda_warm, Distribution lambda_cold,
                                        Distribution ecs);

  // Replace the measured samples of a platform by a distribution, for every workload. A cold
  // distribution's INIT share is the difference of the cold and warm means.
  void SetLambda(Distribution warm, Distribution cold);
  void SetEcs(Distribution ecs);

  const std::vector<double>& Payloads(features::Workload w) const { return at(w).payloads_kb; }
  // Each workload's share of the records (equal shares without data).
  const std::array<double, features::kWorkloadCount>& WorkloadShares() const { return shares_; }
  // A payload index drawn with the data's shares; the index of the measured size a given size
  // belongs to (features::NearestSize).
  uint32_t DrawPayload(features::Workload w, core::Rng& rng) const;
  uint32_t NearestPayload(features::Workload w, double payload_kb) const;

  ServiceSample Lambda(features::Workload w, uint32_t payload, bool cold, core::Rng& rng) const;
  ServiceSample Ecs(features::Workload w, uint32_t payload, core::Rng& rng) const;
  double LambdaMemoryMb(features::Workload w) const { return at(w).lambda_memory_mb; }
  // Mean busy time of a warm Lambda and of an ECS slot over the workload's payload shares.
  double MeanLambdaBusyMs(features::Workload w) const;
  double MeanEcsBusyMs(features::Workload w) const;
  // The true means a request of `payload` draws from (the oracle's truth): its response time on a
  // warm Lambda, on a cold one and that cold start's INIT part, and on an ECS slot nothing waits
  // for, with that slot's busy time.
  struct Means {
    double lambda_warm_ms = 0, lambda_cold_ms = 0, lambda_init_ms = 0, ecs_ms = 0, ecs_busy_ms = 0;
  };
  Means MeanMs(features::Workload w, uint32_t payload) const;

 private:
  struct PerPayload {
    std::vector<ServiceSample> lambda_warm, ecs;
  };
  struct PerWorkload {
    std::vector<double> payloads_kb;  // ascending
    std::vector<double> payload_cdf;  // cumulative shares
    std::vector<PerPayload> by_payload;
    std::vector<ServiceSample> lambda_cold;  // every payload together (cold starts are rare)
    double lambda_memory_mb = 0;             // set by FromRecords and FromDistributions
  };
  const PerWorkload& at(features::Workload w) const { return w_[static_cast<size_t>(w)]; }
  std::array<PerWorkload, features::kWorkloadCount> w_;
  std::optional<Distribution> lambda_warm_, lambda_cold_, ecs_;
  std::array<double, features::kWorkloadCount> shares_{0.25, 0.25, 0.25, 0.25};
};

}  // namespace hr::sim
