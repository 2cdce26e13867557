// Small text helpers shared by the readers of configuration, trace and header lines. Pure.
#pragma once

#include <string_view>

namespace hr::core {

// `s` without leading and trailing spaces, tabs, carriage returns and newlines.
inline std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace hr::core
