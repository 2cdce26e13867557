#include "route/upstream.h"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace hr::route {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kReadPadding = 64;  // simdjson reads up to this far past the end
constexpr size_t kKeepHandles = 1024;

struct Transfer {
  CURL* easy = nullptr;
  UpstreamRequest request;
  std::function<void(UpstreamResult)> done;
  curl_slist* headers = nullptr;
  UpstreamResult result;
  size_t max_bytes = 0;
  bool too_large = false;
  Clock::time_point queued;
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  if (t->result.body.size() + bytes > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->result.body.append(data, bytes);
  return bytes;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    t->result.headers.clear();  // a new answer (after 100 Continue): only the final one counts
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || t->result.headers.size() >= 200) return bytes;
  std::string name(Trim(line.substr(0, colon)));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  t->result.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return bytes;
}

Transport Classify(CURLcode code, bool too_large, curl_off_t pretransfer_us) {
  switch (code) {
    case CURLE_OK:
      return Transport::kOk;
    case CURLE_COULDNT_CONNECT:
      return Transport::kConnect;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Transport::kResolve;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return Transport::kTls;
    case CURLE_OPERATION_TIMEDOUT:
      // No byte was sent when the transfer never got past connecting.
      return pretransfer_us == 0 ? Transport::kConnect : Transport::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return pretransfer_us == 0 ? Transport::kConnect : Transport::kBroken;
    case CURLE_WRITE_ERROR:
      return too_large ? Transport::kTooLarge : Transport::kOther;
    default:
      return Transport::kOther;
  }
}

}  // namespace

std::string_view Name(Transport t) {
  switch (t) {
    case Transport::kOk:
      return "ok";
    case Transport::kConnect:
      return "connect_failed";
    case Transport::kResolve:
      return "dns_failed";
    case Transport::kTls:
      return "tls_failed";
    case Transport::kTimeout:
      return "timeout";
    case Transport::kBroken:
      return "connection_broken";
    case Transport::kTooLarge:
      return "answer_too_large";
    case Transport::kShutdown:
      return "shutdown";
    case Transport::kOther:
      return "transport_error";
  }
  return "transport_error";
}

bool NeverSent(Transport t) {
  return t == Transport::kConnect || t == Transport::kResolve || t == Transport::kTls;
}

// The I/O thread drives libcurl's multi_socket interface from its own epoll set: each wake-up
// costs what is ready, not a poll(2) over every pooled connection; Send() writes the eventfd
// only when the thread is waiting.
struct Upstream::State {
  UpstreamOptions options;
  CURLM* multi = nullptr;
  int epoll_fd = -1, wake_fd = -1;
  std::thread thread;
  std::mutex mutex;  // guards queue and stop
  std::deque<std::unique_ptr<Transfer>> queue;
  bool stop = false;
  std::atomic<bool> waiting{false};
  std::atomic<int> in_flight{0};
  std::unordered_set<Transfer*> running;      // I/O thread only
  std::unordered_map<int, uint32_t> watched;  // I/O thread only: socket -> epoll events
  int64_t timer_ms = -1;                      // I/O thread only: libcurl's timeout, -1 none
  std::vector<CURL*> spare;                   // I/O thread only: reset handles for reuse

  ~State() {
    if (epoll_fd >= 0) ::close(epoll_fd);
    if (wake_fd >= 0) ::close(wake_fd);
  }
  void Wake() const {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t r = ::write(wake_fd, &one, sizeof one);
  }
  void Loop();
  void Start(std::unique_ptr<Transfer> t);
  void Finish(Transfer* t, CURLcode code, bool shutdown);
  void Drain();  // finished transfers out of libcurl
  void Act(curl_socket_t s, int flags);
  static void Complete(std::unique_ptr<Transfer> t, UpstreamResult r);
  static int OnSocket(CURL*, curl_socket_t s, int what, void* user, void*);
  static int OnTimer(CURLM*, long timeout_ms, void* user);
};

