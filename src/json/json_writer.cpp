#include "json/json_writer.h"

#include <charconv>
#include <cmath>

namespace hr::json {

void Double(Writer& w, double v) {
  if (!std::isfinite(v)) {
    w.Null();
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 2, v);
  bool has_point = false;
  for (const char* p = buf; p < end; ++p) has_point = has_point || *p == '.' || *p == 'e';
  if (!has_point) {
    *end++ = '.';
    *end++ = '0';
  }
  w.Raw(std::string_view(buf, static_cast<size_t>(end - buf)), rapidjson::kNumberType);
}

namespace {

// Values come from ParseDocument, whose depth limit bounds this recursion; the cap is a second
// guard for values built in code.
constexpr int kMaxWriteDepth = 512;

void WriteValueAt(Writer& w, const rapidjson::Value& v, int depth) {
  switch (v.GetType()) {
    case rapidjson::kObjectType:
      w.StartObject();
      if (depth < kMaxWriteDepth) {
        for (const auto& m : v.GetObject()) {
          w.Key(m.name.GetString(), m.name.GetStringLength());
          WriteValueAt(w, m.value, depth + 1);
        }
      }
      w.EndObject();
      return;
    case rapidjson::kArrayType:
      w.StartArray();
      if (depth < kMaxWriteDepth) {
        for (const auto& item : v.GetArray()) WriteValueAt(w, item, depth + 1);
      }
      w.EndArray();
      return;
    case rapidjson::kStringType:
      w.String(v.GetString(), v.GetStringLength());
      return;
    case rapidjson::kNumberType:
      if (v.IsDouble() && !std::isfinite(v.GetDouble())) {
        // A number the reader found beyond a double's range: written as one again, so whoever
        // reads this text refuses it for its field (RapidJSON's Writer would write nothing).
        w.Raw(v.GetDouble() < 0 ? "-1e999" : "1e999", rapidjson::kNumberType);
      } else if (v.IsDouble()) {
        w.Double(v.GetDouble());
      } else if (v.IsInt64()) {
        w.Int64(v.GetInt64());
      } else {
        w.Uint64(v.GetUint64());
      }
      return;
    case rapidjson::kTrueType:
    case rapidjson::kFalseType:
      w.Bool(v.GetBool());
      return;
    case rapidjson::kNullType:
      w.Null();
      return;
  }
}

}  // namespace

void WriteValue(Writer& w, const rapidjson::Value& v) { WriteValueAt(w, v, 0); }

std::string Canonical(const rapidjson::Value& v) {
  Buffer buf;
  Writer w(buf);
  WriteValue(w, v);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace hr::json
