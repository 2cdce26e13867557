// A scripted HTTP/1.1 upstream on 127.0.0.1 for black-box tests of `route`: it answers what its
// script says, byte for byte (malformed answers, control bytes in headers, answers written twice,
// throttles, slow or huge answers), counts what it saw and how many requests it held at once.
// Each connection runs on its own thread; a copy of an answer written "again" later goes out on a
// writer thread of that connection while the next request is read.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hr::testing {

// One answer's bytes: status line, headers (each "Name: value"), Content-Length, body.
inline std::string HttpAnswer(int status, const std::string& body,
                              const std::vector<std::string>& headers = {
                                  "Content-Type: application/json"}) {
  std::string a = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  for (const auto& h : headers) a += h + "\r\n";
  return a + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The value of a JSON string field in a flat body ("" when absent): enough for request ids.
inline std::string JsonField(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const size_t at = body.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return body.substr(start, body.find('"', start) - start);
}

class ScriptedUpstream {
 public:
  struct Seen {
    std::string head;  // request line and headers, as sent
    std::string body;
    int index = 0;  // 1-based, over all connections
  };
  struct Reply {
    std::string bytes;  // written as they are (empty: nothing)
    int delay_ms = 0;   // before writing them
    std::string again;  // written once more `again_ms` after them, while the next request is read
    int again_ms = 0;
    bool close = false;  // the connection closes after the answer
  };
  static Reply Bytes(std::string bytes) {
    Reply r;
    r.bytes = std::move(bytes);
    return r;
  }
  using Script = std::function<Reply(const Seen&)>;

  explicit ScriptedUpstream(Script script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 1024);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~ScriptedUpstream() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    ::close(listener_);
    std::vector<std::thread> all;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
      all.swap(threads_);
    }
    for (auto& t : all) t.join();
  }
  int port() const { return port_; }

  std::atomic<int> connections{0}, requests{0}, in_progress{0}, max_in_progress{0};

 private:
  void Accept() {
    for (;;) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0 || stop_) {
        if (fd >= 0) ::close(fd);
        return;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ++connections;
      std::lock_guard<std::mutex> lock(mutex_);
      open_.push_back(fd);
      threads_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  // Reads one request (head and Content-Length body); false at the end of the stream.
  static bool ReadRequest(int fd, std::string& buf, std::string& head, std::string& body) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(fd, buf)) return false;
    }
    head = buf.substr(0, end);
    size_t length = 0;
    for (const char* name : {"Content-Length: ", "content-length: "}) {
      const size_t at = head.find(name);
      if (at != std::string::npos) length = std::stoul(head.substr(at + 16));
    }
    while (buf.size() < end + 4 + length) {
      if (!Fill(fd, buf)) return false;
    }
    body = buf.substr(end + 4, length);
    buf.erase(0, end + 4 + length);
    return true;
  }
  static bool Fill(int fd, std::string& buf) {
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }
  static void WriteAll(int fd, const std::string& bytes) {
    size_t at = 0;
    while (at < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return;
      at += static_cast<size_t>(n);
    }
  }

  void Serve(int fd) {
    std::mutex write_mutex;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> later;
    std::condition_variable wake;
    bool done = false;
    std::thread writer([&] {
      std::unique_lock<std::mutex> lock(write_mutex);
      for (;;) {
        if (later.empty()) {
          if (done) return;
          wake.wait(lock);
          continue;
        }
        const auto due = later.front().first;
        if (std::chrono::steady_clock::now() < due) {
          wake.wait_until(lock, due);
          continue;
        }
        WriteAll(fd, later.front().second);
        later.pop_front();
      }
    });
    std::string buf, head, body;
    while (!stop_ && ReadRequest(fd, buf, head, body)) {
      Seen seen{head, body, ++requests};
      const int now_in = ++in_progress;
      for (int m = max_in_progress.load();
           now_in > m && !max_in_progress.compare_exchange_weak(m, now_in);) {
      }
      const Reply reply = script_(seen);
      if (reply.delay_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
      {
        std::lock_guard<std::mutex> lock(write_mutex);
        WriteAll(fd, reply.bytes);
        if (!reply.again.empty())
          later.emplace_back(
              std::chrono::steady_clock::now() + std::chrono::milliseconds(reply.again_ms),
              reply.again);
      }
      wake.notify_one();
      --in_progress;
      if (reply.close) break;
    }
    {
      std::lock_guard<std::mutex> lock(write_mutex);
      done = true;
      later.clear();
    }
    wake.notify_one();
    writer.join();
    ::shutdown(fd, SHUT_RDWR);
    std::lock_guard<std::mutex> lock(mutex_);
    open_.erase(std::find(open_.begin(), open_.end(), fd));
    ::close(fd);
  }

  Script script_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> open_;
  std::vector<std::thread> threads_;
};

}  // namespace hr::testing
