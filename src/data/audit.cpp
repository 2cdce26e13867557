#include "data/audit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "features/seed_v1.h"

namespace hr::data {

namespace {

using features::LoadPattern;
using features::Platform;
using features::Workload;

std::string Fmt(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, a, b, c, d);
  return buf;
}

int P(Platform p) { return p == Platform::kLambda ? 0 : 1; }

double TaskHourSeedUsd(Workload w) { return cost::TaskHourSeedUsd(cost::MeasuredTask(w)); }

Quantiles Summarise(std::vector<double> v) {
  Quantiles q;
  q.n = v.size();
  if (v.empty()) return q;
  std::sort(v.begin(), v.end());
  q.p50 = Quantile(v, 0.5);
  q.p90 = Quantile(v, 0.9);
  q.p95 = Quantile(v, 0.95);
  q.p99 = Quantile(v, 0.99);
  q.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  q.mean = sum / static_cast<double>(v.size());
  return q;
}

struct RunKey {
  int tw, lp;  // -1 unknown
  bool operator<(const RunKey& o) const { return std::tie(tw, lp) < std::tie(o.tw, o.lp); }
};

void CensoringFindings(AuditReport& a) {
  // Logged vs sent, per (workload, platform), over runs with a known schedule.
  double worst_share = 2;
  std::string worst;
  std::map<std::pair<int, int>, std::pair<double, double>> by_group;  // (workload, platform)
  for (const auto& run : a.runs) {
    for (const auto& g : run.groups) {
      if (g.expected_sent <= 0) continue;
      auto& acc = by_group[{static_cast<int>(g.workload), P(g.platform)}];
      acc.first += g.logged;
      acc.second += g.expected_sent;
    }
  }
  for (const auto& [key, v] : by_group) {
    const double share = v.first / v.second;
    if (share < worst_share) {
      worst_share = share;
      worst = std::string(features::Name(static_cast<Workload>(key.first))) + " on " +
              std::string(key.second == 0 ? "Lambda" : "ECS");
    }
  }
  // A run that logged more than its schedule sent was not sent by these schedules: its shares
  // say nothing about censoring.
  bool mismatch = false;
  for (const auto& run : a.runs) {
    if (mismatch) break;
    double logged = 0, sent = 0;
    for (const auto& g : run.groups) {
      if (g.expected_sent <= 0) continue;
      logged += g.logged;
      sent += g.expected_sent;
    }
    if (sent > 0 && logged > sent) {
      a.findings.push_back(
          {"schedules_mismatch",
           "More requests were logged than the load schedules sent: these records were not sent "
           "by them",
           std::string("the ") +
               (run.time_window ? std::string(features::Name(*run.time_window)) + " " : "") +
               std::string(features::Name(*run.load_pattern)) +
               Fmt(" run logged %.0f requests, ", logged) +
               Fmt("%.1f%% of the %.0f its schedule sent (", 100 * logged / sent, sent) +
               a.schedules +
               "); the censoring section is left out. Give the schedules that sent them: audit "
               "--schedules FILE (docs/train-audit.md)."});
      mismatch = true;
    }
  }
  if (!mismatch && a.logged_share > 0 && a.logged_share < 0.95) {
    a.findings.push_back(
        {"censoring",
         Fmt("%.0f%% of the requests sent were never logged (failed or timed-out requests left "
             "no line)",
             (1 - a.logged_share) * 100),
         Fmt("the load schedules sent %.0f requests; ", a.expected_sent) +
             Fmt("%.0f were logged (", a.logged) + Fmt("%.0f%%); ", a.logged_share * 100) +
             "worst " + worst + Fmt(": %.1f%% logged. ", worst_share * 100) +
             "Statistics of the survivors flatter the slower platform, whose slow requests are the "
             "ones missing."});
  }
  for (int p = 0; p < 2; ++p) {
    const Ceiling& c = a.ceiling[static_cast<size_t>(p)];
    if (c.band_ratio > 0.5 && c.max_ms > 0) {
      a.findings.push_back(
          {"response_time_ceiling",
           std::string("Response times on ") + (p == 0 ? "Lambda" : "ECS") +
               " pile up under a ceiling (a client timeout)",
           Fmt("response times end abruptly at %.0f ms: the band 90-100%% of the maximum holds "
               "%.1f%% of records, %.2f times the band below it (a natural tail thins out)",
               c.max_ms, c.top_band_share * 100, c.band_ratio)});
    }
  }
}

}  // namespace

