// Lambda prices and the cost of one invocation. Pure. Units: USD, milliseconds, MB (1 GB = 1024 MB
// as AWS bills memory).
#pragma once

namespace hr::cost {

struct LambdaPrices {
  double per_request_usd = 0.20 / 1'000'000;
  double per_gb_second_usd = 0.0000166667;  // x86, eu-west-1
};

// Duration cost + request cost, evaluated in the prototype's order so results match it exactly.
double LambdaInvocationCostUsd(double duration_ms, double memory_mb,
                               const LambdaPrices& prices = {});

}  // namespace hr::cost
