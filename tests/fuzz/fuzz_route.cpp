// What `route` reads from others: clients' workload requests, the platforms' answers (their
// `metrics`), and its own --config file. None may crash it, hang it or grow memory without bound,
// and what it writes of them (the outcome log line) is always JSON the ingest reads.
#include "data/ingest.h"
#include "fuzz_util.h"
#include "route/outcome_log.h"
#include "route/route_config.h"
#include "workload/request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto wr = workload::Read(text);
      if (wr && !(wr->payload_kb >= 0 && wr->payload_kb <= features::kMaxPayloadKb))
        fuzz::Fail("payload size out of range");
      if (wr && wr->request_id.size() > 128) fuzz::Fail("request id longer than 128 bytes");
      break;
    }
    case 1: {
      route::AttemptLine a;
      a.request_id = std::string(text.substr(0, 64));  // any bytes, as a client may send
      a.timestamp = "2025-11-22T19:30:00.000000";
      a.http_status = 200;
      a.metrics = route::ReadAnswerMetrics(text);
      a.error = std::string(text.substr(0, 300));
      const std::string line = route::FormatAttempt(a);
      fuzz::RequireJson(line, "the outcome line is not JSON");
      int status = 0;
      auto rec = data::ParseRecordLine(line, &status);
      if (!rec && status == 0) fuzz::Fail("the ingest cannot read an outcome line", line);
      break;
    }
    default: {
      auto t = route::ParseTargets(text, "", "");
      if (t) {
        for (const auto& w : t->workloads) {
          for (const std::string& url : w.url) {
            if (!url.empty() && !route::CheckUrl(url, "url")) fuzz::Fail("an unchecked URL", url);
          }
          if (!w.ecs_service.empty() && (w.ecs_task_concurrency < 1 || w.ecs_capacity != -1))
            fuzz::Fail("a discovered capacity without its requests per task", text);
        }
        if (t->discovers() && (!route::CheckUrl(t->ecs_api_url, "url") || t->ecs_sigv4.empty()))
          fuzz::Fail("ECS services described through an unchecked or unsigned API", text);
      }
      break;
    }
  }
  return 0;
}
