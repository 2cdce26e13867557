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

void WriteValue(Writer& w, const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kObjectType:
      w.StartObject();
      for (const auto& m : v.GetObject()) {
        w.Key(m.name.GetString(), m.name.GetStringLength());
        WriteValue(w, m.value);
      }
      w.EndObject();
      return;
    case rapidjson::kArrayType:
      w.StartArray();
      for (const auto& item : v.GetArray()) WriteValue(w, item);
      w.EndArray();
      return;
    case rapidjson::kStringType:
      w.String(v.GetString(), v.GetStringLength());
      return;
    case rapidjson::kNumberType:
      if (v.IsDouble()) {
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

std::string Canonical(const rapidjson::Value& v) {
  Buffer buf;
  Writer w(buf);
  WriteValue(w, v);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace hr::json
