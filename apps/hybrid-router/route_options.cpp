#include "route_options.h"

#include <cstdlib>

#include "upstream/trust.h"

namespace hr::app {

void AddLearnOptions(CLI::App& sub, policy::LearnOptions& l) {
  sub.add_option("--prior-weight", l.prior_weight,
                 "adaptive: the model's tables count as this many outcomes per cell (or as many "
                 "as they hold, if fewer)")
      ->capture_default_str();
  sub.add_option("--learn-half-life", l.half_life,
                 "adaptive: outcomes of a cell and platform after which an old one counts half")
      ->capture_default_str();
  sub.add_option("--explore-floor", l.explore_floor,
                 "adaptive: the least propensity either platform keeps (Thompson sampling is "
                 "mixed with it; 0.05 for a log meant for evaluate --off-policy)")
      ->capture_default_str();
  sub.add_option("--thompson-scale", l.thompson_scale,
                 "adaptive: Thompson sampling draws each platform's mean from its posterior with "
                 "the spread times this (1: plain Thompson sampling; lower explores less)")
      ->capture_default_str();
  sub.add_option("--min-records", l.min_records,
                 "adaptive: a cell with fewer live outcomes on a platform is sent there")
      ->capture_default_str();
  sub.add_option("--watch", l.watch,
                 "adaptive: a platform that served none of a workload's last N outcomes, or "
                 "whose detector suspects a change, is sent a request with probability "
                 "--watch-share, so a change there is seen (0: off)")
      ->capture_default_str();
  sub.add_option("--watch-share", l.watch_share,
                 "adaptive: the propensity a watched platform gets (0 to 0.5)")
      ->capture_default_str();
  sub.add_option("--drift-threshold", l.drift_threshold,
                 "adaptive: the change detector's threshold (a CUSUM of outcomes above or below "
                 "the cell's median; 0: off)")
      ->capture_default_str();
}

void AddRouteGuardOptions(CLI::App& sub, route::RouterConfig& r, RouteMoreOptions& more) {
  sub.add_option("--learn", more.learn,
                 "on: the adaptive policy learns from every outcome; off: it is frozen to the "
                 "model policy (the tables as they are), also when --policy adaptive is given. "
                 "Other policies never learn and ignore it")
      ->capture_default_str()
      ->envname("HYBRID_ROUTER_LEARN");
  AddLearnOptions(sub, r.learn);
  sub.add_option("--learn-state", r.learn_state,
                 "adaptive: a file the learner is read from at start (when it exists) and written "
                 "to every --learn-state-every-s and at stop, so a restart keeps what was learned")
      ->envname("HYBRID_ROUTER_LEARN_STATE");
  sub.add_option("--learn-state-every-s", r.learn_state_every_s,
                 "adaptive: how often --learn-state is written while routing")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  sub.add_option("--retry-budget", r.budget.ratio,
                 "Fallbacks at most this share of the requests of the last 10 s")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub.add_option("--retry-floor", r.budget.floor_per_s,
                 "... but always this many fallbacks per second")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10000.0));
  sub.add_option("--breaker-failures", r.breaker.failures,
                 "Consecutive failures that open a platform's breaker for a workload (0: off)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  sub.add_option("--breaker-open-ms", r.breaker.open_ms,
                 "How long an open breaker stays open before one probe")
      ->capture_default_str()
      ->check(CLI::Range(100, 3600000));
  sub.add_flag("--hedge", r.hedge,
               "Idempotent workloads: when the chosen platform has not answered after its p95 for "
               "the request's cell (the model's), send to the other as well; the first answer wins")
      ->envname("HYBRID_ROUTER_HEDGE");
  sub.add_option("--hedge-after-ms", r.hedge_after_ms,
                 "Hedge after this fixed delay instead of the cell's p95")
      ->check(CLI::Range(1.0, 600000.0));
  sub.add_option("--hedge-share", r.hedge_share,
                 "Hedges at most this share of the requests of the last 10 s (no floor: never "
                 "more, however low the rate)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub.add_option("--ecs-discover-every-s", r.ecs_discover_every_s,
                 "Spillover with ecs_service in --config: ask ECS for the service's running tasks "
                 "this often")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  sub.add_option("--region", more.region,
                 "AWS region of signed targets (default: AWS_REGION, then AWS_DEFAULT_REGION)");
  sub.add_option("--credentials-refresh-ahead-s", more.refresh_ahead_s,
                 "Refresh temporary AWS credentials this long before they expire")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  sub.add_option("--plain-http-client", more.plain_http_client,
                 "Client for http:// targets without signing (an ALB): loop (the event loop's "
                 "own HTTP/1.1 client, fewest system calls) or libcurl (as for https and signed "
                 "targets)")
      ->capture_default_str();
  sub.add_option("--outcome-log-flush-ms", r.outcome_log.flush_ms,
                 "How often the outcome log is written out: a SIGKILL or an out-of-memory kill "
                 "loses at most the lines of this interval (none is torn)")
      ->capture_default_str()
      ->check(CLI::Range(10, 60'000));
  sub.add_option("--outcome-log-rotate-mb", more.outcome_log_rotate_mb,
                 "Start a new outcome log file before one would pass this size")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20))
      ->envname("HYBRID_ROUTER_OUTCOME_LOG_ROTATE_MB");
  sub.add_option("--outcome-log-rotate-s", r.outcome_log.rotate_s,
                 "Start a new outcome log file for the first line this long after the current "
                 "file's first (files are named by their first line's UTC time; 0: never)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{366} * 86'400))
      ->envname("HYBRID_ROUTER_OUTCOME_LOG_ROTATE_S");
  sub.add_option("--outcome-log-keep", r.outcome_log.keep_files,
                 "Keep this many route-*.jsonl files in the outcome log directory, deleting the "
                 "oldest when a new one starts (0: keep all; one directory per router then)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1'000'000))
      ->envname("HYBRID_ROUTER_OUTCOME_LOG_KEEP");
  sub.add_option("--throttle-backoff-ms", r.throttle_backoff_ms,
                 "A platform that answers 429 (or the ALB's 503) gets no request of that workload "
                 "for its Retry-After (at most 60 s), else for this long")
      ->capture_default_str()
      ->check(CLI::Range(0, 60'000));
  sub.add_option("--upstream-reuse", more.upstream_reuse,
                 "When a call may share a pooled HTTP/1.1 connection: verified (only when its "
                 "answer can be told from another request's: the target has echoed its "
                 "X-Request-Id or body request_id before; else a connection of its own) or "
                 "always")
      ->capture_default_str();
  sub.add_option("--ca-file", more.ca_file,
                 "PEM bundle of the certificate authorities https targets, the ECS API and the "
                 "credentials endpoint are checked against (a TLS proxy's CA); default: "
                 "AWS_CA_BUNDLE when set, else the system's store");
  sub.add_option("--stray-quarantine-ms", r.upstream.stray_quarantine_ms,
                 "A target caught writing answers nobody asked for gets a connection per call "
                 "for this long")
      ->capture_default_str()
      ->check(CLI::Range(0, 86'400'000));
}

std::string RegionOf(const RouteMoreOptions& more) {
  if (!more.region.empty()) return more.region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (const char* v = std::getenv(name); v && *v) return v;
  }
  return {};
}

core::Status FinishRouteOptions(const RouteMoreOptions& more, const std::string& access_log,
                                route::RouterConfig& rc) {
  if (auto s = route::ApplyLearn(more.learn, rc.policy); !s) return s;
  if (auto s = rc.learn.Validate(); !s) return s;
  const auto client = upstream::ParsePlainHttpClient(more.plain_http_client);
  if (!client) return client.error();
  rc.upstream.plain_http = *client;
  const auto reuse = upstream::ParseUpstreamReuse(more.upstream_reuse);
  if (!reuse) return reuse.error();
  rc.upstream.reuse = *reuse;
  auto ca = upstream::ResolveCaFile(more.ca_file);
  if (!ca) return ca.error();
  rc.upstream.ca_file = std::move(*ca);
  rc.outcome_log.max_file_bytes = uint64_t{more.outcome_log_rotate_mb} << 20;
  if (rc.outcome_log.dir == route::kOutcomeLogStdout && access_log == "stdout")
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--outcome-log stdout needs the access log elsewhere (--access-log "
                           "stderr, off or a file): one stream, one kind of line",
                           "outcome_log");
  // Signed Lambda calls, or the ECS API (asked only under spill-over).
  if (!rc.targets.signs() && !(rc.targets.discovers() && rc.policy.spills())) return {};
  aws::CredentialOptions o;
  o.refresh_ahead_s = more.refresh_ahead_s;
  o.ca_file = rc.upstream.ca_file;
  auto c = aws::CredentialProvider::Discover(o);
  if (!c) return c.error();
  rc.credentials = std::move(*c);
  return {};
}

}  // namespace hr::app
