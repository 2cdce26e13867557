#include "service/service.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <fstream>
#include <random>

#include "builtin/default_model.h"
#include "codec/predict_codec.h"
#include "core/civil_time.h"
#include "core/mix.h"
#include "json/json_writer.h"
#include "service/access_log.h"
#include "service/handlers.h"

namespace hr::service {

namespace {

using Clock = std::chrono::steady_clock;
using detail::Reply;

enum class Access { kOpen, kApi, kMetrics, kAdmin };

struct Route {
  std::string_view method;
  std::string_view path;
  RouteId id;
  Access access;
  bool json_body;
};

// Every route, in one place.
constexpr Route kRoutes[] = {
    {"POST", "/predict", RouteId::kPredict, Access::kApi, true},
    {"POST", "/predict/batch", RouteId::kBatch, Access::kApi, true},
    {"GET", "/healthz", RouteId::kHealthz, Access::kOpen, false},
    {"GET", "/readyz", RouteId::kReadyz, Access::kOpen, false},
    {"GET", "/model", RouteId::kModel, Access::kApi, false},
    {"GET", "/metrics", RouteId::kMetrics, Access::kMetrics, false},
    {"POST", "/admin/reload", RouteId::kReload, Access::kAdmin, false},
};

thread_local detail::ThreadState t_state;

// Whether a route asks for an API key: keys configured, and not a health route (nor /metrics
// unless --metrics-auth).
bool NeedsKey(const Route& route, const ServiceConfig& config) {
  if (!config.keys.enabled()) return false;
  switch (route.access) {
    case Access::kOpen:
      return false;
    case Access::kMetrics:
      return config.metrics_need_auth;
    case Access::kApi:
    case Access::kAdmin:
      return true;
  }
  return true;
}

bool IsJsonContentType(std::string_view ct) {
  if (ct.empty()) return true;  // absent: accept, as API Gateway clients often omit it
  const std::string_view base = ct.substr(0, ct.find(';'));
  std::string lower;
  for (char c : base) {
    if (c != ' ') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower == "application/json" || (lower.size() > 5 && lower.ends_with("+json"));
}

std::string NewRequestId(uint64_t seed, uint64_t counter) {
  uint64_t z = core::Mix64(seed + counter * 0x9e3779b97f4a7c15ull);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4) id[static_cast<size_t>(i)] = kHex[z & 15];
  return id;
}

std::string_view Presented(const http::Request& req) {
  std::string_view key = req.header("x-api-key");
  if (!key.empty()) return key;
  const std::string_view auth = req.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() > kBearer.size() && auth.substr(0, kBearer.size()) == kBearer) {
    return auth.substr(kBearer.size());
  }
  return {};
}

// Text safe to echo in a JSON message or a log line: printable ASCII kept, other bytes as \xNN,
// at most `max` input bytes.
std::string Printable(std::string_view s, size_t max) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (unsigned char c : s.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Every model swap in the process gets a new number, so a thread's cached model can never be
// mistaken for another Service's (a new Service at a freed address).
uint64_t NextGeneration() {
  static std::atomic<uint64_t> generations{0};
  return generations.fetch_add(1, std::memory_order_acq_rel) + 1;
}

// What /model and /metrics show of a model's origin: the file name, not the server's directories.
std::string SourceName(const std::string& path) {
  if (path.empty()) return "built-in";
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

core::Result<std::shared_ptr<const LoadedModel>> Load(const std::string& path, size_t max_bytes) {
  auto m = path.empty() ? modelfile::Parse(builtin::DefaultModelText())
                        : modelfile::ReadFile(path, max_bytes);
  if (!m) return m.error();
  auto loaded = std::make_shared<LoadedModel>();
  loaded->model = *m;
  loaded->source = SourceName(path);
  loaded->loaded_at = core::FormatUtcMicros(core::NowUtc());
  loaded->model_info_json = codec::ModelInfoJson(&loaded->model->spec().metadata);
  loaded->fingerprint = ModelFingerprint(path);
  return std::shared_ptr<const LoadedModel>(std::move(loaded));
}

}  // namespace

uint64_t ModelFingerprint(const std::string& path) {
  uint64_t h = core::kFnv1aOffset;
  if (path.empty()) {
    core::Fnv1a(h, builtin::DefaultModelText());
    return h;
  }
  std::ifstream in(path, std::ios::binary);
  std::array<char, 65536> buf;
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0)
    core::Fnv1a(h, std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  return h;
}

bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':')
      return false;
  }
  return true;
}

