// The event loop's own HTTP/1.1 client (Boost.Beast's parser on Asio sockets) for plain-HTTP
// keep-alive targets such as an ALB: connections are pooled per host and port, a request costs one
// write and one read of the socket. A pooled connection is reused only when nothing is waiting on
// it (one peek): bytes nobody asked for close it, and an answer followed by more bytes is refused,
// so one request never reads another's answer. TLS, HTTP/2 and signing are libcurl's (upstream.h).
// Times in milliseconds, sizes in bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/byte_budget.h"
#include "upstream/failure.h"

namespace hr::http {
class Loop;
}  // namespace hr::http

namespace hr::upstream {

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
  // A new connection, closed after the answer: the target was caught writing answers nobody asked
  // for, and a pooled connection to it could hand this call an earlier call's answer.
  bool fresh = false;
};

struct CallAnswer {
  Failure failure = Failure::kNone;
  std::string message;                                       // what failed, for a person
  int status = 0;                                            // when failure == kNone
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  double total_ms = 0;  // from the call to its answer (or failure)
  // >= 0: the call was sent again on a new connection after its pooled connection broke this
  // long after sending, before any answer; the first send may have run.
  double resent_after_ms = -1;
  std::shared_ptr<const void> lease;  // the body's bytes of the buffer budget
};

struct LoopClientOptions {
  size_t max_answer_bytes = size_t{16} << 20;  // the body
  size_t max_header_bytes = size_t{64} << 10;
  size_t max_idle_connections = 256;   // kept for reuse, over all hosts
  http::ByteBudget* budget = nullptr;  // answers' bodies are buffered against it
  // Called (on the loop) with "host:port" when a connection to it carried bytes nobody asked for:
  // while idle, at reuse, or after an answer.
  std::function<void(const std::string& host_port)> on_stray;
};

class LoopClient {
 public:
  // A client whose connections `loop` drives; null when the loop has no Asio context.
  static std::unique_ptr<LoopClient> Create(http::Loop& loop, const LoopClientOptions& options);
  // Calls still running finish with kShutdown. Destroy on the loop's thread or while it is not
  // running.
  virtual ~LoopClient() = default;
  // POSTs call.body; `done` runs on the loop (never before Send returns, but for a Send from a
  // completion the destructor runs: kShutdown at once) and must not block. Only on the loop's
  // thread (also from within a `done`).
  virtual void Send(Call call, std::function<void(CallAnswer)> done) = 0;
  virtual size_t idle_connections() const = 0;
  // Connections closed because they carried bytes nobody asked for (see on_stray).
  virtual uint64_t strays() const = 0;
};

// An answer read as its bytes arrive: the client's parser (Beast's) with its limits, skipping
// interim (1xx) answers. The fuzz target feeds it directly.
class AnswerReader {
 public:
  explicit AnswerReader(const LoopClientOptions& options);
  ~AnswerReader();  // gives back what the budget lent an answer not finished
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
  bool FoldsAHeader(std::string_view bytes);
  void GiveBack();
  State Finish();
  State Fail(Failure f, std::string message);
  LoopClientOptions options_;
  std::unique_ptr<Parser> parser_;
  CallAnswer answer_;
  int interim_ = 0;
  uint32_t head_tail_ = 0;   // the last bytes of the head read so far (obs-fold and its end)
  size_t head_scanned_ = 0;  // of the head's bytes, how many FoldsAHeader has seen
  bool keep_alive_ = false;
  bool started_ = false;
};

}  // namespace hr::upstream
