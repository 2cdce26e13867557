// The event loop's HTTP/1.1 client (route's plain-HTTP upstream) on real sockets: the client runs
// on a real server's loop (a request to that server makes one call and answers what came back),
// its peer is a scripted TCP server that answers, stalls, closes or misbehaves on purpose. The
// answer parser is also fed byte strings directly.
#include "upstream/loop_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/client.h"
#include "http/server.h"
#include "scripted_peer.h"

namespace hr::upstream {

using http::Client;
using http::Request;
using http::Response;
using http::Server;
using http::ServerOptions;
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";

// The failure's short name in the harness's answers.
std::string_view Short(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "none";
    case Failure::kConnect:
      return "connect";
    case Failure::kBroken:
      return "broken";
    case Failure::kTooLarge:
      return "too_large";
    case Failure::kMalformed:
      return "malformed";
    default:
      return Name(f);
  }
}

// A server whose every request makes one call with the client on its loop and answers
// "failure status body-size message"; GET /idle answers the client's idle connection count.
class LoopHarness {
 public:
  explicit LoopHarness(LoopClientOptions options = {}) : options_(options) {
    ServerOptions so;
    so.port = 0;
    so.threads = 1;
    so.drain_timeout_ms = 2'000;
    auto made = Server::Create(so, [this](const Request& req, Response& res) { Handle(req, res); });
    EXPECT_TRUE(made) << made.error().message;
    server_ = std::move(*made);
    thread_ = std::thread([this] { server_->Run(); });
    auto c = Client::Create("127.0.0.1:" + std::to_string(server_->port()));
    EXPECT_TRUE(c);
    front_ = std::move(*c);
  }
  ~LoopHarness() { Stop(); }
  // Makes `call` from the loop; returns "failure status size message |body" (the body when short).
  // `orphan`: the front request is answered at once, the call goes on alone (as a hedge's loser).
  std::string Call(upstream::Call call, bool orphan = false) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      next_ = std::move(call);
    }
    auto r = front_->Send("POST", orphan ? "/orphan" : "/call", "", {}, 20'000);
    return r ? r->body : "no answer: " + r.error().message;
  }
  // Every answer the client gave, in order (also those the front server could not send).
  std::vector<std::string> Outcomes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return outcomes_;
  }
  // Stops the server, then destroys the client (as route does).
  void Stop() {
    if (!server_) return;
    server_->Shutdown();
    thread_.join();
    client_.reset();
    server_.reset();
  }
  size_t Idle() {
    auto r = front_->Send("GET", "/idle", "", {}, 5'000);
    return r ? std::stoul(r->body) : 9999;
  }

 private:
  void Handle(const Request& req, Response& res) {
    if (!client_) client_ = LoopClient::Create(*req.loop(), options_);
    if (req.target() == "/idle") {
      res.body = std::to_string(client_->idle_connections());
      return;
    }
    upstream::Call call;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      call = next_;
    }
    http::Responder answer;
    if (req.target() == "/orphan") {
      res.body = "sent";
    } else {
      answer = req.Defer();
    }
    client_->Send(std::move(call), [this, answer](CallAnswer a) {
      Response r;
      r.content_type = "text/plain";
      r.body = std::string(Short(a.failure)) + " " + std::to_string(a.status) + " " +
               std::to_string(a.body.size()) + " " + a.message;
      if (a.body.size() <= 64) r.body += " |" + a.body;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        outcomes_.push_back(r.body);
      }
      if (answer) answer(std::move(r));
    });
  }
  LoopClientOptions options_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> front_;
  std::unique_ptr<LoopClient> client_;  // the loop's only
  std::thread thread_;
  std::mutex mutex_;
  upstream::Call next_;
  std::vector<std::string> outcomes_;
};

Call To(uint16_t port, int timeout_ms = 5'000) {
  Call c;
  c.host = "127.0.0.1";
  c.port = port;
  c.target = "/lightweight/process";
  c.body = std::make_shared<const std::string>(R"({"request_id":"r1"})");
  c.headers = {"Content-Type: application/json", "X-Request-Id: r1"};
  c.timeout_ms = timeout_ms;
  return c;
}