Service::Service(ServiceConfig config) : config_(std::move(config)) {
  request_id_seed_ = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
}

Service::~Service() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (reloader_.joinable()) reloader_.join();
}

core::Result<std::unique_ptr<Service>> Service::Create(ServiceConfig config) {
#if defined(__GLIBC__)
  // glibc hands memory freed at the top of the heap back to the kernel once 128 KB are free, so
  // every batch answer (~60 KB per 100 items, plus its parse) faulted fresh pages in again: 2.9x
  // the time of a batch of 100 (perf: two thirds in page faults, TLB flushes and brk). Keep up
  // to 8 MB for the next request; the resident size stays bounded by the largest request.
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
#endif
  std::unique_ptr<Service> s(new Service(std::move(config)));
  s->gate_ = std::make_shared<const KeyGate>(s->config_.keys, nullptr);
  auto loaded = Load(s->config_.model_path, s->config_.max_model_bytes);
  if (loaded) {
    s->model_ = *loaded;
  } else if (!s->config_.allow_missing_model) {
    return loaded.error();
  } else if (s->config_.event_log) {
    s->config_.event_log->error(R"("event":"model_load_failed","message":{})",
                                json::Quoted(loaded.error().message));
  }
  s->generation_.store(NextGeneration(), std::memory_order_release);
  return s;
}

std::shared_ptr<const LoadedModel> Service::model() const {
  std::lock_guard<std::mutex> lock(model_mutex_);
  return model_;
}

std::shared_ptr<const KeyGate> Service::gate() const {
  std::lock_guard<std::mutex> lock(model_mutex_);
  return gate_;
}

core::Status Service::Reload() {
  std::lock_guard<std::mutex> one_at_a_time(reload_mutex_);
  std::optional<core::Result<ApiKeys>> keys;
  if (!config_.api_key_file.empty()) keys = ApiKeys::FromFile(config_.api_key_file);
  auto loaded = keys && !*keys ? core::Result<std::shared_ptr<const LoadedModel>>(keys->error())
                               : Load(config_.model_path, config_.max_model_bytes);
  if (!loaded) {
    metrics_.Reload(false);
    if (config_.event_log) {
      const bool keys_failed = keys && !*keys;
      const std::string& source = keys_failed ? config_.api_key_file : config_.model_path;
      config_.event_log->error(R"("event":"reload_failed","source":{},"message":{})",
                               json::Quoted(source.empty() ? "built-in" : source),
                               json::Quoted(loaded.error().message));
    }
    return loaded.error();
  }
  size_t key_count = 0;
  {
    std::lock_guard<std::mutex> lock(model_mutex_);
    model_ = *loaded;
    if (keys) gate_ = std::make_shared<const KeyGate>(std::move(**keys), gate_.get());
    key_count = gate_->keys().size();
    generation_.store(NextGeneration(), std::memory_order_release);
  }
  metrics_.Reload(true);
  if (config_.event_log) {
    config_.event_log->info(R"("event":"reloaded","source":{},"api_keys":{})",
                            json::Quoted((*loaded)->source), key_count);
  }
  return {};
}

void Service::RequestReload(std::function<void(const core::Status&)> done) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (!reloader_.joinable()) reloader_ = std::thread([this] { ReloadLoop(); });
    queued_ = true;
    if (done) queue_.push_back(std::move(done));
  }
  queue_cv_.notify_one();
}

