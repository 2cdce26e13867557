#include "report/evaluation_text.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "json/json_writer.h"
#include "modelfile/provenance.h"
#include "report/html_report.h"
#include "report/text.h"

namespace hr::report {

namespace {

// "objectives": every objective's value, saving, regret and gap closed for one policy.
void WriteScores(json::Writer& w, const eval::PolicyResult& p) {
  json::Key(w, "objectives");
  w.StartObject();
  for (const auto& sc : p.scores) {
    json::Key(w, sc.objective);
    w.StartObject();
    json::Key(w, "value");
    json::Double(w, sc.value.mean);
    json::Key(w, "value_ci95");
    json::Double(w, sc.value.ci95);
    json::Key(w, "saving");
    json::Double(w, sc.saving.mean);
    json::Key(w, "saving_ci95");
    json::Double(w, sc.saving.ci95);
    json::Key(w, "saving_share");
    json::Double(w, sc.saving_share);
    json::Key(w, "regret");
    json::Double(w, sc.regret);
    json::Key(w, "gap_closed");
    if (sc.gap_closed) {
      json::Double(w, *sc.gap_closed);
    } else {
      w.Null();  // n/a: the gap is under 1 % of the objective
    }
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string EvaluationJson(const eval::Evaluation& e, const eval::ReplayConfig& replay) {
  const eval::ReplayResult& r = e.result;
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "method");
  w.StartObject();
  json::Key(w, "mode");
  json::String(w, e.mode);
  json::Key(w, "in_sample");
  w.Bool(e.in_sample);
  json::Key(w, "held_out");
  json::String(w, e.held_out);
  json::Key(w, "data_fingerprint");
  json::String(w, modelfile::FingerprintText(e.data_fingerprint));
  json::Key(w, "draws");
  w.Int(replay.draws);
  json::Key(w, "seed");
  w.Uint64(replay.seed);
  json::Key(w, "requests");
  w.Uint64(r.items);
  json::Key(w, "fallbacks");
  w.Uint64(r.fallbacks);
  json::Key(w, "coarse_fallbacks");
  w.Uint64(r.coarse_fallbacks);
  json::Key(w, "draws_made");
  w.Uint64(r.draws_made);
  json::Key(w, "seconds");
  json::Double(w, e.seconds);
  w.EndObject();
  json::Key(w, "policies");
  w.StartArray();
  for (const auto& p : r.policies) {
    w.StartObject();
    json::Key(w, "policy");
    json::String(w, p.policy);
    json::Key(w, "in_sample");
    w.Bool(p.in_sample);
    if (p.bound) {
      json::Key(w, "bound");
      json::String(w, "unattainable: per request, the faster of two independent draws");
    }
    json::Key(w, "lambda_share");
    json::Double(w, p.lambda_share.mean);
    json::Key(w, "lambda_share_by_workload");
    w.StartObject();
    for (int k = 0; k < features::kWorkloadCount; ++k) {
      json::Key(w, features::Name(static_cast<features::Workload>(k)));
      json::Double(w, p.lambda_share_by_workload[static_cast<size_t>(k)].mean);
    }
    w.EndObject();
    json::Key(w, "response_time_ms");
    w.StartObject();
    const std::pair<const char*, eval::Stat> rt[] = {{"mean", p.response_mean},
                                                     {"p50", p.response_p50},
                                                     {"p95", p.response_p95},
                                                     {"p99", p.response_p99}};
    for (const auto& [k, s] : rt) {
      json::Key(w, k);
      json::Double(w, s.mean);
    }
    json::Key(w, "mean_ci95");
    json::Double(w, p.response_mean.ci95);
    w.EndObject();
    json::Key(w, "execution_time_ms_mean");
    json::Double(w, p.execution_mean.mean);
    json::Key(w, "cold_starts");
    json::Double(w, p.cold_starts.mean);
    json::Key(w, "cost_per_million_usd");
    w.StartObject();
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, cost::Name(cost::kCostModels[c]));
      json::Double(w, p.cost_per_million[c].mean);
    }
    w.EndObject();
    json::Key(w, "cost_per_million_ci95_usd");
    w.StartObject();
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, cost::Name(cost::kCostModels[c]));
      json::Double(w, p.cost_per_million[c].ci95);
    }
    w.EndObject();
    json::Key(w, "savings_vs_best_single_platform");
    w.StartObject();
    json::Key(w, "response_time");
    json::Double(w, p.latency_savings);
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, cost::Name(cost::kCostModels[c]));
      json::Double(w, p.cost_savings[c]);
    }
    w.EndObject();
    json::Key(w, "regret_vs_oracle");
    w.StartObject();
    json::Key(w, "response_time_ms");
    json::Double(w, p.latency_regret_ms);
    for (size_t c = 0; c < 3; ++c) {
      json::Key(w, cost::Name(cost::kCostModels[c]));
      json::Double(w, p.cost_regret_per_million[c]);
    }
    w.EndObject();
    json::Key(w, "gap_closed");
    w.StartObject();
    json::Key(w, "response_time");
    json::Double(w, p.latency_gap_closed);
    json::Key(w, "seed-prorated");
    json::Double(w, p.cost_gap_closed);
    w.EndObject();
    // Every objective, against its own oracle.
    WriteScores(w, p);
    w.EndObject();
  }
  w.EndArray();
  if (e.censoring) {
    const eval::CensoringCheck& c = *e.censoring;
    json::Key(w, "censoring");
    w.StartObject();
    json::Key(w, "timeouts_added");
    w.Uint64(c.added);
    json::Key(w, "client_cap_ms");
    json::Double(w, c.cap_ms);
    json::Key(w, "cells_on_both_platforms");
    w.Uint64(c.cells);
    json::Key(w, "latency_oracle_cells_flipped");
    w.Uint64(c.flipped);
    json::Key(w, "policies");
    w.StartArray();
    for (const auto& p : c.result.policies) {
      w.StartObject();
      json::Key(w, "policy");
      json::String(w, p.policy);
      json::Key(w, "in_sample");
      w.Bool(p.in_sample);
      WriteScores(w, p);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + '\n';
}

namespace {

// One line per scored objective: the better single platform, the objective policy, the share of
// the gap to the oracle it closes, the classifier's share, the oracle.
void AppendObjectiveTable(std::string& out, const eval::ReplayResult& r) {
  const auto find = [&](const std::string& name) { return eval::FindPolicy(r, name); };
  const eval::PolicyResult* lam = find("lambda-only");
  const eval::PolicyResult* ecs = find("ecs-only");
  const eval::PolicyResult* clf = find("model");
  if (!lam || !ecs || lam->scores.empty()) return;
  auto gap = [](const eval::ObjectiveScore* s) {
    char b[32];
    if (!s) return std::string("-");
    if (!s->gap_closed) return std::string("n/a");
    std::snprintf(b, sizeof b, "%.1f%%", *s->gap_closed * 100);
    return std::string(b);
  };
  Appendf(out,
          "Per objective (out of sample; ms, or USD per 1M requests), against the better single "
          "platform and the objective's own in-sample oracle:\n%-46s %-22s %22s %9s %10s %12s\n",
          "objective", "better single", "objective policy", "gap", "classifier", "oracle");
  for (const auto& sc : lam->scores) {
    const auto* ls = lam->Score(sc.objective);
    const auto* es = ecs->Score(sc.objective);
    const bool lambda_best = ls->value.mean <= es->value.mean;
    const bool ms = sc.objective == "latency" || sc.objective == "p95";
    const char* fmt = ms ? "%.0f" : "%.3f";
    char best[64], pol[96] = "-", orc[32] = "-";
    std::snprintf(best, sizeof best, "%s ", lambda_best ? "lambda-only" : "ecs-only");
    std::string b = best;
    char v[32];
    std::snprintf(v, sizeof v, fmt, (lambda_best ? ls : es)->value.mean);
    b += v;
    const auto* obj = find("objective:" + sc.objective);
    const eval::ObjectiveScore* os = obj ? obj->Score(sc.objective) : nullptr;
    if (os) {
      char a[32], c[32];
      std::snprintf(a, sizeof a, fmt, os->value.mean);
      std::snprintf(c, sizeof c, fmt, os->saving.ci95);
      std::snprintf(pol, sizeof pol, "%s (+-%s)", a, c);
    }
    for (const auto& p : r.policies) {
      const auto* x = p.Score(sc.objective);
      if (p.in_sample && x && x->regret == 0) std::snprintf(orc, sizeof orc, fmt, x->value.mean);
    }
    Appendf(out, "%-46s %-22s %22s %9s %10s %12s\n", sc.objective.c_str(), b.c_str(), pol,
            gap(os).c_str(), gap(clf ? clf->Score(sc.objective) : nullptr).c_str(), orc);
  }
  Appendf(out,
          "gap: share of the better-single-platform-to-oracle gap closed (n/a: that gap is under "
          "1%% of the objective); +-: 95%% interval of the saving, paired draw by draw.\n");
}

}  // namespace

std::string EvaluationTable(const eval::Evaluation& e, const eval::ReplayConfig& replay, bool csv) {
  const eval::ReplayResult& r = e.result;
  std::string out;
  if (csv) {
    Appendf(out,
            "policy,lambda_share,response_mean_ms,response_p50_ms,response_p95_ms,response_p99_ms,"
            "execution_mean_ms,cold_starts,cost_seed_prorated,cost_seed_prorated_deployed_memory,"
            "cost_provisioned,latency_savings,cost_savings_seed_prorated,latency_regret_ms,"
            "cost_regret_seed_prorated\n");
    for (const auto& p : r.policies) {
      Appendf(out, "%s,%.6f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.6f\n",
              p.policy.c_str(), p.lambda_share.mean, p.response_mean.mean, p.response_p50.mean,
              p.response_p95.mean, p.response_p99.mean, p.execution_mean.mean, p.cold_starts.mean,
              p.cost_per_million[0].mean, p.cost_per_million[1].mean, p.cost_per_million[2].mean,
              p.latency_savings, p.cost_savings[0], p.latency_regret_ms,
              p.cost_regret_per_million[0]);
    }
    return out;
  }
  Appendf(
      out,
      "Counterfactual replay: %s; %llu requests x %d draws (seed %llu); %llu of %llu draws fell "
      "back "
      "to (workload, payload), %llu to the workload alone; %.1f s\n\n",
      e.mode.c_str(), static_cast<unsigned long long>(r.items), replay.draws,
      static_cast<unsigned long long>(replay.seed), static_cast<unsigned long long>(r.fallbacks),
      static_cast<unsigned long long>(r.draws_made),
      static_cast<unsigned long long>(r.coarse_fallbacks), e.seconds);
  int width = 15;
  for (const auto& p : r.policies) width = std::max(width, static_cast<int>(p.policy.size()) + 4);
  Appendf(out, "%-*s %7s %14s %7s %7s %7s %14s %10s %10s %8s %8s\n", width, "policy", "lambda",
          "resp mean ms", "p50", "p95", "p99", "$/1M prorated", "deployed", "provision", "save lat",
          "save $");
  for (const auto& p : r.policies) {
    const std::string name = p.policy + (p.in_sample ? " (i)" : p.bound ? " (b)" : "");
    Appendf(out,
            "%-*s %6.1f%% %8.0f+-%-4.0f %7.0f %7.0f %7.0f %8.2f+-%-4.2f %10.2f %10.2f %7.1f%% "
            "%7.1f%%\n",
            width, name.c_str(), p.lambda_share.mean * 100, p.response_mean.mean,
            p.response_mean.ci95, p.response_p50.mean, p.response_p95.mean, p.response_p99.mean,
            p.cost_per_million[0].mean, p.cost_per_million[0].ci95, p.cost_per_million[1].mean,
            p.cost_per_million[2].mean, p.latency_savings * 100, p.cost_savings[0] * 100);
  }
  Appendf(out,
          "\nsave lat / save $: against the better single platform for that measure (seed-prorated "
          "cost);"
          " +-: 95%% interval over the draws; (i) in-sample oracle; (b) unattainable bound (per "
          "request the faster of two independent draws).\n\n");
  AppendObjectiveTable(out, r);
  if (e.censoring) {
    const eval::CensoringCheck& c = *e.censoring;
    Appendf(out,
            "\nWith the %llu requests the schedules sent but nobody logged counted as timeouts at "
            "%.0f ms (the latency oracle's choice flips in %llu of %llu cells):\n",
            static_cast<unsigned long long>(c.added), c.cap_ms,
            static_cast<unsigned long long>(c.flipped), static_cast<unsigned long long>(c.cells));
    AppendObjectiveTable(out, c.result);
  }
  Appendf(out, "\n%s\n", Conclusion(r).c_str());
  return out;
}

}  // namespace hr::report
