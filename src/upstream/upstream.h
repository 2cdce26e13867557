// The router's upstream HTTP client: libcurl's multi interface, one per server event loop, its
// sockets and timer on that loop (http::Loop), so a request never changes threads on its way to
// the platform and back; plain-HTTP keep-alive targets go through the loop's own client
// (loop_client.h). Connections are pooled and reused per host, TLS and HTTP/2 (by ALPN) come from
// libcurl, and every transfer finishes with a Failure that tells a request that provably did not
// run (connect, DNS, TLS) from one that may have (a timeout, a reset). An answer is never handed to
// the wrong request: a target caught writing answers nobody asked for gets a fresh connection per
// call for a while, and an answer that echoes another request's id is refused. Adapter: sockets.
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
#include "upstream/failure.h"

namespace hr::upstream {

struct UpstreamRequest {
  std::string url;
  std::shared_ptr<const std::string> body;  // shared by a request's attempts, never copied
  std::vector<std::string> headers;         // "Name: value"
  int timeout_ms = 30'000;                  // the whole transfer
  int connect_timeout_ms = 2'000;
  bool idempotent = false;  // may be sent again after a pooled connection failed (loop client)
  // The ids the target may echo: the X-Request-Id header sent, and the request body's own
  // request_id (the prototype's handlers echo it in their JSON answers). Once a target has echoed
  // one, an answer naming another is refused as kStray.
  std::string request_id, body_request_id;
  // AWS SigV4 signing by libcurl (CURLOPT_AWS_SIGV4 "aws:amz:{region}:{service}"); empty: none.
  // The session token, if any, goes in `headers` as X-Amz-Security-Token (signed with them).
  std::string aws_sigv4, aws_access_key, aws_secret_key;
  // Signed by the caller (its headers carry the signature): sent by libcurl, as signed calls
  // always are (it reads a target's early answer, such as Lambda's 413, while still sending).
  bool presigned = false;
};

struct UpstreamResult {
  Failure failure = Failure::kNone;
  std::string message;                                       // libcurl's explanation of a failure
  int status = 0;                                            // HTTP status when failure == kNone
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, final answer
  std::string body;
  double total_ms = 0;                // libcurl's time for the whole transfer, connect included
  std::shared_ptr<const void> lease;  // the body's bytes of the buffer budget
  int64_t queued_us = 0;              // from Send() to the transfer's start on the I/O thread
  // >= 0: the loop client sent the call again after its pooled connection broke this long after
  // sending (before any answer): the first send may have run too.
  double resent_after_ms = -1;
};

// Which client sends a plain-HTTP call (http://, unsigned): the event loop's own HTTP/1.1 client
// (http::AsyncClient, two system calls per call on a pooled connection) or libcurl (six: it
// polls a pooled connection before reusing it and again after sending). TLS, HTTP/2 and signed
// calls are always libcurl's.
enum class PlainHttpClient : uint8_t { kLoop, kLibcurl };
inline constexpr std::string_view kPlainHttpClientNames = "loop, libcurl";
core::Result<PlainHttpClient> ParsePlainHttpClient(std::string_view name);

// When a call may go out on a pooled HTTP/1.1 connection. An HTTP/1.1 answer carries nothing
// that ties it to its request, so a target that writes an answer twice would hand the copy to the
// next call on that connection. kVerified (the default): only a call whose answer can be checked
// (the target has echoed the kind of id the call carries: X-Request-Id, or the body's
// request_id), or over HTTP/2; any other call gets a connection of its own. kAlways: every call,
// with the peeks and the quarantine as the only guard.
enum class UpstreamReuse : uint8_t { kVerified, kAlways };
inline constexpr std::string_view kUpstreamReuseNames = "verified, always";
core::Result<UpstreamReuse> ParseUpstreamReuse(std::string_view name);

struct UpstreamOptions {
  size_t max_answer_bytes = size_t{16} << 20;
  long max_connections_per_host = 0;  // 0: no limit (a limit sends every call through libcurl)
  long max_pooled_connections = 256;  // idle connections kept for reuse
  PlainHttpClient plain_http = PlainHttpClient::kLoop;
  UpstreamReuse reuse = UpstreamReuse::kVerified;
  // Answers are buffered against it (an answer that would pass it: kOverBudget); null: unbounded.
  http::ByteBudget* budget = nullptr;
  // The PEM bundle TLS calls trust (ResolveCaFile); empty: the system's store.
  std::string ca_file;
  // How long a target caught writing answers nobody asked for gets a fresh connection per call.
  int stray_quarantine_ms = 60'000;
  // Called on the loop when a target ("scheme://host:port") enters that quarantine, with why.
  std::function<void(const std::string& target, std::string_view why)> on_stray;
};

// The parts of a plain http:// URL the loop's client takes (false: libcurl's to send, e.g. with
// user info in it).
bool SplitPlainUrl(std::string_view url, std::string& host, uint16_t& port, std::string& target);

// What sends a router's calls: the Upstream below, or a test's scripted stand-in.
class Sender {
 public:
  virtual ~Sender() = default;
  // As Upstream::Send.
  virtual void Send(UpstreamRequest request, std::function<void(UpstreamResult)> done) = 0;
  virtual int in_flight() const = 0;    // any thread
  virtual uint64_t strays() const = 0;  // any thread
};

class Upstream final : public Sender {
 public:
  static core::Result<std::unique_ptr<Upstream>> Create(const UpstreamOptions& options,
                                                        http::Loop& loop);
  // Transfers still running finish with Failure::kShutdown. Destroy while `loop` exists and is
  // not running (after the server's Run returned), or on its thread.
  ~Upstream() override;
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  // Starts a transfer (POST `body` to `url`) at once; `done` runs on the loop when it finishes
  // and must not block. It may run before Send returns (a refused connection), as may other
  // transfers' completions. Only on the loop's thread (also from within a `done`).
  void Send(UpstreamRequest request, std::function<void(UpstreamResult)> done) override;
  int in_flight() const override;  // any thread
  // Answers refused or connections closed for stray bytes; any thread.
  uint64_t strays() const override;

  struct State;  // the implementation's

 private:
  Upstream() = default;
  std::unique_ptr<State> state_;
};

}  // namespace hr::upstream
