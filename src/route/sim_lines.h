// simulate --outcome-log: each simulated attempt (SimLine) as the line `route` writes for a real
// one (route/outcome_line.h's MakeAttemptLine and route/outcome_log.h's FormatAttempt: one schema,
// one writer), so that `audit`, `train` and `evaluate --off-policy` read a simulation's log as
// they read the router's. Pure, but for OpenOutcomeLines, which writes the files.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "sim/simulate.h"

namespace hr::route {

// What every line of a run shares.
struct SimLineContext {
  uint64_t seed = 1;   // request ids are "sim-<seed>-<arrival number>"
  int start_hour = 0;  // the wall clock at t = 0: Monday 2026-01-05 at this hour
  uint64_t model = 0;  // the deciding model's fingerprint (route.model); 0: none
  policy::PolicySpec spec;
  policy::Objective objective;
};

// The line's JSON, without its newline.
std::string FormatSimLine(const sim::SimLine& line, const SimLineContext& context);

// Writes the lines of `config`'s runs to .jsonl files in `dir` (created when missing) through
// OutcomeLog; sets config.on_line. The returned handle writes out what is buffered when
// Close() is called or it is destroyed.
class SimOutcomeLog {
 public:
  virtual ~SimOutcomeLog() = default;
  virtual core::Status Close() = 0;
  virtual uint64_t written() const = 0;
};
core::Result<std::shared_ptr<SimOutcomeLog>> OpenOutcomeLines(const std::string& dir,
                                                              const SimLineContext& context,
                                                              sim::SimConfig& config);

}  // namespace hr::route
