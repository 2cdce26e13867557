#include "route/ecs_capacity.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>

#include "aws/ecs_services.h"
#include "upstream/fetch.h"

namespace hr::route {

using core::ErrorCode;
using core::MakeError;

namespace {

// ECS's answers to too many calls (HTTP 400 under AWS JSON 1.1, or 429): worth a retry.
bool Throttled(long status, std::string_view why) {
  return status == 429 || why.starts_with("ThrottlingException") ||
         why.starts_with("TooManyRequestsException") || why.starts_with("RequestLimitExceeded");
}

}  // namespace

core::Status DescribeOnce(const RouteTargets& t, const aws::Credentials& c,
                          const EcsCapacityOptions& options, const CapacityListener& on_capacity,
                          const std::atomic<bool>* stop) {
  std::vector<std::string> names;
  for (const WorkloadTargets& w : t.workloads)
    if (!w.ecs_service.empty() &&
        std::find(names.begin(), names.end(), w.ecs_service) == names.end())
      names.push_back(w.ecs_service);
  if (names.empty()) return {};
  upstream::FetchRequest q;
  q.url = t.ecs_api_url;
  q.post = true;
  q.post_body = aws::DescribeServicesBody(t.ecs_cluster, names);
  q.headers = {"Content-Type: " + std::string(aws::kAwsJsonContentType),
               "X-Amz-Target: " + std::string(aws::kDescribeServicesTarget)};
  if (!c.session_token.empty()) q.headers.push_back("X-Amz-Security-Token: " + c.session_token);
  q.timeout_ms = options.timeout_ms;
  q.ca_file = options.ca_file;
  q.max_answer_bytes = aws::kMaxEcsAnswerBytes;
  q.aws_sigv4 = t.ecs_sigv4;
  q.aws_access_key = c.access_key_id;
  q.aws_secret_key = c.secret_access_key;
  q.stop = stop;
  const upstream::FetchResult f = upstream::Fetch(q);
  const std::string& answer = f.body;
  const long status = f.status;
  const std::string where = "the ECS API at " + t.ecs_api_url;
  if (f.failure != upstream::Failure::kNone)
    return MakeError(ErrorCode::kIo, where + " did not answer: " + f.message, "ecs_service");
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
  for (const DiscoveredCapacity& each : found) on_capacity(each);
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
      const core::Status s = DescribeOnce(targets, *c, options, on_capacity, &abort);
      if (!s && on_failure) on_failure(s.error().message);
      lock.lock();
      ++(s ? polls : failures);
    }
  }
};

core::Result<std::unique_ptr<EcsCapacityWatch>> EcsCapacityWatch::Start(
    const RouteTargets& targets, std::shared_ptr<aws::CredentialProvider> credentials,
    const EcsCapacityOptions& options, CapacityListener on_capacity,
    CapacityFailureListener on_failure) {
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
    first = DescribeOnce(s.targets, *s.credentials->Current(), options, s.on_capacity);
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
