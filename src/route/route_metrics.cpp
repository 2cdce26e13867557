#include "route/route_metrics.h"

#include <cmath>
#include <sstream>

#include "route/ecs_capacity.h"

namespace hr::route {

namespace {

constexpr std::string_view kClasses[] = {"2xx", "3xx", "4xx", "5xx", "other"};
constexpr std::string_view kDenied[] = {"not_idempotent", "budget",   "deadline",    "breaker",
                                        "no_target",      "capacity", "hedge_budget"};
static_assert(std::size(kDenied) == static_cast<size_t>(Denied::kCount));

double BucketUpperUs(size_t i) { return std::pow(1.2, static_cast<double>(i)); }

void Line(std::string& out, std::string_view name, const std::string& labels, double value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  char buf[32];
  std::snprintf(buf, sizeof buf, " %.17g\n", value);
  out += buf;
}

}  // namespace

void RouteMetrics::Request(features::Workload w, policy::Platform p, int status) {
  const size_t cls = status >= 200 && status < 600 ? static_cast<size_t>(status / 100 - 2) : 4;
  Add(requests_[static_cast<size_t>(w)][Idx(p)][cls]);
}

void RouteMetrics::Overhead(int64_t us) {
  const double v = static_cast<double>(std::max<int64_t>(us, 1));
  size_t b = static_cast<size_t>(std::ceil(std::log(v) / std::log(1.2)));
  if (b >= kOverheadBuckets) b = kOverheadBuckets - 1;
  Add(overhead_[b]);
  overhead_sum_us_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(us, 0)),
                             std::memory_order_relaxed);
  Add(overhead_count_);
}

void RouteMetrics::Upstream(double ms) {
  upstream_sum_us_.fetch_add(static_cast<uint64_t>(std::max(ms, 0.0) * 1000),
                             std::memory_order_relaxed);
  Add(upstream_count_);
}

double RouteMetrics::OverheadQuantileUs(double q) const {
  uint64_t total = 0;
  for (const auto& c : overhead_) total += c.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  const double rank = q * static_cast<double>(total);
  uint64_t seen = 0;
  for (size_t i = 0; i < kOverheadBuckets; ++i) {
    seen += overhead_[i].load(std::memory_order_relaxed);
    if (static_cast<double>(seen) >= rank) return BucketUpperUs(i);
  }
  return BucketUpperUs(kOverheadBuckets - 1);
}

