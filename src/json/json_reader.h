// Reading JSON documents that are not on the per-request hot path (model files, Lambda events,
// batches): RapidJSON's DOM, which links statically (the Lambda bootstrap cannot use the shared
// simdjson library). Numbers are read with full precision so that doubles round-trip bit-exactly;
// text must be valid UTF-8, as simdjson requires.
// Adapter code: includes the JSON library.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace hr::json {

using Document = rapidjson::Document;
using Value = rapidjson::Value;

// Parses `text` into `doc`. On failure returns false and sets `error` to the reason and byte offset;
// `too_big_number` (optional) is set when the failure is a number beyond the range of a double.
bool ParseDocument(Document& doc, std::string_view text, std::string& error, bool* too_big_number = nullptr);

// The member `key` of an object, or nullptr (also when `v` is not an object).
const Value* Find(const Value& v, std::string_view key);

// A string value's text (embedded NULs kept). Precondition: v.IsString().
inline std::string_view Text(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// The text of a member string, or empty when absent or not a string.
inline std::string_view StringAt(const Value& v, std::string_view key) {
  const Value* m = Find(v, key);
  return m && m->IsString() ? Text(*m) : std::string_view();
}

}  // namespace hr::json
