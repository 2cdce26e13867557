// Inside the upstream module: the one bounded collector of libcurl answers (the router's
// transfers and the blocking fetches): a body over its limit ends the transfer, and says so.
#pragma once

#include <cstddef>
#include <string>

namespace hr::upstream::detail {

struct Collected {
  std::string* body = nullptr;
  size_t max_bytes = 0;
  bool too_large = false;
};

// CURLOPT_WRITEFUNCTION with a Collected* as its data: 0 (libcurl fails the transfer with
// CURLE_WRITE_ERROR) once the body would pass its limit.
inline size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  const size_t bytes = size * n;
  if (c->body->size() + bytes > c->max_bytes) {
    c->too_large = true;
    return 0;
  }
  c->body->append(data, bytes);
  return bytes;
}

}  // namespace hr::upstream::detail
