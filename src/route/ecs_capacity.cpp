#include "route/ecs_capacity.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>

#include "aws/ecs_services.h"

namespace hr::route {

using core::ErrorCode;
using core::MakeError;

namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() + size * n > aws::kMaxEcsAnswerBytes) return 0;  // libcurl fails the transfer
  s->append(data, size * n);
  return size * n;
}

// Ends a transfer early (libcurl's progress callback) once the watch is stopping.
int Abort(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* s = static_cast<const std::atomic<bool>*>(stop);
  return s && s->load() ? 1 : 0;
}

// ECS's answers to too many calls (HTTP 400 under AWS JSON 1.1, or 429): worth a retry.
bool Throttled(long status, std::string_view why) {
  return status == 429 || why.starts_with("ThrottlingException") ||
         why.starts_with("TooManyRequestsException") || why.starts_with("RequestLimitExceeded");
}

}  // namespace

core::Status DescribeOnce(const RouteTargets& t, const aws::Credentials& c, int timeout_ms,
                          const CapacityListener& on_capacity, const std::atomic<bool>* stop) {
  std::vector<std::string> names;
  for (const WorkloadTargets& w : t.workloads)
    if (!w.ecs_service.empty() &&
        std::find(names.begin(), names.end(), w.ecs_service) == names.end())
      names.push_back(w.ecs_service);
  if (names.empty()) return {};
  const std::string body = aws::DescribeServicesBody(t.ecs_cluster, names);
  CURL* curl = curl_easy_init();
  if (!curl) return MakeError(ErrorCode::kInternal, "libcurl cannot start a transfer");
  std::string answer;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers,
                              ("Content-Type: " + std::string(aws::kAwsJsonContentType)).c_str());
  headers = curl_slist_append(
      headers, ("X-Amz-Target: " + std::string(aws::kDescribeServicesTarget)).c_str());
  if (!c.session_token.empty())
    headers = curl_slist_append(headers, ("X-Amz-Security-Token: " + c.session_token).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, t.ecs_api_url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "hybrid-router");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_AWS_SIGV4);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, t.ecs_sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, c.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, c.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Abort);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, stop);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  const std::string where = "the ECS API at " + t.ecs_api_url;
  if (rc != CURLE_OK)
    return MakeError(ErrorCode::kIo, where + " did not answer: " + curl_easy_strerror(rc),
                     "ecs_service");
  if (status != 200) {
    std::string why = aws::JsonErrorText(answer);
    // A refusal (a wrong key, name or role) is the configuration's; throttling and a 5xx are
    // passing (kIo: tried again).
    const bool refused = status >= 400 && status < 500 && !Throttled(status, why);
    return MakeError(
        refused ? ErrorCode::kInvalidArgument : ErrorCode::kIo,
        where + " answered HTTP " + std::to_string(status) + (why.empty() ? "" : " (" + why + ")"),
        "ecs_service");
  }
  auto d = aws::ParseDescribeServices(answer);
  if (!d) return d.error();
  // Every service found before any capacity changes: a failed poll changes nothing.
  std::vector<DiscoveredCapacity> found;
  for (size_t i = 0; i < t.workloads.size(); ++i) {
    const WorkloadTargets& w = t.workloads[i];
    if (w.ecs_service.empty()) continue;
    const std::string field = "workloads." +
                              std::string(features::Name(static_cast<features::Workload>(i))) +
                              ".ecs_service";
    const aws::ServiceCounts* s = aws::FindService(*d, w.ecs_service);
    if (!s) {
      std::string why = d->failures.empty() ? "not in the answer" : d->failures.front();
      return MakeError(ErrorCode::kNotFound,
                       field + ": ECS does not describe service '" + w.ecs_service + "'" +
                           (t.ecs_cluster.empty() ? "" : " in cluster '" + t.ecs_cluster + "'") +
                           " (" + why + ")",
                       field);
    }
    found.push_back({static_cast<features::Workload>(i),
                     aws::CapacityOf(*s, w.ecs_task_concurrency), s->running, s->desired});
  }
  for (const DiscoveredCapacity& f : found) on_capacity(f);
  return {};
}

struct EcsCapacityWatch::State {
  RouteTargets targets;
  std::shared_ptr<aws::CredentialProvider> credentials;
  EcsCapacityOptions options;
  CapacityListener on_capacity;
  CapacityFailureListener on_failure;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::atomic<bool> abort{false};  // set with stopping: ends a call in progress
  uint64_t polls = 0, failures = 0;
  std::thread poller;

  void Run() {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(options.interval_s), [&] { return stopping; })) {
      lock.unlock();
      const auto c = credentials->Current();
      const core::Status s = DescribeOnce(targets, *c, options.timeout_ms, on_capacity, &abort);
      if (!s && on_failure) on_failure(s.error().message);
      lock.lock();
      ++(s ? polls : failures);
    }
  }
};

core::Result<std::unique_ptr<EcsCapacityWatch>> EcsCapacityWatch::Start(
    const RouteTargets& targets, std::shared_ptr<aws::CredentialProvider> credentials,
    EcsCapacityOptions options, CapacityListener on_capacity, CapacityFailureListener on_failure) {
  if (!credentials)
    return MakeError(ErrorCode::kInvalidArgument,
                     "ecs_service is found through the signed ECS API, which needs AWS "
                     "credentials",
                     "credentials");
  if (options.interval_s < 1)
    return MakeError(ErrorCode::kInvalidArgument, "the ECS poll interval must be at least 1 s",
                     "ecs_discover_every_s");
  std::unique_ptr<EcsCapacityWatch> w(new EcsCapacityWatch());
  w->state_ = std::make_unique<State>();
  State& s = *w->state_;
  s.targets = targets;
  s.credentials = std::move(credentials);
  s.options = options;
  s.on_capacity = std::move(on_capacity);
  s.on_failure = std::move(on_failure);
  // The first call decides whether the router starts; a passing failure (throttled, a 5xx, no
  // answer) is tried twice more, a second apart, before it counts.
  core::Status first;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    first = DescribeOnce(s.targets, *s.credentials->Current(), options.timeout_ms, s.on_capacity);
    if (first || first.error().code != ErrorCode::kIo) break;
  }
  if (!first) return first.error();
  s.polls = 1;
  s.poller = std::thread([st = &s] { st->Run(); });
  return w;
}

EcsCapacityWatch::~EcsCapacityWatch() {
  if (!state_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  state_->abort = true;
  state_->cv.notify_all();
  if (state_->poller.joinable()) state_->poller.join();
}

uint64_t EcsCapacityWatch::polls() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->polls;
}

uint64_t EcsCapacityWatch::failures() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->failures;
}

}  // namespace hr::route
