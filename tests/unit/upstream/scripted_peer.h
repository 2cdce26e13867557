// A TCP server on 127.0.0.1 for the upstream module's tests: each connection runs a script on
// its own thread (answer, stall, close, misbehave).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hr::upstream {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A TCP server on 127.0.0.1 whose connections each run `script` (on its own thread).
class ScriptedPeer {
 public:
  using Script = std::function<void(tcp::socket&, ScriptedPeer&)>;
  explicit ScriptedPeer(Script script) : script_(std::move(script)) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] {
      for (;;) {
        tcp::socket s(io_);
        boost::system::error_code ec;
        acceptor_.accept(s, ec);
        if (ec || stop_) return;
        ++connections;
        workers_.emplace_back([this, sock = std::move(s)]() mutable {
          try {
            script_(sock, *this);
          } catch (...) {
          }
        });
      }
    });
  }
  ~ScriptedPeer() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
    for (auto& w : workers_) w.join();
  }
  uint16_t port() const { return port_; }
  // Reads one request (head and Content-Length body); false at the end of the stream.
  bool ReadRequest(tcp::socket& s) {
    std::string data;
    char buf[4096];
    size_t head_end = std::string::npos;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      boost::system::error_code ec;
      const size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) return false;
      data.append(buf, n);
    }
    const size_t cl = data.find("Content-Length: ");
    const size_t length = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
    while (data.size() < head_end + 4 + length) {
      boost::system::error_code ec;
      const size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) return false;
      data.append(buf, n);
    }
    ++requests;
    return true;
  }
  // The listening socket stops: connections are refused from now on.
  void StopListening() { ::shutdown(acceptor_.native_handle(), SHUT_RDWR); }
  static void Write(tcp::socket& s, std::string_view bytes) {
    boost::system::error_code ec;
    asio::write(s, asio::buffer(bytes.data(), bytes.size()), ec);
  }
  std::atomic<int> connections{0}, requests{0};

 private:
  Script script_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> workers_;
};

}  // namespace hr::upstream
