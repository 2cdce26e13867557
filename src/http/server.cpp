// The server on Boost.Beast / Asio (with client.cpp and status.cpp the http module's Beast code;
// the upstream module's client is the only other). One
// acceptor (on the first loop) hands each connection to the loops in turn; no SO_REUSEPORT, so a
// port in use is an error, not a share.
#include "http/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <list>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "json/json_writer.h"

namespace hr::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kSweepPeriod = std::chrono::milliseconds(200);

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

class Connection;

class BeastRequest final : public Request {
 public:
  BeastRequest(const bhttp::request<bhttp::string_body>& r, Connection& c) : r_(r), c_(c) {}
  std::string_view method() const override { return View(r_.method_string()); }
  std::string_view target() const override { return View(r_.target()); }
  std::string_view body() const override { return r_.body(); }
  std::string_view header(std::string_view name) const override {
    auto it = r_.find(beast::string_view(name.data(), name.size()));
    return it == r_.end() ? std::string_view() : View(it->value());
  }
  Responder Defer() const override;
  Loop* loop() const override;

 private:
  const bhttp::request<bhttp::string_body>& r_;
  Connection& c_;
};

class AsioTimer final : public LoopTimer {
 public:
  explicit AsioTimer(asio::io_context& io) : io_(io), timer_(io) {}
  void Start(int64_t ms, std::function<void()> fire) override {
    fire_ = std::move(fire);
    const uint64_t gen = ++generation_;
    auto run = [this, gen, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.expired() || gen != generation_) return;  // gone, cancelled or replaced
      auto f = std::move(fire_);
      f();
    };
    if (ms <= 0) {  // the next turn: a post, no timer to set
      asio::post(io_, run);
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(ms));
    timer_.async_wait([run](const boost::system::error_code& ec) {
      if (!ec) run();
    });
  }
  void Cancel() override {
    ++generation_;
    timer_.cancel();
  }

 private:
  asio::io_context& io_;
  asio::steady_timer timer_;
  std::function<void()> fire_;
  uint64_t generation_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Sockets watched on a worker's io_context: asio's descriptor waits, re-armed after each ready
// call while their events are still wanted. A paused socket stays registered with the reactor
// (a pooled upstream connection is watched again on its next request without epoll_ctl).
class AsioLoop final : public Loop {
 public:
  explicit AsioLoop(asio::io_context& io) : io_(io) {}
  ~AsioLoop() override {
    for (auto& [fd, w] : watches_) Release(*w);
  }
  void Watch(int fd, int events, std::function<void(int)> ready) override {
    auto it = watches_.find(fd);
    if (it == watches_.end()) {
      if (events == 0) return;
      it = watches_.emplace(fd, std::make_unique<Watched>(io_, fd)).first;
    }
    Watched& w = *it->second;
    w.events = events;
    if (events == 0) {
      w.ready = nullptr;
      return;  // waits still pending see events 0 and end
    }
    w.ready = std::move(ready);
    Arm(w);
  }
  void Forget(int fd) override {
    auto it = watches_.find(fd);
    if (it == watches_.end()) return;
    Release(*it->second);
    watches_.erase(it);
  }
  std::unique_ptr<LoopTimer> NewTimer() override { return std::make_unique<AsioTimer>(io_); }
  asio::io_context* io_context() override { return &io_; }

