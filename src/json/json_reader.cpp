#include "json/json_reader.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

namespace hr::json {

namespace {

enum class Failure { kNone, kTooDeep, kNumberOutOfRange };

using Stream = rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream>;

// A number RapidJSON refuses as too big even when it only hands over its text (an exponent
// beyond 308, or 309 integer digits; also 0e400, which is zero), replaced in a copy of the text by
// a placeholder of the same length, "0e000...": its true text, by the offset where it ends.
struct Replaced {
  size_t end = 0;
  std::string_view text;
};

// Whether `t` is a JSON number (RFC 8259 grammar).
bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  const size_t int_at = i;
  const size_t int_digits = digits();
  if (int_digits == 0 || (int_digits > 1 && t[int_at] == '0')) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == t.size();
}

// Numbers whose exponent or integer part is too long for RapidJSON's reader (thresholds well
// below where it refuses), outside strings. Returns the patched copy, or empty when none.
std::string PatchBigNumbers(std::string_view text, std::vector<Replaced>& replaced) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    size_t end = i;
    while (end < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '-' ||
            text[end] == '+' || text[end] == '.' || text[end] == 'e' || text[end] == 'E')) {
      ++end;
    }
    const std::string_view token = text.substr(i, end - i);
    const size_t exp_at = token.find_first_of("eE");
    const size_t int_digits =
        std::min(token.find_first_of(".eE"), token.size()) - (token[0] == '-' ? 1 : 0);
    bool big_exponent = false;
    if (exp_at != std::string_view::npos) {
      int64_t e = 0;
      for (char d : token.substr(exp_at + 1)) {
        if (d >= '0' && d <= '9') e = std::min<int64_t>(e * 10 + (d - '0'), 1'000'000);
      }
      big_exponent = e > 300;
    }
    if ((big_exponent || int_digits > 300) && token.size() >= 3 && IsJsonNumber(token)) {
      if (out.empty()) out.assign(text);
      out[i] = '0';
      out[i + 1] = 'e';
      std::fill(out.begin() + static_cast<std::ptrdiff_t>(i + 2),
                out.begin() + static_cast<std::ptrdiff_t>(end), '0');
      replaced.push_back({end, token});
    }
    i = end - 1;
  }
  return out;
}

// Forwards SAX events to the document while counting depth and converting number text.
class LimitedHandler {
 public:
  LimitedHandler(Document& doc, const ReadLimits& limits, const Stream& in,
                 const std::vector<Replaced>& replaced)
      : doc_(doc), limits_(limits), in_(in), replaced_(replaced) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    std::string_view text(s, n);
    if (!replaced_.empty()) {
      const size_t end = in_.Tell();
      auto it = std::lower_bound(replaced_.begin(), replaced_.end(), end,
                                 [](const Replaced& r, size_t at) { return r.end < at; });
      if (it != replaced_.end() && it->end == end) text = it->text;
    }
    const bool integral = text.find_first_of(".eE") == std::string_view::npos;
    if (integral) {
      if (text.front() == '-') {
        int64_t i = 0;
        if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
            ec == std::errc()) {
          return i == 0 ? doc_.Double(-0.0)
                        : doc_.Int64(i);  // -0 is negative zero, as simdjson reads it
        }
      } else {
        uint64_t u = 0;
        if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), u);
            ec == std::errc()) {
          return doc_.Uint64(u);
        }
      }
    }
    double d = 0;
    if (!ParseJsonDouble(text, d)) {
      if (!limits_.out_of_range_as_infinity) {
        failure_ = Failure::kNumberOutOfRange;
        return false;
      }
      d = text.front() == '-' ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::infinity();
    }
    return doc_.Double(d);
  }

  Failure failure() const { return failure_; }

 private:
  bool Enter() {
    if (++depth_ > limits_.max_depth) {
      failure_ = Failure::kTooDeep;
      return false;
    }
    return true;
  }

  Document& doc_;
  const ReadLimits& limits_;
  const Stream& in_;
  const std::vector<Replaced>& replaced_;
  int depth_ = 0;
  Failure failure_ = Failure::kNone;
};

}  // namespace

bool ParseJsonDouble(std::string_view text, double& out) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  if (ec == std::errc() && p == end) return true;
  if (ec != std::errc::result_out_of_range) return false;
  // Out of range one way or the other: tell overflow from underflow by the decimal exponent of the
  // first significant digit (JSON's grammar: -?int(.frac)?([eE][+-]?digits)?).
  std::string_view s = text;
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  const size_t exp_at = s.find_first_of("eE");
  const std::string_view mantissa = s.substr(0, exp_at);
  int64_t exponent = 0;
  if (exp_at != std::string_view::npos) {
    std::string_view e = s.substr(exp_at + 1);
    const bool e_negative = !e.empty() && e.front() == '-';
    if (!e.empty() && (e.front() == '-' || e.front() == '+')) e.remove_prefix(1);
    for (char c : e) exponent = std::min<int64_t>(exponent * 10 + (c - '0'), 1'000'000'000);
    if (e_negative) exponent = -exponent;
  }
  const size_t point = mantissa.find('.');
  const std::string_view int_part = mantissa.substr(0, point);
  const size_t first = mantissa.find_first_not_of("0.");
  if (first == std::string_view::npos) {
    out = negative ? -0.0 : 0.0;
    return true;
  }
  // Position of the first significant digit relative to the decimal point.
  const int64_t magnitude = first < int_part.size()
                                ? static_cast<int64_t>(int_part.size() - first)
                                : -static_cast<int64_t>(first - int_part.size() - 1);
  if (magnitude + exponent > 0) return false;  // overflow
  out = negative ? -0.0 : 0.0;                 // underflow below the smallest subnormal
  return true;
}

bool ParseDocument(Document& doc, std::string_view text, const ReadLimits& limits,
                   std::string& error, bool* refused) {
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag;
  std::vector<Replaced> replaced;
  std::string patched;
  rapidjson::ParseResult result;
  Failure failure = Failure::kNone;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const std::string_view source = patched.empty() ? text : std::string_view(patched);
    rapidjson::MemoryStream ms(source.data(), source.size());
    Stream in(ms);
    rapidjson::Reader reader;
    LimitedHandler handler(doc, limits, in, replaced);
    auto generate = [&](Document&) {
      result = reader.Parse<kFlags>(in, handler);
      return !result.IsError();
    };
    doc.SetNull();
    doc.Populate(generate);
    failure = handler.failure();
    if (!result.IsError()) return true;
    if (attempt > 0 || result.Code() != rapidjson::kParseErrorNumberTooBig) break;
    patched = PatchBigNumbers(text, replaced);
    if (patched.empty()) break;
  }
  doc.SetNull();
  if (refused) *refused = failure != Failure::kNone;
  const std::string at = " at byte " + std::to_string(result.Offset());
  switch (failure) {
    case Failure::kTooDeep:
      error = "arrays and objects nested deeper than " + std::to_string(limits.max_depth) + at;
      return false;
    case Failure::kNumberOutOfRange:
      error = "number beyond the range of a double" + at;
      return false;
    case Failure::kNone:
      break;
  }
  std::string_view reason = rapidjson::GetParseError_En(result.Code());
  if (!reason.empty() && reason.back() == '.') reason.remove_suffix(1);
  error = std::string(reason) + at;
  return false;
}

const Value* Find(const Value& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  const Value name(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  const auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

}  // namespace hr::json
