#include "service/api_keys.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <unordered_map>

#include "core/mix.h"
#include "core/text.h"

namespace hr::service {

namespace {

using core::ErrorCode;
using core::MakeError;

core::Error Bad(const std::string& where, const std::string& what, std::string field = "api_keys") {
  return MakeError(ErrorCode::kInvalidArgument, where + ": " + what, std::move(field));
}

core::Status CheckKey(std::string_view key, const std::string& where) {
  if (key.size() < 16) return Bad(where, "API keys must be at least 16 characters");
  for (char c : key) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 127) {
      return Bad(where, "API keys must be printable ASCII without spaces");
    }
  }
  return {};
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

// The whole of `text` as a finite number in [lo, hi], else nullopt.
std::optional<double> Number(std::string_view text, double lo, double hi) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < lo ||
      v > hi)
    return std::nullopt;
  return v;
}

// The whole of `text` as an integer in [lo, hi], else nullopt.
std::optional<int64_t> Integer(std::string_view text, int64_t lo, int64_t hi) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    return std::nullopt;
  return v;
}

// One line: KEY [id=NAME] [rate=R] [burst=B] [quota=Q], fields separated by spaces or tabs.
core::Result<KeyEntry> ParseLine(std::string_view line, const std::string& where) {
  KeyEntry e;
  bool seen[4] = {false, false, false, false};
  size_t pos = 0;
  int field = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos >= line.size()) break;
    size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    const std::string_view word = line.substr(pos, end - pos);
    pos = end;
    if (field++ == 0) {
      if (auto s = CheckKey(word, where); !s) return s.error();
      e.key = word;
      continue;
    }
    const size_t eq = word.find('=');
    const std::string_view name = word.substr(0, std::min(eq, word.size()));
    const std::string_view value = eq == std::string_view::npos ? "" : word.substr(eq + 1);
    static constexpr std::string_view kNames[] = {"id", "rate", "burst", "quota"};
    const auto known = std::find(std::begin(kNames), std::end(kNames), name);
    if (known == std::end(kNames)) {
      return Bad(where,
                 "unknown field '" + std::string(name.substr(0, 32)) +
                     "' after the key; allowed: id=NAME, rate=REQUESTS_PER_S, burst=N, "
                     "quota=REQUESTS_PER_DAY",
                 std::string(name.substr(0, 32)));
    }
    const size_t k = static_cast<size_t>(known - std::begin(kNames));
    if (seen[k]) return Bad(where, std::string(name) + " is given twice", std::string(name));
    seen[k] = true;
    if (eq == std::string_view::npos || value.empty())
      return Bad(where, std::string(name) + " needs a value (" + std::string(name) + "=...)",
                 std::string(name));
    if (k == 0) {
      if (!ValidId(value))
        return Bad(where, "id must be 1-64 letters, digits, '-', '_' or '.'", "id");
      e.id = value;
    } else if (k == 1) {
      const auto v = Number(value, 1e-6, 1e6);
      if (!v || *v <= 0)
        return Bad(where,
                   "rate must be a number of requests per second above 0 and at most 1000000, "
                   "not '" +
                       std::string(value.substr(0, 32)) + "'",
                   "rate");
      e.limits.rate_per_s = *v;
    } else if (k == 2) {
      const auto v = Integer(value, 1, 1'000'000);
      if (!v)
        return Bad(where,
                   "burst must be a whole number of requests from 1 to 1000000, not '" +
                       std::string(value.substr(0, 32)) + "'",
                   "burst");
      e.limits.burst = static_cast<double>(*v);
    } else {
      const auto v = Integer(value, 1, int64_t{1'000'000'000'000});
      if (!v)
        return Bad(where,
                   "quota must be a whole number of requests per day from 1 to 10^12, not '" +
                       std::string(value.substr(0, 32)) + "'",
                   "quota");
      e.limits.quota_per_day = *v;
    }
  }
  if (seen[2] && !seen[1]) return Bad(where, "burst needs rate (the bucket's refill)", "burst");
  if (e.limits.rate_per_s > 0 && e.limits.burst == 0)
    e.limits.burst = std::max(1.0, std::ceil(e.limits.rate_per_s));
  if (e.id.empty()) e.id = DefaultKeyId(e.key);
  return e;
}

