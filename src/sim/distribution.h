// Service-time distributions given on the command line for validation runs: exponential
// (`exp:MS`, the mean), deterministic (`det:MS`) and uniform (`uniform:A-B`). Pure. Units: ms.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/rng.h"

namespace hr::sim {

struct Distribution {
  enum class Kind { kExponential, kDeterministic, kUniform };
  Kind kind = Kind::kDeterministic;
  double a_ms = 0;  // mean (exponential), value (deterministic), low end (uniform)
  double b_ms = 0;  // high end (uniform)

  double MeanMs() const;
  double SampleMs(core::Rng& rng) const;
  std::string Text() const;
};

// "exp:MS", "det:MS", "uniform:A-B", MS > 0 and at most an hour; errors name `field`.
core::Result<Distribution> ParseDistribution(std::string_view text, std::string_view field);

}  // namespace hr::sim
