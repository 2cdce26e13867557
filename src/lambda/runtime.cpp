#include "lambda/runtime.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "http/client.h"
#include "json/json_writer.h"
#include "lambda/events.h"

namespace hr::lambda {

namespace {

constexpr const char* kApi = "/2018-06-01/runtime";

std::string ErrorJson(const std::string& type, const std::string& message) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "errorMessage");
  json::String(w, message);
  json::Key(w, "errorType");
  json::String(w, type);
  json::Key(w, "stackTrace");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// Sends with bounded retries and exponential backoff; the Runtime API may be briefly unavailable.
core::Result<http::ClientResponse> SendWithRetry(
    http::Client& client, const std::string& method, const std::string& target,
    const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
    int retries) {
  int delay_ms = 20;
  for (int attempt = 0;; ++attempt) {
    auto r = client.Send(method, target, body, headers);
    if (r && r->status < 500) return r;
    if (attempt >= retries) {
      if (!r) return r;
      return core::MakeError(core::ErrorCode::kIo,
                             method + " " + target + " answered " + std::to_string(r->status),
                             "endpoint");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 1000);
  }
}

// Writes the invocation's metrics line, whole, at once.
void WriteEmf(const EmfOptions& emf, const std::string& id, int64_t arrived_ms, int status,
              const service::Service::Summary* summary) {
  if (!emf.enabled()) return;
  InvocationMetrics m;
  m.timestamp_ms = arrived_ms;
  m.request_id = id;
  m.status = status;
  if (summary) {
    m.decisions = summary->decisions;
    m.failed_items = summary->failed_items;
    m.inference_ms = summary->seconds * 1000;
  }
  std::string line = EmfLine(emf, m);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int RunRuntime(service::ServiceConfig config, const RuntimeOptions& options) {
  auto client = http::Client::Create(options.endpoint);
  if (!client) {
    std::fprintf(stderr, "hybrid-router lambda: %s\n", client.error().message.c_str());
    return 1;
  }
  auto svc = service::Service::Create(std::move(config));
  if (!svc) {
    const std::string error_type = "Runtime.InitError";
    (void)SendWithRetry(**client, "POST", std::string(kApi) + "/init/error",
                        ErrorJson(error_type, svc.error().message),
                        {{"Lambda-Runtime-Function-Error-Type", error_type}}, options.max_retries);
    std::fprintf(stderr, "hybrid-router lambda: init failed: %s\n", svc.error().message.c_str());
    return 1;
  }
  for (int done = 0; options.max_invocations == 0 || done < options.max_invocations; ++done) {
    auto next = SendWithRetry(**client, "GET", std::string(kApi) + "/invocation/next", "", {},
                              options.max_retries);
    if (!next) {
      std::fprintf(stderr, "hybrid-router lambda: runtime endpoint failed: %s\n",
                   next.error().message.c_str());
      return 1;
    }
    const std::string id = next->Header("lambda-runtime-aws-request-id");
    if (id.empty()) {
      std::fprintf(stderr, "hybrid-router lambda: invocation without a request id; skipped\n");
      continue;
    }
    const int64_t arrived_ms = NowMs();
    const std::string trace = next->Header("lambda-runtime-trace-id");
    if (!trace.empty()) setenv("_X_AMZN_TRACE_ID", trace.c_str(), 1);
    const std::string base = std::string(kApi) + "/invocation/" + id;
    auto post_error = [&](const std::string& type, const std::string& message) {
      WriteEmf(options.emf, id, arrived_ms, 0, nullptr);
      (void)SendWithRetry(**client, "POST", base + "/error", ErrorJson(type, message),
                          {{"Lambda-Runtime-Function-Error-Type", type}}, options.max_retries);
    };
    const std::string deadline = next->Header("lambda-runtime-deadline-ms");
    if (!deadline.empty() && std::strtoll(deadline.c_str(), nullptr, 10) <= NowMs()) {
      post_error("Runtime.DeadlineExceeded",
                 "the invocation's deadline passed before it could be handled");
      continue;
    }
    auto event = ParseEvent(next->body);
    if (!event) {
      post_error("Runtime.InvalidEvent", event.error().message);
      continue;
    }
    http::Response res;
    service::Service::Summary summary;
    try {
      if (event->bad_request) {
        res = BadRequestResponse(*event->bad_request);
        summary.status = res.status;
      } else {
        EventRequest req(*event);
        (*svc)->Handle(req, res, &summary);
      }
    } catch (const std::exception& e) {
      post_error("Runtime.HandlerError", e.what());
      continue;
    }
    WriteEmf(options.emf, id, arrived_ms, summary.status ? summary.status : res.status, &summary);
    auto posted = SendWithRetry(**client, "POST", base + "/response",
                                FormatResponse(event->format, res, event->multi_value_headers), {},
                                options.max_retries);
    if (!posted) {
      std::fprintf(stderr, "hybrid-router lambda: cannot post the response: %s\n",
                   posted.error().message.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace hr::lambda
