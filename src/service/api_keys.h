// API keys for the HTTP service: loaded from a file (one per line, # comments) or a
// comma-separated environment variable, compared in constant time, never logged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hr::service {

class ApiKeys {
 public:
  static core::Result<ApiKeys> FromFile(const std::string& path);
  static core::Result<ApiKeys> FromList(std::string_view comma_separated);
  bool enabled() const { return !keys_.empty(); }
  size_t size() const { return keys_.size(); }
  // True when `candidate` equals one of the keys. Time depends only on the lengths of the keys.
  bool Check(std::string_view candidate) const;

 private:
  std::vector<std::string> keys_;
};

}  // namespace hr::service
