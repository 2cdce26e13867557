#include "aws/credentials.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/civil_time.h"
#include "json/json_reader.h"
#include "upstream/fetch.h"

namespace hr::aws {

namespace {

using core::ErrorCode;
using core::MakeError;
using SysClock = std::chrono::system_clock;

constexpr size_t kMaxAnswerBytes = size_t{64} * 1024;
constexpr std::string_view kEcsHost = "http://169.254.170.2";

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(SysClock::now().time_since_epoch())
      .count();
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Printable ASCII without spaces: what keys, secrets and tokens are made of (a line break would
// start a header of its own).
bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// Where the container endpoint is, and the token it wants; empty url: not configured.
struct Endpoint {
  std::string url, token;
};

core::Result<Endpoint> FindEndpoint(const CredentialOptions& o) {
  Endpoint e;
  const std::string relative = o.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const std::string full = o.env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!relative.empty()) {
    if (relative.front() != '/' || !Printable(relative))
      return MakeError(ErrorCode::kInvalidArgument,
                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with /",
                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    e.url = std::string(kEcsHost) + relative;
  } else if (!full.empty()) {
    if (!AllowedFullUri(full))
      return MakeError(ErrorCode::kInvalidArgument,
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback "
                       "address or the ECS/EKS credential endpoint",
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    e.url = full;
  } else {
    return e;
  }
  const std::string token_file = o.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in)
      return MakeError(ErrorCode::kIo,
                       "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '" + token_file + "'",
                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    std::stringstream ss;
    ss << in.rdbuf();
    e.token = Trimmed(ss.str());
  } else {
    e.token = o.env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (!e.token.empty() && !Printable(e.token))
    return MakeError(ErrorCode::kInvalidArgument,
                     "the container authorization token holds a character that is not printable "
                     "ASCII",
                     "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  return e;
}

core::Result<Credentials> Fetch(const Endpoint& e, const CredentialOptions& options) {
  upstream::FetchRequest q;
  q.url = e.url;
  if (!e.token.empty()) q.headers.push_back("Authorization: " + e.token);
  q.timeout_ms = options.timeout_ms;
  q.ca_file = options.ca_file;
  q.max_answer_bytes = kMaxAnswerBytes;
  const upstream::FetchResult f = upstream::Fetch(q);
  const std::string& body = f.body;
  const long status = f.status;
  // The URL may carry a token of its own in its query: name the host's path only.
  const std::string where = e.url.substr(0, e.url.find('?'));
  if (f.failure != upstream::Failure::kNone)
    return MakeError(ErrorCode::kIo,
                     "the container credentials endpoint " + where +
                         (f.failure == upstream::Failure::kTooLarge ? " answered too much: "
                                                                    : " did not answer: ") +
                         f.message);
  if (status != 200)
    return MakeError(ErrorCode::kIo, "the container credentials endpoint " + where +
                                         " answered HTTP " + std::to_string(status));
  auto c = ParseContainerCredentials(body);
  if (!c) {
    core::Error err = c.error();
    err.message = "the container credentials endpoint " + where + ": " + err.message;
    return err;
  }
  c->source = "container";
  return c;
}

// A dotted-quad IPv4 literal (so "127.0.0.1.example.com" is a host name, not loopback).
bool IsIpv4(std::string_view s) {
  int parts = 0;
  while (parts < 4) {
    size_t n = 0;
    int value = 0;
    while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') value = value * 10 + (s[n++] - '0');
    if (n == 0 || n > 3 || value > 255) return false;
    s.remove_prefix(n);
    if (++parts < 4) {
      if (s.empty() || s.front() != '.') return false;
      s.remove_prefix(1);
    }
  }
  return s.empty();
}

}  // namespace

bool AllowedFullUri(std::string_view url) {
  // Parsed as libcurl will connect: "http://127.0.0.1:80@evil.example/" goes to evil.example.
  if (!Printable(url)) return false;
  CURLU* u = curl_url();
  if (!u) return false;
  std::string scheme, host;
  bool userinfo = false;
  if (curl_url_set(u, CURLUPART_URL, std::string(url).c_str(), 0) == CURLUE_OK) {
    char* part = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) scheme = part;
    curl_free(part);
    part = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) host = part;
    curl_free(part);
    part = nullptr;
    userinfo = curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK;
    curl_free(part);
  }
  curl_url_cleanup(u);
  if (host.empty() || userinfo) return false;
  if (scheme == "https") return true;
  if (scheme != "http") return false;
  return host == "localhost" || (IsIpv4(host) && host.starts_with("127.")) ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "[::1]" ||
         host == "[fd00:ec2::23]";
}

core::Result<Credentials> ParseContainerCredentials(std::string_view text) {
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, text, json::kRequestLimits, why) || !doc.IsObject())
    return MakeError(ErrorCode::kInvalidJson, "the credentials are not a JSON object", "body");
  Credentials c;
  const std::pair<const char*, std::string*> fields[] = {{"AccessKeyId", &c.access_key_id},
                                                         {"SecretAccessKey", &c.secret_access_key},
                                                         {"Token", &c.session_token}};
  for (const auto& [name, out] : fields) {
    const json::Value* v = json::Find(doc, name);
    if (!v || !v->IsString() || json::Text(*v).empty() || json::Text(*v).size() > 8192)
      return MakeError(ErrorCode::kMissingField, std::string("the credentials have no ") + name,
                       name);
    if (!Printable(json::Text(*v)))
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string("the credentials' ") + name +
                           " holds a character that is not printable ASCII",
                       name);
    *out = std::string(json::Text(*v));
  }
  const json::Value* exp = json::Find(doc, "Expiration");
  if (!exp || !exp->IsString())
    return MakeError(ErrorCode::kMissingField, "the credentials have no Expiration", "Expiration");
  auto t = core::ParseIso8601(json::Text(*exp));
  if (!t)
    return MakeError(ErrorCode::kInvalidTimestamp, "the credentials' Expiration is not ISO 8601",
                     "Expiration");
  c.expires_unix_s = core::WallClockMicros(*t) / 1'000'000 - int64_t{t->offset_minutes} * 60;
  return c;
}