std::string RouteMetrics::Render(int upstream_in_flight, uint64_t upstream_strays,
                                 uint64_t log_written, uint64_t log_dropped) const {
  std::string out;
  out +=
      "# HELP hybrid_router_route_requests_total Routed requests by workload, the platform "
      "that gave the answer, and its status class.\n# TYPE hybrid_router_route_requests_total "
      "counter\n";
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    for (size_t p = 0; p < 2; ++p) {
      for (size_t c = 0; c < std::size(kClasses); ++c) {
        const uint64_t v = requests_[static_cast<size_t>(w)][p][c].load();
        if (v == 0) continue;
        Line(out, "hybrid_router_route_requests_total",
             "workload=\"" + std::string(features::Name(static_cast<features::Workload>(w))) +
                 "\",platform=\"" + std::string(policy::Name(static_cast<policy::Platform>(p))) +
                 "\",status=\"" + std::string(kClasses[c]) + "\"",
             static_cast<double>(v));
      }
    }
  }
  out +=
      "# HELP hybrid_router_route_attempts_total Upstream attempts by platform and verdict.\n"
      "# TYPE hybrid_router_route_attempts_total counter\n";
  for (size_t p = 0; p < 2; ++p) {
    for (size_t v = 0; v < 4; ++v) {
      Line(out, "hybrid_router_route_attempts_total",
           "platform=\"" + std::string(policy::Name(static_cast<policy::Platform>(p))) +
               "\",verdict=\"" + std::string(Name(static_cast<Verdict>(v))) + "\"",
           static_cast<double>(attempts_[p][v].load()));
    }
  }
  out +=
      "# HELP hybrid_router_route_fallbacks_total Second attempts on the other platform, by "
      "the platform that failed.\n# TYPE hybrid_router_route_fallbacks_total counter\n";
  for (size_t p = 0; p < 2; ++p) {
    Line(out, "hybrid_router_route_fallbacks_total",
         "from=\"" + std::string(policy::Name(static_cast<policy::Platform>(p))) + "\"",
         static_cast<double>(fallbacks_[p].load()));
  }
  out +=
      "# HELP hybrid_router_route_fallbacks_denied_total Failed attempts not followed by a "
      "fallback, by reason.\n# TYPE hybrid_router_route_fallbacks_denied_total counter\n";
  for (size_t d = 0; d < std::size(kDenied); ++d) {
    Line(out, "hybrid_router_route_fallbacks_denied_total",
         "reason=\"" + std::string(kDenied[d]) + "\"", static_cast<double>(denied_[d].load()));
  }
  out +=
      "# HELP hybrid_router_route_breaker_transitions_total Circuit breaker state changes by "
      "platform and new state.\n# TYPE hybrid_router_route_breaker_transitions_total counter\n";
  for (size_t p = 0; p < 2; ++p) {
    for (size_t s = 0; s < 3; ++s) {
      Line(out, "hybrid_router_route_breaker_transitions_total",
           "platform=\"" + std::string(policy::Name(static_cast<policy::Platform>(p))) +
               "\",state=\"" + std::string(Name(static_cast<BreakerState>(s))) + "\"",
           static_cast<double>(breaker_[p][s].load()));
    }
  }
  out += "# TYPE hybrid_router_route_explored_total counter\n";
  Line(out, "hybrid_router_route_explored_total", "", static_cast<double>(explored_.load()));
  out +=
      "# HELP hybrid_router_route_spilled_total Requests sent to Lambda because the workload's "
      "ECS capacity was in use (policy spillover).\n"
      "# TYPE hybrid_router_route_spilled_total counter\n";
  for (size_t w = 0; w < spilled_.size(); ++w)
    Line(out, "hybrid_router_route_spilled_total",
         "workload=\"" + std::string(features::Name(static_cast<features::Workload>(w))) + "\"",
         static_cast<double>(spilled_[w].load()));
  out +=
      "# HELP hybrid_router_route_hedges_total Hedged attempts by the platform they went to, and "
      "how many of them answered first.\n"
      "# TYPE hybrid_router_route_hedges_total counter\n"
      "# TYPE hybrid_router_route_hedge_wins_total counter\n"
      "# HELP hybrid_router_route_hedge_losers_total Attempts of hedged requests that finished "
      "after the answer (or were cut off by shutdown), by platform; each ran and is billed.\n"
      "# TYPE hybrid_router_route_hedge_losers_total counter\n"
      "# HELP hybrid_router_route_hedge_loser_seconds_total Their time (Lambda's billed duration "
      "when reported), by platform.\n"
      "# TYPE hybrid_router_route_hedge_loser_seconds_total counter\n"
      "# HELP hybrid_router_route_resent_total Calls sent again on a new connection after a "
      "pooled connection broke before any answer (the first may have run), by platform.\n"
      "# TYPE hybrid_router_route_resent_total counter\n";
  for (size_t p = 0; p < 2; ++p) {
    const std::string label =
        "platform=\"" + std::string(policy::Name(static_cast<policy::Platform>(p))) + "\"";
    Line(out, "hybrid_router_route_hedges_total", label, static_cast<double>(hedges_[p].load()));
    Line(out, "hybrid_router_route_hedge_wins_total", label,
         static_cast<double>(hedge_wins_[p].load()));
    Line(out, "hybrid_router_route_hedge_losers_total", label,
         static_cast<double>(hedge_losers_[p].load()));
    Line(out, "hybrid_router_route_hedge_loser_seconds_total", label,
         static_cast<double>(hedge_loser_us_[p].load()) / 1e6);
    Line(out, "hybrid_router_route_resent_total", label, static_cast<double>(resent_[p].load()));
  }
  out +=
      "# HELP hybrid_router_route_prepared_off_loop_total Lambda calls whose body was large enough "
      "to have its proxy event and SigV4 payload hash made off the event loop.\n"
      "# TYPE hybrid_router_route_prepared_off_loop_total counter\n";
  Line(out, "hybrid_router_route_prepared_off_loop_total", "",
       static_cast<double>(prepared_off_loop_.load()));
  out +=
      "# HELP hybrid_router_route_throttled_total Answers that throttled a platform (429, or the "
      "ALB's 503), by platform.\n# TYPE hybrid_router_route_throttled_total counter\n"
      "# HELP hybrid_router_route_throttle_redirects_total Requests sent to the other platform "
      "because the placed one was throttled, by the throttled platform.\n"
      "# TYPE hybrid_router_route_throttle_redirects_total counter\n";
  for (size_t p = 0; p < 2; ++p) {
    const std::string label =
        "platform=\"" + std::string(policy::Name(static_cast<policy::Platform>(p))) + "\"";
    Line(out, "hybrid_router_route_throttled_total", label,
         static_cast<double>(throttled_[p].load()));
    Line(out, "hybrid_router_route_throttle_redirects_total", label,
         static_cast<double>(throttle_redirects_[p].load()));
  }
  out +=
      "# HELP hybrid_router_route_unknown_values_total Routed requests whose metadata named a "
      "value the router does not know (read as absent), by field.\n"
      "# TYPE hybrid_router_route_unknown_values_total counter\n";
  Line(out, "hybrid_router_route_unknown_values_total", "field=\"metadata.time_window\"",
       static_cast<double>(unknown_[0].load()));
  Line(out, "hybrid_router_route_unknown_values_total", "field=\"metadata.load_pattern\"",
       static_cast<double>(unknown_[1].load()));
  out += "# TYPE hybrid_router_route_refused_total counter\n";
  Line(out, "hybrid_router_route_refused_total", "", static_cast<double>(refused_.load()));
  out +=
      "# HELP hybrid_router_route_overhead_seconds The router's own time per request (the "
      "request's time in the router less its upstream transfers).\n"
      "# TYPE hybrid_router_route_overhead_seconds summary\n";
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    char label[32];
    std::snprintf(label, sizeof label, "quantile=\"%g\"", q);
    Line(out, "hybrid_router_route_overhead_seconds", label, OverheadQuantileUs(q) / 1e6);
  }
  Line(out, "hybrid_router_route_overhead_seconds_sum", "",
       static_cast<double>(overhead_sum_us_.load()) / 1e6);
  Line(out, "hybrid_router_route_overhead_seconds_count", "",
       static_cast<double>(overhead_count_.load()));
  out += "# TYPE hybrid_router_route_upstream_seconds summary\n";
  Line(out, "hybrid_router_route_upstream_seconds_sum", "",
       static_cast<double>(upstream_sum_us_.load()) / 1e6);
  Line(out, "hybrid_router_route_upstream_seconds_count", "",
       static_cast<double>(upstream_count_.load()));
  out += "# TYPE hybrid_router_route_upstream_in_flight gauge\n";
  Line(out, "hybrid_router_route_upstream_in_flight", "", upstream_in_flight);
  out +=
      "# HELP hybrid_router_route_upstream_stray_total Answers refused as another request's, and "
      "pooled connections closed for bytes nobody asked for.\n"
      "# TYPE hybrid_router_route_upstream_stray_total counter\n";
  Line(out, "hybrid_router_route_upstream_stray_total", "", static_cast<double>(upstream_strays));
  out += "# TYPE hybrid_router_route_outcome_lines_total counter\n";
  Line(out, "hybrid_router_route_outcome_lines_total", "written=\"true\"",
       static_cast<double>(log_written));
  Line(out, "hybrid_router_route_outcome_lines_total", "written=\"false\"",
       static_cast<double>(log_dropped));
  return out;
}