 private:
  struct Watched {
    Watched(asio::io_context& io, int fd) : sd(io, fd) {}
    asio::posix::stream_descriptor sd;
    int events = 0;
    bool waiting[2] = {false, false};  // read, write
    std::function<void(int)> ready;
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  };
  static void Release(Watched& w) {
    *w.alive = false;
    boost::system::error_code ignored;
    w.sd.cancel(ignored);
    w.sd.release();  // the fd stays open: it is the caller's
  }
  void Arm(Watched& w) {
    for (int i = 0; i < 2; ++i) {
      const int event = i == 0 ? kRead : kWrite;
      if (!(w.events & event) || w.waiting[i]) continue;
      w.waiting[i] = true;
      w.sd.async_wait(
          i == 0 ? asio::posix::descriptor_base::wait_read
                 : asio::posix::descriptor_base::wait_write,
          [this, wp = &w, alive = w.alive, i, event](const boost::system::error_code& ec) {
            if (!*alive) return;
            wp->waiting[i] = false;
            if (ec || !(wp->events & event)) return;
            auto ready = wp->ready;  // the call may change or end the watch
            ready(event);
            if (*alive) Arm(*wp);
          });
    }
  }
  asio::io_context& io_;
  std::unordered_map<int, std::unique_ptr<Watched>> watches_;
};

class ServerImpl;

