#include "service/api_keys.h"

#include <fstream>

#include "core/text.h"

namespace hr::service {

namespace {

core::Status Add(std::vector<std::string>& keys, std::string_view key, const std::string& where) {
  if (key.size() < 16) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           where + ": API keys must be at least 16 characters", "api_keys");
  }
  for (char c : key) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 127) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             where + ": API keys must be printable ASCII without spaces",
                             "api_keys");
    }
  }
  keys.emplace_back(key);
  return {};
}

}  // namespace

core::Result<ApiKeys> ApiKeys::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return core::MakeError(core::ErrorCode::kIo, "cannot read API key file '" + path + "'",
                           "api_key_file");
  ApiKeys k;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string_view key = core::TrimSpace(line);
    if (key.empty() || key.front() == '#') continue;
    if (auto s = Add(k.keys_, key, path + ":" + std::to_string(n)); !s) return s.error();
  }
  if (k.keys_.empty()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "API key file '" + path + "' holds no key", "api_key_file");
  }
  return k;
}

core::Result<ApiKeys> ApiKeys::FromList(std::string_view list) {
  ApiKeys k;
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = std::min(list.find(',', pos), list.size());
    const std::string_view key = core::TrimSpace(list.substr(pos, comma - pos));
    if (!key.empty()) {
      if (auto s = Add(k.keys_, key, "HYBRID_ROUTER_API_KEYS"); !s) return s.error();
    }
    pos = comma + 1;
  }
  return k;
}

bool ApiKeys::Check(std::string_view candidate) const {
  unsigned ok = 0;
  for (const auto& key : keys_) {
    // Compare every byte of the key whatever the candidate holds; no early exit.
    unsigned diff = static_cast<unsigned>(key.size() ^ candidate.size());
    for (size_t i = 0; i < key.size(); ++i) {
      const unsigned char c = i < candidate.size() ? static_cast<unsigned char>(candidate[i]) : 0;
      diff |= static_cast<unsigned char>(key[i]) ^ c;
    }
    ok |= diff == 0 ? 1u : 0u;
  }
  return ok != 0;
}

}  // namespace hr::service