std::string RenderEcsCapacity(const std::array<int, features::kWorkloadCount>& share,
                              const std::array<int, features::kWorkloadCount>& in_flight,
                              const EcsCapacityWatch* watch) {
  std::ostringstream out;
  out << "# HELP hybrid_router_route_ecs_capacity This router's share of the workload's ECS "
         "capacity (requests at once; policy spillover).\n"
         "# TYPE hybrid_router_route_ecs_capacity gauge\n";
  for (size_t w = 0; w < share.size(); ++w)
    out << "hybrid_router_route_ecs_capacity{workload=\""
        << features::Name(static_cast<features::Workload>(w)) << "\"} " << share[w] << "\n";
  out << "# HELP hybrid_router_route_ecs_in_flight This router's requests at the workload's ECS "
         "service now.\n"
         "# TYPE hybrid_router_route_ecs_in_flight gauge\n";
  for (size_t w = 0; w < in_flight.size(); ++w)
    out << "hybrid_router_route_ecs_in_flight{workload=\""
        << features::Name(static_cast<features::Workload>(w)) << "\"} " << in_flight[w] << "\n";
  if (watch) {
    out << "# TYPE hybrid_router_route_ecs_capacity_polls_total counter\n"
        << "hybrid_router_route_ecs_capacity_polls_total " << watch->polls() << "\n"
        << "# TYPE hybrid_router_route_ecs_capacity_poll_failures_total counter\n"
        << "hybrid_router_route_ecs_capacity_poll_failures_total " << watch->failures() << "\n";
  }
  return out.str();
}