void Service::ReloadLoop() {
  for (;;) {
    std::deque<std::function<void(const core::Status&)>> waiting;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return queued_ || stop_; });
      if (!queued_) return;  // stopping, nothing asked
      queued_ = false;
      waiting.swap(queue_);
    }
    const core::Status status = Reload();
    for (auto& done : waiting) done(status);
  }
}

void Service::ObserveServerError(const http::Refused& refused, http::Response* res) {
  if (refused.code == core::ErrorCode::kTooManyConnections) {
    metrics_.ConnectionRejected();  // closed at once: no HTTP answer, no request counted
    return;
  }
  metrics_.Request(RouteId::kOther, core::HttpStatus(refused.code), 0);
  metrics_.Error(refused.code);
  if (!res) return;
  const std::string id =
      ValidRequestId(refused.request_id) ? std::string(refused.request_id) : NewRequestId();
  res->headers.emplace_back("Access-Control-Allow-Origin", config_.cors_origin);
  res->headers.emplace_back("X-Request-Id", id);
  if (config_.access_log) {
    const std::string_view path = refused.target.substr(0, refused.target.find('?'));
    WriteAccessLine(*config_.access_log,
                    {id,
                     refused.method.empty() ? "-" : Printable(refused.method, 16),
                     path.empty() ? "-" : Printable(path, 256),
                     res->status,
                     0,
                     {},
                     {},
                     0});
  }
}

std::string Service::NewRequestId() {
  static std::atomic<uint64_t> counter{0};
  return hr::service::NewRequestId(request_id_seed_, counter.fetch_add(1) + (uint64_t{1} << 40));
}

namespace {

// What every answer gets once its reply is known: CORS and request id headers, metrics, access log.
struct Finishing {
  RouteId id = RouteId::kOther;
  std::string request_id;
  std::string method, path;  // printable, bounded
  Clock::time_point start;
};

void Complete(const ServiceConfig& config, Metrics& metrics, const Finishing& f, Reply reply,
              http::Response& res, Service::Summary* summary = nullptr) {
  res.status = reply.status;
  res.body = std::move(reply.body);
  if (f.id == RouteId::kMetrics && reply.status == 200)
    res.content_type = "text/plain; version=0.0.4";
  res.headers = std::move(reply.headers);
  res.headers.reserve(res.headers.size() + 2);
  res.headers.emplace_back("Access-Control-Allow-Origin", config.cors_origin);
  res.headers.emplace_back("X-Request-Id", f.request_id);

  const double seconds = std::chrono::duration<double>(Clock::now() - f.start).count();
  metrics.Request(f.id, reply.status, seconds);
  if (!reply.decision.empty()) metrics.Decision(reply.decision);
  metrics.Decisions(reply.batch_decisions);
  if (summary) {
    summary->status = reply.status;
    summary->decisions = reply.batch_decisions;
    for (size_t i = 0; i < 3; ++i) {
      if (reply.decision == std::array<std::string_view, 3>{"lambda", "ecs", "fallback"}[i])
        ++summary->decisions[i];
    }
    summary->failed_items = reply.batch_failed;
    summary->seconds = seconds;
  }
  if (reply.status >= 400) metrics.Error(reply.error_code.value_or(core::ErrorCode::kInternal));
  metrics.in_flight().fetch_sub(1, std::memory_order_relaxed);

  if (config.access_log) {
    WriteAccessLine(*config.access_log, {f.request_id,
                                         f.method,
                                         f.path,
                                         reply.status,
                                         static_cast<int64_t>(seconds * 1e6),
                                         reply.decision,
                                         {},
                                         0});
  }
}

Reply ReloadReply(const core::Status& s, const LoadedModel* now_serving,
                  const std::string& model_path) {
  if (!s) {  // the answer names the file, never the server's directories (the log keeps them)
    core::Error e = s.error();
    const std::string name = SourceName(model_path);
    for (size_t at; !model_path.empty() && (at = e.message.find(model_path)) != std::string::npos;)
      e.message.replace(at, model_path.size(), name);
    if (e.field == model_path) e.field = name;
    return detail::Error(e);
  }
  Reply reply;
  reply.body = R"({"reloaded":true,"model":)" + detail::ModelInfoJson(now_serving) + "}";
  return reply;
}

}  // namespace