TEST(LoopClient, CallsReuseOnePooledConnection) {
  ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
    while (p.ReadRequest(s)) ScriptedPeer::Write(s, kOk);
  });
  LoopHarness h;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(h.Call(To(peer.port())).substr(0, 11), "none 200 11");
  EXPECT_EQ(peer.connections.load(), 1);
  EXPECT_EQ(peer.requests.load(), 20);
  EXPECT_EQ(h.Idle(), 1U);
}

// The peer closes each connection right after its answer (as a server does at its keep-alive
// limit): the next call sees, before sending, that its pooled connection was closed (the peek at
// reuse), and goes out on a new one, idempotent or not; the peer sees each call once.
TEST(LoopClient, APooledConnectionThePeerClosedIsNotReused) {
  std::atomic<int> closed{0};
  ScriptedPeer peer([&closed](tcp::socket& s, ScriptedPeer& p) {
    if (p.ReadRequest(s)) ScriptedPeer::Write(s, kOk);
    s.close();
    ++closed;
  });
  LoopHarness h;
  auto call = To(peer.port());
  for (int i = 0; i < 5; ++i) {
    call.idempotent = i % 2 == 0;
    EXPECT_EQ(h.Call(call).substr(0, 11), "none 200 11");
    // Polled: the peer closes after its answer (on loopback its FIN is then in our socket).
    for (int j = 0; j < 1000 && closed.load() <= i; ++j)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(peer.requests.load(), 5);
  EXPECT_EQ(peer.connections.load(), 5);
}

// The peer reads the second request on a connection and closes it without an answer (a keep-alive
// close racing the call, after the peek): an idempotent call is sent once more on a new
// connection; any other is a failure that may have run, not sent again.
TEST(LoopClient, ACallOnAPooledConnectionThatBreaksIsSentAgainOnlyWhenIdempotent) {
  ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
    if (p.ReadRequest(s)) ScriptedPeer::Write(s, kOk);
    p.ReadRequest(s);
    s.close();
  });
  LoopHarness h;
  auto call = To(peer.port());
  EXPECT_EQ(h.Call(call).substr(0, 11), "none 200 11");
  std::string r = h.Call(call);  // on the pooled connection: read, then closed
  EXPECT_EQ(r.substr(0, 7), "broken ") << r;
  EXPECT_EQ(peer.requests.load(), 2);
  call.idempotent = true;
  EXPECT_EQ(h.Call(call).substr(0, 11), "none 200 11");  // a new connection
  EXPECT_EQ(h.Call(call).substr(0, 11), "none 200 11");  // broken, then sent again
  EXPECT_EQ(peer.requests.load(), 5);
  EXPECT_EQ(peer.connections.load(), 3);
}

// Sent again, the call meets a peer that is gone: not "never sent" (the first connection may
// have delivered it), so the router does not fall back to the other platform on its word.
TEST(LoopClient, ACallSentAgainThatCannotConnectMayHaveRun) {
  ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
    if (p.ReadRequest(s)) ScriptedPeer::Write(s, kOk);
    if (p.ReadRequest(s)) p.StopListening();  // new connections are refused from here on
    s.close();
  });
  LoopHarness h;
  auto call = To(peer.port());
  call.idempotent = true;
  EXPECT_EQ(h.Call(call).substr(0, 11), "none 200 11");
  const std::string r = h.Call(call);
  EXPECT_EQ(r.substr(0, 7), "broken ") << r;
  EXPECT_NE(r.find("sent on a pooled connection that failed"), std::string::npos) << r;
}

TEST(LoopClient, AnIdleConnectionThePeerClosedLeavesThePool) {
  ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
    if (p.ReadRequest(s)) ScriptedPeer::Write(s, kOk);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s.close();
  });
  LoopHarness h;
  EXPECT_EQ(h.Call(To(peer.port())).substr(0, 11), "none 200 11");
  EXPECT_EQ(h.Idle(), 1U);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (h.Idle() != 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(h.Idle(), 0U);
}