std::string RenderAwsCredentials(const aws::CredentialProvider& c) {
  std::ostringstream aws;
  aws << "# TYPE hybrid_router_aws_credentials_refreshes_total counter\n"
      << "hybrid_router_aws_credentials_refreshes_total " << c.refreshes() << "\n"
      << "# TYPE hybrid_router_aws_credentials_refresh_failures_total counter\n"
      << "hybrid_router_aws_credentials_refresh_failures_total " << c.refresh_failures()
      << "\n# HELP hybrid_router_aws_credentials_expiry_timestamp_seconds When the "
         "credentials in use expire (0: never).\n"
      << "# TYPE hybrid_router_aws_credentials_expiry_timestamp_seconds gauge\n"
      << "hybrid_router_aws_credentials_expiry_timestamp_seconds " << c.Current()->expires_unix_s
      << "\n";
  return aws.str();
}

std::string RenderLearner(const policy::Learner& l) {
  struct Family {
    const char* name;
    const char* type;
    const char* help;
  };
  constexpr std::array<Family, 4> kFamilies = {{
      {"hybrid_router_route_learned_factor", "gauge",
       "The adaptive policy's learned factor on the tables' response times (1: as tabled)."},
      {"hybrid_router_route_learned_records", "gauge",
       "Effective live outcomes behind the workload's learned factor (decayed)."},
      {"hybrid_router_route_learned_outcomes_total", "counter",
       "Completed attempts the adaptive policy learned from."},
      {"hybrid_router_route_drift_total", "counter",
       "Change alarms: the workload's cells on the platform forgot what they had learned."},
  }};
  std::array<std::array<policy::LearnedSummary, 2>, features::kWorkloadCount> s;
  for (size_t w = 0; w < s.size(); ++w)
    for (size_t p = 0; p < 2; ++p)
      s[w][p] = l.Summary(static_cast<features::Workload>(w), static_cast<policy::Platform>(p));
  std::ostringstream out;
  for (size_t f = 0; f < kFamilies.size(); ++f) {
    out << "# HELP " << kFamilies[f].name << ' ' << kFamilies[f].help << "\n# TYPE "
        << kFamilies[f].name << ' ' << kFamilies[f].type << '\n';
    for (size_t w = 0; w < s.size(); ++w)
      for (size_t p = 0; p < 2; ++p) {
        const policy::LearnedSummary& x = s[w][p];
        out << kFamilies[f].name << "{workload=\""
            << features::Name(static_cast<features::Workload>(w)) << "\",platform=\""
            << policy::Name(static_cast<policy::Platform>(p)) << "\"} ";
        if (f == 0) out << x.factor;
        if (f == 1) out << x.records;
        if (f == 2) out << x.outcomes;
        if (f == 3) out << x.drifts;
        out << '\n';
      }
  }
  return out.str();
}

}  // namespace hr::route