detail::ThreadState& Service::Current() {
  detail::ThreadState& ts = t_state;
  if (const uint64_t g = generation_.load(std::memory_order_acquire);
      ts.owner != this || ts.generation != g) {
    std::lock_guard<std::mutex> lock(model_mutex_);
    ts.owner = this;
    ts.generation = generation_.load(std::memory_order_acquire);
    ts.model = model_;
    ts.gate = gate_;
  }
  return ts;
}

std::optional<Service::Refusal> Service::Admit(const http::Request& req, bool limited) {
  const KeyGate& gate = *Current().gate;
  if (!gate.keys().enabled()) return std::nullopt;
  const int index = gate.keys().Find(Presented(req));
  if (index < 0) {
    return Refusal{
        core::MakeError(core::ErrorCode::kUnauthorized,
                        "a valid API key is required (x-api-key header or Authorization: Bearer)"),
        {{"WWW-Authenticate", "Bearer"}}};
  }
  if (!limited) return std::nullopt;
  const int64_t now_us = config_.clock_us ? config_.clock_us()
                                          : std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count();
  const size_t i = static_cast<size_t>(index);
  const LimitVerdict v = gate.Take(i, now_us);
  if (v.limited == LimitKind::kNone) return std::nullopt;
  return Refusal{core::MakeError(core::ErrorCode::kRateLimited, gate.Explain(i, v),
                                 v.limited == LimitKind::kRate ? "rate" : "quota"),
                 {{"Retry-After", std::to_string(v.retry_after_s)}}};
}

