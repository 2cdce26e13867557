// The router's upstream HTTP client: libcurl's multi interface, one per server event loop, its
// sockets and timer on that loop (http::Loop), so a request never changes threads on its way to
// the platform and back. Connections are pooled and reused per host, TLS and HTTP/2 (by ALPN)
// come from libcurl, and every transfer finishes with a result that tells a failure before the
// request was sent (connect, DNS, TLS: it provably did not run) from one after it (a timeout, a
// reset: it may have run). Adapter: sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/server.h"

namespace hr::route {

// How a transfer failed, if it did.
enum class Transport : uint8_t {
  kOk,        // an HTTP answer arrived (of any status)
  kConnect,   // refused, unreachable, connect timeout: never sent
  kResolve,   // DNS: never sent
  kTls,       // TLS handshake or certificate: never sent
  kTimeout,   // sent (at least in part), no complete answer in time: may have run
  kBroken,    // the connection failed after sending began: may have run
  kTooLarge,  // the answer exceeded the size limit (it ran)
  kShutdown,  // the router stopped before the transfer finished
  kOther,
};
std::string_view Name(Transport t);
// Whether a failure of this kind means the request never reached the platform.
bool NeverSent(Transport t);

struct UpstreamRequest {
  std::string url;
  std::shared_ptr<const std::string> body;  // shared by a request's attempts, never copied
  std::vector<std::string> headers;         // "Name: value"
  int timeout_ms = 30'000;                  // the whole transfer
  int connect_timeout_ms = 2'000;
  bool idempotent = false;  // may be sent again after a pooled connection failed (loop client)
  // AWS SigV4 signing by libcurl (CURLOPT_AWS_SIGV4 "aws:amz:{region}:{service}"); empty: none.
  // The session token, if any, goes in `headers` as X-Amz-Security-Token (signed with them).
  std::string aws_sigv4, aws_access_key, aws_secret_key;
};

struct UpstreamResult {
  Transport transport = Transport::kOk;
  std::string message;                                       // libcurl's explanation of a failure
  int status = 0;                                            // HTTP status when transport == kOk
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, final answer
  std::string body;       // capacity >= size + 64: readable by simdjson in place
  double total_ms = 0;    // libcurl's time for the whole transfer, connect included
  int64_t queued_us = 0;  // from Send() to the transfer's start on the I/O thread
};

// Which client sends a plain-HTTP call (http://, unsigned): the event loop's own HTTP/1.1 client
// (http::AsyncClient, two system calls per call on a pooled connection) or libcurl (six: it
// polls a pooled connection before reusing it and again after sending). TLS, HTTP/2 and signed
// calls are always libcurl's.
enum class PlainHttpClient : uint8_t { kLoop, kLibcurl };
inline constexpr std::string_view kPlainHttpClientNames = "loop, libcurl";
core::Result<PlainHttpClient> ParsePlainHttpClient(std::string_view name);

struct UpstreamOptions {
  size_t max_answer_bytes = size_t{16} << 20;
  long max_connections_per_host = 0;  // 0: no limit (a limit sends every call through libcurl)
  long max_pooled_connections = 256;  // idle connections kept for reuse
  PlainHttpClient plain_http = PlainHttpClient::kLoop;
};

// The parts of a plain http:// URL the loop's client takes (false: libcurl's to send, e.g. with
// user info in it).
bool SplitPlainUrl(std::string_view url, std::string& host, uint16_t& port, std::string& target);

class Upstream {
 public:
  static core::Result<std::unique_ptr<Upstream>> Create(const UpstreamOptions& options,
                                                        http::Loop& loop);
  // Transfers still running finish with Transport::kShutdown. Destroy while `loop` exists and is
  // not running (after the server's Run returned), or on its thread.
  ~Upstream();
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  // Starts a transfer (POST `body` to `url`) at once; `done` runs on the loop when it finishes
  // and must not block. It may run before Send returns (a refused connection), as may other
  // transfers' completions. Only on the loop's thread (also from within a `done`).
  void Send(UpstreamRequest request, std::function<void(UpstreamResult)> done);
  int in_flight() const;  // any thread

 private:
  Upstream() = default;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hr::route
