// Spill-over capacity discovered from Amazon ECS: each workload with an `ecs_service` in the route
// config gets, as its capacity, the service's tasks that run and are still wanted times its
// `ecs_task_concurrency` (aws/ecs_services.h). One signed DescribeServices call for all of them
// at start (its failure stops the router: a wrong name or role is a configuration error), then
// every `interval_s` on a thread of its own; a failed poll keeps the last capacity, is logged and
// counted, and is retried at the next interval. So the router's capacity follows ECS's scaling,
// a poll interval late.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "aws/credentials.h"
#include "core/result.h"
#include "features/request.h"
#include "route/route_config.h"

namespace hr::route {

struct EcsCapacityOptions {
  int interval_s = 15;
  int timeout_ms = 5'000;  // one DescribeServices call
  std::string ca_file;     // the PEM bundle the API's TLS is checked against; empty: the system's
};

// What one poll found for a workload; called for every described workload on every poll.
struct DiscoveredCapacity {
  features::Workload workload;
  int capacity = 0;
  int64_t running = 0, desired = 0;
};
using CapacityListener = std::function<void(const DiscoveredCapacity&)>;
// A failed poll after the first: why (never a key or token).
using CapacityFailureListener = std::function<void(const std::string& why)>;

class EcsCapacityWatch {
 public:
  static core::Result<std::unique_ptr<EcsCapacityWatch>> Start(
      const RouteTargets& targets, std::shared_ptr<aws::CredentialProvider> credentials,
      const EcsCapacityOptions& options, CapacityListener on_capacity,
      CapacityFailureListener on_failure);
  ~EcsCapacityWatch();  // stops and joins the poller
  EcsCapacityWatch(const EcsCapacityWatch&) = delete;
  EcsCapacityWatch& operator=(const EcsCapacityWatch&) = delete;

  uint64_t polls() const;     // successful, the first included
  uint64_t failures() const;  // failed polls after the first

 private:
  EcsCapacityWatch() = default;
  struct State;
  std::unique_ptr<State> state_;
};

// One DescribeServices call for every workload with an ecs_service; `on_capacity` for each only
// when all were found. Errors name the service; kIo for a passing failure (no answer, throttled,
// a 5xx), kInvalidArgument / kNotFound for the configuration's. `stop`, when set, ends the call.
core::Status DescribeOnce(const RouteTargets& targets, const aws::Credentials& credentials,
                          const EcsCapacityOptions& options, const CapacityListener& on_capacity,
                          const std::atomic<bool>* stop = nullptr);

}  // namespace hr::route
