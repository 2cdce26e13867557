#include "emulate/emulate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <queue>
#include <sstream>
#include <thread>
#include <tuple>

#include "core/base64.h"
#include "core/civil_time.h"
#include "core/mix.h"
#include "data/measured_sizes.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::emulate {

namespace {

using core::ErrorCode;
using core::MakeError;
using policy::Platform;
using Clock = std::chrono::steady_clock;

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool ParseNumber(std::string_view text, double& out) {
  const std::string s(text);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && end && *end == '\0' && std::isfinite(out);
}

core::Error BadFault(std::string_view text, const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "--fault '" + std::string(text.substr(0, 64)) + "': " + why +
                       " (PLATFORM:KIND:PROBABILITY[:MS], e.g. lambda:throttle:0.1, "
                       "ecs:slow:0.05:5000)",
                   "fault");
}

std::string Answer(Platform p, features::Workload w, const workload::Request& wr,
                   const data::Record* r, bool cold) {
  json::Buffer buf;
  json::Writer out(buf);
  out.StartObject();
  json::Key(out, "request_id");
  json::String(out, wr.request_id);
  json::Key(out, "platform");
  json::String(out, policy::Name(p));
  json::Key(out, "workload_type");
  json::String(out, features::Name(w));
  json::Key(out, "timestamp");
  json::String(out, core::FormatUtcMicros(core::NowUtc()));
  json::Key(out, "metrics");
  out.StartObject();
  json::Key(out, "execution_time_ms");
  json::Double(out, r ? r->execution_time_ms : 0.0);
  json::Key(out, "memory_used_mb");
  json::Double(out, r ? r->memory_used_mb : 0.0);
  if (p == Platform::kLambda) {
    json::Key(out, "memory_limit_mb");
    json::Double(out, r && std::isfinite(r->memory_limit_mb) ? r->memory_limit_mb
                                                             : (r ? r->memory_used_mb : 0.0));
    json::Key(out, "cold_start");
    out.Bool(cold || (r && r->cold_start == 1));
  } else {
    json::Key(out, "cpu_percent");
    json::Double(out, 0.0);
  }
  json::Key(out, "payload_size_kb");
  json::Double(out, wr.payload_kb);
  out.EndObject();
  json::Key(out, "result");
  out.StartObject();
  json::Key(out, "status");
  json::String(out, "success");
  json::Key(out, "emulated");
  out.Bool(true);
  out.EndObject();
  out.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// The Invoke API's answer: the proxy integration's result as the function returned it.
std::string ProxyResult(int status, const std::string& body) {
  json::Buffer buf;
  json::Writer out(buf);
  out.StartObject();
  json::Key(out, "statusCode");
  out.Int(status);
  json::Key(out, "headers");
  out.StartObject();
  json::Key(out, "Content-Type");
  json::String(out, "application/json");
  out.EndObject();
  json::Key(out, "body");
  json::String(out, body);
  out.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// The Invoke API refuses payloads over 6 MB (RequestEntityTooLargeException).
constexpr size_t kInvokePayloadLimit = 6'291'456;

// The log tail Lambda returns with LogType: Tail (base64), ending with the run's REPORT line:
// the measured execution time, the configured memory and what the handler used; Init Duration
// when it started cold.
std::string LogTail(std::string_view request_id, const data::Record* r, bool cold) {
  const double ms = r && r->execution_time_ms > 0 ? r->execution_time_ms : 1;
  const double limit = r && r->memory_limit_mb > 0 ? r->memory_limit_mb : 512;
  const double used = r && r->memory_used_mb > 0 ? std::min(r->memory_used_mb, limit) : 64;
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(2);
  const std::string id(request_id.substr(0, 64));
  os << "START RequestId: " << id << " Version: $LATEST\nEND RequestId: " << id
     << "\nREPORT RequestId: " << id << "\tDuration: " << ms
     << " ms\tBilled Duration: " << static_cast<int64_t>(std::ceil(ms))
     << " ms\tMemory Size: " << static_cast<int64_t>(limit)
     << " MB\tMax Memory Used: " << static_cast<int64_t>(std::ceil(used)) << " MB\t";
  if (cold) os << "Init Duration: 231.50 ms\t";
  os << "\n";
  return core::Base64Encode(os.str());
}

http::Response Json(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The project's one error body, {"error":{"code","message","field"}}.
http::Response Refusal(int status, std::string_view code, const std::string& message,
                       std::string_view field = {}) {
  return Json(status, json::ErrorBody(code, message, field));
}

enum class Surface { kApiGateway, kInvoke, kAlb };

}  // namespace

core::Result<Fault> ParseFault(std::string_view text) {
  const auto parts = Split(text, ':');
  if (parts.size() < 3 || parts.size() > 4) return BadFault(text, "expected 3 or 4 parts");
  Fault f;
  if (parts[0] == "lambda") {
    f.platform = Platform::kLambda;
  } else if (parts[0] == "ecs") {
    f.platform = Platform::kEcs;
  } else {
    return BadFault(text, "platform must be lambda or ecs");
  }
  if (parts[1] == "throttle") {
    f.kind = FaultKind::kThrottle;
  } else if (parts[1] == "error") {
    f.kind = FaultKind::kError;
  } else if (parts[1] == "cold") {
    f.kind = FaultKind::kCold;
  } else if (parts[1] == "slow") {
    f.kind = FaultKind::kSlow;
  } else {
    return BadFault(text, "kind must be throttle, error, cold or slow");
  }
  if (!ParseNumber(parts[2], f.probability) || f.probability < 0 || f.probability > 1)
    return BadFault(text, "probability must be a number from 0 to 1");
  const bool delayed = f.kind == FaultKind::kCold || f.kind == FaultKind::kSlow;
  if (delayed != (parts.size() == 4))
    return BadFault(text, delayed ? "cold and slow need the extra milliseconds"
                                  : "throttle and error take no milliseconds");
  if (delayed && (!ParseNumber(parts[3], f.ms) || f.ms < 0 || f.ms > 600'000))
    return BadFault(text, "milliseconds must be 0 to 600000");
  return f;
}

// ---- Pools ----

struct Pools::Impl {
  using Fine = std::tuple<int, int, double, int, int>;  // platform, workload, payload, tw, lp
  std::map<Fine, std::vector<uint32_t>> fine;
  std::map<std::tuple<int, int, double>, std::vector<uint32_t>> coarse;
  std::array<std::array<std::vector<uint32_t>, features::kWorkloadCount>, 2> by_workload;
  features::PayloadSizes sizes;  // what payloads are matched to (features/payload_size.h)
};

Pools::Pools(std::vector<data::Record> records) : records_(std::move(records)) {
  auto impl = std::make_shared<Impl>();
  impl->sizes = data::MeasuredPayloadSizes(records_);
  for (size_t i = 0; i < records_.size(); ++i) {
    const data::Record& r = records_[i];
    const int p = r.platform == Platform::kLambda ? 0 : 1;
    const int w = static_cast<int>(r.workload);
    const auto id = static_cast<uint32_t>(i);
    const double size = impl->sizes.Of(r.workload, r.target_payload_kb);
    impl->by_workload[static_cast<size_t>(p)][static_cast<size_t>(w)].push_back(id);
    impl->coarse[{p, w, size}].push_back(id);
    if (r.time_window && r.load_pattern) {
      impl->fine[{p, w, size, static_cast<int>(*r.time_window), static_cast<int>(*r.load_pattern)}]
          .push_back(id);
    }
  }
  impl_ = std::move(impl);
}

const std::vector<uint32_t>& Pools::PoolOf(Platform platform, features::Workload w,
                                           double payload_kb,
                                           std::optional<features::TimeWindow> tw,
                                           std::optional<features::LoadPattern> lp,
                                           int& level) const {
  const int p = platform == Platform::kLambda ? 0 : 1;
  const int wi = static_cast<int>(w);
  const double size = impl_->sizes.Of(w, payload_kb);  // the measured size it belongs to
  level = 0;
  if (tw && lp) {
    auto it = impl_->fine.find({p, wi, size, static_cast<int>(*tw), static_cast<int>(*lp)});
    if (it != impl_->fine.end()) return it->second;
  }
  level = 1;
  auto it = impl_->coarse.find({p, wi, size});
  if (it != impl_->coarse.end()) return it->second;
  level = 2;
  return impl_->by_workload[static_cast<size_t>(p)][static_cast<size_t>(wi)];
}

Draw Pools::Pick(Platform platform, features::Workload w, double payload_kb,
                 std::optional<features::TimeWindow> tw, std::optional<features::LoadPattern> lp,
                 uint64_t random) const {
  Draw draw;
  const std::vector<uint32_t>& pool = PoolOf(platform, w, payload_kb, tw, lp, draw.level);
  if (pool.empty()) return draw;
  draw.record = &records_[pool[random % pool.size()]];
  return draw;
}

double Pools::MeanMs(Platform platform, features::Workload w, double payload_kb,
                     std::optional<features::TimeWindow> tw,
                     std::optional<features::LoadPattern> lp) const {
  int level = 0;
  const std::vector<uint32_t>& pool = PoolOf(platform, w, payload_kb, tw, lp, level);
  if (pool.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (uint32_t i : pool) sum += records_[i].response_time_ms;
  return sum / static_cast<double>(pool.size());
}

double RegretMs(const std::array<double, 2>& mean_ms, Platform chosen) {
  const double mine = mean_ms[chosen == Platform::kLambda ? 0 : 1];
  const double other = mean_ms[chosen == Platform::kLambda ? 1 : 0];
  if (std::isnan(mine)) return mine;
  if (std::isnan(other)) return 0.0;
  return std::max(0.0, mine - other);
}

// ---- Emulator ----

struct Emulator::State {
  EmulateConfig config;
  Pools pools;
  std::atomic<uint64_t> counter{0};
  std::atomic<uint64_t> answered{0};

  struct Pending {
    Clock::time_point due;
    uint64_t order;
    http::Responder respond;
    http::Response response;
    int ecs_slot = -1;  // the workload whose ECS slot this answer frees; -1: none held
    bool operator>(const Pending& o) const {
      return std::tie(due, order) > std::tie(o.due, o.order);
    }
  };
  std::mutex mu;
  std::condition_variable cv;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
  // ECS capacity: requests in service and waiting per workload (under mu).
  struct Waiting {
    http::Responder respond;
    http::Response response;
    std::chrono::microseconds delay;
    Clock::time_point arrived;
  };
  std::array<EcsCounts, features::kWorkloadCount> ecs{};
  std::array<std::deque<Waiting>, features::kWorkloadCount> ecs_waiting;
  bool stopping = false;
  std::thread timer;

  State(const EmulateConfig& c, Pools p) : config(c), pools(std::move(p)), aws(c.aws) {
    ecs_tasks.store(c.ecs_tasks);
  }
  AwsStandIn aws;

  uint64_t Random() {
    return core::Mix64(config.seed * 0x9e3779b97f4a7c15ull + counter.fetch_add(1) + 1);
  }

  void Schedule(Clock::time_point due, http::Responder respond, http::Response response) {
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.push({due, counter.fetch_add(1), std::move(respond), std::move(response)});
    }
    cv.notify_one();
  }

  std::atomic<int> ecs_tasks{0};  // config.ecs_tasks, until POST /emulate/ecs scales the services
  int EcsCapacity() const { return ecs_tasks.load() * config.ecs_concurrency; }

  // Under mu: the longest-waiting request of workload `w` starts (a slot is free for it).
  void StartWaiting(size_t w) {
    EcsCounts& c = ecs[w];
    Waiting next = std::move(ecs_waiting[w].front());
    ecs_waiting[w].pop_front();
    c.waiting = ecs_waiting[w].size();
    const auto now = Clock::now();
    const auto waited =
        std::chrono::duration_cast<std::chrono::microseconds>(now - next.arrived).count();
    next.response.headers.emplace_back("X-Emulated-Wait-Ms",
                                       std::to_string(static_cast<double>(waited) / 1000));
    c.in_service_max = std::max(c.in_service_max, ++c.in_service);
    queue.push({now + next.delay, counter.fetch_add(1), std::move(next.respond),
                std::move(next.response), static_cast<int>(w)});
  }

  // Every workload's service now runs `tasks` tasks; waiting requests take the new slots.
  void ScaleEcs(int tasks) {
    {
      std::lock_guard<std::mutex> lock(mu);
      ecs_tasks.store(tasks);
      for (size_t w = 0; w < ecs.size(); ++w)
        while (ecs[w].in_service < EcsCapacity() && !ecs_waiting[w].empty()) StartWaiting(w);
    }
    cv.notify_one();
  }

  std::string EcsJson() {
    json::Buffer buf;
    json::Writer w(buf);
    w.StartObject();
    json::Key(w, "capacity_per_service");
    w.Int(EcsCapacity());
    json::Key(w, "services");
    w.StartObject();
    std::lock_guard<std::mutex> lock(mu);
    for (size_t i = 0; i < ecs.size(); ++i) {
      json::Key(w, features::Name(static_cast<features::Workload>(i)));
      w.StartObject();
      json::Key(w, "in_service");
      w.Int(ecs[i].in_service);
      json::Key(w, "in_service_max");
      w.Int(ecs[i].in_service_max);
      json::Key(w, "waiting");
      w.Uint64(ecs[i].waiting);
      json::Key(w, "waited");
      w.Uint64(ecs[i].waited);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
  }

  // An ECS answer that holds one of the workload's slots for `delay`, or waits for one.
  void ScheduleEcs(size_t w, std::chrono::microseconds delay, http::Responder respond,
                   http::Response response) {
    {
      std::lock_guard<std::mutex> lock(mu);
      EcsCounts& c = ecs[w];
      if (c.in_service < EcsCapacity()) {
        c.in_service_max = std::max(c.in_service_max, ++c.in_service);
        queue.push({Clock::now() + delay, counter.fetch_add(1), std::move(respond),
                    std::move(response), static_cast<int>(w)});
      } else {
        ++c.waited;
        ecs_waiting[w].push_back({std::move(respond), std::move(response), delay, Clock::now()});
        c.waiting = ecs_waiting[w].size();
        return;
      }
    }
    cv.notify_one();
  }

  // Under mu: a slot of workload `w` is free; the longest-waiting request takes it.
  void ReleaseEcs(size_t w) {
    EcsCounts& c = ecs[w];
    --c.in_service;
    // After a scale-in, slots above the new capacity are not refilled.
    if (!ecs_waiting[w].empty() && c.in_service < EcsCapacity()) StartWaiting(w);
  }

  void RunTimer() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      if (queue.empty()) {
        if (stopping) return;
        cv.wait(lock);
        continue;
      }
      if (stopping) return;  // the server has drained: it answers nothing more
      const auto due = queue.top().due;
      if (Clock::now() < due) {
        cv.wait_until(lock, due);
        continue;
      }
      Pending next = std::move(const_cast<Pending&>(queue.top()));
      queue.pop();
      if (next.ecs_slot >= 0) ReleaseEcs(static_cast<size_t>(next.ecs_slot));
      lock.unlock();
      next.respond(std::move(next.response));
      answered.fetch_add(1);
      lock.lock();
    }
  }
};

Emulator::Emulator(const EmulateConfig& config, Pools pools)
    : state_(std::make_unique<State>(config, std::move(pools))) {
  state_->timer = std::thread([s = state_.get()] { s->RunTimer(); });
}

Emulator::~Emulator() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_one();
  state_->timer.join();
}

core::Result<std::unique_ptr<Emulator>> Emulator::Create(const EmulateConfig& config, Pools pools) {
  if (!(config.time_scale >= 0 && config.time_scale <= 1000))
    return MakeError(ErrorCode::kInvalidArgument, "the time scale must be 0 to 1000", "time_scale");
  if (pools.size() == 0)
    return MakeError(ErrorCode::kInvalidArgument, "no measurements to draw response times from",
                     "data");
  if (config.ecs_tasks < 0 || config.ecs_tasks > 10'000 || config.ecs_concurrency < 1 ||
      config.ecs_concurrency > 10'000)
    return MakeError(ErrorCode::kInvalidArgument,
                     "--ecs-tasks must be 0 to 10000 and --ecs-concurrency 1 to 10000",
                     "ecs_tasks");
  if (config.aws.access_key.empty() != config.aws.secret_key.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "--aws-access-key and --aws-secret-key go together", "aws_access_key");
  return std::unique_ptr<Emulator>(new Emulator(config, std::move(pools)));
}

uint64_t Emulator::answered() const { return state_->answered.load(); }

EcsCounts Emulator::ecs(features::Workload w) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->ecs[static_cast<size_t>(w)];
}

void Emulator::Handle(const http::Request& req, http::Response& res) {
  std::string_view path = req.target();
  path = path.substr(0, path.find('?'));
  const auto parts = Split(path.substr(path.empty() ? 0 : 1), '/');
  if (path == "/" && req.method() == "POST" && !req.header("x-amz-target").empty()) {
    res = state_->aws.DescribeServices(req, state_->ecs_tasks.load());
    return;
  }
  if (path == "/emulate/ecs" && req.method() == "POST") {
    // {"tasks": N}: every workload's service scales to N tasks (as ECS's autoscaling would).
    json::Document doc;
    std::string why;
    const json::Value* tasks = nullptr;
    if (json::ParseDocument(doc, req.body(), json::kRequestLimits, why) && doc.IsObject())
      tasks = json::Find(doc, "tasks");
    if (state_->config.ecs_tasks == 0 || !tasks || !tasks->IsInt64() || tasks->GetInt64() < 1 ||
        tasks->GetInt64() > 10'000) {
      res = Refusal(400, "invalid_argument",
                    "POST /emulate/ecs takes {\"tasks\": 1 to 10000}, on an emulator started "
                    "with --ecs-tasks");
      return;
    }
    state_->ScaleEcs(static_cast<int>(tasks->GetInt64()));
    res = Json(200, state_->EcsJson());
    return;
  }
  if (path == "/emulate/ecs" || path == "/emulate/aws" ||
      (path == "/emulate/credentials" && state_->aws.issues())) {
    if (req.method() != "GET") {
      res = Refusal(405, "method_not_allowed", "use GET");
      res.headers.emplace_back("Allow", "GET");
      return;
    }
    res = path == "/emulate/ecs"   ? Json(200, state_->EcsJson())
          : path == "/emulate/aws" ? Json(200, state_->aws.CountsJson())
                                   : state_->aws.Issue(req);
    return;
  }
  Surface surface;
  std::string_view name;
  if (parts.size() == 4 && parts[0] == "2015-03-31" && parts[1] == "functions" &&
      parts[3] == "invocations") {
    surface = Surface::kInvoke;
    name = parts[2];
  } else if (parts.size() == 2 && parts[1] == "process") {
    surface = Surface::kAlb;
    name = parts[0];
  } else if (parts.size() == 2) {
    surface = Surface::kApiGateway;
    name = parts[1];
  } else {
    res = Refusal(404, "not_found",
                  "no such route; POST /{stage}/{workload}, /{workload}/process or "
                  "/2015-03-31/functions/{name}/invocations");
    return;
  }
  std::optional<features::Workload> which;
  if (surface == Surface::kInvoke) {
    // A function name that contains a workload's path name (hr-heavy, heavy-processing-fn).
    for (std::string_view w : {"lightweight", "thumbnail", "medium", "heavy"}) {
      if (name.find(w) != std::string_view::npos) which = workload::WorkloadOfPath(w);
    }
  } else {
    which = workload::WorkloadOfPath(name);
  }
  if (!which) {
    res = Refusal(404, "not_found",
                  "unknown workload '" + std::string(name.substr(0, 64)) +
                      "'; known: lightweight, thumbnail, medium, heavy");
    return;
  }
  if (req.method() != "POST") {
    res = Refusal(405, "method_not_allowed", "use POST");
    res.headers.emplace_back("Allow", "POST");
    return;
  }
  if (surface == Surface::kInvoke) {
    if (req.body().size() > kInvokePayloadLimit) {
      res = Json(
          413,
          R"({"Type":"User","message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"})");
      res.headers.emplace_back("X-Amzn-ErrorType", "RequestEntityTooLargeException");
      return;
    }
  }
  // With a test key, the Lambda surfaces are IAM-protected: the Invoke API, and the stage path
  // standing for a Function URL with IAM auth or an AWS_IAM API Gateway stage.
  if (surface != Surface::kAlb && state_->aws.checks()) {
    if (auto refused = state_->aws.Verify(req, req.body())) {
      res = std::move(*refused);
      return;
    }
  }
  std::string body(req.body());
  if (surface == Surface::kInvoke) {
    // An API Gateway v1 proxy event: the workload request is its `body`, a string.
    json::Document event;
    std::string why;
    if (!json::ParseDocument(event, body, json::kRequestLimits, why) || !event.IsObject()) {
      res = Refusal(400, "invalid_json", "the invocation payload is not a JSON object");
      return;
    }
    const json::Value* inner = json::Find(event, "body");
    if (!inner || !inner->IsString()) {
      res = Refusal(400, "missing_field",
                    "the invocation payload has no string 'body' (send an API Gateway proxy "
                    "event: the handler reads event.body)",
                    "body");
      return;
    }
    body = std::string(json::Text(*inner));
  }
  auto wr = workload::Read(body);
  if (!wr) {
    const core::Error& e = wr.error();
    res = Refusal(400, core::CodeName(e.code), e.message, e.field);
    return;
  }
  const Platform platform = surface == Surface::kAlb ? Platform::kEcs : Platform::kLambda;
  State& s = *state_;
  double extra_ms = 0;
  bool cold = false, throttle = false, error = false;
  for (const Fault& f : s.config.faults) {
    if (f.platform != platform || core::UnitInterval(s.Random()) >= f.probability) continue;
    switch (f.kind) {
      case FaultKind::kThrottle:
        throttle = true;
        break;
      case FaultKind::kError:
        error = true;
        break;
      case FaultKind::kCold:
        cold = true;
        extra_ms += f.ms;
        break;
      case FaultKind::kSlow:
        extra_ms += f.ms;
        break;
    }
  }
  if (throttle) {  // refused before it ran: at once
    if (surface == Surface::kAlb) {
      res = Json(503, R"({"message":"Service Unavailable"})");
    } else if (surface == Surface::kInvoke) {
      res = Json(429, R"({"Type":"User","message":"Rate Exceeded."})");
      res.headers.emplace_back("X-Amzn-ErrorType", "TooManyRequestsException");
    } else {
      res = Json(429, R"({"message":"Too Many Requests"})");
    }
    res.headers.emplace_back("X-Emulated-Fault", "throttle");
    return;
  }
  const Draw draw =
      s.pools.Pick(platform, *which, wr->payload_kb, wr->time_window, wr->load_pattern, s.Random());
  http::Response out;
  if (error) {
    if (surface == Surface::kInvoke) {
      out = Json(200, R"({"errorMessage":"emulated failure","errorType":"Error"})");
      out.headers.emplace_back("X-Amz-Function-Error", "Unhandled");
    } else {
      out = Json(502, surface == Surface::kAlb ? R"({"message":"Bad Gateway"})"
                                               : R"({"message":"Internal server error"})");
    }
    out.headers.emplace_back("X-Emulated-Fault", "error");
  } else {
    const std::string answer = Answer(platform, *which, *wr, draw.record, cold);
    out = Json(200, surface == Surface::kInvoke ? ProxyResult(200, answer) : answer);
    if (surface == Surface::kInvoke && req.header("x-amz-log-type") == "Tail")
      out.headers.emplace_back("X-Amz-Log-Result", LogTail(wr->request_id, draw.record, cold));
    if (cold) out.headers.emplace_back("X-Emulated-Fault", "cold");
  }
  const double measured_ms = draw.record ? draw.record->response_time_ms : 0;
  const double delay_ms = (measured_ms + extra_ms) * s.config.time_scale;
  out.headers.emplace_back("X-Emulated-Delay-Ms", std::to_string(delay_ms));
  out.headers.emplace_back("X-Emulated-Cell", draw.level == 0   ? "full"
                                              : draw.level == 1 ? "payload"
                                                                : "workload");
  // Defer only what waits: a deferred request must be answered through its responder.
  http::Responder respond = delay_ms > 0 ? req.Defer() : http::Responder();
  if (!respond) {
    res = std::move(out);
    state_->answered.fetch_add(1);
    return;
  }
  const std::chrono::microseconds delay(static_cast<int64_t>(delay_ms * 1000));
  if (platform == Platform::kEcs && s.EcsCapacity() > 0) {
    s.ScheduleEcs(static_cast<size_t>(*which), delay, std::move(respond), std::move(out));
    return;
  }
  s.Schedule(Clock::now() + delay, std::move(respond), std::move(out));
}

}  // namespace hr::emulate