struct Worker {
  asio::io_context io{1};
  AsioLoop loop{io};
  std::optional<tcp::acceptor> acceptor;
  asio::steady_timer sweep{io};
  asio::steady_timer accept_backoff{io};
  std::unordered_set<Connection*> connections;
  ServerImpl* server = nullptr;
  Clock::time_point drain_deadline{};
  const ServerOptions& server_options() const;
};

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, Handler handler, ErrorObserver on_error)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        on_error_(std::move(on_error)) {}

  core::Status Listen();
  uint16_t port() const override { return port_; }
  void Run(std::function<void()> on_sighup) override;
  void Shutdown() override;
  int open_connections() const override { return open_.load(); }

  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  void Handle(const Request& req, Response& res) {
    try {
      handler_(req, res);
    } catch (const std::exception& e) {
      res = Response{};
      res.status = 500;
      res.body = json::ErrorBody(core::CodeName(core::ErrorCode::kInternal), "internal error");
    }
  }
  void Observe(const Refused& r, Response* res) {
    if (on_error_) on_error_(r, res);
  }
  std::atomic<int> open_{0};
  std::atomic<int> pending_{0};  // accepted, not yet started on their loop

 private:
  void Accept(Worker& w);
  bool EvictIdle(Worker& w);
  void Sweep(Worker& w);
  void BeginDrain(Worker& w);

  ServerOptions options_;
  Handler handler_;
  ErrorObserver on_error_;
  std::vector<std::unique_ptr<Worker>> workers_;
  uint16_t port_ = 0;
  size_t next_worker_ = 0;  // only touched on the first loop
  std::atomic<bool> stopping_{false};
  std::optional<asio::signal_set> signals_;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Worker& worker)
      : socket_(std::move(socket)),
        w_(worker),
        buffer_(worker.server_options().max_header_bytes + kReadChunk) {
    w_.connections.insert(this);
    ++w_.server->open_;
  }
  ~Connection() {
    GiveBody();
    w_.connections.erase(this);
    --w_.server->open_;
  }

  // A connection let in beyond --max-connections (the operator's reserve) has 1 s to ask.
  void Start(bool reserved) {
    reserved_ = reserved;
    WaitForRequest();
    const int ms = reserved ? 1'000
                            : std::min(w_.server->options().header_timeout_ms,
                                       w_.server->options().idle_timeout_ms);
    if (state_ == State::kIdle) deadline_ = Clock::now() + std::chrono::milliseconds(ms);
  }
  bool idle() const { return state_ == State::kIdle; }
  bool reading() const { return state_ == State::kReading; }
  Clock::time_point deadline() const { return deadline_; }
  Clock::time_point idle_since() const { return idle_since_; }
  // The read deadline passed: a request begun but not whole gets 408; an idle one just closes.
  void TimedOut() {
    if (state_ == State::kReading)
      return Fail(core::ErrorCode::kRequestTimeout, "the request did not arrive whole in time");
    Close();
  }
  void Close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  friend class BeastRequest;
  enum class State { kIdle, kReading, kBusy };

  // Requests are parsed from the connection's buffer as bytes arrive (Beast's parser, fed
  // directly): a request already in the buffer is handled without another asynchronous step.
  void WaitForRequest() {
    if (w_.server->stopping()) return Close();
    state_ = State::kIdle;
    idle_since_ = Clock::now();
    head_checked_ = false;
    GiveBody();
    parser_.emplace();
    parser_->eager(true);
    parser_->body_limit(w_.server->options().max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(w_.server->options().max_header_bytes));
    if (buffer_.size() > 0) return Parse();  // pipelined bytes already here
    deadline_ = Clock::now() + std::chrono::milliseconds(w_.server->options().idle_timeout_ms);
    ReadMore();
  }

  void ReadMore() {
    const size_t room = std::min<size_t>(buffer_.max_size() - buffer_.size(), kReadChunk);
    if (room == 0)
      return Fail(core::ErrorCode::kHeadersTooLarge, "request headers are larger than the limit");
    auto self = shared_from_this();
    socket_.async_read_some(buffer_.prepare(room), [self](beast::error_code ec, size_t n) {
      if (ec) return self->Close();  // end of stream, reset or shutdown, also mid-request
      self->buffer_.commit(n);
      self->Parse();
    });
  }

  void Parse() {
    if (state_ == State::kIdle) {
      state_ = State::kReading;
      deadline_ = Clock::now() + std::chrono::milliseconds(w_.server->options().read_timeout_ms);
    }
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) break;
      if (ec == bhttp::error::body_limit) {
        return Fail(core::ErrorCode::kPayloadTooLarge, kBodyTooLargeMessage);
      }
      if (ec == bhttp::error::header_limit) {
        return Fail(core::ErrorCode::kHeadersTooLarge, "request headers are larger than the limit");
      }
      if (ec) return Fail(core::ErrorCode::kInvalidHttp, "malformed HTTP request");
      if (parser_->is_header_done() && !head_checked_) {
        head_checked_ = true;
        if (const auto refused = CheckFraming(parser_->get()))
          return Fail(refused->first, refused->second);
        if (!parser_->is_done()) Continue();
      }
      if (!TakeBody()) return Overloaded();
      if (used == 0) break;
    }
    if (parser_->is_done()) return Process();
    ReadMore();
  }

  // A client that sent `Expect: 100-continue` waits for this before its body (curl: up to 1 s for
  // a body over 1 MB); nginx sends it as the body is read. 25 bytes on a connection with nothing
  // else being written: written at once.
  void Continue() {
    const auto& head = parser_->get();
    if (head.version() < 11 || !beast::iequals(head[bhttp::field::expect], "100-continue")) return;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    beast::error_code ec;
    asio::write(socket_, asio::buffer(kContinue.data(), kContinue.size()), ec);
  }

  // The request body's bytes from the buffer budget, as the parser's buffer grows (its capacity:
  // what is allocated). False when the budget is spent.
  bool TakeBody() {
    ByteBudget* b = w_.server->options().budget;
    if (!b || !parser_->is_header_done()) return true;
    const auto& body = parser_->get().body();
    const size_t have = body.empty() ? 0 : body.capacity();  // no heap until a byte arrives
    if (have <= body_taken_) return true;
    if (!b->TryTake(have - body_taken_)) return false;
    body_taken_ = have;
    return true;
  }
  void GiveBody() {
    if (body_taken_ == 0) return;
    w_.server->options().budget->Give(body_taken_);
    body_taken_ = 0;
  }
  void Overloaded() {
    Fail(core::ErrorCode::kOverloaded,
         "the server is buffering as much as its budget allows (--buffer-budget-mb); retry");
  }

  // Framing as strict as nginx's: a request must say one way how long its body is (chunked, and
  // only chunked, or one Content-Length), and an HTTP/1.1 request names exactly one Host. A body
  // read by a framing the sender did not mean would smuggle a second request behind it.
  static std::optional<std::pair<core::ErrorCode, const char*>> CheckFraming(
      const bhttp::request<bhttp::string_body>& head) {
    using E = core::ErrorCode;
    const auto count = [&](bhttp::field f) {
      const auto range = head.equal_range(f);
      return std::distance(range.first, range.second);
    };
    const auto hosts = count(bhttp::field::host);
    if (hosts > 1 || (hosts == 0 && head.version() >= 11))
      return std::pair{E::kInvalidHttp, "an HTTP/1.1 request names exactly one Host"};
    const auto te = count(bhttp::field::transfer_encoding);
    const auto cl = count(bhttp::field::content_length);
    if (cl > 1) return std::pair{E::kInvalidHttp, "more than one Content-Length"};
    if (te == 0) return std::nullopt;
    if (head.version() < 11) return std::pair{E::kInvalidHttp, "Transfer-Encoding in HTTP/1.0"};
    const std::string_view coding = core::TrimSpace(View(head[bhttp::field::transfer_encoding]));
    if (te > 1 || !beast::iequals(beast::string_view(coding.data(), coding.size()), "chunked"))
      return std::pair{E::kNotImplemented, "Transfer-Encoding other than chunked"};
    if (cl > 0) return std::pair{E::kInvalidHttp, "both Content-Length and Transfer-Encoding"};
    return std::nullopt;
  }

  // Called by the handler (on this loop) to answer later. The connection keeps itself alive
  // until the answer arrives; the loop, and so a drain, waits for it.
  Loop* loop() { return &w_.loop; }

  Responder Defer() {
    deferred_ = true;
    deadline_ = Clock::time_point::max();
    pending_self_ = shared_from_this();
    Connection* c = this;
    asio::io_context& io = w_.io;
    return [c, &io](Response r) {
      asio::post(io, [c, r = std::move(r)]() mutable { c->FinishDeferred(std::move(r)); });
    };
  }

  void Process() {
    state_ = State::kBusy;
    const auto& req = parser_->get();
    if (reserved_) {  // the reserve serves the operator's routes only, one request each
      const std::string_view target = View(req.target());
      const std::string_view path = target.substr(0, target.find('?'));
      if (path != "/healthz" && path != "/readyz" && path != "/metrics")
        return Fail(core::ErrorCode::kTooManyConnections,
                    "the server is at its connection limit (only /healthz, /readyz and /metrics "
                    "are answered now)");
    }
    BeastRequest view(req, *this);
    Response out;
    w_.server->Handle(view, out);
    if (deferred_) {
      keep_ = req.keep_alive();
      version_ = req.version();
      return;
    }
    const bool keep = req.keep_alive() && !out.close && !w_.server->stopping() && !reserved_;
    Send(std::move(out), keep, req.version());
  }

  void FinishDeferred(Response out) {
    if (!deferred_) return;
    deferred_ = false;
    auto self = std::move(pending_self_);  // released when this answer's write completes
    const bool keep = keep_ && !out.close && !w_.server->stopping() && !reserved_;
    Send(std::move(out), keep, version_);
  }

  void Fail(core::ErrorCode code, const char* message) {
    state_ = State::kBusy;
    Response out;
    out.status = core::HttpStatus(code);
    out.body = json::ErrorBody(core::CodeName(code), message);
    if (code == core::ErrorCode::kOverloaded) out.headers.emplace_back("Retry-After", "1");
    Refused r;
    r.code = code;
    if (parser_) {  // what the parser read of the head (all of it for a body over its limit)
      const auto& head = parser_->get();
      r.method = View(head.method_string());
      r.target = View(head.target());
      if (auto it = head.find("x-request-id"); it != head.end()) r.request_id = View(it->value());
    }
    w_.server->Observe(r, &out);
    Send(std::move(out), false, 11);
  }

  // The response is written by hand into a reused buffer and sent with the body in one gathered
  // write: Beast's serializer was the largest share of the HTTP layer's time per request.
  void Send(Response out, bool keep, unsigned version) {
    head_.clear();
    head_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    AppendNumber(head_, static_cast<unsigned>(out.status));
    head_ += ' ';
    head_ += ReasonPhrase(out.status);
    head_ += "\r\n";
    AppendField(head_, "Content-Type", out.content_type);
    for (const auto& [k, v] : out.headers) AppendField(head_, k, v);
    if (out.status >= 200 && out.status != 204 && out.status != 304) {
      head_ += "Content-Length: ";
      AppendNumber(head_, out.body.size());
      head_ += "\r\n";
    }
    if (!keep && version >= 11) head_ += "Connection: close\r\n";
    if (keep && version == 10) head_ += "Connection: keep-alive\r\n";
    head_ += "\r\n";
    body_ = std::move(out.body);
    lease_ = std::move(out.lease);
    deadline_ = Clock::now() + std::chrono::milliseconds(w_.server->options().read_timeout_ms);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    auto self = shared_from_this();
    asio::async_write(socket_, buffers, [self, keep](beast::error_code ec, size_t) {
      self->lease_.reset();
      self->body_.clear();
      self->body_.shrink_to_fit();  // a large answer's memory goes with its lease
      if (ec || !keep) return self->Close();
      self->WaitForRequest();
    });
  }

  static void AppendNumber(std::string& out, size_t n) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
  }

  // A header line; CR and LF in a value (which would split the response) become spaces.
  static void AppendField(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    const size_t at = out.size();
    out += value;
    for (size_t i = at; i < out.size(); ++i) {
      if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
    }
    out += "\r\n";
  }

  static constexpr size_t kReadChunk = 4096;

  tcp::socket socket_;
  Worker& w_;
  beast::flat_buffer buffer_;  // at most a full header and one read beyond it
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_, body_;  // the response being written
  State state_ = State::kIdle;
  Clock::time_point deadline_{}, idle_since_{};
  bool head_checked_ = false;          // CheckFraming ran for this request
  size_t body_taken_ = 0;              // of the budget, for this request's body
  std::shared_ptr<const void> lease_;  // the answer being written holds these budget bytes
  bool reserved_ = false;              // let in beyond --max-connections
  bool deferred_ = false;              // the handler answers later (Defer)
  bool keep_ = false;
  unsigned version_ = 11;
  std::shared_ptr<Connection> pending_self_;
};

