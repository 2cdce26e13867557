// Small helpers shared by every JSON writer in the project: a RapidJSON Writer over a string
// buffer, and the re-serialisation of a parsed DOM value into canonical minified JSON
// (used to keep free-form metadata byte-stable). Adapter code: includes the JSON libraries.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hr::json {

using Buffer = rapidjson::StringBuffer;

// RapidJSON's Writer plus Raw(): pre-rendered JSON copied in one block (RawValue copies byte by
// byte, which was a third of the time spent writing a /predict answer).
class Writer : public rapidjson::Writer<Buffer> {
 public:
  explicit Writer(Buffer& buf) : rapidjson::Writer<Buffer>(buf) {}

  // `text` must be one complete JSON value of type `type`.
  void Raw(std::string_view text, rapidjson::Type type) {
    Prefix(type);
    std::memcpy(os_->Push(text.size()), text.data(), text.size());
    if (level_stack_.Empty()) os_->Flush();
  }
};

// Whether `s` is valid UTF-8 (no surrogates, no overlong forms). ASCII is checked 8 bytes at a
// time.
bool IsValidUtf8(std::string_view s);
// `s` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD. Text we echo
// can be invalid even from valid JSON: a "\ude00" escape decodes to an unpaired surrogate, and a
// value cut to 64 bytes for a message can end inside a character.
std::string RepairUtf8(std::string_view s);

// Every string and key the project writes goes through these two: the output is always valid JSON.
inline void String(Writer& w, std::string_view s) {
  if (IsValidUtf8(s)) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    const std::string fixed = RepairUtf8(s);
    w.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()));
  }
}
inline void Key(Writer& w, std::string_view s) {
  if (IsValidUtf8(s)) {
    w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    const std::string fixed = RepairUtf8(s);
    w.Key(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()));
  }
}

// `s` (valid UTF-8) as a quoted JSON string appended to `out`, escaped as the Writer escapes
// (\" \\ \b \f \n \r \t, other control bytes as \u00XX), in one reservation and long
// copies: for large bodies (a 5 MB request in a Lambda proxy event) ~10x faster than the Writer.
void AppendQuoted(std::string& out, std::string_view s);

// A double as the shortest text that reads back to the same value (std::to_chars, ~4x faster than
// the Writer's Grisu2 here), always with a '.' or exponent as Python's json writes floats
// (5.0, not 5). Non-finite values become null (JSON has no NaN).
void Double(Writer& w, double v);
// The same text appended to a string (null for non-finite values).
void AppendDouble(std::string& out, double v);

// Writes a parsed value as minified JSON, keys in document order.
void WriteValue(Writer& w, const rapidjson::Value& v);

// Minified canonical text of a parsed value.
std::string Canonical(const rapidjson::Value& v);

}  // namespace hr::json

namespace hr::json {
// `s` as a JSON string literal, quotes included.
inline std::string Quoted(std::string_view s) {
  Buffer buf;
  Writer w(buf);
  String(w, s);
  return std::string(buf.GetString(), buf.GetSize());
}
// The project's one error body: {"error":{"code":...,"message":...,"field":...}} (field omitted
// when empty), as every front end answers it.
void WriteErrorObject(Writer& w, std::string_view code, std::string_view message,
                      std::string_view field);
void WriteErrorObject(Writer& w, const core::Error& e);
std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field = {});
std::string ErrorBody(const core::Error& e);

}  // namespace hr::json
