// CloudWatch Embedded Metric Format (EMF): the Lambda runtime's one metrics line per invocation,
// which CloudWatch Logs turns into metrics without an agent. The namespace and the dimensions are
// configurable; the line follows the published specification (an `_aws` object with Timestamp
// and CloudWatchMetrics [{Namespace, Dimensions, Metrics [{Name, Unit}]}], each metric and
// dimension a top-level member). Pure: formats text, writes nothing.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hr::lambda {

inline constexpr std::string_view kEmfOff = "off";

struct EmfOptions {
  std::string name_space = "HybridRouter";  // kEmfOff: no metrics lines
  // Dimension names and values, in order (at most 30); every metric is published with all of them.
  std::vector<std::pair<std::string, std::string>> dimensions;
  bool enabled() const { return name_space != kEmfOff; }
};

// What one invocation came to.
struct InvocationMetrics {
  int64_t timestamp_ms = 0;             // when it arrived, ms since the Unix epoch
  std::string request_id;               // the Lambda request id (a property, not a dimension)
  int status = 0;                       // the HTTP status answered; 0: the runtime posted an error
  std::array<uint32_t, 3> decisions{};  // lambda, ecs, fallback (a batch counts every item)
  uint32_t failed_items = 0;            // a batch's items answered with an error
  double inference_ms = 0;              // from the event's arrival in the service to its answer
};

// The metric names a line carries, in order, with their units.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kEmfMetrics = {{
    {"Invocations", "Count"},
    {"LambdaDecisions", "Count"},
    {"EcsDecisions", "Count"},
    {"FallbackDecisions", "Count"},
    {"ClientErrors", "Count"},  // 1 for a 4xx answer
    {"Errors", "Count"},        // 1 for a 5xx answer or an invocation the runtime failed
    {"InferenceTime", "Milliseconds"},
    {"FailedItems", "Count"},  // a batch's items answered with an error
}};

// Checks a namespace: 1-255 characters of A-Z a-z 0-9 . - _ / # : and space, not starting with
// "AWS/" (CloudWatch's own); or kEmfOff. Errors name `field`.
core::Status CheckEmfNamespace(std::string_view name_space, std::string_view field);
// Parses "Name=Value,Name=Value" (empty: none): at most 30, names 1-255 printable ASCII
// characters not starting with ':' and not a metric's or another member's name, values 1-1024
// printable ASCII characters, each name once. Errors name `field`.
core::Result<std::vector<std::pair<std::string, std::string>>> ParseEmfDimensions(
    std::string_view text, std::string_view field);

// The options a command line gives: `dimensions` as ParseEmfDimensions takes them, "none" for no
// dimension, or empty for FunctionName=`function_name` (AWS_LAMBDA_FUNCTION_NAME) when that is
// set. Errors name --emf-namespace or --emf-dimensions.
core::Result<EmfOptions> MakeEmfOptions(std::string name_space, std::string_view dimensions,
                                        std::string_view function_name);

// One EMF document, a single line without its newline.
std::string EmfLine(const EmfOptions& options, const InvocationMetrics& m);

}  // namespace hr::lambda