// Refuses the same key or id twice (the id names the key's counters).
core::Status Distinct(const std::vector<KeyEntry>& keys, const std::vector<int>& lines,
                      const std::string& where) {
  std::unordered_map<std::string_view, size_t> by_key, by_id;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string at = where + ":" + std::to_string(lines[i]);
    if (const auto [it, fresh] = by_key.emplace(keys[i].key, i); !fresh)
      return Bad(at, "the same key as line " + std::to_string(lines[it->second]));
    if (const auto [it, fresh] = by_id.emplace(keys[i].id, i); !fresh)
      return Bad(
          at, "id '" + keys[i].id + "' is also the id of line " + std::to_string(lines[it->second]),
          "id");
  }
  return {};
}

}  // namespace

std::string DefaultKeyId(std::string_view key) {
  uint64_t h = core::kFnv1aOffset;
  core::Fnv1a(h, key);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "key-";
  for (int i = 7; i >= 0; --i) id += kHex[(h >> (4 * i + 32)) & 15];
  return id;
}

core::Result<ApiKeys> ApiKeys::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kIo, "cannot read API key file '" + path + "'", "api_key_file");
  std::string text(kMaxKeysFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxKeysFileBytes)
    return MakeError(ErrorCode::kInvalidArgument, "API key file '" + path + "' is larger than 1 MB",
                     "api_key_file");
  return FromText(text, path);
}

core::Result<ApiKeys> ApiKeys::FromText(std::string_view text, const std::string& where) {
  ApiKeys k;
  std::vector<int> lines;
  int n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = std::min(text.find('\n', pos), text.size());
    const std::string_view line = core::TrimSpace(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++n;
    if (line.empty() || line.front() == '#') continue;
    auto e = ParseLine(line, where + ":" + std::to_string(n));
    if (!e) return e.error();
    k.keys_.push_back(std::move(*e));
    lines.push_back(n);
  }
  if (k.keys_.empty())
    return MakeError(ErrorCode::kInvalidArgument, "API key file '" + where + "' holds no key",
                     "api_key_file");
  if (auto s = Distinct(k.keys_, lines, where); !s) return s.error();
  return k;
}

core::Result<ApiKeys> ApiKeys::FromList(std::string_view list) {
  ApiKeys k;
  std::vector<int> lines;
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = std::min(list.find(',', pos), list.size());
    const std::string_view key = core::TrimSpace(list.substr(pos, comma - pos));
    if (!key.empty()) {
      if (auto s = CheckKey(key, "HYBRID_ROUTER_API_KEYS"); !s) return s.error();
      k.keys_.push_back({std::string(key), DefaultKeyId(key), {}});
      lines.push_back(static_cast<int>(k.keys_.size()));
    }
    pos = comma + 1;
  }
  if (auto s = Distinct(k.keys_, lines, "HYBRID_ROUTER_API_KEYS key"); !s) return s.error();
  return k;
}

int ApiKeys::Find(std::string_view candidate) const {
  int found = -1;
  for (size_t k = 0; k < keys_.size(); ++k) {
    const std::string& key = keys_[k].key;
    // Compare every byte of the key whatever the candidate holds; no early exit.
    unsigned diff = static_cast<unsigned>(key.size() ^ candidate.size());
    for (size_t i = 0; i < key.size(); ++i) {
      const unsigned char c = i < candidate.size() ? static_cast<unsigned char>(candidate[i]) : 0;
      diff |= static_cast<unsigned char>(key[i]) ^ c;
    }
    const int mask = -static_cast<int>(diff == 0);  // all ones on a match
    found = (mask & static_cast<int>(k)) | (~mask & found);
  }
  return found;
}

}  // namespace hr::service