Responder BeastRequest::Defer() const { return c_.Defer(); }
Loop* BeastRequest::loop() const { return c_.loop(); }

const ServerOptions& Worker::server_options() const { return server->options(); }

core::Status ServerImpl::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--host '" + options_.host + "' is not an IP address", "host");
  }
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->server = this;
    workers_.push_back(std::move(w));
  }
  Worker& first = *workers_.front();
  const tcp::endpoint endpoint(address, options_.port);
  first.acceptor.emplace(first.io);
  auto& a = *first.acceptor;
  if (!a.open(endpoint.protocol(), ec)) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::MakeError(core::ErrorCode::kIo,
                           "cannot listen on " + options_.host + ":" +
                               std::to_string(options_.port) + ": " + ec.message(),
                           "port");
  }
  port_ = a.local_endpoint().port();
  return {};
}

void ServerImpl::Accept(Worker& w) {
  Worker& target = *workers_[next_worker_++ % workers_.size()];
  w.acceptor->async_accept(
      target.io, [this, &w, &target](beast::error_code ec, tcp::socket socket) {
        if (ec) {
          if (ec == asio::error::operation_aborted || !w.acceptor->is_open()) return;
          // E.g. out of file descriptors: the pending connection stays queued and accept would fail
          // again at once, so wait a little (serving the open ones) instead of spinning a core.
          w.accept_backoff.expires_after(std::chrono::milliseconds(50));
          w.accept_backoff.async_wait([this, &w](beast::error_code wait_ec) {
            if (!wait_ec && !stopping()) Accept(w);
          });
          return;
        }
        const int open = open_.load() + pending_.load();
        if (open >= options_.max_connections + kReservedConnections) {
          Observe({core::ErrorCode::kTooManyConnections, {}, {}, {}}, nullptr);
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          ++pending_;
          const bool full = open >= options_.max_connections;
          // The connection lives on its own loop's thread from here on. At the limit it takes
          // the place of the connection idle the longest there, else a place in the reserve.
          asio::post(target.io, [this, &target, full, s = std::move(socket)]() mutable {
            --pending_;
            if (stopping()) {
              beast::error_code ignored2;
              s.close(ignored2);
              return;
            }
            const bool reserved = full && !EvictIdle(target);
            std::make_shared<Connection>(std::move(s), target)->Start(reserved);
          });
        }
        Accept(w);
      });
}

