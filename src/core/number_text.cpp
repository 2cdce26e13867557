#include "core/number_text.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace hr::core {

namespace {

std::string Quoted(std::string_view text) {
  std::string q(1, '\'');
  q.append(text.substr(0, 64));
  q.push_back('\'');
  return q;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// `digits` (all digits, no leading zero) compared with `limit` (all digits) as numbers.
bool AtMost(std::string_view digits, std::string_view limit) {
  if (digits.size() != limit.size()) return digits.size() < limit.size();
  return digits <= limit;
}

}  // namespace

std::string NumberTextProblem(std::string_view text, NumberKind kind) {
  if (kind == NumberKind::kFloat) {
    const std::string s(text);
    char* end = nullptr;
    errno = 0;
    const double v = s.empty() || s.front() == ' ' ? 0 : std::strtod(s.c_str(), &end);
    if (end == nullptr || end != s.c_str() + s.size()) return Quoted(text) + " is not a number";
    if (!std::isfinite(v)) return Quoted(text) + " is not a finite number";
    return "";
  }
  std::string_view digits = text;
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative || (!digits.empty() && digits.front() == '+')) digits.remove_prefix(1);
  if (!AllDigits(digits)) return Quoted(text) + " is not a whole number";
  if (kind == NumberKind::kUnsigned && negative && digits != "0")
    return Quoted(text) + " is negative: give a whole number from 0 to 18446744073709551615";
  if (digits.size() > 1 && digits.front() == '0')
    return Quoted(text) + " has a leading zero (it would be read as octal): write it without";
  if (kind == NumberKind::kUnsigned) {
    if (!AtMost(digits, "18446744073709551615"))
      return Quoted(text) + " is over the largest whole number, 18446744073709551615";
    return "";
  }
  if (!AtMost(digits, negative ? "9223372036854775808" : "9223372036854775807"))
    return Quoted(text) +
           " is out of range: give a whole number from -9223372036854775808 to "
           "9223372036854775807";
  return "";
}

}  // namespace hr::core
