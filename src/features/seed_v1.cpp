#include "features/seed_v1.h"

#include <cmath>

namespace hr::features {

SeedV1Vector SeedV1Features(const Request& r) {
  const double p = r.payload_kb;
  const double w = static_cast<double>(r.workload);
  const double tw = static_cast<double>(r.time_window);
  const double lp = static_cast<double>(r.load_pattern);
  const double hour = r.hour_of_day;
  return {
      w,
      p,
      tw,
      lp,
      hour,
      r.is_weekend ? 1.0 : 0.0,
      static_cast<double>(FeatureLambdaMemoryMb(r.workload)),
      p * p,
      std::log1p(p),
      p * w,
      p * hour,
      p * tw,
      w * tw,
      p * lp,
      tw * lp,
  };
}

}  // namespace hr::features
