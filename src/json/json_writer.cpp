#include "json/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace hr::json {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no surrogates, no
// overlong forms, nothing above U+10FFFF).
size_t SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // a surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  // Almost everything written is ASCII: one pass that the compiler vectorises settles it.
  unsigned char high = 0;
  for (char c : s) high |= static_cast<unsigned char>(c);
  if ((high & 0x80) == 0) return true;
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

// Whether any of the 8 bytes in `x` needs escaping: below 0x20, '"' or '\\' (bit tricks on words).
bool AnyToEscape(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const auto zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t below_space = (x - kOnes * 0x20) & ~x & kHigh;
  return (below_space | zero_byte(x ^ (kOnes * '"')) | zero_byte(x ^ (kOnes * '\\'))) != 0;
}

}  // namespace

void AppendQuoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.reserve(out.size() + s.size() + s.size() / 64 + 2);
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (!AnyToEscape(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    out += '\\';
    switch (c) {
      case '"':
      case '\\':
        out += static_cast<char>(c);
        break;
      case '\b':
        out += 'b';
        break;
      case '\f':
        out += 'f';
        break;
      case '\n':
        out += 'n';
        break;
      case '\r':
        out += 'r';
        break;
      case '\t':
        out += 't';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string RepairUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

namespace {

// The shortest round-trip text of a finite double, with ".0" when it would read as an integer.
size_t FormatDouble(char (&buf)[32], double v) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 2, v);
  bool has_point = false;
  for (const char* p = buf; p < end; ++p) has_point = has_point || *p == '.' || *p == 'e';
  if (!has_point) {
    *end++ = '.';
    *end++ = '0';
  }
  return static_cast<size_t>(end - buf);
}

}  // namespace

void Double(Writer& w, double v) {
  if (!std::isfinite(v)) {
    w.Null();
    return;
  }
  char buf[32];
  w.Raw(std::string_view(buf, FormatDouble(buf, v)), rapidjson::kNumberType);
}

void AppendDouble(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  out.append(buf, FormatDouble(buf, v));
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
          Key(w, std::string_view(m.name.GetString(), m.name.GetStringLength()));
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
      String(w, std::string_view(v.GetString(), v.GetStringLength()));
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

void WriteErrorObject(Writer& w, std::string_view code, std::string_view message,
                      std::string_view field) {
  w.StartObject();
  Key(w, "code");
  String(w, code);
  Key(w, "message");
  String(w, message);
  if (!field.empty()) {
    Key(w, "field");
    String(w, field);
  }
  w.EndObject();
}

void WriteErrorObject(Writer& w, const core::Error& e) {
  WriteErrorObject(w, core::CodeName(e.code), e.message, e.field);
}

std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field) {
  Buffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "error");
  WriteErrorObject(w, code, message, field);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string ErrorBody(const core::Error& e) {
  return ErrorBody(core::CodeName(e.code), e.message, e.field);
}

}  // namespace hr::json