// An answer numbered by the request it answers (the peer's count of requests so far).
std::string Numbered(int n) {
  const std::string body = "{\"n\":" + std::to_string(n) + "}";
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A target that writes each answer twice, the second 50 ms after the first (a buggy handler): the
// copy arrives on the idle pooled connection, and the next call must not read it as its answer.
// The peek at reuse finds it: the connection is closed (counted, reported) and the call goes out
// on a new one, answered by its own answer.
TEST(LoopClient, AnAnswerNobodyAskedForIsNeverTheNextCallsAnswer) {
  ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
    while (p.ReadRequest(s)) {
      const std::string answer = Numbered(p.requests.load());
      ScriptedPeer::Write(s, answer);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ScriptedPeer::Write(s, answer);
    }
  });
  std::atomic<int> reported{0};
  LoopClientOptions o;
  o.on_stray = [&](const std::string& host_port) {
    EXPECT_EQ(host_port, "127.0.0.1:" + std::to_string(peer.port()));
    ++reported;
  };
  LoopHarness h(o);
  for (int i = 1; i <= 4; ++i) {
    const std::string r = h.Call(To(peer.port()));
    EXPECT_EQ(r.substr(0, 11), "none 200 7 ") << r;
    EXPECT_NE(r.find("|{\"n\":" + std::to_string(i) + "}"), std::string::npos)
        << "call " << i << ": " << r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the copy arrives meanwhile
  }
  EXPECT_EQ(reported.load(), 3);  // calls 2-4 each found the copy of the answer before theirs
  EXPECT_EQ(peer.connections.load(), 4);
}

// The copy of the last answer and this call's own answer arrive together: which one is this
// call's cannot be told, so neither is relayed; the call fails as a stray answer (it may have run).
TEST(LoopClient, AnAnswerFollowedByMoreBytesIsRefused) {
  ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
    if (!p.ReadRequest(s)) return;
    ScriptedPeer::Write(s, Numbered(1));
    if (!p.ReadRequest(s)) return;
    ScriptedPeer::Write(s, Numbered(1) + Numbered(2));  // the stale copy first, in one write
    p.ReadRequest(s);
  });
  int reported = 0;
  LoopClientOptions o;
  o.on_stray = [&](const std::string&) { ++reported; };
  LoopHarness h(o);
  EXPECT_NE(h.Call(To(peer.port())).find("|{\"n\":1}"), std::string::npos);
  const std::string r = h.Call(To(peer.port()));
  EXPECT_EQ(r.substr(0, 13), "stray_answer ") << r;
  EXPECT_NE(r.find("sent more than one answer"), std::string::npos) << r;
  EXPECT_EQ(reported, 1);
  // Line ends after an answer are tolerated (some servers send one after a body).
  ScriptedPeer crlf([](tcp::socket& s, ScriptedPeer& p) {
    while (p.ReadRequest(s)) ScriptedPeer::Write(s, std::string(kOk) + "\r\n");
  });
  EXPECT_EQ(h.Call(To(crlf.port())).substr(0, 11), "none 200 11");
  EXPECT_EQ(reported, 1);
}

// A fresh call opens its own connection and closes it after the answer.
TEST(LoopClient, AFreshCallNeverSharesAConnection) {
  ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
    while (p.ReadRequest(s)) ScriptedPeer::Write(s, kOk);
  });
  LoopHarness h;
  auto call = To(peer.port());
  call.fresh = true;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.Call(call).substr(0, 11), "none 200 11");
  EXPECT_EQ(peer.connections.load(), 3);
  EXPECT_EQ(h.Idle(), 0U);
}

TEST(LoopClient, FailuresSayWhetherTheRequestCanHaveRun) {
  {  // nothing listens: never sent
    uint16_t closed_port;
    {
      asio::io_context io;
      tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
      closed_port = a.local_endpoint().port();
    }
    const std::string r = LoopHarness().Call(To(closed_port));
    EXPECT_EQ(r.substr(0, 8), "connect ") << r;
    EXPECT_NE(r.find("127.0.0.1:" + std::to_string(closed_port)), std::string::npos) << r;
  }
  {  // read, then silence: it may have run
    ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
      p.ReadRequest(s);
      p.ReadRequest(s);  // until the client gives up and closes
    });
    const std::string r = LoopHarness().Call(To(peer.port(), 300));
    EXPECT_EQ(r.substr(0, 8), "timeout ") << r;
    EXPECT_NE(r.find("within 300 ms"), std::string::npos) << r;
  }
  {  // read, then closed without an answer on a new connection: it may have run
    ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
      p.ReadRequest(s);
      s.close();
    });
    LoopHarness h;
    EXPECT_EQ(h.Call(To(peer.port())).substr(0, 7), "broken ");
    EXPECT_EQ(peer.requests.load(), 1);  // not sent again: the connection was new
  }
  {  // larger than the limit
    ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
      p.ReadRequest(s);
      ScriptedPeer::Write(
          s, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
    });
    LoopClientOptions o;
    o.max_answer_bytes = 4096;
    const std::string r = LoopHarness(o).Call(To(peer.port()));
    EXPECT_EQ(r.substr(0, 10), "too_large ") << r;
  }
  {  // not HTTP
    ScriptedPeer peer([](tcp::socket& s, ScriptedPeer& p) {
      p.ReadRequest(s);
      ScriptedPeer::Write(s, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    });
    const std::string r = LoopHarness().Call(To(peer.port()));
    EXPECT_EQ(r.substr(0, 10), "malformed ") << r;
  }
}