double Quantile(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const double t = pos - static_cast<double>(lo);
  if (t == 0.0 || lo + 1 >= v.size()) return v[lo];
  const double a = v[lo], b = v[lo + 1];
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

// A run is what the lines logged: a derived time window or load pattern (data/derive.h) names no
// run, it is unknown here (-1).
RunKey LoggedRun(const Record& r) {
  return {
      r.time_window && !(r.derived & kDerivedTimeWindow) ? static_cast<int>(*r.time_window) : -1,
      r.load_pattern && !(r.derived & kDerivedLoadPattern) ? static_cast<int>(*r.load_pattern)
                                                           : -1};
}

double MeasuredRunHours(std::span<const Record> records) {
  std::map<RunKey, std::pair<int64_t, int64_t>> span;
  for (const auto& r : records) {
    const RunKey key = LoggedRun(r);
    auto [it, fresh] = span.try_emplace(key, r.timestamp_us, r.timestamp_us);
    it->second.first = std::min(it->second.first, r.timestamp_us);
    it->second.second = std::max(it->second.second, r.timestamp_us);
  }
  double hours = 0;
  for (const auto& [key, s] : span) hours += static_cast<double>(s.second - s.first) / 1e6 / 3600;
  return hours;
}

AuditReport Audit(const Dataset& ds, const LoadSchedules& schedules) {
  AuditReport a;
  a.files = ds.files.size();
  for (const auto& f : ds.files) a.lines += f.lines;
  a.accepted = ds.records.size();
  a.rejected = ds.rejected;
  a.failed_requests = ds.failed_requests;
  a.routed = ds.routed;
  a.rejection_reasons = ds.rejection_kinds;

  // Cells and runs.
  std::map<std::tuple<int, int, int>, CellCount> cells;
  std::map<RunKey, Run> runs;
  std::map<RunKey, std::pair<int64_t, int64_t>> run_span;
  std::map<RunKey, std::set<int>> run_hours;
  std::map<std::tuple<RunKey, int, int>, uint32_t> group_counts;
  std::array<std::vector<double>, 2> response, execution;
  for (const auto& r : ds.records) {
    const int tw = r.time_window ? static_cast<int>(*r.time_window) : -1;
    const int lp = r.load_pattern ? static_cast<int>(*r.load_pattern) : -1;
    auto& cell = cells[{tw, lp, static_cast<int>(r.workload)}];
    cell.time_window = r.time_window;
    cell.load_pattern = r.load_pattern;
    cell.workload = r.workload;
    (r.platform == Platform::kLambda ? cell.lambda : cell.ecs)++;
    const RunKey key = LoggedRun(r);
    Run& run = runs[key];
    if (key.tw >= 0) run.time_window = r.time_window;
    if (key.lp >= 0) run.load_pattern = r.load_pattern;
    ++run.records;
    auto [span_it, fresh] = run_span.try_emplace(key, r.timestamp_us, r.timestamp_us);
    if (!fresh) {
      span_it->second.first = std::min(span_it->second.first, r.timestamp_us);
      span_it->second.second = std::max(span_it->second.second, r.timestamp_us);
    }
    run_hours[key].insert(r.hour);
    ++group_counts[{key, static_cast<int>(r.workload), P(r.platform)}];
    if (key.tw >= 0) {  // a derived window agrees with the hour by construction
      ++a.window_checked;
      if (features::TimeWindowOfHour(r.hour) != *r.time_window) {
        ++a.window_mismatch;
        ++run.window_mismatch;
      }
    }
    response[static_cast<size_t>(P(r.platform))].push_back(r.response_time_ms);
    execution[static_cast<size_t>(P(r.platform))].push_back(r.execution_time_ms);
    if (r.platform == Platform::kLambda) {
      ++a.lambda_records;
      auto& cw = a.cold_by_workload[static_cast<size_t>(r.workload)];
      ++cw.second;
      if (r.cold_start == 1) {
        ++a.lambda_cold;
        ++cw.first;
      }
    }
  }
  for (auto& [k, c] : cells) a.cells.push_back(c);
  // What each logged run (a folder: time window and load pattern as the client labelled them) was
  // sent, from the load schedules. One schedule can span two folders (the client's time window
  // changed during it): folders of one load pattern that follow each other within 10 minutes
  // share one schedule, each getting what the schedule sent during its own span, and the last
  // one the rest of the schedule (requests sent after the last logged one were lost too).
  std::vector<RunKey> order;
  for (const auto& [key, run] : runs) {
    if (run.load_pattern) order.push_back(key);
  }
  std::sort(order.begin(), order.end(), [&](const RunKey& x, const RunKey& y) {
    return run_span[x].first < run_span[y].first;
  });
  std::map<RunKey, double> scheduled;  // per folder, over its 8 groups
  // The router's own logs hold every attempt, failed ones too: no schedule to compare with.
  if (ds.routed.attempts > 0) order.clear();
  for (size_t i = 0; i < order.size();) {
    const LoadSchedule& schedule = schedules.of(static_cast<LoadPattern>(order[i].lp));
    const int64_t start = run_span[order[i]].first;
    size_t j = i + 1;
    while (j < order.size() && order[j].lp == order[i].lp &&
           run_span[order[j]].first <= run_span[order[j - 1]].second + 600'000'000 &&
           static_cast<double>(run_span[order[j]].first - start) / 1e6 < schedule.Seconds()) {
      ++j;
    }
    for (size_t k = i; k < j && schedule.known(); ++k) {
      const double from = static_cast<double>(run_span[order[k]].first - start) / 1e6;
      const double to = k + 1 == j
                            ? schedule.Seconds()
                            : static_cast<double>(run_span[order[k + 1]].first - start) / 1e6;
      scheduled[order[k]] = schedule.SentBy(to) - schedule.SentBy(from);
    }
    i = j;
  }
  double logged = 0, expected = 0;
  for (auto& [key, run] : runs) {
    run.duration_s = static_cast<double>(run_span[key].second - run_span[key].first) / 1e6;
    run.utc_hours.assign(run_hours[key].begin(), run_hours[key].end());
    for (int w = 0; w < features::kWorkloadCount; ++w) {
      for (int p = 0; p < 2; ++p) {
        RunGroup g{static_cast<Workload>(w), p == 0 ? Platform::kLambda : Platform::kEcs, 0, 0};
        auto it = group_counts.find({key, w, p});
        g.logged = it == group_counts.end() ? 0 : it->second;
        if (auto sent = scheduled.find(key); sent != scheduled.end())
          g.expected_sent = sent->second / 8;  // split evenly over 4 workloads x 2 platforms
        if (g.expected_sent > 0) {
          logged += g.logged;
          expected += g.expected_sent;
        }
        run.groups.push_back(g);
      }
    }
    a.runs.push_back(run);
  }
  a.logged_share = expected > 0 ? logged / expected : 0;
  a.schedules = schedules.source;
  a.logged = logged;
  a.expected_sent = expected;

  for (int p = 0; p < 2; ++p) {
    const auto i = static_cast<size_t>(p);
    a.response_ms[i] = Summarise(response[i]);
    a.execution_ms[i] = Summarise(execution[i]);
    Ceiling& c = a.ceiling[i];
    c.max_ms = a.response_ms[i].max;
    if (c.max_ms > 0) {
      uint64_t top = 0, below = 0;
      for (double x : response[i]) {
        top += x >= 0.9 * c.max_ms;
        below += x >= 0.8 * c.max_ms && x < 0.9 * c.max_ms;
      }
      c.top_band_share = static_cast<double>(top) / static_cast<double>(response[i].size());
      c.band_ratio = below ? static_cast<double>(top) / static_cast<double>(below) : 0;
    }
  }

  // Features as the prototype computed them, over records with a known context.
  std::array<double, features::kSeedV1Size> lo, hi;
  lo.fill(std::numeric_limits<double>::infinity());
  hi.fill(-std::numeric_limits<double>::infinity());
  std::set<int> hours;
  bool any = false;
  for (const auto& r : ds.records) {
    if (!r.time_window || !r.load_pattern) continue;
    features::Request q;
    q.workload = r.workload;
    q.payload_kb = r.target_payload_kb;
    q.time_window = *r.time_window;
    q.load_pattern = *r.load_pattern;
    q.hour_of_day = r.hour;
    q.is_weekend = r.weekday >= 5;
    const auto f = features::SeedV1Features(q);
    for (size_t j = 0; j < f.size(); ++j) {
      lo[j] = std::min(lo[j], f[j]);
      hi[j] = std::max(hi[j], f[j]);
    }
    hours.insert(r.hour);
    any = true;
  }
  if (any) {
    for (size_t j = 0; j < features::kSeedV1Size; ++j) {
      if (lo[j] == hi[j])
        a.constant_features.push_back({std::string(features::kSeedV1Names[j]), lo[j]});
    }
  }
  a.distinct_hours = static_cast<int>(hours.size());

  // Lambda memory: logged limit vs the feature's assumption.
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    MemoryRow row{
        static_cast<Workload>(w), {}, features::FeatureLambdaMemoryMb(static_cast<Workload>(w))};
    std::set<double> limits;
    for (const auto& r : ds.records) {
      if (r.platform == Platform::kLambda && static_cast<int>(r.workload) == w &&
          !std::isnan(r.memory_limit_mb)) {
        limits.insert(r.memory_limit_mb);
      }
    }
    row.logged_limits_mb.assign(limits.begin(), limits.end());
    if (!row.logged_limits_mb.empty()) a.memory.push_back(row);
  }

  // ECS: the prototype's pro-rated cost vs the task-hours that actually ran.
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    CostRow row{static_cast<Workload>(w), 0, 0, 0, 0};
    double prorated = 0;
    for (const auto& r : ds.records) {
      if (r.platform == Platform::kEcs && static_cast<int>(r.workload) == w) {
        ++row.ecs_requests;
        prorated += SeedCostUsd(r);
      }
    }
    for (const auto& run : a.runs) row.task_hours += run.duration_s / 3600;
    if (row.ecs_requests == 0) continue;
    row.prorated_mean_usd = prorated / row.ecs_requests;
    row.provisioned_per_request_usd = row.task_hours * TaskHourSeedUsd(static_cast<Workload>(w)) /
                                      static_cast<double>(row.ecs_requests);
    a.cost.push_back(row);
  }

  // Label ceiling: the best any function of the features can do on the prototype's labels.
  const Labels labels = SeedBalancedLabels(ds.records);
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> by_cell;
  for (size_t i = 0; i < ds.records.size(); ++i) {
    const Record& r = ds.records[i];
    if (labels.label[i] < 0 || !r.time_window || !r.load_pattern) continue;
    char key[96];
    std::snprintf(key, sizeof key, "%d|%.17g|%d|%d|%d|%d", static_cast<int>(r.workload),
                  r.target_payload_kb, static_cast<int>(*r.time_window),
                  static_cast<int>(*r.load_pattern), r.hour, r.weekday >= 5);
    auto& c = by_cell[key];
    (labels.label[i] ? c.second : c.first)++;
    ++a.labelled;
  }
  uint64_t majority = 0;
  for (const auto& [k, c] : by_cell) majority += std::max(c.first, c.second);
  a.label_cells = by_cell.size();
  a.label_ceiling_accuracy =
      a.labelled ? static_cast<double>(majority) / static_cast<double>(a.labelled) : 0;

  // Findings.
  if (a.accepted == 0)
    a.findings.push_back({"no_records", "No line was accepted: there is nothing to audit",
                          Fmt("0 of %.0f lines accepted, %.0f rejected (by reason above)",
                              static_cast<double>(a.lines), static_cast<double>(a.rejected))});
  CensoringFindings(a);
  if (a.labelled > 0 && a.label_ceiling_accuracy < 0.8) {
    a.findings.push_back(
        {"label_ceiling",
         "The prototype's labels cap any model of these features near 70% accuracy",
         Fmt("a lookup of the majority label in each of the %.0f feature cells scores %.4f on the "
             "very records it was built from; labels compare one random draw with the other "
             "platform's median, so within a cell they are close to coin flips",
             static_cast<double>(a.label_cells), a.label_ceiling_accuracy)});
  }
  if (a.window_checked > 0 && a.window_mismatch * 10 > a.window_checked) {
    a.findings.push_back(
        {"time_window_clock",
         "time_window came from the client's clock, hour_of_day from the server's UTC timestamp",
         Fmt("%.1f%% of records have a time_window that the timestamp's hour contradicts; the two "
             "features describe different clocks (and the client labelled unlisted hours "
             "late_night)",
             100.0 * static_cast<double>(a.window_mismatch) /
                 static_cast<double>(a.window_checked))});
  }
  for (const auto& c : a.constant_features) {
    const bool weekend = c.name == "is_weekend";
    a.findings.push_back({weekend ? "weekend_only" : "constant_feature", c.name + " never varies",
                          "every record has " + c.name + " = " + Fmt("%g", c.value) +
                              (weekend ? " (all measurements fell on a weekend)" : "")});
  }
  bool memory_mismatch = false;
  std::string memory_text;
  for (const auto& m : a.memory) {
    for (double l : m.logged_limits_mb) {
      if (l != m.feature_memory_mb) memory_mismatch = true;
    }
    memory_text += std::string(features::Name(m.workload)) + " " +
                   Fmt("%g", m.logged_limits_mb.empty() ? 0 : m.logged_limits_mb.front()) + " vs " +
                   std::to_string(m.feature_memory_mb) + "; ";
  }
  if (memory_mismatch) {
    a.findings.push_back(
        {"lambda_memory_mismatch",
         "Lambda memory: the labels' cost uses the deployed size, the feature another",
         "deployed (logged) vs seed-v1 feature, MB: " + memory_text +
             "the feature tells the model about memory the functions never had"});
  }
  double lo_ratio = INFINITY, hi_ratio = 0;
  for (const auto& c : a.cost) {
    const double ratio = c.provisioned_per_request_usd / c.prorated_mean_usd;
    lo_ratio = std::min(lo_ratio, ratio);
    hi_ratio = std::max(hi_ratio, ratio);
  }
  if (!a.cost.empty() && hi_ratio > 1.2) {
    a.findings.push_back(
        {"ecs_cost_prorated", "ECS cost is pro-rated per request, as if an idle task cost nothing",
         Fmt("with the one task per service that ran for each whole run, ECS costs %.1f-%.1fx the "
             "pro-rated figure per request; API Gateway and load-balancer charges are in neither "
             "platform's formula",
             lo_ratio, hi_ratio)});
  }
  return a;
}

cost::Provisioned ProvisionedFromData(std::span<const data::Record> records, const cost::Pricing& p,
                                      int tasks, double hours, cost::EcsTask task) {
  cost::Provisioned prov;
  // By default one task per service ran for every measurement run: the runs' summed duration.
  const double run_hours = hours > 0 ? hours : MeasuredRunHours(records);
  std::array<uint64_t, features::kWorkloadCount> served{};
  for (const auto& r : records) {
    if (r.platform == features::Platform::kEcs) ++served[static_cast<size_t>(r.workload)];
  }
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    const cost::EcsTask t =
        task.vcpu > 0 ? task : cost::MeasuredTask(static_cast<features::Workload>(w));
    const auto i = static_cast<size_t>(w);
    prov.task_hours[i] = tasks * run_hours;
    const double usd = prov.task_hours[i] * cost::TaskHourFargateUsd(t, p);
    prov.cost_per_request_usd[i] = served[i] ? usd / static_cast<double>(served[i]) : 0;
  }
  uint64_t all = 0;
  for (uint64_t s : served) all += s;
  prov.alb_per_request_usd = all ? p.alb_hour_usd * run_hours / static_cast<double>(all) : 0;
  return prov;
}

}  // namespace hr::data
