// The prototype's feature contract "seed-v1": 15 features, raw (unscaled), in a fixed order.
// Pure arithmetic on a validated Request; no allocation. See docs/design.md for the definitions.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "features/request.h"

namespace hr::features {

inline constexpr std::string_view kSeedV1Schema = "seed-v1";
inline constexpr size_t kSeedV1Size = 15;

inline constexpr std::array<std::string_view, kSeedV1Size> kSeedV1Names = {
    "workload_type_encoded",
    "payload_size_kb",
    "time_window_encoded",
    "load_pattern_encoded",
    "hour_of_day",
    "is_weekend",
    "lambda_memory_limit_mb",
    "payload_squared",
    "payload_log",
    "payload_workload_interaction",
    "payload_hour_interaction",
    "payload_time_window_interaction",
    "workload_time_window_interaction",
    "payload_load_pattern_interaction",
    "time_window_load_pattern_interaction",
};

using SeedV1Vector = std::array<double, kSeedV1Size>;

SeedV1Vector SeedV1Features(const Request& r);

}  // namespace hr::features
