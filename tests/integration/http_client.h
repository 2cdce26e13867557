// Test-side helpers for black-box tests of `hybrid-router serve`: start the real binary on
// 127.0.0.1 with a free port, and talk HTTP/1.1 to it over plain POSIX sockets (so that tests can
// also send malformed, slow or partial requests on purpose).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace hr::testing {

struct HttpResponse {
  int status = 0;                              // 0: no (complete) response
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

inline std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Connection {
 public:
  explicit Connection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Reads one response (Content-Length framed). status 0 when the peer closed first or timed out.
  HttpResponse Read(int timeout_ms = 5000) {
    HttpResponse r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return r;
    }
    std::istringstream head(buf_.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    if (line.size() < 12) return r;
    const int status = std::atoi(line.c_str() + 9);
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[Lower(line.substr(0, colon))] = value;
    }
    const size_t length = static_cast<size_t>(std::atol(r.headers["content-length"].c_str()));
    while (buf_.size() < header_end + 4 + length) {
      if (!Fill(deadline)) return r;
    }
    r.body = buf_.substr(header_end + 4, length);
    buf_.erase(0, header_end + 4 + length);
    r.status = status;
    return r;
  }
  // True when the server closed the connection within the timeout.
  bool ClosedByPeer(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char c[256];
        const ssize_t n = ::recv(fd_, c, sizeof c, 0);
        if (n <= 0) return true;
      }
    }
    return false;
  }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buf_;
};

inline std::string BuildRequest(
    const std::string& method, const std::string& path, const std::string& body = "",
    const std::vector<std::string>& headers = {"Content-Type: application/json"},
    bool keep_alive = true) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  if (!body.empty() || method == "POST")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!keep_alive) req += "Connection: close\r\n";
  return req + "\r\n" + body;
}

inline HttpResponse Call(int port, const std::string& method, const std::string& path,
                         const std::string& body = "",
                         const std::vector<std::string>& headers = {
                             "Content-Type: application/json"}) {
  Connection c(port);
  if (!c.ok() || !c.Send(BuildRequest(method, path, body, headers, false))) return {};
  return c.Read();
}

// The real binary, started with `args`, on a free port; stopped (SIGTERM) when destroyed.
class ServerProcess {
 public:
  // `max_files`: the server's RLIMIT_NOFILE (0: inherited).
  // `command`: serve (with an access log in the process's folder) or another server command.
  explicit ServerProcess(std::vector<std::string> args, std::vector<std::string> env = {},
                         int max_files = 0, const std::string& command = "serve") {
    char tmpl[] = "/tmp/hr_serve_XXXXXX";
    dir_ = mkdtemp(tmpl);
    stderr_path_ = dir_ + "/stderr";
    access_path_ = dir_ + "/access.log";
    pid_ = fork();
    if (pid_ == 0) {
      const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(err, 2);
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
      if (max_files > 0) {
        const rlimit limit{static_cast<rlim_t>(max_files), static_cast<rlim_t>(max_files)};
        setrlimit(RLIMIT_NOFILE, &limit);
      }
      std::vector<std::string> all = {HR_BINARY, command};
      if (command == "serve") {
        all.push_back("--access-log");
        all.push_back(access_path_);
      }
      if (std::find(args.begin(), args.end(), "--port") == args.end()) {
        all.push_back("--port");
        all.push_back("0");
      }
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(HR_BINARY, argv.data());
      _exit(127);
    }
    // Up to 15 s: `emulate` reads the measurements first, slower on a busy machine.
    for (int i = 0; i < 600 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      const std::string log = Stderr();
      const auto at = log.find("\"port\":");
      if (at != std::string::npos) port_ = std::atoi(log.c_str() + at + 7);
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
    }
  }
  ~ServerProcess() {
    Stop(SIGKILL);
    std::system(("rm -rf " + dir_).c_str());
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string Stderr() const {
    std::ifstream in(stderr_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string AccessLog() const {
    std::ifstream in(access_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  const std::string& dir() const { return dir_; }
  void Signal(int sig) {
    if (!exited_) ::kill(pid_, sig);
  }
  // Sends `sig` and waits (up to timeout) for the exit code; -1 if it did not exit.
  int Stop(int sig = SIGTERM, int timeout_ms = 15000) {
    if (exited_) return exit_code_;
    ::kill(pid_, sig);
    for (int i = 0; i < timeout_ms / 10; ++i) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }
  bool exited() const { return exited_; }
  int exit_code() const { return exit_code_; }

 private:
  std::string dir_, stderr_path_, access_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace hr::testing
