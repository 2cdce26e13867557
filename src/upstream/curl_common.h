// Inside the upstream module, what its libcurl transfers (the router's, and the blocking
// fetches) share: the one bounded collector of answers (a body over its limit ends the transfer,
// and says so) and the one reading of libcurl's codes as a Failure.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "http/byte_budget.h"
#include "upstream/failure.h"

namespace hr::upstream::detail {

struct Collected {
  std::string* body = nullptr;
  size_t max_bytes = 0;
  bool too_large = false;
  http::ByteBudget* budget = nullptr;  // the body's allocation is taken from it, when set
  size_t taken = 0;
  bool over_budget = false;
};

// CURLOPT_WRITEFUNCTION with a Collected* as its data: 0 (libcurl fails the transfer with
// CURLE_WRITE_ERROR) once the body would pass its limit.
inline size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collected*>(user);
  const size_t bytes = size * n;
  switch (http::GrowWithin(*c->body, c->body->size() + bytes, c->max_bytes, c->budget, c->taken)) {
    case http::Growth::kRoom:
      break;
    case http::Growth::kTooLarge:
      c->too_large = true;
      return 0;
    case http::Growth::kOverBudget:
      c->over_budget = true;
      return 0;
  }
  c->body->append(data, bytes);
  return bytes;
}

// What a libcurl result means for the request: `pretransfer_us` 0 means no byte was sent.
inline Failure Classify(CURLcode code, bool too_large, curl_off_t pretransfer_us) {
  switch (code) {
    case CURLE_OK:
      return Failure::kNone;
    case CURLE_COULDNT_CONNECT:
      return Failure::kConnect;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Failure::kResolve;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return Failure::kTls;
    case CURLE_OPERATION_TIMEDOUT:
      // No byte was sent when the transfer never got past connecting.
      return pretransfer_us == 0 ? Failure::kConnect : Failure::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return pretransfer_us == 0 ? Failure::kConnect : Failure::kBroken;
    case CURLE_WEIRD_SERVER_REPLY:  // libcurl's own refusals of an answer ("Nul byte in header")
      return pretransfer_us == 0 ? Failure::kConnect : Failure::kMalformed;
    case CURLE_WRITE_ERROR:
      return too_large ? Failure::kTooLarge : Failure::kOther;
    default:
      return Failure::kOther;
  }
}

}  // namespace hr::upstream::detail
