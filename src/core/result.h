// Errors as values: every recoverable failure in the library is a Result<T> holding either a value
// or an Error (code, message, and the request field or file position it concerns). One table maps
// codes to HTTP status and CLI exit code. Depends on nothing but the standard library.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hr::core {

enum class ErrorCode {
  kInvalidJson,       // the text is not JSON
  kMissingField,      // a required field is absent
  kWrongType,         // a field has the wrong JSON type
  kUnknownValue,      // a string outside the allowed set
  kUnknownField,      // a key we do not know (never silently ignored)
  kOutOfRange,        // a number that is negative, not finite, or absurd
  kInvalidTimestamp,  // a timestamp that is not ISO-8601
  kInvalidArgument,   // a bad command-line or configuration value
  kInvalidModel,      // a model file that is corrupt, truncated or inconsistent
  kSchemaMismatch,    // a model built for other features
  kIo,                // a file could not be read or written
  kUnavailable,       // no usable model
  kInternal,          // a bug: should never be seen
  // HTTP-level refusals, answered by the server or the service before any request is read.
  kInvalidHttp,           // malformed HTTP
  kUnauthorized,          // no valid API key
  kForbidden,             // an endpoint that is switched off
  kNotFound,              // no such route
  kMethodNotAllowed,      // a route that takes another method
  kConflict,              // a state that forbids the operation
  kPayloadTooLarge,       // a body or batch over the limit
  kUnsupportedMediaType,  // a body that is not declared as JSON
  kHeadersTooLarge,       // request headers over the limit
  kTooManyConnections,    // a connection refused at the connection limit
  kRequestTimeout,        // a request not read whole within its time
  kNotImplemented,        // a transfer coding other than chunked
  kOverloaded,            // the buffer budget is spent: retry after a moment
  kRateLimited,           // an API key over its rate or daily quota: retry after Retry-After
  // The gateway (route): what no platform could answer.
  kUpstreamTimeout,      // no answer within the request's time
  kUpstreamUnavailable,  // no platform answered (refused, broken, stray answers...)
  kUpstreamConfigError,  // a platform refused the router's credentials (401/403)
  kLambdaFunctionError,  // the function failed, or its result is not a proxy result
};
// The codes are numbered 0 .. kErrorCodeCount - 1 (metrics index by them).
inline constexpr size_t kErrorCodeCount = static_cast<size_t>(ErrorCode::kLambdaFunctionError) + 1;

// NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign): a false path through std::variant
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // the request field, model key or input position concerned; may be empty
};

// Stable snake_case name of a code, as written in JSON error bodies.
std::string_view CodeName(ErrorCode code);
// HTTP status for an error of this code (400, 415, 500, 503...).
int HttpStatus(ErrorCode code);
// Process exit code for a CLI failing with this code (2 usage/input, 3 model, 4 io, 70 internal).
int ExitCode(ErrorCode code);

inline Error MakeError(ErrorCode code, std::string message, std::string field = {}) {
  return Error{code, std::move(message), std::move(field)};
}
// An invalid option or field: "FIELD: WHY", naming FIELD.
inline Error InvalidArgument(std::string_view field, std::string_view why) {
  std::string message(field);
  message.append(": ").append(why);
  return Error{ErrorCode::kInvalidArgument, std::move(message), std::string(field)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, Error> data_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error)
      : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace hr::core