// Closes the worker's connection that has waited longest for a request (its first or its next);
// false when none waits.
bool ServerImpl::EvictIdle(Worker& w) {
  Connection* oldest = nullptr;
  for (Connection* c : w.connections)
    if (c->idle() && (!oldest || c->idle_since() < oldest->idle_since())) oldest = c;
  if (!oldest) return false;
  Observe({core::ErrorCode::kTooManyConnections, {}, {}, {}}, nullptr);
  oldest->Close();
  return true;
}

void ServerImpl::Sweep(Worker& w) {
  w.sweep.expires_after(kSweepPeriod);
  w.sweep.async_wait([this, &w](beast::error_code ec) {
    if (ec) return;
    const auto now = Clock::now();
    const bool draining = stopping();
    std::vector<Connection*> expired;
    std::vector<Connection*> late;
    for (Connection* c : w.connections) {
      if (draining && (c->idle() || now > w.drain_deadline)) {
        expired.push_back(c);
      } else if (c->deadline() < now) {
        late.push_back(c);
      }
    }
    for (Connection* c : expired) c->Close();
    for (Connection* c : late) c->TimedOut();
    if (draining && w.connections.empty()) {
      if (signals_ && &w == workers_.front().get()) {
        beast::error_code ignored;
        signals_->cancel(ignored);
      }
      // Nothing left: this loop finishes, also with work the router's upstream client still
      // holds (idle pooled connections it watches, a deadline timer).
      w.io.stop();
      return;
    }
    Sweep(w);
  });
}

