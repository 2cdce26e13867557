// What the router writes to its event log besides requests (one JSON object a line, spdlog's):
// breaker transitions, configuration errors (at most one line every 10 s), upstreams quarantined
// for stray answers, ECS capacity changes and failed polls, AWS credential refreshes. Each
// function does nothing without a log. Never a key, a token or a credential.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "features/request.h"
#include "policy/decision.h"
#include "policy/learner.h"
#include "route/guards.h"

namespace hr::route {

using EventLog = std::shared_ptr<spdlog::logger>;

void LogBreaker(const EventLog& log, policy::Platform p, features::Workload w, BreakerState to);
// The adaptive policy's change detector fired: the workload's cells on the platform forget.
void LogDrift(const EventLog& log, const policy::DriftEvent& d);
// `last_ms`: when the last such line was written (shared by every caller of one router).
void LogConfigError(const EventLog& log, policy::Platform p, features::Workload w, int status,
                    std::string_view error_type, int64_t now_ms, std::atomic<int64_t>& last_ms);
void LogStray(const EventLog& log, const std::string& target, std::string_view why,
              int quarantine_ms);
void LogEcsCapacity(const EventLog& log, features::Workload w, int capacity, int share,
                    int64_t running, int64_t desired);
void LogEcsPollFailed(const EventLog& log, const std::string& why);
// The `listening` line: the URL, port, threads, policy, every workload's targets (redacted) and
// the outcome log; then a warning for each workload with a target on one platform only (all its
// requests go to the other).
struct RouterConfig;
void LogListening(const EventLog& log, const RouterConfig& c, const std::string& url, int port,
                  int threads);
// Logs every refresh of `credentials` from now on: the new expiry, or why it failed (the old
// credentials stay in use until they expire).
void LogCredentialRefreshes(const EventLog& log, aws::CredentialProvider& credentials);

}  // namespace hr::route
