// The event loop's HTTP/1.1 client on Beast and Asio. A call takes an idle pooled connection to
// its host (or opens one), writes the request head and body in one gathered write, and feeds what
// it reads to Beast's parser. Asio reads a socket it found drained only once epoll says so, so a
// call on a warm connection costs two system calls (sendmsg, recvfrom). Deadlines share one timer,
// set again only when a call's deadline is earlier than the one it waits for.
#include "upstream/loop_client.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "http/server.h"

namespace hr::upstream {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = size_t{64} << 10;
constexpr int kMaxInterim = 8;  // 1xx answers before the final one
constexpr size_t kMaxHeaders = 200;
constexpr auto kWatchIdleAfter = std::chrono::seconds(1);

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

namespace {

// An answer's body as a string grown within the buffer budget and its size limit
// (http::GrowWithin). A body the budget cannot hold ends the parse.
struct BudgetedBody {
  struct value_type {  // NOLINT(readability-identifier-naming): Beast's Body concept
    std::string data;
    http::ByteBudget* budget = nullptr;
    size_t taken = 0;  // of the budget: data's capacity
    size_t limit = 0;  // the answer's size limit
    bool over_budget = false;
    // Room for `needed` bytes; false when the budget or the limit refuses it.
    bool Grow(size_t needed) {
      const auto g = http::GrowWithin(data, needed, limit, budget, taken);
      over_budget = over_budget || g == http::Growth::kOverBudget;
      return g == http::Growth::kRoom;
    }
  };
  static std::uint64_t size(const value_type& v) { return v.data.size(); }
  class reader {  // NOLINT(readability-identifier-naming): Beast's Body concept
   public:
    template <bool isRequest, class Fields>
    reader(bhttp::header<isRequest, Fields>&, value_type& b) : body_(b) {}
    void init(const boost::optional<std::uint64_t>& length, beast::error_code& ec) {
      ec = {};
      if (length && (*length > body_.limit || !body_.Grow(static_cast<size_t>(*length))))
        ec = bhttp::error::body_limit;
    }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      const size_t extra = asio::buffer_size(buffers);
      const size_t size = body_.data.size();
      if (!body_.Grow(size + extra)) {
        ec = bhttp::error::body_limit;
        return 0;
      }
      ec = {};
      body_.data.resize(size + extra);
      return asio::buffer_copy(asio::buffer(body_.data.data() + size, extra), buffers);
    }
    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace

struct AnswerReader::Parser {
  bhttp::response_parser<BudgetedBody> p;
};

AnswerReader::AnswerReader(const LoopClientOptions& options) : options_(options) { NewAnswer(); }

// The head is parsed on its own (not eagerly with the body): Beast 1.74's response parser, eager
// from the start, overwrites its own body-limit error as it goes on into the body, and then
// reserves whatever Content-Length claimed. After the head, the body is parsed eagerly.
void AnswerReader::NewAnswer() {
  GiveBack();
  head_tail_ = 0;
  head_scanned_ = 0;
  parser_ = std::make_unique<Parser>();
  parser_->p.eager(false);
  parser_->p.body_limit(options_.max_answer_bytes);
  parser_->p.get().body().budget = options_.budget;
  parser_->p.get().body().limit = options_.max_answer_bytes;
  parser_->p.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
}

AnswerReader::~AnswerReader() { GiveBack(); }

// What the budget lent the answer being read, given back (the answer failed or was never done).
void AnswerReader::GiveBack() {
  if (!parser_) return;
  size_t& taken = parser_->p.get().body().taken;
  if (taken > 0) options_.budget->Give(taken);
  taken = 0;
}

AnswerReader::State AnswerReader::Fail(Failure f, std::string message) {
  GiveBack();
  answer_ = CallAnswer{};
  answer_.failure = f;
  answer_.message = std::move(message);
  keep_alive_ = false;
  return State::kFailed;
}

// Whether the head's bytes fold a header over two lines (obs-fold: a line break followed by a
// space or tab, RFC 9112 5.2), which Beast would unfold into one value and libcurl keep as a
// header of its own: refused, as libcurl's path refuses it. Scans up to the head's end.
bool AnswerReader::FoldsAHeader(std::string_view bytes) {
  // The parser takes a head only once it is whole: until then the same bytes come again, longer.
  const size_t from = std::min(head_scanned_, bytes.size());
  head_scanned_ = bytes.size();
  for (char c : bytes.substr(from)) {
    if (head_tail_ == 0x0d0a0d0a) return false;  // the head ended: the body follows
    if ((head_tail_ & 0xffff) == 0x0d0a && (c == ' ' || c == '\t')) return true;
    head_tail_ = (head_tail_ << 8) | static_cast<unsigned char>(c);
  }
  return false;
}

AnswerReader::State AnswerReader::Feed(std::string_view bytes, size_t& used) {
  used = 0;
  if (!bytes.empty()) started_ = true;
  if (!parser_->p.is_header_done() && FoldsAHeader(bytes))
    return Fail(Failure::kMalformed, "the answer folds a header over two lines (obs-fold)");
  while (used < bytes.size()) {
    beast::error_code ec;
    const size_t n =
        parser_->p.put(asio::const_buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (parser_->p.is_header_done()) {
      const int status = parser_->p.get().result_int();
      if (status < 100 || status > 599)  // three digits, but no status (RFC 9110 15)
        return Fail(Failure::kMalformed,
                    "the answer's status " + std::to_string(status) + " is not an HTTP status");
      parser_->p.eager(true);
      if (parser_->p.content_length().value_or(0) > options_.max_answer_bytes ||
          parser_->p.get().body().data.size() > options_.max_answer_bytes)
        ec = bhttp::error::body_limit;  // the parser's own check, made sure of
    }
    if (ec == bhttp::error::need_more) break;
    if (ec == bhttp::error::body_limit && parser_->p.get().body().over_budget)
      return Fail(Failure::kOverBudget,
                  "the router's buffer budget cannot hold this answer now (" +
                      std::to_string(parser_->p.get().body().data.size() >> 20) + " MB so far)");
    if (ec == bhttp::error::body_limit)
      return Fail(Failure::kTooLarge, "the answer's body is larger than " +
                                          std::to_string(options_.max_answer_bytes) + " bytes");
    if (ec == bhttp::error::header_limit)
      return Fail(Failure::kTooLarge, "the answer's headers are larger than " +
                                          std::to_string(options_.max_header_bytes) + " bytes");
    if (ec) return Fail(Failure::kMalformed, "the answer is not HTTP/1.x: " + ec.message());
    if (parser_->p.is_done()) {
      const int status = parser_->p.get().result_int();
      if (status == 101)  // the router never asks to switch protocols
        return Fail(Failure::kMalformed, "an unrequested 101 Switching Protocols answer");
      if (status < 100 || status >= 200) return Finish();
      if (++interim_ > kMaxInterim)
        return Fail(Failure::kMalformed, "more than 8 interim (1xx) answers");
      NewAnswer();  // the final answer follows
      continue;
    }
    if (n == 0) break;
  }
  // The head has its limit in the parser; a chunk's size line has none (its extensions).
  if (bytes.size() - used > options_.max_header_bytes)
    return Fail(Failure::kTooLarge, "a line of the answer is longer than " +
                                        std::to_string(options_.max_header_bytes) + " bytes");
  return State::kMore;
}

AnswerReader::State AnswerReader::End() {
  if (!parser_->p.got_some())
    return Fail(Failure::kBroken, "the connection closed before an answer arrived");
  beast::error_code ec;
  parser_->p.put_eof(ec);
  if (ec || !parser_->p.is_done())
    return Fail(Failure::kBroken, "the connection closed before the answer was complete");
  Finish();
  keep_alive_ = false;
  return State::kDone;
}

AnswerReader::State AnswerReader::Finish() {
  auto& msg = parser_->p.get();
  answer_.status = msg.result_int();
  keep_alive_ = msg.keep_alive() && answer_.status != 101 && !parser_->p.need_eof();
  answer_.headers.reserve(std::min<size_t>(16, kMaxHeaders));
  for (const auto& field : msg) {
    if (answer_.headers.size() >= kMaxHeaders) break;
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    answer_.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  answer_.body = std::move(msg.body().data);
  answer_.lease = http::LeaseOf(options_.budget, msg.body().taken);  // the bytes go with it
  msg.body().taken = 0;
  return State::kDone;
}

namespace {

// One connection to one host:port, with the call it carries (if any).
struct Conn {
  Conn(asio::io_context& io, std::string pool_key) : socket(io), key(std::move(pool_key)) {}
  tcp::socket socket;
  std::string key;
  beast::flat_buffer buffer;
  uint64_t call_id = 0;  // a handler of an earlier call (or of the idle wait) does nothing
  bool busy = false, connecting = false, reused = false, retried = false, open = true;
  double resent_after_ms = -1;  // >= 0: a resend; the first send may have run for this long
  Call call;
  std::function<void(CallAnswer)> done;
  Clock::time_point started, deadline;
  std::string head;
  std::optional<AnswerReader> reader;
  Clock::time_point idle_since;
  bool watching = false;  // idle, and its closing by the peer is waited for
};
using ConnPtr = std::shared_ptr<Conn>;

class AsioClient final : public LoopClient {
 public:
  AsioClient(asio::io_context& io, const LoopClientOptions& options)
      : io_(io), options_(options), resolver_(io), timer_(io) {}

  ~AsioClient() override {
    stopping_ = true;
    *alive_ = false;
    std::vector<ConnPtr> all(open_.begin(), open_.end());
    for (const ConnPtr& c : all) {
      if (c->busy) {
        Fail(c, Failure::kShutdown, "the router stopped before the answer arrived");
      } else {
        Close(c);
      }
    }
    idle_.clear();
    boost::system::error_code ignored;
    timer_.cancel(ignored);
    resolver_.cancel();
  }

  void Send(Call call, std::function<void(CallAnswer)> done) override {
    const Clock::time_point now = Clock::now();
    if (stopping_) {  // a completion during the destructor: at once, the loop runs no more
      CallAnswer a;
      a.failure = Failure::kShutdown;
      a.message = "the router stopped before the request was sent";
      done(std::move(a));
      return;
    }
    for (const std::string& line : call.headers) {
      if (line.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos) continue;
      CallAnswer a;  // nothing was sent; a header of the router's own making, never a client's
      a.failure = Failure::kMalformed;
      a.message = "a request header holds a line break";
      asio::post(io_, [done = std::move(done), a = std::move(a)]() mutable { done(std::move(a)); });
      return;
    }
    std::string key = call.host;
    key += ':';
    key += std::to_string(call.port);
    ConnPtr c = call.fresh ? nullptr : TakeIdle(key);
    if (!c) {
      c = std::make_shared<Conn>(io_, std::move(key));
      open_.insert(c);
    }
    Begin(c, std::move(call), std::move(done), now);
  }

  size_t idle_connections() const override { return idle_count_; }
  uint64_t strays() const override { return strays_; }

 private:
  void Begin(const ConnPtr& c, Call call, std::function<void(CallAnswer)> done,
             Clock::time_point started) {
    ++c->call_id;
    c->busy = true;
    c->reused = c->socket.is_open();
    c->call = std::move(call);
    c->done = std::move(done);
    c->started = started;
    const auto total = started + std::chrono::milliseconds(std::max(1, c->call.timeout_ms));
    if (c->reused) {
      c->deadline = total;
      Arm(c->deadline);
      return Write(c);
    }
    c->connecting = true;  // (a call sent again connects anew: its time counts from now)
    c->deadline = std::min(
        total, Clock::now() + std::chrono::milliseconds(std::max(1, c->call.connect_timeout_ms)));
    Arm(c->deadline);
    Connect(c);
  }

  // What waits on an idle connection, by one peek (MSG_PEEK | MSG_DONTWAIT; a system call per
  // reuse): nothing (reusable), the end of the stream (the peer closed it), or bytes nobody asked
  // for, which the next call would read as its answer.
  enum class Waiting : uint8_t { kNothing, kClosed, kStrayBytes };
  static Waiting Peek(Conn& c) {
    char byte;
    const ssize_t n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return Waiting::kStrayBytes;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Waiting::kNothing;
    return Waiting::kClosed;  // 0: the end of the stream; else a reset
  }

  // The most recently parked connection to `key` that nothing waits on; the others looked at are
  // closed. Null: none.
  ConnPtr TakeIdle(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    while (!it->second.empty()) {
      ConnPtr c = std::move(it->second.back());
      it->second.pop_back();
      --idle_count_;
      if (c->watching) {
        c->watching = false;
        boost::system::error_code ignored;
        c->socket.cancel(ignored);
      }
      const Waiting w = Peek(*c);
      if (w == Waiting::kNothing) return c;
      if (w == Waiting::kStrayBytes) Stray(key);
      Close(c);
    }
    return nullptr;
  }

  void Stray(const std::string& key) {
    ++strays_;
    if (options_.on_stray) options_.on_stray(key);
  }

  // The call of `c` that a handler was started for is still the one in progress.
  // (Handlers check their captured `alive` first: `this` may be gone.)
  bool Current(const ConnPtr& c, uint64_t id) const { return c->busy && c->call_id == id; }

  void Connect(const ConnPtr& c) {
    const uint64_t id = c->call_id;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(c->call.host, ec);
    if (!ec) {
      c->socket.async_connect(tcp::endpoint(address, c->call.port),
                              [this, c, id, alive = alive_](boost::system::error_code e) {
                                if (*alive && Current(c, id)) Connected(c, e);
                              });
      return;
    }
    resolver_.async_resolve(
        c->call.host, std::to_string(c->call.port),
        [this, c, id, alive = alive_](boost::system::error_code e,
                                      const tcp::resolver::results_type& r) {
          if (!*alive || !Current(c, id)) return;
          if (e)
            return Fail(c, Failure::kResolve,
                        "could not resolve " + c->call.host + ": " + e.message());
          asio::async_connect(c->socket, r,
                              [this, c, id, alive](boost::system::error_code e2, const auto&) {
                                if (*alive && Current(c, id)) Connected(c, e2);
                              });
        });
  }

  void Connected(const ConnPtr& c, boost::system::error_code ec) {
    if (ec)
      return Fail(c, Failure::kConnect, "could not connect to " + c->key + ": " + ec.message());
    c->connecting = false;
    c->deadline = c->started + std::chrono::milliseconds(std::max(1, c->call.timeout_ms));
    boost::system::error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    c->socket.set_option(asio::socket_base::keep_alive(true), ignored);
    Write(c);
  }

  void Write(const ConnPtr& c) {
    static const std::string no_body;
    const std::string& body = c->call.body ? *c->call.body : no_body;
    std::string& h = c->head;
    h.clear();
    h += "POST ";
    h += c->call.target.empty() ? "/" : c->call.target;
    h += " HTTP/1.1\r\nHost: ";
    const bool v6 = c->call.host.find(':') != std::string::npos;
    if (v6) h += '[';
    h += c->call.host;
    if (v6) h += ']';
    if (c->call.port != 80) {
      h += ':';
      h += std::to_string(c->call.port);
    }
    h += "\r\nUser-Agent: hybrid-router\r\nContent-Length: ";
    h += std::to_string(body.size());
    h += "\r\n";
    for (const std::string& line : c->call.headers) {  // checked in Send
      h += line;
      h += "\r\n";
    }
    h += "\r\n";
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(h), asio::buffer(body)};
    const uint64_t id = c->call_id;
    asio::async_write(c->socket, buffers,
                      [this, c, id, alive = alive_](boost::system::error_code ec, size_t) {
                        if (!*alive || !Current(c, id)) return;
                        if (ec) return Broken(c, ec, true);
                        c->reader.emplace(options_);
                        Read(c);
                      });
  }

  void Read(const ConnPtr& c) {
    const size_t room =
        std::min(kReadChunk, options_.max_header_bytes + kReadChunk - c->buffer.size());
    if (room == 0) return Fail(c, Failure::kTooLarge, "the answer's headers are too large");
    const uint64_t id = c->call_id;
    c->socket.async_read_some(c->buffer.prepare(room), [this, c, id, alive = alive_](
                                                           boost::system::error_code ec, size_t n) {
      if (!*alive || !Current(c, id)) return;
      AnswerReader& r = *c->reader;
      AnswerReader::State s;
      if (ec == asio::error::eof && r.started()) {
        s = r.End();
      } else if (ec) {
        return Broken(c, ec, false);
      } else {
        c->buffer.commit(n);
        size_t used = 0;
        const auto data = c->buffer.data();
        s = r.Feed(std::string_view(static_cast<const char*>(data.data()), data.size()), used);
        c->buffer.consume(used);
      }
      if (s == AnswerReader::State::kMore) return Read(c);
      if (s == AnswerReader::State::kFailed)
        return Fail(c, r.answer().failure, std::move(r.answer().message));
      if (!OnlyLineEnds(c->buffer)) {
        // More bytes than the answer: the target wrote an answer nobody asked for, before or
        // after this one, and which is this call's cannot be told. Refused, never relayed.
        Stray(c->key);
        return Fail(c, Failure::kStray,
                    "the target at " + c->key +
                        " sent more than one answer to one request; the answer read may be an "
                        "earlier request's");
      }
      Done(c, r.keep_alive() && c->buffer.size() == 0 && !c->call.fresh);
    });
  }

  // Empty, or only the line ends some servers send after a body (RFC 9112 2.2 asks a reader to
  // tolerate them before a message).
  static bool OnlyLineEnds(const beast::flat_buffer& b) {
    const auto data = b.data();
    const std::string_view v(static_cast<const char*>(data.data()), data.size());
    return v.find_first_not_of("\r\n") == std::string_view::npos;
  }

  // The connection failed mid-call. On a pooled connection the peer had closed (a keep-alive
  // timeout racing the call) it fails before any byte of an answer, and the call is sent again,
  // once, on a new connection: when the sending failed (the peer was not reading, so it cannot
  // have run), or for an idempotent call (the peer may have read it and failed after).
  void Broken(const ConnPtr& c, boost::system::error_code ec, bool sending) {
    const bool answered = c->reader && c->reader->started();
    if (c->reused && !c->retried && !answered && !stopping_ && (sending || c->call.idempotent)) {
      Call call = std::move(c->call);
      auto done = std::move(c->done);
      const Clock::time_point started = c->started;
      Close(c);
      auto fresh = std::make_shared<Conn>(io_, c->key);
      fresh->retried = true;
      if (!sending) fresh->resent_after_ms = MsSince(started);  // the peer may have run it
      open_.insert(fresh);
      return Begin(fresh, std::move(call), std::move(done), started);
    }
    Fail(c, Failure::kBroken,
         "the connection to " + c->key + " failed " +
             (sending ? "sending the request" : "reading the answer") + ": " + ec.message());
  }

  void Done(const ConnPtr& c, bool keep) {
    CallAnswer a = std::move(c->reader->answer());
    a.total_ms = MsSince(c->started);
    a.resent_after_ms = c->resent_after_ms;
    auto done = std::move(c->done);
    Release(c);
    if (keep && !stopping_ && idle_count_ < options_.max_idle_connections) {
      Park(c);
    } else {
      Close(c);
    }
    done(std::move(a));
  }

  void Fail(const ConnPtr& c, Failure f, std::string message) {
    CallAnswer a;
    a.failure = f;
    a.message = std::move(message);
    if (c->retried && (f == Failure::kConnect || f == Failure::kResolve)) {
      a.failure = Failure::kBroken;  // the first connection may have delivered it
      a.message = "sent on a pooled connection that failed, then: " + a.message;
    }
    a.total_ms = MsSince(c->started);
    a.resent_after_ms = c->resent_after_ms;
    auto done = std::move(c->done);
    Release(c);
    Close(c);
    if (done) done(std::move(a));
  }

  void Release(const ConnPtr& c) {
    c->busy = false;
    c->connecting = false;
    c->retried = false;
    ++c->call_id;
    c->call = Call{};
    c->reader.reset();
  }

  // Idle connections are watched only after kWatchIdleAfter: a wait costs a system call (asio
  // re-arms epoll for it), and under load a connection is idle for microseconds. One closed by
  // the peer before that fails at its next use, and the call is sent again (Broken).
  void Park(const ConnPtr& c) {
    idle_[c->key].push_back(c);
    ++idle_count_;
    c->idle_since = Clock::now();
    Arm(c->idle_since + kWatchIdleAfter);
  }

  // Readable while idle: the peer closed it (or sent what nobody asked for); it is dropped.
  void Watch(const ConnPtr& c) {
    c->watching = true;
    const uint64_t id = c->call_id;
    c->socket.async_wait(tcp::socket::wait_read,
                         [this, c, id, alive = alive_](boost::system::error_code ec) {
                           if (!*alive || ec == asio::error::operation_aborted || c->busy ||
                               c->call_id != id || !c->open)
                             return;
                           auto& list = idle_[c->key];
                           auto it = std::find(list.begin(), list.end(), c);
                           if (it != list.end()) {
                             list.erase(it);
                             --idle_count_;
                           }
                           if (Peek(*c) == Waiting::kStrayBytes) Stray(c->key);
                           Close(c);
                         });
  }

  void Close(const ConnPtr& c) {
    if (!c->open) return;
    c->open = false;
    boost::system::error_code ignored;
    c->socket.close(ignored);
    open_.erase(c);
  }

  // One timer for every deadline and idle watch: set again only for an earlier one (firing early
  // is harmless).
  void Arm(Clock::time_point due) {
    if (due >= armed_) return;
    armed_ = due;
    timer_.expires_at(due);
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
      if (!*alive || ec) return;
      armed_ = Clock::time_point::max();
      Sweep();
    });
  }

  void Sweep() {
    const Clock::time_point now = Clock::now();
    std::vector<ConnPtr> late;
    Clock::time_point next = Clock::time_point::max();
    for (const ConnPtr& c : open_) {
      if (!c->busy) {
        if (c->watching) continue;
        if (c->idle_since + kWatchIdleAfter <= now) {
          Watch(c);
        } else {
          next = std::min(next, c->idle_since + kWatchIdleAfter);
        }
        continue;
      }
      if (c->deadline <= now) {
        late.push_back(c);
      } else {
        next = std::min(next, c->deadline);
      }
    }
    for (const ConnPtr& c : late) {
      if (!c->busy || c->deadline > now) continue;  // an earlier completion changed it
      if (c->connecting) {
        Fail(c, Failure::kConnect,
             "could not connect to " + c->key + " within " +
                 std::to_string(c->call.connect_timeout_ms) + " ms");
      } else {
        Fail(c, Failure::kTimeout,
             "no answer from " + c->key + " within " + std::to_string(c->call.timeout_ms) + " ms");
      }
    }
    if (next != Clock::time_point::max()) Arm(next);
  }

  asio::io_context& io_;
  LoopClientOptions options_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  Clock::time_point armed_ = Clock::time_point::max();
  std::unordered_set<ConnPtr> open_;
  std::unordered_map<std::string, std::vector<ConnPtr>> idle_;
  size_t idle_count_ = 0;
  uint64_t strays_ = 0;
  bool stopping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<LoopClient> LoopClient::Create(http::Loop& loop, const LoopClientOptions& options) {
  asio::io_context* io = loop.io_context();
  if (!io) return nullptr;
  return std::make_unique<AsioClient>(*io, options);
}

}  // namespace hr::upstream
