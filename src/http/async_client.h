// An asynchronous HTTP/1.1 client (Boost.Beast) that runs on a server's event loop, for plain-HTTP
// keep-alive targets such as an ALB: connections are pooled per host and port, a request costs one
// write and one read of the socket, and a pooled connection the peer closed is noticed while idle
// (its readiness, not a check per request). TLS, HTTP/2 and signing are libcurl's (route/upstream).
// Times in milliseconds, sizes in bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hr::http {

// How a call failed, if it did.
enum class CallFailure : uint8_t {
  kNone,       // an HTTP answer arrived (of any status)
  kConnect,    // refused, unreachable, connect timeout: never sent
  kResolve,    // the host name did not resolve: never sent
  kTimeout,    // sent, no complete answer in time: may have run
  kBroken,     // the connection failed after sending began: may have run
  kTooLarge,   // the answer exceeded the size limit (it ran)
  kMalformed,  // the answer is not HTTP/1.x
  kShutdown,   // the client was destroyed before the answer arrived
};

struct Call {
  std::string host;  // a name or an IP address (IPv6 without brackets)
  uint16_t port = 80;
  std::string target;                       // path and query
  std::shared_ptr<const std::string> body;  // POSTed as is; shared, never copied
  std::vector<std::string> headers;         // "Name: value"
  int timeout_ms = 30'000;                  // the whole call, connecting included
  int connect_timeout_ms = 2'000;
  // May be sent again when a pooled connection fails after sending it, before any answer (a
  // keep-alive close racing the call). Otherwise only a failed send is sent again.
  bool idempotent = false;
};

struct CallAnswer {
  CallFailure failure = CallFailure::kNone;
  std::string message;                                       // what failed, for a person
  int status = 0;                                            // when failure == kNone
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  double total_ms = 0;  // from the call to its answer (or failure)
};

struct AsyncClientOptions {
  size_t max_answer_bytes = size_t{16} << 20;  // the body
  size_t max_header_bytes = size_t{64} << 10;
  size_t max_idle_connections = 256;  // kept for reuse, over all hosts
};

class AsyncClient {
 public:
  // Calls still running finish with kShutdown. Destroy on the loop's thread or while it is not
  // running.
  virtual ~AsyncClient() = default;
  // POSTs call.body; `done` runs on the loop (never before Send returns, but for a Send from a
  // completion the destructor runs: kShutdown at once) and must not block. Only on the loop's
  // thread (also from within a `done`).
  virtual void Send(Call call, std::function<void(CallAnswer)> done) = 0;
  virtual size_t idle_connections() const = 0;
};

// An answer read as its bytes arrive: the client's parser (Beast's) with its limits, skipping
// interim (1xx) answers. The fuzz target feeds it directly.
class AnswerReader {
 public:
  explicit AnswerReader(const AsyncClientOptions& options);
  ~AnswerReader();
  AnswerReader(const AnswerReader&) = delete;
  AnswerReader& operator=(const AnswerReader&) = delete;
  enum class State : uint8_t { kMore, kDone, kFailed };
  // Takes what it can of `bytes` (the rest stays the caller's, for the next call).
  State Feed(std::string_view bytes, size_t& used);
  State End();  // the peer closed: completes an answer delimited by the close
  // kDone: the answer (status, headers, body). kFailed: failure and message.
  CallAnswer& answer() { return answer_; }
  bool keep_alive() const { return keep_alive_; }
  bool started() const { return started_; }  // a byte of an answer arrived

 private:
  struct Parser;
  void NewAnswer();
  State Finish();
  State Fail(CallFailure f, std::string message);
  AsyncClientOptions options_;
  std::unique_ptr<Parser> parser_;
  CallAnswer answer_;
  int interim_ = 0;
  bool keep_alive_ = false;
  bool started_ = false;
};

}  // namespace hr::http