// The server's loop stops once its connections are gone, although the client still waits for an
// answer (and has a deadline set); destroying the client then ends that call as kShutdown.
TEST(LoopClient, ACallInFlightWhenTheClientGoesEndsAsShutdown) {
  std::atomic<bool> release{false};
  ScriptedPeer peer([&release](tcp::socket& s, ScriptedPeer& p) {
    p.ReadRequest(s);
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  });
  LoopHarness h;
  EXPECT_EQ(h.Call(To(peer.port(), 60'000), true), "sent");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (peer.requests.load() == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(peer.requests.load(), 1);
  const auto stopping = std::chrono::steady_clock::now();
  h.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(5));
  release = true;
  const auto outcomes = h.Outcomes();
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].substr(0, 9), "shutdown ") << outcomes[0];
}

LoopClientOptions Small() {
  LoopClientOptions o;
  o.max_answer_bytes = 64;
  o.max_header_bytes = 256;
  return o;
}

AnswerReader::State FeedAll(AnswerReader& r, std::string_view bytes, size_t step) {
  std::string pending;
  AnswerReader::State s = AnswerReader::State::kMore;
  for (size_t i = 0; i < bytes.size() && s == AnswerReader::State::kMore; i += step) {
    pending += bytes.substr(i, step);
    size_t used = 0;
    s = r.Feed(pending, used);
    pending.erase(0, used);
  }
  return s;
}

TEST(AnswerReader, ReadsChunkedInterimAndCloseDelimitedAnswersInAnyPieces) {
  for (size_t step : {1, 3, 1000}) {
    AnswerReader chunked(Small());
    EXPECT_EQ(FeedAll(chunked,
                      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nX-A: b\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                      step),
              AnswerReader::State::kDone);
    EXPECT_EQ(chunked.answer().status, 201);
    EXPECT_EQ(chunked.answer().body, "abcde");
    EXPECT_TRUE(chunked.keep_alive());
    ASSERT_FALSE(chunked.answer().headers.empty());
    EXPECT_EQ(chunked.answer().headers.front().first, "x-a");

    AnswerReader until_close(Small());
    EXPECT_EQ(FeedAll(until_close, "HTTP/1.1 200 OK\r\n\r\nhello", step),
              AnswerReader::State::kMore);
    EXPECT_EQ(until_close.End(), AnswerReader::State::kDone);
    EXPECT_EQ(until_close.answer().body, "hello");
    EXPECT_FALSE(until_close.keep_alive());
  }
  AnswerReader closing(Small());
  EXPECT_EQ(
      FeedAll(closing, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 5),
      AnswerReader::State::kDone);
  EXPECT_FALSE(closing.keep_alive());
}