int Upstream::State::OnSocket(CURL*, curl_socket_t s, int what, void* user, void*) {
  auto* st = static_cast<State*>(user);
  if (what == CURL_POLL_REMOVE) {
    if (st->watched.erase(s) > 0) ::epoll_ctl(st->epoll_fd, EPOLL_CTL_DEL, s, nullptr);
    return 0;
  }
  const uint32_t want =
      (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = s;
  auto [it, fresh] = st->watched.try_emplace(s, want);
  if (fresh) {
    ::epoll_ctl(st->epoll_fd, EPOLL_CTL_ADD, s, &ev);
  } else if (it->second != want) {
    it->second = want;
    ::epoll_ctl(st->epoll_fd, EPOLL_CTL_MOD, s, &ev);
  }
  return 0;
}

int Upstream::State::OnTimer(CURLM*, long timeout_ms, void* user) {
  auto* st = static_cast<State*>(user);
  st->timer_ms =
      timeout_ms < 0
          ? -1
          : std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
                    .count() +
                timeout_ms;
  return 0;
}

void Upstream::State::Complete(std::unique_ptr<Transfer> t, UpstreamResult r) {
  if (r.body.capacity() < r.body.size() + kReadPadding)
    r.body.reserve(r.body.size() + kReadPadding);
  auto done = std::move(t->done);
  t.reset();
  try {
    done(std::move(r));
  } catch (...) {  // a completion must not take the I/O thread down
  }
}

void Upstream::State::Start(std::unique_ptr<Transfer> t) {
  t->result.queued_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t->queued).count();
  if (!spare.empty()) {
    t->easy = spare.back();
    spare.pop_back();
  } else {
    t->easy = curl_easy_init();
  }
  if (!t->easy) {
    UpstreamResult r;
    r.transport = Transport::kOther;
    r.message = "libcurl could not create a transfer";
    in_flight.fetch_sub(1);
    Complete(std::move(t), std::move(r));
    return;
  }
  CURL* e = t->easy;
  t->max_bytes = options.max_answer_bytes;
  for (const std::string& h : t->request.headers)
    t->headers = curl_slist_append(t->headers, h.c_str());
  t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
  static const std::string kEmpty;
  const std::string& body = t->request.body ? *t->request.body : kEmpty;
  curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->request.timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t->request.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  if (curl_multi_add_handle(multi, e) != CURLM_OK) {
    UpstreamResult r;
    r.transport = Transport::kOther;
    r.message = "libcurl could not start the transfer";
    curl_slist_free_all(t->headers);
    curl_easy_cleanup(e);
    in_flight.fetch_sub(1);
    Complete(std::move(t), std::move(r));
    return;
  }
  running.insert(t.release());
}

void Upstream::State::Finish(Transfer* raw, CURLcode code, bool shutdown) {
  std::unique_ptr<Transfer> t(raw);
  running.erase(raw);
  curl_multi_remove_handle(multi, t->easy);
  UpstreamResult r = std::move(t->result);
  curl_off_t total_us = 0, pretransfer_us = 0;
  curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_easy_getinfo(t->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  r.total_ms = static_cast<double>(total_us) / 1000;
  if (shutdown) {
    r.transport = Transport::kShutdown;
    r.message = "the router stopped before the answer arrived";
  } else {
    r.transport = Classify(code, t->too_large, pretransfer_us);
    if (r.transport == Transport::kOk) {
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      r.status = static_cast<int>(status);
    } else {
      r.message = t->error[0] ? std::string(t->error) : std::string(curl_easy_strerror(code));
      r.headers.clear();
      r.body.clear();
    }
  }
  curl_slist_free_all(t->headers);
  t->headers = nullptr;
  if (spare.size() < kKeepHandles) {
    curl_easy_reset(t->easy);
    spare.push_back(t->easy);
  } else {
    curl_easy_cleanup(t->easy);
  }
  t->easy = nullptr;
  in_flight.fetch_sub(1);
  Complete(std::move(t), std::move(r));
}

void Upstream::State::Drain() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
    const CURLcode code = msg->data.result;
    if (t) Finish(t, code, false);
  }
}

void Upstream::State::Act(curl_socket_t s, int flags) {
  int still = 0;
  curl_multi_socket_action(multi, s, flags, &still);
  Drain();
}

