// The event loop's client reusing pooled connections while its peer writes bytes nobody asked
// for: after an answer (in the same write), or on the idle connection before the next call. The
// fuzzer chooses the bytes and when they come; the peer (in-process, on 127.0.0.1, on the same
// Asio loop) numbers its answers. Whatever it writes, a call the client answers (no failure) has
// its own answer: never bytes that waited on its connection when it was taken from the pool, and
// never an answer followed by more than line ends.
#include <boost/asio.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "http/server.h"
#include "upstream/loop_client.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace hr;

// The loop the client runs on: only its Asio context is used.
class FuzzLoop final : public http::Loop {
 public:
  explicit FuzzLoop(asio::io_context& io) : io_(io) {}
  void Watch(int, int, std::function<void(int)>) override {}
  void Forget(int) override {}
  std::unique_ptr<http::LoopTimer> NewTimer() override { return nullptr; }
  asio::io_context* io_context() override { return &io_; }

 private:
  asio::io_context& io_;
};

struct PeerConn {
  explicit PeerConn(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::string buf;
  char chunk[4096];
};

struct Harness {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  uint16_t port = 0;
  std::vector<std::shared_ptr<PeerConn>> conns;
  std::string answer;              // what the peer writes for the request it reads next
  std::shared_ptr<PeerConn> last;  // the connection that carried the last request
  int requests = 0;

  Harness() {
    acceptor.open(tcp::v4());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    Accept();
  }
  void Accept() {
    auto c = std::make_shared<PeerConn>(io);
    acceptor.async_accept(c->socket, [this, c](boost::system::error_code ec) {
      if (ec) return;
      // No Nagle: bytes written while the client's connection sits idle are there before its
      // next call (what arrives after the peek is the upstream module's to catch, by the ids).
      c->socket.set_option(tcp::no_delay(true), ec);
      conns.push_back(c);
      Read(c);
      Accept();
    });
  }
  void Read(const std::shared_ptr<PeerConn>& c) {
    c->socket.async_read_some(
        asio::buffer(c->chunk), [this, c](boost::system::error_code ec, size_t n) {
          if (ec) return;
          c->buf.append(c->chunk, n);
          for (;;) {
            const size_t end = c->buf.find("\r\n\r\n");
            if (end == std::string::npos) break;
            const size_t cl = c->buf.find("Content-Length: ");
            const size_t length = cl < end ? std::stoul(c->buf.substr(cl + 16)) : 0;
            if (c->buf.size() < end + 4 + length) break;
            c->buf.erase(0, end + 4 + length);
            ++requests;
            last = c;
            asio::write(c->socket, asio::buffer(answer));
          }
          Read(c);
        });
  }
};

Harness& H() {
  static Harness* h = new Harness();
  return *h;
}

std::string Answer(int n) {
  const std::string body = "a" + std::to_string(n);
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

bool OnlyLineEnds(std::string_view s) { return s.find_first_not_of("\r\n") == std::string::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = H();
  FuzzLoop loop(h.io);
  upstream::LoopClientOptions o;
  int strays = 0;
  o.on_stray = [&](const std::string&) { ++strays; };
  auto client = upstream::LoopClient::Create(loop, o);
  size_t at = 0;
  auto next = [&]() -> uint8_t { return at < size ? data[at++] : 0; };
  auto bytes = [&](size_t n) {
    std::string s;
    while (n-- > 0 && at < size) s += static_cast<char>(data[at++]);
    return s;
  };
  std::vector<std::string> answers;
  for (int i = 0; i < 6 && at < size; ++i) {
    const uint8_t mode = next();
    std::string extra;
    if (mode & 1) extra = (mode & 2) && !answers.empty() ? answers.back() : bytes(next() % 24);
    answers.push_back(Answer(i));
    h.answer = answers.back() + extra;
    std::optional<upstream::CallAnswer> got;
    upstream::Call call;
    call.host = "127.0.0.1";
    call.port = h.port;
    call.target = "/x";
    call.body = std::make_shared<const std::string>("{}");
    call.timeout_ms = 2'000;
    client->Send(std::move(call), [&](upstream::CallAnswer a) { got = std::move(a); });
    for (int turns = 0; !got && turns < 100'000; ++turns) h.io.run_one_for(std::chrono::seconds(3));
    if (!got) fuzz::Fail("a call never finished");
    if (got->failure == upstream::Failure::kNone) {
      if (got->body != "a" + std::to_string(i)) fuzz::Fail("a call got another answer", got->body);
      if (!OnlyLineEnds(extra)) fuzz::Fail("an answer followed by more bytes was taken", extra);
    } else if (got->failure == upstream::Failure::kStray && OnlyLineEnds(extra)) {
      fuzz::Fail("an answer followed by line ends only was refused");
    }
    if ((mode & 4) && h.last && h.last->socket.is_open()) {
      // Bytes on the connection while it sits idle in the pool, there before the next call.
      const std::string idle = (mode & 8) ? answers.back() : bytes(1 + next() % 24);
      boost::system::error_code ec;
      asio::write(h.last->socket, asio::buffer(idle), ec);
    }
  }
  client.reset();
  h.io.poll();
  for (auto& c : h.conns) {
    boost::system::error_code ec;
    c->socket.close(ec);
  }
  h.conns.clear();
  h.last.reset();
  h.io.poll();
  (void)strays;
  return 0;
}
