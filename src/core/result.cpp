#include "core/result.h"

namespace hr::core {

namespace {
struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  int http_status;
  int exit_code;
};

// The one table from error code to what users see on each front end.
constexpr CodeInfo kCodeTable[] = {
    {ErrorCode::kInvalidJson, "invalid_json", 400, 2},
    {ErrorCode::kMissingField, "missing_field", 400, 2},
    {ErrorCode::kWrongType, "wrong_type", 400, 2},
    {ErrorCode::kUnknownValue, "unknown_value", 400, 2},
    {ErrorCode::kUnknownField, "unknown_field", 400, 2},
    {ErrorCode::kOutOfRange, "out_of_range", 400, 2},
    {ErrorCode::kInvalidTimestamp, "invalid_timestamp", 400, 2},
    {ErrorCode::kInvalidArgument, "invalid_argument", 400, 2},
    {ErrorCode::kInvalidModel, "invalid_model", 500, 3},
    {ErrorCode::kSchemaMismatch, "schema_mismatch", 500, 3},
    {ErrorCode::kIo, "io_error", 500, 4},
    {ErrorCode::kUnavailable, "unavailable", 503, 3},
    {ErrorCode::kInternal, "internal", 500, 70},
    {ErrorCode::kInvalidHttp, "invalid_http", 400, 2},
    {ErrorCode::kUnauthorized, "unauthorized", 401, 2},
    {ErrorCode::kForbidden, "forbidden", 403, 2},
    {ErrorCode::kNotFound, "not_found", 404, 2},
    {ErrorCode::kMethodNotAllowed, "method_not_allowed", 405, 2},
    {ErrorCode::kConflict, "conflict", 409, 2},
    {ErrorCode::kPayloadTooLarge, "payload_too_large", 413, 2},
    {ErrorCode::kUnsupportedMediaType, "unsupported_media_type", 415, 2},
    {ErrorCode::kHeadersTooLarge, "headers_too_large", 431, 2},
    {ErrorCode::kTooManyConnections, "too_many_connections", 503, 3},
    {ErrorCode::kRequestTimeout, "request_timeout", 408, 2},
    {ErrorCode::kNotImplemented, "not_implemented", 501, 2},
    {ErrorCode::kOverloaded, "overloaded", 503, 3},
    {ErrorCode::kRateLimited, "rate_limited", 429, 2},
    {ErrorCode::kUpstreamTimeout, "upstream_timeout", 504, 4},
    {ErrorCode::kUpstreamUnavailable, "upstream_unavailable", 502, 4},
    {ErrorCode::kUpstreamConfigError, "upstream_config_error", 502, 4},
    {ErrorCode::kLambdaFunctionError, "lambda_function_error", 502, 4},
};
static_assert(std::size(kCodeTable) == kErrorCodeCount, "every code has its row");

const CodeInfo& Lookup(ErrorCode code) {
  for (const auto& info : kCodeTable) {
    if (info.code == code) return info;
  }
  return kCodeTable[std::size(kCodeTable) - 1];
}
}  // namespace

std::string_view CodeName(ErrorCode code) { return Lookup(code).name; }
int HttpStatus(ErrorCode code) { return Lookup(code).http_status; }
int ExitCode(ErrorCode code) { return Lookup(code).exit_code; }

}  // namespace hr::core