// A folded header (obs-fold) and an unrequested 101 are refused in any pieces, as libcurl's path
// refuses them; a body that starts with a space after the head is no fold.
TEST(AnswerReader, RefusesFoldedHeadersAndAnUnrequested101) {
  for (size_t step : {1, 3, 1000}) {
    AnswerReader folded(Small());
    EXPECT_EQ(
        FeedAll(folded,
                "HTTP/1.1 200 OK\r\nX-A: 1\r\n Set-Cookie: x=1\r\nContent-Length: 2\r\n\r\n{}",
                step),
        AnswerReader::State::kFailed);
    EXPECT_EQ(folded.answer().failure, Failure::kMalformed);
    AnswerReader switching(Small());
    EXPECT_EQ(FeedAll(switching, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", step),
              AnswerReader::State::kFailed);
    AnswerReader spaced(Small());
    EXPECT_EQ(FeedAll(spaced, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n {}", step),
              AnswerReader::State::kDone);
    EXPECT_EQ(spaced.answer().body, " {}");
  }
}

TEST(AnswerReader, RefusesWhatIsTooLargeCutShortOrNotHttp) {
  AnswerReader big(Small());
  EXPECT_EQ(FeedAll(big, "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n", 100),
            AnswerReader::State::kFailed);
  EXPECT_EQ(big.answer().failure, Failure::kTooLarge);
  // Head and body in one piece (Beast 1.74's response parser alone lets this through).
  AnswerReader whole(Small());
  EXPECT_EQ(
      FeedAll(whole, "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + std::string(65, 'x'), 1000),
      AnswerReader::State::kFailed);
  EXPECT_EQ(whole.answer().failure, Failure::kTooLarge);
  AnswerReader chunks(Small());
  EXPECT_EQ(FeedAll(chunks,
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n" +
                        std::string(65, 'x') + "\r\n0\r\n\r\n",
                    1000),
            AnswerReader::State::kFailed);
  EXPECT_EQ(chunks.answer().failure, Failure::kTooLarge);
  AnswerReader until_close(Small());
  EXPECT_EQ(FeedAll(until_close, "HTTP/1.1 200 OK\r\n\r\n" + std::string(65, 'x'), 1000),
            AnswerReader::State::kFailed);
  EXPECT_EQ(until_close.answer().failure, Failure::kTooLarge);
  AnswerReader headers(Small());
  EXPECT_EQ(FeedAll(headers, "HTTP/1.1 200 OK\r\nX: " + std::string(300, 'a') + "\r\n\r\n", 7),
            AnswerReader::State::kFailed);
  EXPECT_EQ(headers.answer().failure, Failure::kTooLarge);
  AnswerReader cut(Small());
  EXPECT_EQ(FeedAll(cut, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 100),
            AnswerReader::State::kMore);
  EXPECT_EQ(cut.End(), AnswerReader::State::kFailed);
  EXPECT_EQ(cut.answer().failure, Failure::kBroken);
  AnswerReader garbage(Small());
  EXPECT_EQ(FeedAll(garbage, "220 smtp.example.com ESMTP\r\n", 100), AnswerReader::State::kFailed);
  EXPECT_EQ(garbage.answer().failure, Failure::kMalformed);
  // Found by fuzz_http_answer: "099" has three digits but is no status (it was taken as final).
  AnswerReader not_a_status(Small());
  EXPECT_EQ(FeedAll(not_a_status, "HTTP/1.1 099 Continue\r\n\r\n", 100),
            AnswerReader::State::kFailed);
  EXPECT_EQ(not_a_status.answer().failure, Failure::kMalformed);
  // Found by fuzz_http_answer: a chunk's size line without an end piled up without a limit.
  AnswerReader long_chunk_line(Small());
  EXPECT_EQ(
      FeedAll(long_chunk_line,
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;" + std::string(300, 'e'), 1),
      AnswerReader::State::kFailed);
  EXPECT_EQ(long_chunk_line.answer().failure, Failure::kTooLarge);
  // Found by fuzz_http_answer: a Content-Length of 10^22 with a byte of body in the same piece
  // made Beast reserve it (its own limit check lost): the router would have died of it.
  AnswerReader huge(Small());
  EXPECT_EQ(
      FeedAll(huge, "HTTP/1.1 200 OK\r\nContent-Length: 00006237970878134601499\r\n\r\n{", 1000),
      AnswerReader::State::kFailed);
  EXPECT_EQ(huge.answer().failure, Failure::kTooLarge);
  std::string interim;
  for (int i = 0; i < 9; ++i) interim += "HTTP/1.1 100 Continue\r\n\r\n";
  AnswerReader endless(Small());
  EXPECT_EQ(FeedAll(endless, interim, 100), AnswerReader::State::kFailed);
  EXPECT_EQ(endless.answer().failure, Failure::kMalformed);
}

}  // namespace
}  // namespace hr::upstream
