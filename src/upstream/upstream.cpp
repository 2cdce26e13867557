#include "upstream/upstream.h"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"
#include "http/header_policy.h"
#include "upstream/curl_common.h"
#include "upstream/loop_client.h"

namespace hr::upstream {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kKeepHandles = 1024;

struct Transfer {
  Upstream::State* state = nullptr;
  CURL* easy = nullptr;
  UpstreamRequest request;
  std::function<void(UpstreamResult)> done;
  curl_slist* headers = nullptr;
  UpstreamResult result;
  detail::Collected collected{&result.body, 0, false};
  std::string header_problem;  // the head broke the framing policy (OnHeader)
  std::optional<std::string> content_length;
  bool transfer_encoding = false;
  char error[CURL_ERROR_SIZE] = {};
};

// libcurl's header lines, held to the loop client's framing: an obs-fold continuation (which
// libcurl would keep as a header of its own), a bare CR, a control byte, two different
// Content-Lengths, or Content-Length beside Transfer-Encoding end the transfer (0: libcurl fails
// it), and the answer is refused with the reason.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  std::string_view line(data, bytes);
  const auto refuse = [&](std::string why) {
    t->header_problem = std::move(why);
    return size_t{0};
  };
  if (line.starts_with("HTTP/")) {
    t->result.headers.clear();  // a new answer (after 100 Continue): only the final one counts
    t->content_length.reset();
    t->transfer_encoding = false;
    const size_t sp = line.find(' ');
    if (sp != std::string_view::npos && line.substr(sp + 1, 3) == "101")
      return refuse("an unrequested 101 Switching Protocols answer");
    return bytes;
  }
  if (line.ends_with("\r\n"))
    line.remove_suffix(2);
  else if (line.ends_with("\n"))
    line.remove_suffix(1);
  if (line.empty()) {  // the end of the head
    if (t->content_length && t->transfer_encoding)
      return refuse("the answer has both Content-Length and Transfer-Encoding");
    return bytes;
  }
  if (line.front() == ' ' || line.front() == '\t')
    return refuse("the answer folds a header over two lines (obs-fold)");
  if (line.find_first_of("\r\n") != std::string_view::npos)
    return refuse("the answer's head holds a bare CR or LF");
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return refuse("a header line of the answer has no colon");
  const std::string_view raw_name = line.substr(0, colon);
  const std::string_view value = core::TrimSpace(line.substr(colon + 1));
  if (const auto problem = http::HeaderProblem(raw_name, value)) return refuse(*problem);
  if (t->result.headers.size() >= 200) return bytes;
  std::string name(raw_name);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "content-length") {
    if (t->content_length && *t->content_length != value)
      return refuse("the answer has two different Content-Lengths");
    t->content_length = std::string(value);
  } else if (name == "transfer-encoding") {
    t->transfer_encoding = true;
  }
  t->result.headers.emplace_back(std::move(name), std::string(value));
  return bytes;
}

// The one policy every answer meets, whichever client read it: no unrequested interim or 101
// answer as the final one, and every header a token with a clean value (http/header_policy.h).
void CheckAnswer(UpstreamResult& r) {
  if (r.failure != Failure::kNone) return;
  std::string why;
  if (r.status < 200) {
    why = "an unrequested " + std::to_string(r.status) + " answer (nothing asked to switch)";
  } else {
    for (const auto& [name, value] : r.headers) {
      if (const auto problem = http::HeaderProblem(name, value)) {
        why = *problem;
        break;
      }
    }
  }
  if (why.empty()) return;
  r.failure = Failure::kMalformed;
  r.message = "the answer was refused: " + why;
  r.status = 0;
  r.headers.clear();
  r.body.clear();
  r.lease.reset();
}

}  // namespace

core::Result<PlainHttpClient> ParsePlainHttpClient(std::string_view name) {
  if (name == "loop") return PlainHttpClient::kLoop;
  if (name == "libcurl") return PlainHttpClient::kLibcurl;
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         "--plain-http-client '" + std::string(name) +
                             "' is not known; allowed: " + std::string(kPlainHttpClientNames),
                         "plain_http_client");
}

