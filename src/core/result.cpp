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
};

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
