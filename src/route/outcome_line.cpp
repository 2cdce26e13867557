#include "route/outcome_line.h"

namespace hr::route {

void DescribeDecision(RequestFacts& facts, const policy::PolicySpec& spec,
                      const policy::Placement& placed, const policy::Objective& objective,
                      std::string_view redirect_why, bool redirected) {
  facts.policy = policy::Name(spec);
  if (spec.uses_model())
    facts.objective = spec.kind == policy::PolicyKind::kModel &&
                              placed.objective == policy::ObjectiveKind::kClassifier
                          ? std::string(policy::Name(policy::ObjectiveKind::kClassifier))
                          : policy::Label(objective);
  facts.decision = policy::DecisionTag(spec, placed, facts.objective);
  if (!redirect_why.empty()) {
    facts.decision += ';';
    facts.decision += redirect_why;
  }
  facts.propensity = redirected ? 1 : placed.propensity;
  facts.source = policy::Name(placed.source);
  if (redirected) facts.source = redirect_why.starts_with("breaker") ? "breaker" : "no_target";
}

AttemptLine MakeAttemptLine(const RequestFacts& request, const AttemptFacts& attempt,
                            const upstream::UpstreamResult& r, Verdict v,
                            const aws::InvokeReport& report) {
  using upstream::Failure;
  AttemptLine line;
  line.request_id = request.request_id;
  line.platform = attempt.platform;
  line.workload = request.features.workload;
  line.timestamp = request.timestamp;
  line.http_status = r.failure == Failure::kNone      ? r.status
                     : r.failure == Failure::kTimeout ? 504
                                                      : 502;
  line.response_time_ms = r.total_ms;
  line.target_payload_kb = request.features.payload_kb;
  line.actual_payload_kb = request.actual_kb;
  line.time_window = request.features.time_window;
  line.load_pattern = request.features.load_pattern;
  if (r.failure == Failure::kNone) line.metrics = ReadAnswerMetrics(r.body);
  if (line.metrics.payload_size_kb) line.actual_payload_kb = *line.metrics.payload_size_kb;
  // What the Invoke API's REPORT line says fills what the function's answer left out.
  AnswerMetrics& m = line.metrics;
  if (!m.memory_limit_mb) m.memory_limit_mb = report.memory_size_mb;
  if (!m.memory_used_mb) m.memory_used_mb = report.max_memory_used_mb;
  if (!m.cold_start && report.billed_duration_ms)
    m.cold_start = report.init_duration_ms.has_value();
  line.report = report;
  line.hedge = attempt.hedge;
  line.decision = request.decision;
  line.policy = request.policy;
  line.objective = request.objective;
  line.propensity = request.propensity;
  line.source = attempt.fallback ? std::string_view("fallback") : request.source;
  line.model = request.model;
  line.fallback = attempt.fallback;
  line.attempt = attempt.attempt;
  line.outcome = std::string(Name(v));
  line.time_window_derived = request.time_window_derived;
  line.load_pattern_derived = request.load_pattern_derived;
  line.unknown = request.unknown;
  if (r.failure != Failure::kNone) {
    line.error = upstream::Name(r.failure);
    line.error += ": ";
    line.error += r.message;
  } else if (v != Verdict::kAnswered) {  // the platform's own refusal: its status and why
    line.error = "http_";
    line.error += std::to_string(r.status);
    for (const auto& [name, value] : r.headers) {
      if (name != "x-amzn-errortype") continue;
      line.error += ' ';
      line.error.append(value, 0, 128);
    }
    if (!r.message.empty()) {
      line.error += ": ";
      line.error += r.message;
    }
  }
  return line;
}

}  // namespace hr::route
