#include "report/evaluation_text.h"

#include <cstdio>
#include <string>

#include "json/json_writer.h"
#include "report/html_report.h"
#include "report/text.h"

namespace hr::report {

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
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + '\n';
}

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
  Appendf(out, "%-15s %7s %14s %7s %7s %7s %14s %10s %10s %8s %8s\n", "policy", "lambda",
          "resp mean ms", "p50", "p95", "p99", "$/1M prorated", "deployed", "provision", "save lat",
          "save $");
  for (const auto& p : r.policies) {
    Appendf(out,
            "%-15s %6.1f%% %8.0f+-%-4.0f %7.0f %7.0f %7.0f %8.2f+-%-4.2f %10.2f %10.2f %7.1f%% "
            "%7.1f%%\n",
            p.policy.c_str(), p.lambda_share.mean * 100, p.response_mean.mean, p.response_mean.ci95,
            p.response_p50.mean, p.response_p95.mean, p.response_p99.mean,
            p.cost_per_million[0].mean, p.cost_per_million[0].ci95, p.cost_per_million[1].mean,
            p.cost_per_million[2].mean, p.latency_savings * 100, p.cost_savings[0] * 100);
  }
  Appendf(out,
          "\nsave lat / save $: against the better single platform for that measure (seed-prorated "
          "cost);"
          " +-: 95%% interval over the draws.\n\n%s\n",
          Conclusion(r).c_str());
  return out;
}

}  // namespace hr::report
