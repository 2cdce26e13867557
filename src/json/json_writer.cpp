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
  w.RawValue(buf, static_cast<size_t>(end - buf), rapidjson::kNumberType);
}

void WriteElement(Writer& w, simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT:
      w.StartObject();
      for (auto field : simdjson::dom::object(e)) {
        Key(w, field.key);
        WriteElement(w, field.value);
      }
      w.EndObject();
      return;
    case element_type::ARRAY:
      w.StartArray();
      for (auto item : simdjson::dom::array(e)) WriteElement(w, item);
      w.EndArray();
      return;
    case element_type::STRING:
      String(w, std::string_view(e));
      return;
    case element_type::INT64:
      w.Int64(int64_t(e));
      return;
    case element_type::UINT64:
      w.Uint64(uint64_t(e));
      return;
    case element_type::DOUBLE:
      w.Double(double(e));
      return;
    case element_type::BOOL:
      w.Bool(bool(e));
      return;
    case element_type::NULL_VALUE:
      w.Null();
      return;
  }
}

std::string Canonical(simdjson::dom::element e) {
  Buffer buf;
  Writer w(buf);
  WriteElement(w, e);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace hr::json
