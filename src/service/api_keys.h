// API keys for the HTTP service: loaded from a file (one per line, # comments, optional per-key
// id, rate, burst and quota fields) or a comma-separated environment variable, compared in
// constant time, never logged. A key is named in metrics and logs only by its id. Units: rate in
// requests per second, quota in requests per UTC day.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hr::service {

// A key's limits; 0 means none. The bucket holds `burst` tokens and refills at `rate_per_s`.
struct KeyLimits {
  double rate_per_s = 0;
  double burst = 0;
  int64_t quota_per_day = 0;
  bool any() const { return rate_per_s > 0 || quota_per_day > 0; }
};

struct KeyEntry {
  std::string key;
  std::string id;  // what metrics and logs show: `id=` from the file, else key-<8 hex of a hash>
  KeyLimits limits;
};

// The largest keys file read (a larger one is refused unread).
inline constexpr size_t kMaxKeysFileBytes = size_t{1} << 20;

class ApiKeys {
 public:
  static core::Result<ApiKeys> FromFile(const std::string& path);
  // The file's text; `where` names it in errors ("keys.txt" gives "keys.txt:3: ...").
  static core::Result<ApiKeys> FromText(std::string_view text, const std::string& where);
  static core::Result<ApiKeys> FromList(std::string_view comma_separated);
  bool enabled() const { return !keys_.empty(); }
  size_t size() const { return keys_.size(); }
  // The index of the key `candidate` equals, or -1. Time depends only on the lengths of the keys.
  int Find(std::string_view candidate) const;
  bool Check(std::string_view candidate) const { return Find(candidate) >= 0; }
  const KeyEntry& entry(size_t i) const { return keys_[i]; }
  const std::vector<KeyEntry>& entries() const { return keys_; }

 private:
  std::vector<KeyEntry> keys_;
};

// The id a key without `id=` gets: "key-" and 8 hex digits of a hash of the key (stable across
// reloads and restarts; 32 bits of a hash say nothing useful about a key of 16 or more bytes).
std::string DefaultKeyId(std::string_view key);

}  // namespace hr::service