void Upstream::State::Loop() {
  std::array<epoll_event, 64> events{};
  for (;;) {
    std::deque<std::unique_ptr<Transfer>> fresh;
    bool stopping = false;
    {
      std::lock_guard<std::mutex> lock(mutex);
      fresh.swap(queue);
      stopping = stop;
    }
    if (stopping) {
      for (auto& t : fresh) {
        UpstreamResult r;
        r.transport = Transport::kShutdown;
        r.message = "the router stopped before the request was sent";
        in_flight.fetch_sub(1);
        Complete(std::move(t), std::move(r));
      }
      while (!running.empty()) Finish(*running.begin(), CURLE_OK, true);
      std::lock_guard<std::mutex> lock(mutex);
      if (queue.empty()) return;  // else: a completion sent another attempt; fail it too
      continue;
    }
    if (!fresh.empty()) {
      for (auto& t : fresh) Start(std::move(t));
      Act(CURL_SOCKET_TIMEOUT, 0);  // starts them
    }
    // Sleep until a socket is ready, libcurl's timer is due, or Send() wakes us.
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
            .count();
    int wait_ms = 1000;
    if (timer_ms >= 0) wait_ms = static_cast<int>(std::clamp<int64_t>(timer_ms - now_ms, 0, 1000));
    waiting.store(true);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!queue.empty() || stop) wait_ms = 0;
    }
    const int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), wait_ms);
    waiting.store(false);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      const uint32_t e = events[static_cast<size_t>(i)].events;
      if (fd == wake_fd) {
        uint64_t count = 0;
        [[maybe_unused]] const ssize_t r = ::read(wake_fd, &count, sizeof count);
        continue;
      }
      Act(fd, (e & (EPOLLIN | EPOLLHUP) ? CURL_CSELECT_IN : 0) |
                  (e & EPOLLOUT ? CURL_CSELECT_OUT : 0) | (e & EPOLLERR ? CURL_CSELECT_ERR : 0));
    }
    if (timer_ms >= 0 &&
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
                .count() >= timer_ms) {
      timer_ms = -1;
      Act(CURL_SOCKET_TIMEOUT, 0);
    }
  }
}

core::Result<std::unique_ptr<Upstream>> Upstream::Create(const UpstreamOptions& options) {
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK)
    return core::MakeError(core::ErrorCode::kInternal,
                           std::string("libcurl could not start: ") + curl_easy_strerror(global));
  std::unique_ptr<Upstream> u(new Upstream());
  u->state_ = std::make_unique<State>();
  State& s = *u->state_;
  s.options = options;
  s.multi = curl_multi_init();
  s.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  s.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!s.multi || s.epoll_fd < 0 || s.wake_fd < 0)
    return core::MakeError(core::ErrorCode::kInternal, "libcurl or epoll could not start");
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.fd = s.wake_fd;
  ::epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.wake_fd, &wake);
  curl_multi_setopt(s.multi, CURLMOPT_SOCKETFUNCTION, &State::OnSocket);
  curl_multi_setopt(s.multi, CURLMOPT_SOCKETDATA, &s);
  curl_multi_setopt(s.multi, CURLMOPT_TIMERFUNCTION, &State::OnTimer);
  curl_multi_setopt(s.multi, CURLMOPT_TIMERDATA, &s);
  curl_multi_setopt(s.multi, CURLMOPT_MAXCONNECTS, options.max_pooled_connections);
  curl_multi_setopt(s.multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_connections_per_host);
  s.thread = std::thread([&s] { s.Loop(); });
  return u;
}

Upstream::~Upstream() {
  if (!state_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
  }
  state_->Wake();
  if (state_->thread.joinable()) state_->thread.join();
  for (CURL* e : state_->spare) curl_easy_cleanup(e);
  curl_multi_cleanup(state_->multi);
}

void Upstream::Send(UpstreamRequest request, std::function<void(UpstreamResult)> done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  t->queued = Clock::now();
  state_->in_flight.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->queue.push_back(std::move(t));
  }
  if (state_->waiting.exchange(false)) state_->Wake();
}

int Upstream::in_flight() const { return state_->in_flight.load(); }

}  // namespace hr::route