struct CredentialProvider::State {
  CredentialOptions options;
  Endpoint endpoint;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<const Credentials> current;
  bool stopping = false;
  uint64_t refreshes = 0, failures = 0;
  RefreshListener on_refresh;
  std::thread refresher;

  // When to refresh credentials that expire at `expires`: `refresh_ahead_s` before, or halfway
  // there when they live shorter than that, and never sooner than a second from now.
  int64_t NextRefresh(int64_t expires) const {
    const int64_t now = NowUnix();
    int64_t at = expires - options.refresh_ahead_s;
    if (at <= now) at = now + (expires - now) / 2;
    return std::max(at, now + 1);
  }

  void Run() {
    int64_t at = NextRefresh(current->expires_unix_s);
    int backoff_s = 1;
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      if (cv.wait_until(lock, SysClock::time_point(std::chrono::seconds(at)),
                        [this] { return stopping; }))
        break;
      lock.unlock();
      auto fresh = Fetch(endpoint, options);
      lock.lock();
      std::string detail;
      const bool ok = static_cast<bool>(fresh);
      if (ok) {
        current = std::make_shared<const Credentials>(std::move(*fresh));
        ++refreshes;
        backoff_s = 1;
        at = NextRefresh(current->expires_unix_s);
      } else {
        ++failures;
        at = NowUnix() + backoff_s;
        backoff_s = std::min(backoff_s * 2, 30);
        detail = fresh.error().message;  // names the endpoint's path, never a secret
      }
      if (on_refresh) {
        auto notify = on_refresh;
        const int64_t expires = current->expires_unix_s;
        lock.unlock();
        notify(ok, detail, expires);
        lock.lock();
      }
    }
  }
};

core::Result<std::shared_ptr<CredentialProvider>> CredentialProvider::Discover(
    const CredentialOptions& options) {
  std::shared_ptr<CredentialProvider> p(new CredentialProvider());
  p->state_ = std::make_unique<State>();
  State& s = *p->state_;
  s.options = options;
  if (!s.options.env) {
    s.options.env = [](const char* name) {
      const char* v = std::getenv(name);
      return std::string(v ? v : "");
    };
  }
  const auto& env = s.options.env;
  Credentials c;
  c.access_key_id = env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  if (!c.access_key_id.empty() && !c.secret_access_key.empty()) {
    c.session_token = env("AWS_SESSION_TOKEN");
    for (const auto& [value, name] : {std::pair{&c.access_key_id, "AWS_ACCESS_KEY_ID"},
                                      std::pair{&c.secret_access_key, "AWS_SECRET_ACCESS_KEY"},
                                      std::pair{&c.session_token, "AWS_SESSION_TOKEN"}}) {
      if (!Printable(*value))
        return MakeError(ErrorCode::kInvalidArgument,
                         std::string(name) + " holds a character that is not printable ASCII",
                         name);
    }
    c.source = "environment";
    s.current = std::make_shared<const Credentials>(std::move(c));
    return p;
  }
  auto endpoint = FindEndpoint(s.options);
  if (!endpoint) return endpoint.error();
  if (endpoint->url.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
                     "AWS_SESSION_TOKEN), or run where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or "
                     "_FULL_URI is set (an ECS task role)",
                     "credentials");
  s.endpoint = std::move(*endpoint);
  auto first = Fetch(s.endpoint, s.options);
  if (!first) return first.error();
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  if (first->expires_unix_s != 0 && first->expires_unix_s <= now_s)
    return MakeError(ErrorCode::kInvalidArgument,
                     "the container credentials endpoint gave credentials that expired " +
                         std::to_string(now_s - first->expires_unix_s) +
                         " s ago: every signed call would be refused",
                     "credentials");
  s.current = std::make_shared<const Credentials>(std::move(*first));
  s.refresher = std::thread([st = p->state_.get()] { st->Run(); });
  return p;
}

CredentialProvider::~CredentialProvider() {
  if (!state_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (state_->refresher.joinable()) state_->refresher.join();
}

std::shared_ptr<const Credentials> CredentialProvider::Current() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->current;
}

uint64_t CredentialProvider::refreshes() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->refreshes;
}

void CredentialProvider::OnRefresh(RefreshListener listener) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->on_refresh = std::move(listener);
}

uint64_t CredentialProvider::refresh_failures() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->failures;
}

}  // namespace hr::aws