core::Result<UpstreamReuse> ParseUpstreamReuse(std::string_view name) {
  if (name == "verified") return UpstreamReuse::kVerified;
  if (name == "always") return UpstreamReuse::kAlways;
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         "--upstream-reuse '" + std::string(name) +
                             "' is not known; allowed: " + std::string(kUpstreamReuseNames),
                         "upstream_reuse");
}

bool SplitPlainUrl(std::string_view url, std::string& host, uint16_t& port, std::string& target) {
  if (!url.starts_with("http://")) return false;
  url.remove_prefix(7);
  const size_t slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  const std::string_view rest = slash == std::string_view::npos ? "" : url.substr(slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      rest.find('#') != std::string_view::npos)
    return false;
  std::string_view name, port_text;
  if (authority.front() == '[') {  // an IPv6 address
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    name = authority.substr(1, close - 1);  // no zone id ("%eth0"): libcurl's to send
    if (name.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) return false;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return false;
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const size_t colon = authority.find(':');
    name = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (name.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
        std::string_view::npos)
      return false;
  }
  if (name.empty()) return false;
  unsigned value = 80;
  if (!port_text.empty()) {
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      return false;
  }
  host.assign(name);
  port = static_cast<uint16_t>(value);
  target.clear();
  if (rest.empty() || rest.front() == '?') target += '/';
  target += rest;
  return true;
}

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

// What the upstream knows of one target (its "host:port" for the loop's client, its
// "scheme://authority" for libcurl's): whether it echoes the ids it is sent, and until when it gets
// a fresh connection per call for having written answers nobody asked for.
struct TargetState {
  int64_t quarantined_until_ms = 0;
  bool echoes_header = false, echoes_body = false;
  bool multiplexed = false;  // answered over HTTP/2: each answer bound to its stream
  // Whether an answer to this call can be told from another request's: over HTTP/2, or when the
  // call carries an id of a kind the target has echoed before.
  bool Verifiable(std::string_view request_id, std::string_view body_request_id) const {
    return multiplexed || (echoes_header && !request_id.empty()) ||
           (echoes_body && !body_request_id.empty());
  }
};
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// libcurl's key for a URL: its scheme and authority.
std::string_view TargetKey(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  return url.substr(0, url.find_first_of("/?#", scheme + 3));
}

