#include "http/header_policy.h"

#include <cstdio>

namespace hr::http {

namespace {

bool TokenChar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!TokenChar(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<std::string> HeaderProblem(std::string_view name, std::string_view value) {
  if (!IsToken(name)) return "a header name is not an HTTP token";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", u);
      return "the value of " + std::string(name.substr(0, 64)) + " holds the control byte " + hex;
    }
  }
  return std::nullopt;
}

bool Relayable(std::string_view lower_name, std::string_view connection) {
  static constexpr std::string_view kDropped[] = {
      "connection", "keep-alive", "transfer-encoding", "content-length",    "te",
      "trailer",    "upgrade",    "proxy-connection",  "content-type",      "x-request-id",
      "date",       "server",     "alt-svc",           "proxy-authenticate"};
  for (std::string_view d : kDropped)
    if (lower_name == d) return false;
  if (lower_name.starts_with("x-route-") || lower_name.starts_with("access-control-")) return false;
  // The answer's Connection header names more headers that concern only its hop.
  while (!connection.empty()) {
    const size_t comma = connection.find(',');
    std::string_view token = connection.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token == lower_name) return false;
    if (comma == std::string_view::npos) break;
    connection.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace hr::http
