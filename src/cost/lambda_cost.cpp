#include "cost/lambda_cost.h"

namespace hr::cost {

double LambdaInvocationCostUsd(double duration_ms, double memory_mb, const LambdaPrices& prices) {
  const double memory_gb = memory_mb / 1024;
  const double seconds = duration_ms / 1000;
  const double duration_cost = memory_gb * seconds * prices.per_gb_second_usd;
  return duration_cost + prices.per_request_usd;
}

}  // namespace hr::cost
