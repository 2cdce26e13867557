#include "report/audit_text.h"

#include <cstdio>
#include <optional>
#include <string>

#include "data/derive.h"
#include "json/json_writer.h"
#include "policy/decision.h"
#include "report/text.h"

namespace hr::report {

namespace {

std::string Opt(const std::optional<features::TimeWindow>& t) {
  return t ? std::string(features::Name(*t)) : "unknown";
}
std::string Opt(const std::optional<features::LoadPattern>& l) {
  return l ? std::string(features::Name(*l)) : "unknown";
}
const char* PlatformName(int p) { return p == 0 ? "lambda" : "ecs"; }

void WriteQuantiles(json::Writer& w, const data::Quantiles& q) {
  w.StartObject();
  json::Key(w, "n");
  w.Uint64(q.n);
  const std::pair<const char*, double> v[] = {{"mean", q.mean}, {"p50", q.p50}, {"p90", q.p90},
                                              {"p95", q.p95},   {"p99", q.p99}, {"max", q.max}};
  for (const auto& [k, x] : v) {
    json::Key(w, k);
    w.Double(x);
  }
  w.EndObject();
}

}  // namespace

std::string AuditJson(const data::Dataset& ds, const data::AuditReport& a, double ingest_ms) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "summary");
  w.StartObject();
  const std::pair<const char*, uint64_t> counts[] = {{"files", a.files},
                                                     {"lines", a.lines},
                                                     {"accepted", a.accepted},
                                                     {"rejected", a.rejected},
                                                     {"failed_requests", a.failed_requests}};
  for (const auto& [k, v] : counts) {
    json::Key(w, k);
    w.Uint64(v);
  }
  json::Key(w, "ingest_ms");
  w.Double(ingest_ms);
  if (a.routed.attempts > 0) {
    json::Key(w, "routed");
    w.StartObject();
    const std::pair<const char*, uint64_t> routed[] = {
        {"attempts", a.routed.attempts}, {"fallbacks", a.routed.fallbacks},
        {"answered", a.routed.answered}, {"not_run", a.routed.not_run},
        {"failed", a.routed.failed},     {"config_errors", a.routed.config_errors}};
    for (const auto& [k, v] : routed) {
      json::Key(w, k);
      w.Uint64(v);
    }
    w.EndObject();
  }
  if (ds.derived.any()) {  // fields an earlier campaign's lines lacked (data/derive.h)
    json::Key(w, "derived");
    w.StartObject();
    const std::pair<const char*, uint64_t> derived[] = {
        {"time_window_from_timestamp", ds.derived.time_window},
        {"load_pattern_from_arrivals", ds.derived.load_pattern},
        {"payload_from_actual_payload_size_kb", ds.derived.payload_actual},
        {"payload_from_metrics_payload_size_kb", ds.derived.payload_metrics}};
    for (const auto& [k, v] : derived) {
      json::Key(w, k);
      w.Uint64(v);
    }
    w.EndObject();
  }
  w.EndObject();

  json::Key(w, "findings");
  w.StartArray();
  for (const auto& f : a.findings) {
    w.StartObject();
    json::Key(w, "id");
    json::String(w, f.id);
    json::Key(w, "title");
    json::String(w, f.title);
    json::Key(w, "evidence");
    json::String(w, f.evidence);
    w.EndObject();
  }
  w.EndArray();

  json::Key(w, "rejections_by_reason");
  w.StartObject();
  for (const auto& [reason, n] : a.rejection_reasons) {
    json::Key(w, reason);
    w.Uint64(n);
  }
  w.EndObject();
  json::Key(w, "rejections");
  w.StartArray();
  for (const auto& r : ds.rejections) {
    w.StartObject();
    json::Key(w, "file");
    json::String(w, ds.files[r.file].path);
    json::Key(w, "line");
    w.Uint(r.line);
    json::Key(w, "reason");
    json::String(w, r.reason);
    w.EndObject();
  }
  w.EndArray();

  json::Key(w, "cells");
  w.StartArray();
  for (const auto& c : a.cells) {
    w.StartObject();
    json::Key(w, "workload_type");
    json::String(w, features::Name(c.workload));
    json::Key(w, "time_window");
    json::String(w, Opt(c.time_window));
    json::Key(w, "load_pattern");
    json::String(w, Opt(c.load_pattern));
    json::Key(w, "lambda");
    w.Uint(c.lambda);
    json::Key(w, "ecs");
    w.Uint(c.ecs);
    json::Key(w, "one_sided");
    w.Bool(c.lambda == 0 || c.ecs == 0);
    w.EndObject();
  }
  w.EndArray();

  json::Key(w, "latency_ms");
  w.StartObject();
  for (int p = 0; p < 2; ++p) {
    json::Key(w, PlatformName(p));
    w.StartObject();
    json::Key(w, "response_time");
    WriteQuantiles(w, a.response_ms[static_cast<size_t>(p)]);
    json::Key(w, "execution_time");
    WriteQuantiles(w, a.execution_ms[static_cast<size_t>(p)]);
    json::Key(w, "ceiling");
    w.StartObject();
    json::Key(w, "max_ms");
    w.Double(a.ceiling[static_cast<size_t>(p)].max_ms);
    json::Key(w, "top_band_share");
    w.Double(a.ceiling[static_cast<size_t>(p)].top_band_share);
    json::Key(w, "band_ratio");
    w.Double(a.ceiling[static_cast<size_t>(p)].band_ratio);
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();

  json::Key(w, "cold_starts");
  w.StartObject();
  json::Key(w, "lambda_records");
  w.Uint64(a.lambda_records);
  json::Key(w, "cold");
  w.Uint64(a.lambda_cold);
  json::Key(w, "share");
  w.Double(a.lambda_records
               ? static_cast<double>(a.lambda_cold) / static_cast<double>(a.lambda_records)
               : 0);
  w.EndObject();

  json::Key(w, "runs");
  w.StartArray();
  for (const auto& r : a.runs) {
    w.StartObject();
    json::Key(w, "time_window");
    json::String(w, Opt(r.time_window));
    json::Key(w, "load_pattern");
    json::String(w, Opt(r.load_pattern));
    json::Key(w, "duration_s");
    w.Double(r.duration_s);
    json::Key(w, "records");
    w.Uint(r.records);
    json::Key(w, "utc_hours");
    w.StartArray();
    for (int h : r.utc_hours) w.Int(h);
    w.EndArray();
    json::Key(w, "time_window_mismatch");
    w.Uint(r.window_mismatch);
    json::Key(w, "groups");
    w.StartArray();
    for (const auto& g : r.groups) {
      w.StartObject();
      json::Key(w, "workload_type");
      json::String(w, features::Name(g.workload));
      json::Key(w, "platform");
      json::String(w, policy::Name(g.platform));
      json::Key(w, "logged");
      w.Uint(g.logged);
      json::Key(w, "expected_sent");
      w.Double(g.expected_sent);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  json::Key(w, "logged_share");
  w.Double(a.logged_share);
  json::Key(w, "schedules");
  json::String(w, a.schedules);

  json::Key(w, "constant_features");
  w.StartObject();
  for (const auto& c : a.constant_features) {
    json::Key(w, c.name);
    w.Double(c.value);
  }
  w.EndObject();
  json::Key(w, "distinct_hours");
  w.Int(a.distinct_hours);
  json::Key(w, "time_window_mismatch");
  w.StartObject();
  json::Key(w, "checked");
  w.Uint64(a.window_checked);
  json::Key(w, "mismatched");
  w.Uint64(a.window_mismatch);
  w.EndObject();

  json::Key(w, "lambda_memory_mb");
  w.StartArray();
  for (const auto& m : a.memory) {
    w.StartObject();
    json::Key(w, "workload_type");
    json::String(w, features::Name(m.workload));
    json::Key(w, "logged_limit");
    w.StartArray();
    for (double v : m.logged_limits_mb) w.Double(v);
    w.EndArray();
    json::Key(w, "feature");
    w.Int(m.feature_memory_mb);
    w.EndObject();
  }
  w.EndArray();

  json::Key(w, "ecs_cost");
  w.StartArray();
  for (const auto& c : a.cost) {
    w.StartObject();
    json::Key(w, "workload_type");
    json::String(w, features::Name(c.workload));
    json::Key(w, "requests");
    w.Uint(c.ecs_requests);
    json::Key(w, "task_hours");
    w.Double(c.task_hours);
    json::Key(w, "prorated_mean_usd");
    w.Double(c.prorated_mean_usd);
    json::Key(w, "provisioned_per_request_usd");
    w.Double(c.provisioned_per_request_usd);
    w.EndObject();
  }
  w.EndArray();

  json::Key(w, "label_ceiling");
  w.StartObject();
  json::Key(w, "labelled");
  w.Uint64(a.labelled);
  json::Key(w, "cells");
  w.Uint64(a.label_cells);
  json::Key(w, "majority_accuracy");
  w.Double(a.label_ceiling_accuracy);
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + '\n';
}

std::string AuditTable(const data::Dataset& ds, const data::AuditReport& a, double ingest_ms,
                       size_t show_rejections) {
  std::string out;
  Appendf(out,
          "== Input\n%llu files, %llu lines: %llu accepted, %llu rejected (%llu failed requests)"
          " - read in %.0f ms\n",
          static_cast<unsigned long long>(a.files), static_cast<unsigned long long>(a.lines),
          static_cast<unsigned long long>(a.accepted), static_cast<unsigned long long>(a.rejected),
          static_cast<unsigned long long>(a.failed_requests), ingest_ms);
  if (a.routed.attempts > 0) {
    Appendf(out,
            "Router attempts: %llu (%llu fallbacks); answered %llu, not run %llu, failed %llu, "
            "configuration errors %llu\n",
            static_cast<unsigned long long>(a.routed.attempts),
            static_cast<unsigned long long>(a.routed.fallbacks),
            static_cast<unsigned long long>(a.routed.answered),
            static_cast<unsigned long long>(a.routed.not_run),
            static_cast<unsigned long long>(a.routed.failed),
            static_cast<unsigned long long>(a.routed.config_errors));
  }
  if (ds.derived.any())
    out += "Derived (the lines lacked them, see docs/train-audit.md): " +
           data::DerivedSummary(ds.derived) + "\n";
  for (const auto& [reason, n] : a.rejection_reasons) {
    Appendf(out, "  %7llu  %s\n", static_cast<unsigned long long>(n), reason.c_str());
  }
  size_t shown = 0;
  for (const auto& r : ds.rejections) {
    if (shown == show_rejections) break;
    ++shown;
    Appendf(out, "  %s:%u: %s\n", ds.files[r.file].path.c_str(), r.line, r.reason.c_str());
  }
  if (ds.rejected > shown) {
    Appendf(out,
            "  ... and %llu more rejected lines (counted by reason above; --json lists the first "
            "%zu)\n",
            static_cast<unsigned long long>(ds.rejected - shown), ds.rejections.size());
  }

  Appendf(out, "\n== Findings\n");
  if (a.findings.empty()) Appendf(out, "  none\n");
  for (const auto& f : a.findings) {
    Appendf(out, "* [%s] %s\n    %s\n", f.id.c_str(), f.title.c_str(), f.evidence.c_str());
  }

  Appendf(out, "\n== Records per cell (lambda / ecs)\n%-14s %-12s %-21s %8s %8s\n", "time_window",
          "load_pattern", "workload_type", "lambda", "ecs");
  for (const auto& c : a.cells) {
    Appendf(out, "%-14s %-12s %-21s %8u %8u%s\n", Opt(c.time_window).c_str(),
            Opt(c.load_pattern).c_str(), std::string(features::Name(c.workload)).c_str(), c.lambda,
            c.ecs,
            c.lambda == 0 || c.ecs == 0                      ? "  ONE-SIDED"
            : (c.ecs * 5 < c.lambda || c.lambda * 5 < c.ecs) ? "  thin"
                                                             : "");
  }

  Appendf(out, "\n== Latency (ms)\n%-8s %-10s %7s %8s %8s %8s %8s %8s %8s\n", "platform", "measure",
          "n", "mean", "p50", "p90", "p95", "p99", "max");
  for (int p = 0; p < 2; ++p) {
    for (int m = 0; m < 2; ++m) {
      const auto& q =
          m == 0 ? a.response_ms[static_cast<size_t>(p)] : a.execution_ms[static_cast<size_t>(p)];
      Appendf(out, "%-8s %-10s %7llu %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f\n", PlatformName(p),
              m == 0 ? "response" : "execution", static_cast<unsigned long long>(q.n), q.mean,
              q.p50, q.p90, q.p95, q.p99, q.max);
    }
  }
  Appendf(out, "Lambda cold starts: %llu of %llu (%.2f%%)\n",
          static_cast<unsigned long long>(a.lambda_cold),
          static_cast<unsigned long long>(a.lambda_records),
          a.lambda_records
              ? 100.0 * static_cast<double>(a.lambda_cold) / static_cast<double>(a.lambda_records)
              : 0);

  Appendf(out,
          "\n== Runs: logged vs sent (sent: from the load schedules; one schedule may span two "
          "folders)\n");
  Appendf(out, "%-14s %-12s %6s %-10s %-21s %8s %8s %7s\n", "time_window", "load_pattern", "min",
          "UTC hours", "workload_type", "lambda", "ecs", "sent");
  for (const auto& r : a.runs) {
    std::string hours;
    for (int h : r.utc_hours) {
      if (!hours.empty()) hours += ',';
      hours += std::to_string(h);
    }
    char minutes[16];
    std::snprintf(minutes, sizeof minutes, "%.1f", r.duration_s / 60);
    for (int w = 0; w < features::kWorkloadCount; ++w) {
      const auto& l = r.groups[static_cast<size_t>(w) * 2];
      const auto& e = r.groups[static_cast<size_t>(w) * 2 + 1];
      Appendf(out, "%-14s %-12s %6s %-10s %-21s %7.0f%% %7.0f%% %7.0f\n",
              w == 0 ? Opt(r.time_window).c_str() : "", w == 0 ? Opt(r.load_pattern).c_str() : "",
              w == 0 ? minutes : "", w == 0 ? hours.c_str() : "",
              std::string(features::Name(l.workload)).c_str(),
              l.expected_sent > 0 ? 100 * l.logged / l.expected_sent : 0,
              e.expected_sent > 0 ? 100 * e.logged / e.expected_sent : 0, l.expected_sent);
    }
  }
  Appendf(out, "Overall logged share: %.1f%% (sent: %s)\n", a.logged_share * 100,
          a.schedules.c_str());

  Appendf(out, "\n== Features\nconstant:");
  for (const auto& c : a.constant_features) Appendf(out, " %s=%g", c.name.c_str(), c.value);
  Appendf(
      out,
      "%s\ndistinct hours of day: %d of 24\ntime_window contradicted by the timestamp's hour: %llu "
      "of %llu\n",
      a.constant_features.empty() ? " none" : "", a.distinct_hours,
      static_cast<unsigned long long>(a.window_mismatch),
      static_cast<unsigned long long>(a.window_checked));
  Appendf(out, "\n== Lambda memory (MB): logged limit vs seed-v1 feature\n");
  for (const auto& m : a.memory) {
    std::string logged;
    bool mismatch = false;
    for (double v : m.logged_limits_mb) {
      if (!logged.empty()) logged += ',';
      logged += std::to_string(static_cast<int>(v));
      mismatch = mismatch || v != m.feature_memory_mb;
    }
    Appendf(out, "%-21s %10s %6d%s\n", std::string(features::Name(m.workload)).c_str(),
            logged.c_str(), m.feature_memory_mb, mismatch ? "  MISMATCH" : "");
  }
  Appendf(
      out,
      "\n== ECS cost per request (seed prices): pro-rated vs provisioned (1 task per service)\n");
  for (const auto& c : a.cost) {
    Appendf(out, "%-21s %7u req %7.2f task-h  pro-rated $%.3g  provisioned $%.3g  (%.1fx)\n",
            std::string(features::Name(c.workload)).c_str(), c.ecs_requests, c.task_hours,
            c.prorated_mean_usd, c.provisioned_per_request_usd,
            c.provisioned_per_request_usd / c.prorated_mean_usd);
  }
  Appendf(out,
          "\n== Label ceiling (seed-balanced)\n%llu labelled records in %llu feature cells; "
          "per-cell majority accuracy %.4f\n",
          static_cast<unsigned long long>(a.labelled),
          static_cast<unsigned long long>(a.label_cells), a.label_ceiling_accuracy);
  return out;
}

}  // namespace hr::report
