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

inline void String(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void Key(Writer& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// A double as the shortest text that reads back to the same value (std::to_chars, ~4x faster than
// the Writer's Grisu2 here), always with a '.' or exponent as Python's json writes floats
// (5.0, not 5). Non-finite values become null (JSON has no NaN).
void Double(Writer& w, double v);

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
}  // namespace hr::json
