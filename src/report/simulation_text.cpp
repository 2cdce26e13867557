#include "report/simulation_text.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "json/json_writer.h"

namespace hr::report {

namespace {

std::string Fmt(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Money(double usd) {
  return usd >= 100 ? Fmt("%.0f", usd) : usd >= 1 ? Fmt("%.2f", usd) : Fmt("%.4g", usd);
}

void Num(json::Writer& w, const char* key, double v) {
  json::Key(w, key);
  json::Double(w, v);
}

void Count(json::Writer& w, const char* key, uint64_t v) {
  json::Key(w, key);
  w.Uint64(v);
}

void ResponseTimes(json::Writer& w, const sim::Quantiles& s) {
  json::Key(w, "response_time_ms");
  w.StartObject();
  Num(w, "mean", s.mean);
  Num(w, "p50", s.p50);
  Num(w, "p95", s.p95);
  Num(w, "p99", s.p99);
  Num(w, "max", s.max);
  w.EndObject();
}

void WritePart(json::Writer& w, const sim::SimResult::Part& p) {
  w.StartObject();
  json::Key(w, "workload");
  json::String(w, features::Name(p.workload));
  json::Key(w, "policy");
  json::String(w, p.policy);
  Count(w, "ecs_tasks_max", static_cast<uint64_t>(p.ecs_tasks_max));
  Count(w, "requests", p.requests);
  Count(w, "lambda_requests", p.lambda_requests);
  Count(w, "ecs_requests", p.ecs_requests);
  Count(w, "spilled", p.spilled);
  ResponseTimes(w, p.response_ms);
  json::Key(w, "cost_usd");
  w.StartObject();
  Num(w, "total", p.cost_usd);
  Num(w, "per_day", p.cost_per_day);
  w.EndObject();
  w.EndObject();
}

void WriteResult(json::Writer& w, const sim::SimResult& r) {
  w.StartObject();
  json::Key(w, "policy");
  json::String(w, r.policy);
  Num(w, "rate", r.rate);
  Num(w, "duration_s", r.duration_s);
  Num(w, "window_s", r.window_s);
  Num(w, "end_s", r.end_s);
  Count(w, "requests", r.requests);
  Count(w, "requests_total", r.requests_total);
  Count(w, "throttled", r.throttled);
  Count(w, "fallbacks", r.fallbacks);
  Count(w, "spilled", r.spilled);
  ResponseTimes(w, r.response_ms);
  json::Key(w, "lambda");
  w.StartObject();
  Count(w, "requests", r.lambda_requests);
  Count(w, "cold_starts", r.lambda.cold_starts);
  Num(w, "cold_start_probability", r.lambda.cold_start_probability);
  json::Key(w, "instances");
  w.StartObject();
  Num(w, "mean", r.lambda.instances_mean);
  Num(w, "running_mean", r.lambda.running_mean);
  Num(w, "idle_mean", r.lambda.idle_mean);
  w.EndObject();
  w.EndObject();
  json::Key(w, "ecs");
  w.StartObject();
  Count(w, "requests", r.ecs_requests);
  Num(w, "wait_probability", r.ecs.wait_probability);
  json::Key(w, "wait_ms");
  w.StartObject();
  Num(w, "mean", r.ecs.wait_ms_mean);
  w.EndObject();
  Count(w, "timeouts", r.ecs.timeouts);
  Count(w, "refused", r.ecs.refused);
  json::Key(w, "tasks");
  w.StartObject();
  Num(w, "mean", r.ecs.tasks_mean);
  Num(w, "running_mean", r.ecs.running_tasks_mean);
  Num(w, "max", r.ecs.tasks_max);
  w.EndObject();
  Num(w, "utilisation", r.ecs.utilisation);
  json::Key(w, "scaling");
  w.StartArray();
  for (const auto& [workload, s] : r.ecs.scaling) {
    w.StartObject();
    json::Key(w, "workload");
    json::String(w, features::Name(static_cast<features::Workload>(workload)));
    Num(w, "t_s", s.t_s);
    Count(w, "from", static_cast<uint64_t>(s.from));
    Count(w, "to", static_cast<uint64_t>(s.to));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  json::Key(w, "workloads");
  w.StartArray();
  for (const sim::SimResult::Part& p : r.workloads) WritePart(w, p);
  w.EndArray();
  json::Key(w, "cost_usd");
  w.StartObject();
  Num(w, "lambda", r.cost_usd.lambda);
  Num(w, "ecs", r.cost_usd.ecs);
  Num(w, "api_gateway", r.cost_usd.api_gateway);
  Num(w, "alb", r.cost_usd.alb);
  Num(w, "total", r.cost_usd.total);
  Num(w, "per_million_requests", r.cost_usd.per_million);
  Num(w, "per_day", r.cost_usd.per_day);
  w.EndObject();
  if (!r.phases.empty()) {
    json::Key(w, "phases");
    w.StartArray();
    for (const sim::SimResult::Phase& ph : r.phases) {
      w.StartObject();
      Num(w, "from_s", ph.from_s);
      Num(w, "until_s", ph.until_s);
      Count(w, "requests", ph.requests);
      json::Key(w, "response_time_ms");
      w.StartObject();
      Num(w, "mean", ph.response_ms_mean);
      w.EndObject();
      json::Key(w, "oracle_response_time_ms");
      w.StartObject();
      Num(w, "mean", ph.oracle_ms_mean);
      w.EndObject();
      Num(w, "regret_ms", ph.regret_ms);
      w.EndObject();
    }
    w.EndArray();
    json::Key(w, "drift_events");
    w.StartArray();
    for (const sim::SimResult::DriftAlarm& d : r.drift_events) {
      w.StartObject();
      Num(w, "at_s", d.at_s);
      json::Key(w, "platform");
      json::String(w, features::Name(d.platform));
      json::Key(w, "workload");
      json::String(w, features::Name(d.workload));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

std::string SimulationTable(const sim::SimResult& r) {
  std::string t;
  t += "policy " + r.policy + ": " + Fmt("%.4g", r.rate) + " requests/s for " +
       Fmt("%.0f", r.duration_s) + " s; " + std::to_string(r.requests) +
       " requests in the statistics";
  t += r.window_s < r.duration_s
           ? " (after " + Fmt("%.0f", r.duration_s - r.window_s) + " s warm-up)\n"
           : "\n";
  t += "response time ms   mean " + Fmt("%.1f", r.response_ms.mean) + "   p50 " +
       Fmt("%.1f", r.response_ms.p50) + "   p95 " + Fmt("%.1f", r.response_ms.p95) + "   p99 " +
       Fmt("%.1f", r.response_ms.p99) + "   max " + Fmt("%.1f", r.response_ms.max) + "\n";
  t += "lambda  " + std::to_string(r.lambda_requests) + " requests, " +
       std::to_string(r.lambda.cold_starts) + " cold starts (" +
       Fmt("%.3f%%", r.lambda.cold_start_probability * 100) + "); instances mean " +
       Fmt("%.2f", r.lambda.instances_mean) + " (running " + Fmt("%.2f", r.lambda.running_mean) +
       ", idle " + Fmt("%.2f", r.lambda.idle_mean) + ")";
  if (r.spilled) t += "; " + std::to_string(r.spilled) + " spilled over from a full ECS";
  if (r.throttled)
    t += "; throttled " + std::to_string(r.throttled) + " (" + std::to_string(r.fallbacks) +
         " served by ECS)";
  t += "\n";
  t += "ecs     " + std::to_string(r.ecs_requests) + " requests, " +
       Fmt("%.1f%%", r.ecs.wait_probability * 100) + " waited (mean wait " +
       Fmt("%.1f", r.ecs.wait_ms_mean) + " ms over all served), " + std::to_string(r.ecs.timeouts) +
       " timed out, " + std::to_string(r.ecs.refused) + " refused at the queue limit; tasks mean " +
       Fmt("%.2f", r.ecs.tasks_mean) + " (max " + std::to_string(r.ecs.tasks_max) +
       "), slot utilisation " + Fmt("%.1f%%", r.ecs.utilisation * 100) + ", " +
       std::to_string(r.ecs.scaling.size()) + " scaling steps\n";
  t += "cost USD  lambda " + Money(r.cost_usd.lambda) + "  ecs " + Money(r.cost_usd.ecs);
  if (r.cost_usd.api_gateway > 0) t += "  api-gateway " + Money(r.cost_usd.api_gateway);
  if (r.cost_usd.alb > 0) t += "  alb " + Money(r.cost_usd.alb);
  t += "  total " + Money(r.cost_usd.total) + " = " + Money(r.cost_usd.per_million) +
       " per 1M requests, " + Money(r.cost_usd.per_day) + " per day\n";
  // A policy per workload: each workload's part.
  const bool by_workload = std::any_of(r.workloads.begin(), r.workloads.end(),
                                       [&](const auto& p) { return p.policy != r.policy; });
  for (const sim::SimResult::Part& p : r.workloads)
    if (by_workload)
      t += std::string(features::Name(p.workload))
               .append(" (")
               .append(p.policy)
               .append("): ")
               .append(std::to_string(p.requests))
               .append(" requests, ")
               .append(std::to_string(p.lambda_requests))
               .append(" on Lambda, p95 ")
               .append(Fmt("%.1f", p.response_ms.p95))
               .append(" ms, cost USD ")
               .append(Money(p.cost_usd))
               .append(" = ")
               .append(Money(p.cost_per_day))
               .append(" per day\n");
  t += PhasesText(r);
  if (!r.phases.empty())
    t += std::to_string(r.drift_events.size()) + " change alarms of the adaptive policy\n";
  return t;
}

std::string PhasesText(const sim::SimResult& r) {
  std::string t;
  for (const sim::SimResult::Phase& ph : r.phases)
    t.append("phase ")
        .append(Fmt("%.0f", ph.from_s))
        .append("-")
        .append(Fmt("%.0f", ph.until_s))
        .append(" s: ")
        .append(std::to_string(ph.requests))
        .append(" requests, response time ms mean ")
        .append(Fmt("%.1f", ph.response_ms_mean))
        .append(", oracle ")
        .append(Fmt("%.1f", ph.oracle_ms_mean))
        .append(", regret ")
        .append(Fmt("%.1f", ph.regret_ms))
        .append("\n");
  return t;
}

std::string SimulationJson(const sim::SimResult& r) {
  json::Buffer buf;
  json::Writer w(buf);
  WriteResult(w, r);
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::vector<std::pair<double, std::string>> CheapestByRate(
    const std::vector<sim::SimResult>& results) {
  std::vector<std::pair<double, std::string>> out;
  for (size_t i = 0; i < results.size();) {
    size_t j = i, best = i;
    for (; j < results.size() && results[j].rate == results[i].rate; ++j)
      if (results[j].cost_usd.total < results[best].cost_usd.total) best = j;
    out.emplace_back(results[i].rate, results[best].policy);
    i = j;
  }
  return out;
}

std::string SweepTable(const std::vector<sim::SimResult>& results) {
  std::string t =
      "rate/s  policy                          $/1M req      $/day   p95 ms   p99 ms  cold%  "
      "tasks\n";
  const auto cheapest = CheapestByRate(results);
  size_t k = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const sim::SimResult& r = results[i];
    if (i > 0 && r.rate != results[i - 1].rate) ++k;
    char line[256];
    std::snprintf(line, sizeof line, "%7.4g %-31s %9s %10s %8.0f %8.0f %6.2f %6.2f%s\n", r.rate,
                  r.policy.substr(0, 31).c_str(), Money(r.cost_usd.per_million).c_str(),
                  Money(r.cost_usd.per_day).c_str(), r.response_ms.p95, r.response_ms.p99,
                  r.lambda.cold_start_probability * 100, r.ecs.tasks_mean,
                  cheapest[k].second == r.policy ? "  cheapest" : "");
    t += line;
  }
  std::string prev;
  for (const auto& [rate, policy] : cheapest) {
    if (!prev.empty() && policy != prev)
      t += "cheapest changes from " + prev + " to " + policy + " at " + Fmt("%.4g", rate) +
           " requests/s\n";
    prev = policy;
  }
  return t;
}

namespace {

// The advice summed over the workloads: the tasks kept, and the single platforms each on its
// workload alone.
struct AdviceTotal {
  int tasks = 0;
  double lambda_only = 0, ecs_only = 0;  // $/day
};

AdviceTotal Total(const std::vector<sim::Advice>& advice) {
  AdviceTotal t;
  for (const sim::Advice& a : advice) {
    t.tasks += a.tasks;
    t.lambda_only += a.lambda_only.cost_usd.per_day;
    t.ecs_only += a.ecs_only.cost_usd.per_day;
  }
  return t;
}

// The workload's part of the advice run together (every advised workload has one).
const sim::SimResult::Part& PartOf(const sim::AdviceSet& set, features::Workload w) {
  static const sim::SimResult::Part none;
  for (const sim::SimResult::Part& p : set.combined.workloads)
    if (p.workload == w) return p;
  return none;
}

}  // namespace

std::string AdviceTable(const sim::AdviceSet& set, double p95_target_ms) {
  const std::vector<sim::Advice>& advice = set.workloads;
  std::string t = p95_target_ms > 0
                      ? "the cheapest with a p95 under " + Fmt("%.0f", p95_target_ms) + " ms"
                      : std::string("the cheapest no slower at p95 than lambda-only");
  t += ": ECS tasks kept per workload, and the requests that may wait per task before the next "
       "spills over to Lambda\n";
  t += "workload               tasks  wait   $/day   p95 ms  spilled | lambda-only $/day  p95 | "
       "ecs-only $/day  p95  tasks\n";
  for (const sim::Advice& a : advice) {
    const sim::SimResult::Part& r = PartOf(set, a.workload);
    const double spilled =
        r.requests ? 100.0 * static_cast<double>(r.spilled) / static_cast<double>(r.requests) : 0;
    const std::string wait = a.tasks == 0 ? "-" : a.wait < 0 ? "any" : std::to_string(a.wait);
    char line[320];
    std::snprintf(line, sizeof line,
                  "%-22s %5d %5s %7s %8.0f %7.1f%% | %17s %5.0f | %14s %5.0f %6.2f%s%s%s\n",
                  std::string(features::Name(a.workload)).c_str(), a.tasks, wait.c_str(),
                  Money(r.cost_per_day).c_str(), r.response_ms.p95, a.tasks == 0 ? 100.0 : spilled,
                  Money(a.lambda_only.cost_usd.per_day).c_str(), a.lambda_only.response_ms.p95,
                  Money(a.ecs_only.cost_usd.per_day).c_str(), a.ecs_only.response_ms.p95,
                  a.ecs_only.ecs.tasks_mean, a.meets_target ? "" : "  (target missed: the fastest)",
                  sim::Dominates(a.lambda_only, a.advised) ? "  (lambda-only dominates)" : "",
                  sim::Dominates(a.ecs_only, a.advised) ? "  (ecs-only dominates)" : "");
    t += line;
  }
  const AdviceTotal sum = Total(advice);
  const sim::SimResult& all = set.combined;
  char line[320];
  std::snprintf(line, sizeof line, "%-22s %5d %5s %7s %8.0f %8s | %17s %5s | %14s\n", "total",
                sum.tasks, "", Money(all.cost_usd.per_day).c_str(), all.response_ms.p95, "",
                Money(sum.lambda_only).c_str(), "", Money(sum.ecs_only).c_str());
  t += line;
  t += "advised $/day, p95 and spilled (per workload and total): one run of the advice together, "
       "as simulate runs it with the options below (beside the same traffic options); "
       "lambda-only and ecs-only: each workload alone\n";
  return t + "simulate options: " + set.options + "\n";
}

std::string AdviceJson(const sim::AdviceSet& set, double p95_target_ms) {
  const std::vector<sim::Advice>& advice = set.workloads;
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  Num(w, "p95_target_ms", p95_target_ms);
  json::Key(w, "workloads");
  w.StartArray();
  for (const sim::Advice& a : advice) {
    w.StartObject();
    json::Key(w, "workload");
    json::String(w, features::Name(a.workload));
    Count(w, "tasks", static_cast<uint64_t>(a.tasks));
    Num(w, "p95_target_ms", a.p95_target_ms);
    json::Key(w, "wait");
    w.Int(a.wait);
    json::Key(w, "meets_target");
    w.Bool(a.meets_target);
    json::Key(w, "dominated_by");
    w.StartArray();
    if (sim::Dominates(a.lambda_only, a.advised)) json::String(w, "lambda-only");
    if (sim::Dominates(a.ecs_only, a.advised)) json::String(w, "ecs-only");
    w.EndArray();
    json::Key(w, "together");
    WritePart(w, PartOf(set, a.workload));
    json::Key(w, "advised");
    WriteResult(w, a.advised);
    json::Key(w, "lambda_only");
    WriteResult(w, a.lambda_only);
    json::Key(w, "ecs_only");
    WriteResult(w, a.ecs_only);
    json::Key(w, "tried");
    w.StartArray();
    for (const sim::Advice::Tried& t : a.tried) {
      w.StartObject();
      Count(w, "tasks", static_cast<uint64_t>(t.tasks));
      json::Key(w, "wait");
      w.Int(t.wait);
      Num(w, "cost_per_day", t.result.cost_usd.per_day);
      Num(w, "p95_ms", t.result.response_ms.p95);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  const AdviceTotal sum = Total(advice);
  json::Key(w, "options");
  json::String(w, set.options);
  json::Key(w, "together");
  WriteResult(w, set.combined);
  json::Key(w, "total");
  w.StartObject();
  Count(w, "tasks", static_cast<uint64_t>(sum.tasks));
  Count(w, "requests", set.combined.requests);
  json::Key(w, "cost_per_day");
  w.StartObject();
  Num(w, "advised", set.combined.cost_usd.per_day);
  Num(w, "lambda_only", sum.lambda_only);
  Num(w, "ecs_only", sum.ecs_only);
  w.EndObject();
  json::Key(w, "cost_usd");
  w.StartObject();
  Num(w, "advised", set.combined.cost_usd.total);
  w.EndObject();
  Num(w, "p95_ms", set.combined.response_ms.p95);
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string SweepJson(const std::vector<sim::SimResult>& results) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "runs");
  w.StartArray();
  for (const sim::SimResult& r : results) WriteResult(w, r);
  w.EndArray();
  json::Key(w, "cheapest");
  w.StartArray();
  for (const auto& [rate, policy] : CheapestByRate(results)) {
    w.StartObject();
    Num(w, "rate", rate);
    json::Key(w, "policy");
    json::String(w, policy);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace hr::report