// The request_id a JSON answer names (the prototype's handlers echo the request's): the first
// "request_id" key in the answer's first 64 KB whose value is a plain string; also inside a JSON
// string (escaped, as a Lambda Invoke API proxy result carries the handler's body).
std::optional<std::string_view> EchoedBodyId(std::string_view body) {
  body = body.substr(0, size_t{64} << 10);
  for (const bool escaped : {false, true}) {
    const std::string_view quote = escaped ? "\\\"" : "\"";
    const std::string key = std::string(quote) + "request_id" + std::string(quote);
    const size_t at = body.find(key);
    if (at == std::string_view::npos) continue;
    size_t i = at + key.size();
    auto skip = [&] {
      while (i < body.size() &&
             (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        ++i;
    };
    skip();
    if (i >= body.size() || body[i] != ':') return std::nullopt;
    ++i;
    skip();
    if (body.substr(i, quote.size()) != quote) return std::nullopt;
    const size_t start = i + quote.size();
    const size_t end = body.find_first_of("\"\\", start);
    if (end == std::string_view::npos || body.substr(end, quote.size()) != quote ||
        end - start > 256)
      return std::nullopt;
    return body.substr(start, end - start);
  }
  return std::nullopt;
}

}  // namespace

// libcurl's multi_socket interface driven by the event loop the requests are handled on: its
// sockets are watched by the loop, its timer is the loop's, and transfers start, progress and
// finish on that one thread.
struct Upstream::State {
  UpstreamOptions options;
  http::Loop* loop = nullptr;
  std::unique_ptr<http::LoopTimer> timer;
  CURLM* multi = nullptr;
  bool stopping = false;
  std::atomic<int> in_flight{0};  // read by /metrics from any thread
  std::unordered_set<Transfer*> running;
  std::vector<CURL*> spare;                 // reset handles for reuse
  std::unique_ptr<LoopClient> loop_client;  // plain HTTP (PlainHttpClient::kLoop)
  std::unordered_map<std::string, TargetState, KeyHash, std::equal_to<>> targets;
  std::atomic<uint64_t> strays{0};

  TargetState& TargetOf(std::string_view key) {
    auto it = targets.find(key);
    if (it == targets.end()) it = targets.emplace(std::string(key), TargetState{}).first;
    return it->second;
  }
  void Quarantine(std::string_view key, std::string_view why) {
    strays.fetch_add(1);
    TargetState& t = TargetOf(key);
    const int64_t now = NowMs();
    const bool already = t.quarantined_until_ms > now;
    t.quarantined_until_ms = now + options.stray_quarantine_ms;
    if (!already && options.on_stray) options.on_stray(std::string(key), why);
  }
  // Whether this call gets a connection of its own (closed after its answer): its target was
  // caught writing answers nobody asked for, or (UpstreamReuse::kVerified) an answer to it on a
  // shared connection could not be told from an earlier request's.
  bool Fresh(std::string_view key, const UpstreamRequest& request) {
    const TargetState& t = TargetOf(key);
    if (t.quarantined_until_ms > NowMs()) return true;
    return options.reuse == UpstreamReuse::kVerified &&
           !t.Verifiable(request.request_id, request.body_request_id);
  }
  void Correlate(std::string_view key, std::string_view request_id,
                 std::string_view body_request_id, UpstreamResult& r);

  void Start(std::unique_ptr<Transfer> t);
  void Finish(Transfer* t, CURLcode code, bool shutdown);
  void Act(curl_socket_t s, int flags);
  static void Complete(std::unique_ptr<Transfer> t, UpstreamResult r);
  static void Deliver(const std::function<void(UpstreamResult)>& done, UpstreamResult r);
  bool SendPlain(UpstreamRequest& request, std::function<void(UpstreamResult)>& done);
  static int OnSocket(CURL*, curl_socket_t s, int what, void* user, void*);
  static int OnTimer(CURLM*, long timeout_ms, void* user);
  static int OnClose(void* user, curl_socket_t s);
  static int OnSocketMade(void* transfer, curl_socket_t s, curlsocktype purpose);
  // libcurl's plain-HTTP sockets, by target key: watched while idle in libcurl's pool, so that an
  // answer nobody asked for quarantines its target (libcurl itself drops such a connection when
  // it next looks, but says nothing).
  struct PlainSocket {
    std::string key;
    bool idle = false;  // in libcurl's pool, no transfer on it
  };
  std::unordered_map<curl_socket_t, PlainSocket> plain_sockets;
  // Bytes waiting on an idle plain-HTTP socket: an answer nobody asked for.
  void CheckIdle(curl_socket_t s) {
    char byte;
    const auto it = plain_sockets.find(s);
    if (it != plain_sockets.end() && it->second.idle &&
        ::recv(s, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
      it->second.idle = false;  // once
      Quarantine(it->second.key, "it wrote bytes nobody asked for on a keep-alive connection");
    }
  }
  int64_t timer_due_ms = -1;  // the pending libcurl timeout (steady clock), -1 none
  int depth = 0;              // Act calls in progress (a completion may send again)
  bool sending = false;       // in Send: it acts itself right after, no timer needed
  bool kick = false;          // a Send inside Act: act once more before returning
};

int Upstream::State::OnClose(void* user, curl_socket_t s) {
  auto* st = static_cast<State*>(user);
  st->CheckIdle(s);  // libcurl drops a pooled connection it finds readable, and says nothing
  st->plain_sockets.erase(s);
  st->loop->Forget(s);  // before the descriptor number can be reused
  return ::close(s);
}

int Upstream::State::OnSocketMade(void* transfer, curl_socket_t s, curlsocktype) {
  auto* t = static_cast<Transfer*>(transfer);
  if (t->request.url.starts_with("http://"))
    t->state->plain_sockets[s] = {std::string(TargetKey(t->request.url)), false};
  return CURL_SOCKOPT_OK;
}

int Upstream::State::OnSocket(CURL*, curl_socket_t s, int what, void* user, void*) {
  auto* st = static_cast<State*>(user);
  if (what == CURL_POLL_REMOVE) {
    const auto plain = st->plain_sockets.find(s);
    if (plain == st->plain_sockets.end()) {
      st->loop->Watch(s, 0, {});
      return 0;
    }
    // Idle in libcurl's pool: its read wait stays armed (no system call), and bytes arriving now
    // are an answer nobody asked for. (libcurl replaces this watch when it uses the socket again.)
    plain->second.idle = true;
    st->loop->Watch(s, http::Loop::kRead, [st, s](int) {
      st->CheckIdle(s);
      st->loop->Watch(s, 0, {});
    });
    return 0;
  }
  if (const auto plain = st->plain_sockets.find(s); plain != st->plain_sockets.end())
    plain->second.idle = false;
  const int events = (what & CURL_POLL_IN ? http::Loop::kRead : 0) |
                     (what & CURL_POLL_OUT ? http::Loop::kWrite : 0);
  st->loop->Watch(s, events, [st, s](int ready) {
    st->Act(s, ready == http::Loop::kRead ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
  });
  return 0;
}

int Upstream::State::OnTimer(CURLM*, long timeout_ms, void* user) {
  auto* st = static_cast<State*>(user);
  if (timeout_ms < 0) {
    st->timer->Cancel();
    st->timer_due_ms = -1;
    return 0;
  }
  // Firing early is harmless (libcurl sets its next timeout when acted on), so a later deadline
  // keeps the pending timer: libcurl moves it with every transfer, a timer set costs a syscall.
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
          .count();
  if (timeout_ms == 0 && st->sending) return 0;  // Send acts at once
  const int64_t due = now + timeout_ms;
  if (st->timer_due_ms >= 0 && st->timer_due_ms <= due && timeout_ms > 0) return 0;
  st->timer_due_ms = due;
  // Never act from inside libcurl: on the loop's next turn at the earliest.
  st->timer->Start(timeout_ms, [st] {
    st->timer_due_ms = -1;
    st->Act(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

void Upstream::State::Complete(std::unique_ptr<Transfer> t, UpstreamResult r) {
  auto done = std::move(t->done);
  t.reset();
  Deliver(done, std::move(r));
}

void Upstream::State::Deliver(const std::function<void(UpstreamResult)>& done, UpstreamResult r) {
  try {
    done(std::move(r));
  } catch (...) {  // a completion must not take the event loop down
  }
}

// An answer that names another request's id, from a target that has echoed the ids it was sent
// before, is another request's answer: refused (kStray), and the target quarantined.
void Upstream::State::Correlate(std::string_view key, std::string_view request_id,
                                std::string_view body_request_id, UpstreamResult& r) {
  if (r.failure != Failure::kNone) return;
  if (request_id.empty() && body_request_id.empty()) return;
  TargetState& t = TargetOf(key);
  std::string why;
  if (!request_id.empty()) {
    for (const auto& [name, value] : r.headers) {
      if (name != "x-request-id") continue;
      if (value == request_id) {
        t.echoes_header = true;
      } else if (t.echoes_header) {
        why = "its X-Request-Id names '" + value.substr(0, 64) + "', not this request's '" +
              std::string(request_id) + "'";
      }
      break;
    }
  }
  if (why.empty() && !body_request_id.empty()) {
    if (const auto id = EchoedBodyId(r.body)) {
      if (*id == body_request_id) {
        t.echoes_body = true;
      } else if (t.echoes_body) {
        why = "its request_id is '" + std::string(id->substr(0, 64)) + "', not this request's '" +
              std::string(body_request_id) + "'";
      }
    }
  }
  if (why.empty()) return;
  Quarantine(key, "it answered with another request's id");
  r.failure = Failure::kStray;
  r.status = 0;
  r.headers.clear();
  r.body.clear();
  r.lease.reset();
  r.message = "the answer from " + std::string(key) + " is another request's: " + why;
}

// A plain-HTTP call by the loop's own client; false: it is libcurl's to send.
bool Upstream::State::SendPlain(UpstreamRequest& request,
                                std::function<void(UpstreamResult)>& done) {
  if (!loop_client || !request.aws_sigv4.empty() || request.presigned) return false;
  Call call;
  if (!SplitPlainUrl(request.url, call.host, call.port, call.target)) return false;
  std::string key = call.host + ':' + std::to_string(call.port);
  call.body = std::move(request.body);
  call.headers = std::move(request.headers);
  call.timeout_ms = request.timeout_ms;
  call.connect_timeout_ms = request.connect_timeout_ms;
  call.idempotent = request.idempotent;
  call.fresh = Fresh(key, request);
  loop_client->Send(std::move(call), [this, done = std::move(done), key = std::move(key),
                                      id = std::move(request.request_id),
                                      body_id = std::move(request.body_request_id)](CallAnswer a) {
    UpstreamResult r;
    r.failure = a.failure;
    r.message = std::move(a.message);
    r.status = a.status;
    r.total_ms = a.total_ms;
    r.resent_after_ms = a.resent_after_ms;
    if (r.failure == Failure::kNone) {
      r.headers = std::move(a.headers);
      r.body = std::move(a.body);
      r.lease = std::move(a.lease);
    }
    CheckAnswer(r);
    Correlate(key, id, body_id, r);
    in_flight.fetch_sub(1);
    Deliver(done, std::move(r));
  });
  return true;
}

void Upstream::State::Start(std::unique_ptr<Transfer> t) {
  if (!spare.empty()) {
    t->easy = spare.back();
    spare.pop_back();
  } else {
    t->easy = curl_easy_init();
  }
  if (!t->easy) {
    UpstreamResult r;
    r.failure = Failure::kOther;
    r.message = "libcurl could not create a transfer";
    in_flight.fetch_sub(1);
    Complete(std::move(t), std::move(r));
    return;
  }
  CURL* e = t->easy;
  t->collected.max_bytes = options.max_answer_bytes;
  t->collected.budget = options.budget;
  for (const std::string& h : t->request.headers)
    t->headers = curl_slist_append(t->headers, h.c_str());
  // Signed requests: libcurl 7.88 would sign the empty "Expect:" that only suppresses the header
  // (and AWS would then miss a signed header); they wait at most 100 ms for a 100-continue, so a
  // body Lambda refuses (413 over 6 MB) is answered before it is sent. Presigned ones too.
  const bool signing = !t->request.aws_sigv4.empty();
  if (!signing && !t->request.presigned)
    t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue trip
  static const std::string no_body;
  const std::string& body = t->request.body ? *t->request.body : no_body;
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
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, detail::Collect);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->collected);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &State::OnClose);
  curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, &State::OnSocketMade);
  curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, t.get());
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  if (Fresh(TargetKey(t->request.url), t->request)) {  // no pooled connection, none kept after
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  }
  // Reused handles keep their options: signing is set or cleared on every transfer. The user
  // agent is an option, not a header, so that it is not signed (botocore never signs it).
  const bool sign = signing;
  curl_easy_setopt(e, CURLOPT_USERAGENT, "hybrid-router");
  curl_easy_setopt(e, CURLOPT_EXPECT_100_TIMEOUT_MS, sign || t->request.presigned ? 100L : 1000L);
  curl_easy_setopt(e, CURLOPT_HTTPAUTH, sign ? CURLAUTH_AWS_SIGV4 : CURLAUTH_BASIC);
  curl_easy_setopt(e, CURLOPT_AWS_SIGV4, sign ? t->request.aws_sigv4.c_str() : nullptr);
  curl_easy_setopt(e, CURLOPT_USERNAME, sign ? t->request.aws_access_key.c_str() : nullptr);
  curl_easy_setopt(e, CURLOPT_PASSWORD, sign ? t->request.aws_secret_key.c_str() : nullptr);
  if (curl_multi_add_handle(multi, e) != CURLM_OK) {
    UpstreamResult r;
    r.failure = Failure::kOther;
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
    r.failure = Failure::kShutdown;
    r.message = "the router stopped before the answer arrived";
  } else {
    r.failure = !t->header_problem.empty() ? Failure::kMalformed
                : t->collected.over_budget
                    ? Failure::kOverBudget
                    : detail::Classify(code, t->collected.too_large, pretransfer_us);
    if (r.failure == Failure::kNone) {
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      r.status = static_cast<int>(status);
    } else {
      r.message = !t->header_problem.empty() ? "the answer was refused: " + t->header_problem
                  : t->collected.over_budget
                      ? std::string("the router's buffer budget cannot hold this answer now")
                  : t->error[0] ? std::string(t->error)
                                : std::string(curl_easy_strerror(code));
      r.headers.clear();
      r.body.clear();
      r.lease.reset();
    }
  }
  if (r.failure == Failure::kNone) {
    long version = 0;
    curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &version);
    if (version == CURL_HTTP_VERSION_2_0) TargetOf(TargetKey(t->request.url)).multiplexed = true;
  }
  CheckAnswer(r);
  Correlate(TargetKey(t->request.url), t->request.request_id, t->request.body_request_id, r);
  if (t->collected.taken > 0) {  // the bytes go with the body, or back
    if (r.failure == Failure::kNone) {
      r.lease = http::LeaseOf(options.budget, t->collected.taken);
    } else {
      options.budget->Give(t->collected.taken);
    }
    t->collected.taken = 0;
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

void Upstream::State::Act(curl_socket_t s, int flags) {
  ++depth;
  do {
    kick = false;
    int still = 0;
    curl_multi_socket_action(multi, s, flags, &still);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      const CURLcode code = msg->data.result;
      if (t) Finish(t, code, false);  // its completion may Send (kick)
    }
    s = CURL_SOCKET_TIMEOUT;
    flags = 0;
  } while (kick);
  --depth;
}

core::Result<std::unique_ptr<Upstream>> Upstream::Create(const UpstreamOptions& options,
                                                         http::Loop& loop) {
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
  s.loop = &loop;
  s.timer = loop.NewTimer();
  s.multi = curl_multi_init();
  if (!s.multi) return core::MakeError(core::ErrorCode::kInternal, "libcurl could not start");
  curl_multi_setopt(s.multi, CURLMOPT_SOCKETFUNCTION, &State::OnSocket);
  curl_multi_setopt(s.multi, CURLMOPT_SOCKETDATA, &s);
  curl_multi_setopt(s.multi, CURLMOPT_TIMERFUNCTION, &State::OnTimer);
  curl_multi_setopt(s.multi, CURLMOPT_TIMERDATA, &s);
  curl_multi_setopt(s.multi, CURLMOPT_MAXCONNECTS, options.max_pooled_connections);
  curl_multi_setopt(s.multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_connections_per_host);
  if (options.plain_http == PlainHttpClient::kLoop && options.max_connections_per_host == 0) {
    LoopClientOptions o;
    o.max_answer_bytes = options.max_answer_bytes;
    o.max_idle_connections = static_cast<size_t>(std::max(0L, options.max_pooled_connections));
    o.budget = options.budget;
    o.on_stray = [st = &s](const std::string& host_port) {
      st->Quarantine(host_port, "it wrote bytes nobody asked for on a keep-alive connection");
    };
    s.loop_client = LoopClient::Create(loop, o);
  }
  return u;
}

Upstream::~Upstream() {
  if (!state_) return;
  State& s = *state_;
  s.stopping = true;
  s.loop_client.reset();  // its calls still running finish with kShutdown
  while (!s.running.empty()) s.Finish(*s.running.begin(), CURLE_OK, true);
  for (CURL* e : s.spare) curl_easy_cleanup(e);
  if (s.multi) curl_multi_cleanup(s.multi);  // closes the pooled connections (unwatched first)
  s.timer->Cancel();
}

void Upstream::Send(UpstreamRequest request, std::function<void(UpstreamResult)> done) {
  State& s = *state_;
  s.in_flight.fetch_add(1);
  if (s.stopping) {  // a completion during shutdown asked for another attempt
    UpstreamResult r;
    r.failure = Failure::kShutdown;
    r.message = "the router stopped before the request was sent";
    s.in_flight.fetch_sub(1);
    State::Deliver(done, std::move(r));
    return;
  }
  if (s.SendPlain(request, done)) return;
  auto t = std::make_unique<Transfer>();
  t->state = &s;
  t->request = std::move(request);
  t->done = std::move(done);
  // Started now, not on the loop's next turn: under load that turn comes after every other
  // ready connection's work, and the request would wait for it inside the router.
  s.sending = true;
  s.Start(std::move(t));
  s.sending = false;
  if (s.depth == 0) {
    s.Act(CURL_SOCKET_TIMEOUT, 0);
  } else {
    s.kick = true;  // from a completion inside Act: it acts again before it returns
  }
}

int Upstream::in_flight() const { return state_->in_flight.load(); }

uint64_t Upstream::strays() const { return state_->strays.load(); }

}  // namespace hr::upstream