void ServerImpl::BeginDrain(Worker& w) {
  beast::error_code ignored;
  if (w.acceptor) w.acceptor->close(ignored);
  w.accept_backoff.cancel();
  w.drain_deadline = Clock::now() + std::chrono::milliseconds(options_.drain_timeout_ms);
  std::vector<Connection*> idle;
  for (Connection* c : w.connections) {
    if (c->idle()) idle.push_back(c);
  }
  for (Connection* c : idle) c->Close();
  // Re-arm the sweep now so an empty worker finishes at once.
  w.sweep.cancel();
  Sweep(w);
}

void ServerImpl::Shutdown() {
  if (stopping_.exchange(true)) return;
  for (auto& w : workers_) {
    Worker* wp = w.get();
    asio::post(wp->io, [this, wp] { BeginDrain(*wp); });
  }
}

void ServerImpl::Run(std::function<void()> on_sighup) {
  Worker& first = *workers_.front();
  signals_.emplace(first.io, SIGINT, SIGTERM);
  signals_->add(SIGHUP);
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      if (on_sighup) on_sighup();
      signals_->async_wait(on_signal);
      return;
    }
    Shutdown();
  };
  signals_->async_wait(on_signal);
  Accept(first);
  for (auto& w : workers_) Sweep(*w);
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers_.size(); ++i) {
    threads.emplace_back([w = workers_[i].get()] { w->io.run(); });
  }
  first.io.run();
  for (auto& t : threads) t.join();
}

}  // namespace

core::Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options, Handler handler,
                                                     ErrorObserver on_error) {
  auto server = std::make_unique<ServerImpl>(options, std::move(handler), std::move(on_error));
  if (auto s = server->Listen(); !s) return s.error();
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace hr::http
