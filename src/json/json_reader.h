// Reading JSON documents that are not on the per-request hot path (model files, Lambda events,
// batches, and every request in the static Lambda build): RapidJSON's DOM, which links statically
// (the Lambda bootstrap cannot use the shared simdjson library). One reading policy for every
// untrusted input: the iterative parser (no recursion), an explicit nesting limit, valid UTF-8, and
// numbers converted by std::from_chars (correctly rounded; RapidJSON's own full-precision path
// crashes on long mantissas). Adapter code: includes the JSON library.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace hr::json {

using Document = rapidjson::Document;
using Value = rapidjson::Value;

struct ReadLimits {
  int max_depth = 64;  // arrays and objects nested deeper are refused
  // A number beyond a double's range: read as +/-infinity so the rules of the field it belongs to
  // can name it (requests), or refuse the whole document (model files).
  bool out_of_range_as_infinity = true;
};

// Requests, batches and Lambda events.
inline constexpr ReadLimits kRequestLimits{64, true};
// Model files: deeper free-form metadata is fine, an out-of-range weight is not.
inline constexpr ReadLimits kModelFileLimits{256, false};

// Parses `text` into `doc` under `limits`. On failure returns false and sets `error` to the reason
// and byte offset; `refused` (optional) tells valid JSON refused by the limits from invalid JSON.
bool ParseDocument(Document& doc, std::string_view text, const ReadLimits& limits,
                   std::string& error, bool* refused = nullptr);

// The member `key` of an object, or nullptr (also when `v` is not an object).
const Value* Find(const Value& v, std::string_view key);

// A string value's text (embedded NULs kept). Precondition: v.IsString().
inline std::string_view Text(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// The text of a member string, or empty when absent or not a string.
inline std::string_view StringAt(const Value& v, std::string_view key) {
  const Value* m = Find(v, key);
  return m && m->IsString() ? Text(*m) : std::string_view();
}

// A number as text (JSON's grammar, already checked by a parser; trailing JSON whitespace, as in
// simdjson's raw tokens, is ignored) -> double, correctly rounded.
// Returns false when the magnitude is beyond a double's range; values below the smallest
// subnormal become (signed) zero, as simdjson reads them.
bool ParseJsonDouble(std::string_view text, double& out);

}  // namespace hr::json
