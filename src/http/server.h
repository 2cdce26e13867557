// Our small HTTP/1.1 server interface. Boost.Beast on Asio lives behind it (in server.cpp; the
// http module's .cpp files are the only ones that include Beast): one event loop per thread, one
// acceptor handing connections to the loops in turn; slow or silent clients are cut off by a
// per-thread sweep of deadlines rather than a timer per read and write; SIGTERM/SIGINT drain
// in-flight requests and stop; SIGHUP calls a hook.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/byte_budget.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace hr::http {

struct Response;

// Finishes a deferred request from any thread. Must be called exactly once.
using Responder = std::function<void(Response)>;

// A one-shot timer on an event loop.
class LoopTimer {
 public:
  virtual ~LoopTimer() = default;
  // Runs `fire` on the loop after `ms` (0: on its next turn, without a timer); replaces a pending
  // one.
  virtual void Start(int64_t ms, std::function<void()> fire) = 0;
  virtual void Cancel() = 0;
};

// The event loop a request is handled on. An adapter with sockets of its own (the router's
// upstream connections) watches them here rather than on a thread of its own, so a request and
// its upstream transfer never change threads. Use it only from the loop's own thread.
class Loop {
 public:
  static constexpr int kRead = 1, kWrite = 2;
  virtual ~Loop() = default;
  // While `events` (kRead | kWrite) are watched, calls `ready(events ready)` each time `fd` is
  // ready for them (level-triggered). events 0 pauses the watch (the socket stays known to the
  // loop, cheap to watch again); Forget(fd) must come before the caller closes `fd`, which stays
  // the caller's.
  virtual void Watch(int fd, int events, std::function<void(int ready)> ready) = 0;
  virtual void Forget(int fd) = 0;
  virtual std::unique_ptr<LoopTimer> NewTimer() = 0;
  // The Asio context behind the loop, for the upstream module's own HTTP client (its sockets are
  // then this loop's); null when the loop is not Asio's.
  virtual boost::asio::io_context* io_context() { return nullptr; }
};

class Request {
 public:
  virtual ~Request() = default;
  virtual std::string_view method() const = 0;
  virtual std::string_view target() const = 0;  // path and query, as sent
  virtual std::string_view body() const = 0;
  // A header's value (case-insensitive name), or empty when absent.
  virtual std::string_view header(std::string_view name) const = 0;
  // Takes the answer off the event loop: the handler leaves the response unfilled and the
  // request is answered when the returned Responder is called (from any thread). The request's
  // views are valid only during the handler call. Empty when this front end cannot defer (the
  // handler then answers at once).
  virtual Responder Defer() const { return {}; }
  // The event loop this request is handled on; null when this front end has none.
  virtual Loop* loop() const { return nullptr; }
};

struct Response {
  int status = 200;
  std::string body;
  // Bytes of a ByteBudget the body holds, given back once the server has written it.
  std::shared_ptr<const void> lease;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // close the connection after this response
};

// The standard reason phrase of an HTTP status ("Payload Too Large"), as the server writes it.
std::string_view ReasonPhrase(int status);

// Must fill the response (or Defer); an exception escaping it becomes a 500 JSON error.
using Handler = std::function<void(const Request&, Response&)>;

// Connections let in beyond --max-connections when none can be evicted, for the operator's routes.
inline constexpr int kReservedConnections = 32;

// The largest request body the router's API takes unless told otherwise: `serve --max-body-kb`'s
// default and the Lambda function's limit (the prototype's generator posts 1,000 requests as
// ~230 KB). Over it: a 413 with this message.
inline constexpr size_t kApiMaxBodyBytes = size_t{1024} * 1024;
inline constexpr char kBodyTooLargeMessage[] = "request body is larger than the limit";

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  int threads = 1;
  size_t max_body_bytes = size_t{64} * 1024;
  size_t max_header_bytes = size_t{16} * 1024;
  int read_timeout_ms = 10'000;  // from a request's first byte to its last
  // From accept to a new connection's first byte (nginx's client_header_timeout): a connection
  // that sends nothing is closed then.
  int header_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;  // a keep-alive connection waiting for its next request
  // Beyond this many, a new connection takes the place of the one idle the longest (waiting for
  // its first or next request); with none idle, up to kReservedConnections more are let in for
  // the health, readiness and metrics routes only (anything else: 503), closed after 1 s.
  int max_connections = 10'000;
  int drain_timeout_ms = 10'000;  // on shutdown, how long in-flight requests may take
  // Request bodies are buffered against it (a body that would pass it: 503); null: unbounded.
  ByteBudget* budget = nullptr;
};

// A request the server refuses itself (malformed HTTP, a body or head over its limit), with what
// it read of it: method, target and X-Request-Id when the head was complete, else empty.
struct Refused {
  core::ErrorCode code = core::ErrorCode::kInvalidHttp;
  std::string_view method, target, request_id;
};
// Called on the connection's loop before the server sends its own refusal (`res`, the JSON error
// already in it), so the service can count it, add the request id and CORS headers every answer
// carries, and write its access-log line; a connection refused at --max-connections comes with
// no response (it is closed unanswered).
using ErrorObserver = std::function<void(const Refused& refused, Response* res)>;

class Server {
 public:
  virtual ~Server() = default;
  // Binds and listens; fails with a clear error when the address is unusable.
  static core::Result<std::unique_ptr<Server>> Create(const ServerOptions& options, Handler handler,
                                                      ErrorObserver on_error = {});
  virtual uint16_t port() const = 0;
  // Serves until SIGTERM/SIGINT or Shutdown(), then drains; returns when every thread is done.
  virtual void Run(std::function<void()> on_sighup = {}) = 0;
  // Thread-safe: stop accepting, finish requests in flight, close idle connections.
  virtual void Shutdown() = 0;
  virtual int open_connections() const = 0;
};

}  // namespace hr::http