void Service::Handle(const http::Request& req, http::Response& res, Summary* summary) {
  const auto start = Clock::now();
  metrics_.in_flight().fetch_add(1, std::memory_order_relaxed);
  detail::ThreadState& ts = Current();

  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view method = req.method();
  const Route* route = nullptr;
  bool path_known = false;
  for (const Route& r : kRoutes) {
    if (r.path != path) continue;
    path_known = true;
    if (r.method == method) route = &r;
  }
  std::string allow;  // methods of this path, only needed for 405 and preflight answers
  if (!route && path_known) {
    for (const Route& r : kRoutes) {
      if (r.path != path) continue;
      if (!allow.empty()) allow += ", ";
      allow += r.method;
    }
  }

  Finishing f;
  f.id = route ? route->id : RouteId::kOther;
  f.start = start;
  Reply reply;
  bool deferred = false;
  std::optional<Refusal> refusal;
  const auto refused = [&] {  // a key that is missing, wrong, or over its limits
    refusal = Admit(req, route->access == Access::kApi);
    return refusal.has_value();
  };
  if (!route && !path_known) {
    reply = detail::Refuse(core::ErrorCode::kNotFound,
                           "no route " + Printable(path, 128) +
                               "; routes: POST /predict, POST /predict/batch, GET /healthz, "
                               "GET /readyz, GET /model, GET /metrics, POST /admin/reload");
  } else if (!route && method == "OPTIONS") {
    reply.status = 204;  // CORS preflight
    reply.headers = {
        {"Access-Control-Allow-Methods", allow + ", OPTIONS"},
        {"Access-Control-Allow-Headers", "Content-Type, X-Api-Key, Authorization, X-Request-Id"},
        {"Access-Control-Max-Age", "600"}};
  } else if (!route) {
    reply = detail::Refuse(
        core::ErrorCode::kMethodNotAllowed,
        Printable(method, 16) + " is not allowed on " + Printable(path, 128) + "; use " + allow);
    reply.headers.emplace_back("Allow", allow);
  } else if (NeedsKey(*route, config_) && refused()) {
    reply = detail::Error(refusal->error);
    reply.headers = std::move(refusal->headers);
  } else if (route->access == Access::kAdmin && !config_.keys.enabled()) {
    reply = detail::Refuse(core::ErrorCode::kForbidden,
                           "admin endpoints are disabled: start with --api-key-file or "
                           "HYBRID_ROUTER_API_KEYS to enable them");
  } else if (route->json_body && !IsJsonContentType(req.header("content-type"))) {
    reply = detail::Refuse(core::ErrorCode::kUnsupportedMediaType,
                           "Content-Type must be application/json, not '" +
                               Printable(req.header("content-type"), 64) + "'");
  } else {
    switch (route->id) {
      case RouteId::kPredict:
        reply = detail::Predict(ts, config_, req.body(), start);
        break;
      case RouteId::kBatch:
        reply = detail::PredictBatch(ts, config_, req.body(), start);
        break;
      case RouteId::kHealthz:
        reply.body = R"({"status":"ok"})";
        break;
      case RouteId::kReadyz:
        reply.status = ts.model ? 200 : 503;
        reply.body = ts.model ? R"({"ready":true})"
                              : R"({"ready":false,"reason":"no usable model is loaded"})";
        if (!ts.model) reply.error_code = core::ErrorCode::kUnavailable;
        break;
      case RouteId::kModel:
        reply.body = detail::ModelInfoJson(ts.model.get());
        break;
      case RouteId::kMetrics: {
        Metrics::ModelInfo info;
        if (ts.model) {
          info.loaded = true;
          info.model_type = ts.model->model->spec().metadata.model_type;
          info.training_date = ts.model->model->spec().metadata.training_date;
          info.source = ts.model->source;
          info.format_version = modelfile::kFormatVersion;
        }
        reply.body = metrics_.Render(info, connections_ ? connections_() : 0);
        if (const http::ByteBudget* b = config_.budget) {
          reply.body +=
              "# HELP hybrid_router_buffer_bytes Bytes of request bodies and upstream answers "
              "buffered now, against the budget (--buffer-budget-mb).\n"
              "# TYPE hybrid_router_buffer_bytes gauge\nhybrid_router_buffer_bytes " +
              std::to_string(b->used()) +
              "\n# TYPE hybrid_router_buffer_limit_bytes gauge\nhybrid_router_buffer_limit_bytes " +
              std::to_string(b->limit()) +
              "\n# TYPE hybrid_router_buffer_peak_bytes gauge\nhybrid_router_buffer_peak_bytes " +
              std::to_string(b->peak()) +
              "\n# HELP hybrid_router_buffer_refusals_total Requests or answers refused because "
              "the buffer budget was spent.\n# TYPE hybrid_router_buffer_refusals_total counter\n"
              "hybrid_router_buffer_refusals_total " +
              std::to_string(b->refusals()) + "\n";
        }
        reply.body += ts.gate->Render();
        if (extra_metrics_) reply.body += extra_metrics_();
        break;
      }
      case RouteId::kReload:
        deferred = true;
        break;
      default:
        break;
    }
  }

  const std::string_view given = req.header("x-request-id");
  if (ValidRequestId(given)) {
    f.request_id = given;
  } else if (ValidRequestId(reply.request_id)) {
    f.request_id = reply.request_id;  // the body's request_id, as the prototype's clients send it
  } else {
    f.request_id = hr::service::NewRequestId(
        request_id_seed_, ++ts.counter + (reinterpret_cast<uintptr_t>(&ts) << 20));
  }
  if (config_.access_log) {  // only the access log shows them
    f.method = Printable(method, 16);
    f.path = Printable(path, 256);
  }

  if (deferred) {
    // The new model is read and checked on the reload thread, never on an event loop.
    if (http::Responder respond = req.Defer()) {
      RequestReload([this, f = std::move(f), respond = std::move(respond)](const core::Status& s) {
        http::Response out;
        Complete(config_, metrics_, f, ReloadReply(s, model().get(), config_.model_path), out);
        respond(std::move(out));
      });
      return;
    }
    const core::Status s = Reload();
    reply = ReloadReply(s, model().get(), config_.model_path);
  }
  Complete(config_, metrics_, f, std::move(reply), res, summary);
}

}  // namespace hr::service
