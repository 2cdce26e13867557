// How a call to an HTTP target failed, if it did: one vocabulary for every client of the upstream
// module (the event loop's own client, libcurl's transfers, the blocking fetches), read by the
// router's guards to tell a request that provably never ran from one that may have.
#pragma once

#include <cstdint>
#include <string_view>

namespace hr::upstream {

enum class Failure : uint8_t {
  kNone,        // an HTTP answer arrived (of any status)
  kConnect,     // refused, unreachable, connect timeout: never sent
  kResolve,     // the host name did not resolve: never sent
  kTls,         // TLS handshake or certificate: never sent
  kTimeout,     // sent (at least in part), no complete answer in time: may have run
  kBroken,      // the connection failed after sending began: may have run
  kStray,       // the answer may be another request's (the target wrote answers nobody asked
                // for, or echoed another request's id): refused; may have run
  kTooLarge,    // the answer exceeded the size limit (it ran)
  kOverBudget,  // the router's buffer budget could not hold the answer (it ran): retry later
  kMalformed,   // the answer is not HTTP/1.x, or breaks the header policy: may have run
  kShutdown,    // the router stopped before the answer arrived
  kOther,       // anything else libcurl reports
};

// The name in outcome logs, metrics and error bodies ("connect_failed", "timeout", ...).
std::string_view Name(Failure f);
// Whether a failure of this kind means the request never reached the target.
constexpr bool NeverSent(Failure f) {
  return f == Failure::kConnect || f == Failure::kResolve || f == Failure::kTls;
}

}  // namespace hr::upstream
