// Local stand-ins for the prototype's workloads (docs/design.md "Routing real traffic"): the Lambda
// functions behind an API Gateway REST stage (`POST /{stage}/{workload}`), the same functions
// through the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`, an API Gateway
// v1 proxy event in, `statusCode/headers/body` out), and the ECS services behind an ALB
// (`POST /{workload}/process`), optionally with a limited capacity per service (answers beyond
// it wait in FIFO order; GET /emulate/ecs reports it). Each answer has the prototype's shape and is
// delayed by a response time drawn from the shipped measurements of the request's cell on that
// platform, times a time scale; faults (throttles, errors, cold starts, slow answers) are injected
// per platform with given probabilities. Invoke API calls can be required to carry a valid SigV4
// signature, and their answers carry the log tail's REPORT line when asked (`LogType: Tail`). For
// trying and testing `route` on one machine.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/record.h"
#include "emulate/aws_stand_in.h"
#include "http/server.h"
#include "policy/decision.h"
#include "workload/request.h"

namespace hr::emulate {

enum class FaultKind { kThrottle, kError, kCold, kSlow };

// One injected fault: on `platform`, with `probability` per request; `ms` is the extra delay of
// kCold and kSlow (before the time scale).
struct Fault {
  policy::Platform platform = policy::Platform::kLambda;
  FaultKind kind = FaultKind::kThrottle;
  double probability = 0;
  double ms = 0;
};

// "lambda:throttle:0.1", "ecs:error:0.05", "lambda:cold:0.2:900", "ecs:slow:0.1:5000". Errors
// name the part that is wrong.
core::Result<Fault> ParseFault(std::string_view text);

struct EmulateConfig {
  double time_scale = 1.0;  // delays are measured response times x this (0: answer at once)
  uint64_t seed = 42;
  std::vector<Fault> faults;
  // ECS capacity per workload service: `ecs_tasks` x `ecs_concurrency` requests in service at
  // once, the rest wait in FIFO order (their answers come that much later). 0 tasks: unlimited.
  // Only delayed answers hold a slot (time scale 0 answers at once).
  int ecs_tasks = 0;
  int ecs_concurrency = 2;
  // Invoke API calls checked for SigV4 signatures; the container credentials stand-in.
  AwsOptions aws;
};

// What an ECS service of the emulator has seen (GET /emulate/ecs).
struct EcsCounts {
  int in_service = 0, in_service_max = 0;
  size_t waiting = 0;
  uint64_t waited = 0;  // requests that could not start at once
};

// Where a measured response time comes from: the request's full cell on the platform, else its
// (workload, payload) cell, else the workload's records there.
struct Draw {
  const data::Record* record = nullptr;  // null: no record of this workload on the platform
  int level = 0;                         // 0 full cell, 1 (workload, payload), 2 workload
};

// The measurements grouped for drawing. Payloads, the records' and the requests', are matched to
// the measured size they belong to (features/payload_size.h: nearest in log(1 + KB)).
class Pools {
 public:
  explicit Pools(std::vector<data::Record> records);
  Draw Pick(policy::Platform p, features::Workload w, double payload_kb,
            std::optional<features::TimeWindow> tw, std::optional<features::LoadPattern> lp,
            uint64_t random) const;
  // The environment's truth for a request: the mean measured response time of the records Pick
  // draws its answers from on `p` (before --time-scale and faults); NaN without any.
  double MeanMs(policy::Platform p, features::Workload w, double payload_kb,
                std::optional<features::TimeWindow> tw,
                std::optional<features::LoadPattern> lp) const;
  size_t size() const { return records_.size(); }

 private:
  const std::vector<uint32_t>& PoolOf(policy::Platform p, features::Workload w, double payload_kb,
                                      std::optional<features::TimeWindow> tw,
                                      std::optional<features::LoadPattern> lp, int& level) const;
  struct Impl;
  std::vector<data::Record> records_;
  std::shared_ptr<const Impl> impl_;
};

// A placement's regret in an environment whose true means per platform [lambda, ecs] are
// `mean_ms` (Pools::MeanMs): the chosen platform's mean minus the better platform's; 0 when the
// other platform has no records (nothing better to choose), NaN when the chosen one has none.
double RegretMs(const std::array<double, 2>& mean_ms, policy::Platform chosen);

class Emulator {
 public:
  static core::Result<std::unique_ptr<Emulator>> Create(const EmulateConfig& config, Pools pools);
  // Destroy after the server has drained: answers still waiting then are dropped unsent.
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // The server's handler: answers errors at once, defers every workload answer by its delay.
  void Handle(const http::Request& req, http::Response& res);
  uint64_t answered() const;
  EcsCounts ecs(features::Workload w) const;

 private:
  Emulator(const EmulateConfig& config, Pools pools);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hr::emulate
