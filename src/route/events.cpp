#include "route/events.h"

#include "json/json_writer.h"

namespace hr::route {

void LogBreaker(const EventLog& log, policy::Platform p, features::Workload w, BreakerState to) {
  if (!log) return;
  log->warn(R"("event":"breaker","platform":"{}","workload":"{}","state":"{}")", policy::Name(p),
            features::Name(w), Name(to));
}

void LogConfigError(const EventLog& log, policy::Platform p, features::Workload w, int status,
                    std::string_view error_type, int64_t now_ms, std::atomic<int64_t>& last_ms) {
  int64_t last = last_ms.load();
  if (!log || now_ms - last < 10'000 || !last_ms.compare_exchange_strong(last, now_ms)) return;
  log->error(R"("event":"upstream_config_error","platform":"{}","workload":"{}","status":{},)"
             R"("error_type":{})",
             policy::Name(p), features::Name(w), status, json::Quoted(error_type.substr(0, 128)));
}

void LogStray(const EventLog& log, const std::string& target, std::string_view why,
              int quarantine_ms) {
  if (!log) return;
  log->warn(R"("event":"upstream_stray","target":{},"why":{},"quarantine_ms":{})",
            json::Quoted(target), json::Quoted(why), quarantine_ms);
}

void LogEcsCapacity(const EventLog& log, features::Workload w, int capacity, int share,
                    int64_t running, int64_t desired) {
  if (!log) return;
  log->info(R"("event":"ecs_capacity","workload":"{}","capacity":{},"share":{},)"
            R"("running_tasks":{},"desired_tasks":{})",
            features::Name(w), capacity, share, running, desired);
}

void LogEcsPollFailed(const EventLog& log, const std::string& why) {
  if (log) log->warn(R"("event":"ecs_capacity_poll_failed","error":{})", json::Quoted(why));
}

void LogCredentialRefreshes(const EventLog& log, aws::CredentialProvider& credentials) {
  if (!log) return;
  credentials.OnRefresh([log](bool ok, const std::string& why, int64_t expires) {
    if (ok) {
      log->info(R"("event":"aws_credentials_refreshed","expires_unix_s":{})", expires);
    } else {
      log->warn(R"("event":"aws_credentials_refresh_failed","why":{},"expires_unix_s":{})",
                json::Quoted(why), expires);
    }
  });
}

}  // namespace hr::route
