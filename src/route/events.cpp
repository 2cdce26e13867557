#include "route/events.h"

#include "json/json_writer.h"
#include "route/router_config.h"

namespace hr::route {

void LogBreaker(const EventLog& log, policy::Platform p, features::Workload w, BreakerState to) {
  if (!log) return;
  log->warn(R"("event":"breaker","platform":"{}","workload":"{}","state":"{}")", policy::Name(p),
            features::Name(w), Name(to));
}

void LogDrift(const EventLog& log, const policy::DriftEvent& d) {
  if (!log) return;
  log->warn(R"("event":"drift","platform":"{}","workload":"{}","direction":"{}","size":{:.3f},)"
            R"("learned_before":{:.3f})",
            policy::Name(d.platform), features::Name(d.workload), d.slower ? "slower" : "faster",
            d.size, d.learned_before);
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

void LogListening(const EventLog& log, const RouterConfig& c, const std::string& url, int port,
                  int threads) {
  if (!log) return;
  log->info(R"("event":"listening","url":{},"port":{},"threads":{},"policy":"{}","targets":{},)"
            R"("outcome_log":{})",
            json::Quoted(url), port, threads, policy::Name(c.policy), TargetsJson(c.targets),
            json::Quoted(c.outcome_log.dir));
  for (size_t w = 0; w < c.targets.workloads.size(); ++w)  // said once, not per request
    for (size_t p = 0; p < 2; ++p)
      if (c.targets.workloads[w].url[p].empty() && !c.targets.workloads[w].url[1 - p].empty())
        log->warn(R"("event":"no_target","workload":"{}","platform":"{}","effect":"every )"
                  R"(request of the workload goes to {}")",
                  features::Name(static_cast<features::Workload>(w)), p == 0 ? "lambda" : "ecs",
                  p == 0 ? "ecs" : "lambda");
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
