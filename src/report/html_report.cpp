#include "report/html_report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "report/html_kit.h"

namespace hr::report {

namespace {

namespace fs = std::filesystem;

const eval::PolicyResult* Find(const eval::ReplayResult& r, std::string_view name) {
  return eval::FindPolicy(r, name);
}

// The policies the comparison charts draw (all of them are in the tables).
std::vector<const eval::PolicyResult*> Headline(const eval::ReplayResult& r) {
  std::vector<const eval::PolicyResult*> out;
  for (const char* name :
       {"lambda-only", "ecs-only", "model", "seed-heuristic", "objective:latency", "objective:p95",
        "objective:cost:seed-prorated", "oracle-latency", "oracle-cost", "hindsight"}) {
    if (const auto* p = Find(r, name)) out.push_back(p);
  }
  return out;
}

std::string GapText(const std::optional<double>& g) {
  return g ? F("%.1f%%", *g * 100) : std::string("n/a");
}

// Per objective: what routing for it achieves out of sample, against the better single platform
// and the objective's own in-sample oracle.
void ObjectiveTable(std::ostringstream& h, const eval::ReplayResult& r, const char* id) {
  h << "<table id=\"" << id
    << "\">"
       "<tr><th>objective</th><th>better single platform</th><th>objective policy (out of "
       "sample)</th><th>saving &plusmn; 95%</th><th>gap closed</th><th>per-cell means "
       "(out of sample)</th><th>classifier</th><th>oracle (in-sample)</th></tr>\n";
  const auto* lam = Find(r, "lambda-only");
  const auto* ecs = Find(r, "ecs-only");
  const auto* clf = Find(r, "model");
  if (lam && ecs && !lam->scores.empty()) {
    for (const auto& sc : lam->scores) {
      const auto* ls = lam->Score(sc.objective);
      const auto* es = ecs->Score(sc.objective);
      const bool lambda_best = ls->value.mean <= es->value.mean;
      const bool ms = sc.objective == "latency" || sc.objective == "p95";
      const char* fmt = ms ? "%.0f" : "%.3f";
      auto value = [&](const eval::PolicyResult* p) -> std::string {
        if (!p) return "&ndash;";
        const auto* x = p->Score(sc.objective);
        return x ? F(fmt, x->value.mean) : std::string("&ndash;");
      };
      const auto* obj = Find(r, "objective:" + sc.objective);
      const auto* cells = Find(r, "cell-means:" + sc.objective);
      const eval::PolicyResult* oracle = nullptr;
      for (const auto& p : r.policies) {
        if (p.in_sample && p.Score(sc.objective) && p.Score(sc.objective)->regret == 0) oracle = &p;
      }
      const auto* os = obj ? obj->Score(sc.objective) : nullptr;
      h << "<tr><td>" << Escape(sc.objective) << (ms ? " (ms)" : " ($/1M)") << "</td><td>"
        << (lambda_best ? "lambda-only " : "ecs-only ") << value(lambda_best ? lam : ecs)
        << "</td><td>" << value(obj) << "</td><td>"
        << (os ? F(fmt, os->saving.mean) + " &plusmn; " + F(fmt, os->saving.ci95) : "&ndash;")
        << "</td><td>" << (os ? GapText(os->gap_closed) : "&ndash;") << "</td><td>" << value(cells)
        << "</td><td>" << value(clf) << " (gap "
        << (clf && clf->Score(sc.objective) ? GapText(clf->Score(sc.objective)->gap_closed) : "")
        << ")</td><td>" << value(oracle) << "</td></tr>\n";
    }
  }
  h << "</table>\n<p>Balanced objectives are per 1M requests: cost plus the value of time (USD "
       "per second, after the last colon) times each request's response time. Gap closed: share "
       "of the better-single-platform-to-oracle gap the policy closes; n/a where that gap is "
       "under 1% of the objective.</p>\n";
}

// Does routing for the objective still beat the better single platform, and is that platform the
// same, once the unlogged requests count as timeouts?
std::string Survives(const eval::ReplayResult& a, const eval::ReplayResult& b,
                     const std::string& objective) {
  auto best = [&](const eval::ReplayResult& r) {
    const auto* l = Find(r, "lambda-only");
    const auto* e = Find(r, "ecs-only");
    return l->Score(objective)->value.mean <= e->Score(objective)->value.mean ? "Lambda" : "ECS";
  };
  auto beats = [&](const eval::ReplayResult& r) {
    const auto* p = Find(r, "objective:" + objective);
    const auto* sc = p ? p->Score(objective) : nullptr;
    return sc && sc->saving.mean - sc->saving.ci95 > 0;
  };
  const std::string best_a = best(a), best_b = best(b);
  std::string out = objective + ": the better single platform is " + best_a +
                    (best_a == best_b ? " in both" : " as logged but " + best_b + " with timeouts");
  out += beats(a) == beats(b)
             ? (beats(a) ? "; routing beats it in both (survives)"
                         : "; routing does not beat it in either")
             : (beats(a) ? "; routing beats it as logged but not with timeouts (does not survive)"
                         : "; routing beats it only with timeouts");
  return out;
}

void CensoringPanel(std::ostringstream& h, const eval::ReplayResult& r,
                    const eval::CensoringCheck& c, const data::AuditReport* audit) {
  h << "<h2 id=\"censoring\">Censoring: the requests nobody logged</h2>\n";
  if (audit) {
    h << "<p>Logged share of what each run's load schedule sent (" << F("%.0f", audit->logged)
      << " of " << F("%.0f", audit->expected_sent) << ", " << F("%.1f%%", audit->logged_share * 100)
      << "):</p>\n<table id=\"runs\"><tr><th>run "
         "(time window, load pattern)</th><th>sent</th><th>logged</th><th>Lambda</th><th>ECS</th>"
         "</tr>\n";
    for (const auto& run : audit->runs) {
      if (!run.time_window || !run.load_pattern) continue;
      std::array<double, 2> logged{}, sent{};
      for (const auto& g : run.groups) {
        const size_t p = g.platform == policy::Platform::kLambda ? 0 : 1;
        logged[p] += g.logged;
        sent[p] += g.expected_sent;
      }
      h << "<tr><td>" << features::Name(*run.time_window) << ", "
        << features::Name(*run.load_pattern) << "</td><td>" << F("%.0f", sent[0] + sent[1])
        << "</td><td>" << F("%.0f", logged[0] + logged[1]) << "</td><td>"
        << F("%.0f%%", sent[0] > 0 ? 100 * logged[0] / sent[0] : 0) << "</td><td>"
        << F("%.0f%%", sent[1] > 0 ? 100 * logged[1] / sent[1] : 0) << "</td></tr>\n";
    }
    h << "</table>\n";
  }
  h << "<p>The replay again with " << c.added << " unlogged requests put back as timeouts at "
    << F("%.0f", c.cap_ms)
    << " ms (the client's cap), spread evenly over each run's payload sizes; execution is billed "
       "to the cap, an upper bound. The latency oracle's choice flips in "
    << c.flipped << " of " << c.cells
    << " cells measured on both platforms. Policies keep "
       "what they learned from the logged records; oracles are recomputed.</p>\n";
  ObjectiveTable(h, c.result, "censored-objective-table");
  h << "<ul>\n";
  for (const char* o : {"latency", "p95", "cost:seed-prorated",
                        "cost:seed-prorated-deployed-memory", "cost:provisioned"}) {
    if (Find(r, "lambda-only") && Find(r, "lambda-only")->Score(o))
      h << "<li>" << Escape(Survives(r, c.result, o)) << "</li>\n";
  }
  h << "</ul>\n";
}

}  // namespace

std::string Conclusion(const eval::ReplayResult& r) {
  const auto* lam = Find(r, "lambda-only");
  const auto* ecs = Find(r, "ecs-only");
  const auto* model = Find(r, "model");
  const auto* o_lat = Find(r, "oracle-latency");
  const auto* o_cost = Find(r, "oracle-cost");
  const auto* hind = Find(r, "hindsight");
  if (!lam || !ecs || !model || !o_lat || !o_cost || !hind) return "";
  std::ostringstream s;
  const bool lambda_faster = lam->response_mean.mean <= ecs->response_mean.mean;
  s << "Of the single platforms, " << (lambda_faster ? "Lambda" : "ECS")
    << " answers faster on average ("
    << F("%.0f", std::min(lam->response_mean.mean, ecs->response_mean.mean)) << " ms against "
    << F("%.0f", std::max(lam->response_mean.mean, ecs->response_mean.mean))
    << " ms). The model routes " << F("%.0f", model->lambda_share.mean * 100)
    << "% of requests to Lambda and answers in " << F("%.0f", model->response_mean.mean) << " ms, "
    << F("%.1f", model->latency_savings * 100)
    << "% faster than the better single platform; it closes "
    << F("%.0f", model->latency_gap_closed * 100) << "% of the gap to the per-cell latency oracle ("
    << F("%.0f", o_lat->response_mean.mean) << " ms); the hindsight bound of "
    << F("%.0f", hind->response_mean.mean)
    << " ms (per request the faster of two independent draws) is unattainable. On cost the answer "
       "depends on the cost model: with the prototype's pro-rated formula "
       "the model costs $"
    << F("%.2f", model->cost_per_million[0].mean) << " per 1M requests against $"
    << F("%.2f", std::min(lam->cost_per_million[0].mean, ecs->cost_per_million[0].mean))
    << " for the cheaper single platform (savings " << F("%.1f", model->cost_savings[0] * 100)
    << "%), while a cost oracle would reach $" << F("%.2f", o_cost->cost_per_million[0].mean)
    << "; priced at the memory Lambda actually had, Lambda-only costs $"
    << F("%.2f", lam->cost_per_million[1].mean) << " and ECS-only $"
    << F("%.2f", ecs->cost_per_million[1].mean)
    << ", and with the ECS tasks that actually ran (provisioned) ECS-only costs $"
    << F("%.2f", ecs->cost_per_million[2].mean)
    << ". The prototype's labels were trained for a cost rule "
    << "that only holds under its own pro-rated prices.";
  const auto* ol = Find(r, "objective:latency");
  const auto* oc = Find(r, "objective:cost:seed-prorated");
  if (ol && oc && ol->Score("latency") && oc->Score("cost:seed-prorated")) {
    const auto* l = ol->Score("latency");
    const auto* c = oc->Score("cost:seed-prorated");
    s << " Deciding for a stated objective with per-platform outcome estimates instead, out of "
         "sample: routing for latency answers in "
      << F("%.0f", ol->response_mean.mean) << " ms (" << F("%.1f", l->saving_share * 100)
      << "% faster than the better single platform, "
      << (l->gap_closed ? F("%.0f", *l->gap_closed * 100) : std::string("n/a"))
      << "% of the gap to the oracle closed), and routing for seed-prorated cost costs $"
      << F("%.2f", oc->cost_per_million[0].mean) << " per 1M (" << F("%.1f", c->saving_share * 100)
      << "% cheaper, " << (c->gap_closed ? F("%.0f", *c->gap_closed * 100) : std::string("n/a"))
      << "% of the gap closed).";
  }
  return s.str();
}

core::Status WriteHtmlReport(const ReportInput& in, const std::string& path) {
  const eval::ReplayResult& r = *in.result;
  auto scratch = ScratchDir::Create("hr_report_");
  if (!scratch) return scratch.error();
  const fs::path& dir = (*scratch)->path();

  // Data files for gnuplot.
  const auto headline = Headline(r);
  std::ostringstream cost, share;
  cost << "policy seed-prorated deployed-memory provisioned\n";
  share << "workload";
  for (const auto* p : headline) share << ' ' << p->policy;
  share << '\n';
  for (const auto* p : headline) {
    cost << p->policy << ' ' << p->cost_per_million[0].mean << ' ' << p->cost_per_million[1].mean
         << ' ' << p->cost_per_million[2].mean << '\n';
  }
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    share << features::Name(static_cast<features::Workload>(w));
    for (const auto* p : headline)
      share << ' ' << p->lambda_share_by_workload[static_cast<size_t>(w)].mean * 100;
    share << '\n';
  }
  std::ostringstream cdf;
  for (const auto* p : headline) {
    cdf << "\"" << p->policy << "\"\n";
    for (size_t q = 0; q < p->response_percentiles.size(); ++q) {
      cdf << p->response_percentiles[q] << ' ' << static_cast<double>(q) / 100.0 << '\n';
    }
    cdf << "\n\n";
  }
  // Cost against mean response time per cost model (Pareto): points, and the balanced sweep.
  std::array<std::string, 3> pareto_svg;
  for (size_t c = 0; c < cost::kCostModels.size(); ++c) {
    const std::string cm(cost::Name(cost::kCostModels[c]));
    std::ostringstream points, sweep;
    for (const std::string& name :
         {std::string("lambda-only"), std::string("ecs-only"), std::string("model"),
          std::string("oracle-latency"), c == 0 ? std::string("oracle-cost") : "oracle-cost:" + cm,
          std::string("objective:latency"), std::string("objective:p95"), "objective:cost:" + cm}) {
      if (const auto* p = Find(r, name)) {
        points << '"' << name << "\" " << p->response_mean.mean << ' '
               << p->cost_per_million[c].mean << '\n';
      }
    }
    // The balanced sweep from the cost objective (no value of time) to the latency objective.
    std::vector<const eval::PolicyResult*> line;
    if (const auto* p = Find(r, "objective:cost:" + cm)) line.push_back(p);
    for (double v : eval::kValuesOfTime) {
      char value[32];
      std::snprintf(value, sizeof value, "%g", v);
      if (const auto* p = Find(r, "objective:balanced:" + cm + ":" + value)) line.push_back(p);
    }
    if (const auto* p = Find(r, "objective:latency")) line.push_back(p);
    for (const auto* p : line)
      sweep << p->response_mean.mean << ' ' << p->cost_per_million[c].mean << '\n';
    if (sweep.str().empty()) sweep << "0 0\n";
    const std::string pts = "pareto_" + std::to_string(c) + ".dat";
    const std::string swp = "sweep_" + std::to_string(c) + ".dat";
    if (auto st = Write(dir / pts, points.str()); !st) return st.error();
    if (auto st = Write(dir / swp, sweep.str()); !st) return st.error();
    auto svg = Plot(dir, "pareto_" + std::to_string(c),
                    "set grid\nset key outside right top\nset xlabel 'mean response time (ms)'\n"
                    "set ylabel 'USD per 1M requests (" +
                        cm +
                        ")'\nset title 'Cost against "
                        "latency, " +
                        cm +
                        "'\nset offsets graph 0.05, graph 0.05, graph 0.08, "
                        "graph 0.08\n"
                        "plot '" +
                        (dir / swp).string() +
                        "' using 1:2 with linespoints lw 2 pt 7 ps 0.6 "
                        "title 'balanced sweep (cost ... latency)', '" +
                        (dir / pts).string() +
                        "' using 2:3 with points pt 7 ps 1.4 title 'policies', '' using 2:3:1 with "
                        "labels offset char 1,0.6 left notitle\n");
    if (!svg) return svg.error();
    pareto_svg[c] = *svg;
  }
  for (const auto& [name, text] :
       {std::pair{"cost.dat", cost.str()}, std::pair{"share.dat", share.str()},
        std::pair{"cdf.dat", cdf.str()}}) {
    if (auto s = Write(dir / name, text); !s) return s.error();
  }
  const std::string d = dir.string() + "/";
  const std::string bars =
      "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 "
      "border -1\n"
      "set grid ytics\nset key outside right top\nset xtics rotate by -20\n";
  auto cost_svg = Plot(dir, "cost",
                       bars +
                           "set ylabel 'USD per 1M requests'\nset title 'Cost per 1M requests by "
                           "policy and cost model'\n"
                           "plot '" +
                           d +
                           "cost.dat' using 2:xtic(1) title columnheader(2), '' using 3 title "
                           "columnheader(3), '' using 4 title columnheader(4)\n");
  if (!cost_svg) return cost_svg.error();
  auto cdf_svg = Plot(dir, "cdf",
                      "set grid\nset key bottom right\nset xlabel 'response time (ms)'\nset ylabel "
                      "'share of requests'\n"
                      "set title 'Response-time distribution (CDF) by policy'\nset yrange [0:1]\n"
                      "plot for [i=0:" +
                          std::to_string(headline.size() - 1) + "] '" + d +
                          "cdf.dat' index i using 1:2 with lines lw 2 title columnheader(1)\n");
  if (!cdf_svg) return cdf_svg.error();
  auto share_svg = Plot(dir, "share",
                        bars +
                            "set ylabel 'Lambda share (%)'\nset yrange [0:105]\nset title 'Lambda "
                            "share per workload'\n"
                            "plot for [i=2:" +
                            std::to_string(headline.size() + 1) + "] '" + d +
                            "share.dat' using i:xtic(1) title columnheader(i)\n");
  if (!share_svg) return share_svg.error();

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hybrid-router "
       "evaluation</title><style>"
    << Stylesheet() << "</style></head><body>\n<h1>Does hybrid routing pay off?</h1>\n";
  h << "<p class=\"conclusion\" id=\"conclusion\">" << Escape(Conclusion(r)) << "</p>\n";
  h << "<h2 id=\"method\">Method</h2>\n<p>Counterfactual replay of " << r.items
    << " measured requests (" << Escape(in.mode) << (in.in_sample ? "; <b>IN-SAMPLE</b>" : "")
    << "). Each request was measured on one platform "
    << "only; for a policy's choice the outcome is a measured request of the same cell (workload, "
       "payload, time window, "
    << "load pattern) on the chosen platform, drawn with seed " << in.seed << ", " << in.draws
    << " draws (&plusmn; is a 95% interval over them). " << r.fallbacks << " of " << r.draws_made
    << " draws fell back to the (workload, payload) cell, " << r.coarse_fallbacks
    << " to the workload alone. "
    << "Policies: lambda-only, ecs-only, the model, the prototype's fallback heuristic, per-cell "
       "oracles for cost "
    << "(seed-prorated) and for latency, and the per-request hindsight bound (the faster of the "
       "two drawn outcomes). "
    << "Cost models: <i>seed-prorated</i> (the prototype's per-request formula, Lambda memory as "
       "its feature says: "
    << "128/512/1024/2048 MB), <i>seed-prorated-deployed-memory</i> (the memory Lambda really "
       "had), "
    << "<i>provisioned</i> (ECS task-hours that actually ran, at current Fargate prices, divided "
       "by requests served).</p>\n";
  if (in.audit) {
    h << "<h2 id=\"caveats\">Data-quality caveats (from <code>hybrid-router audit</code>)</h2>\n";
    for (const auto& f : in.audit->findings) {
      h << "<div class=\"caveat\"><b>" << Escape(f.title) << "</b><br>" << Escape(f.evidence)
        << "</div>\n";
    }
  }
  h << "<h2 id=\"results\">Results</h2>\n<table id=\"policies\"><tr><th>policy</th><th>Lambda "
       "share</th><th>mean ms</th>"
       "<th>p50</th><th>p95</th><th>p99</th><th>exec mean ms</th><th>cold starts</th><th>$/1M "
       "seed-prorated</th>"
       "<th>$/1M deployed memory</th><th>$/1M provisioned</th><th>latency savings</th><th>cost "
       "savings</th>"
       "<th>latency regret ms</th></tr>\n";
  for (const auto& p : r.policies) {
    h << "<tr><td>" << Escape(p.policy)
      << (p.in_sample ? " <small>(in-sample)</small>"
          : p.bound   ? " <small>(bound)</small>"
                      : "")
      << "</td><td>" << F("%.1f%%", p.lambda_share.mean * 100) << "</td><td>"
      << F("%.0f", p.response_mean.mean) << " &plusmn; " << F("%.0f", p.response_mean.ci95)
      << "</td><td>" << F("%.0f", p.response_p50.mean) << "</td><td>"
      << F("%.0f", p.response_p95.mean) << "</td><td>" << F("%.0f", p.response_p99.mean)
      << "</td><td>" << F("%.0f", p.execution_mean.mean) << "</td><td>"
      << F("%.0f", p.cold_starts.mean) << "</td><td>" << F("%.2f", p.cost_per_million[0].mean)
      << " &plusmn; " << F("%.2f", p.cost_per_million[0].ci95) << "</td><td>"
      << F("%.2f", p.cost_per_million[1].mean) << "</td><td>"
      << F("%.2f", p.cost_per_million[2].mean) << "</td><td>"
      << F("%.1f%%", p.latency_savings * 100) << "</td><td>" << F("%.1f%%", p.cost_savings[0] * 100)
      << "</td><td>" << F("%.0f", p.latency_regret_ms) << "</td></tr>\n";
  }
  h << "</table>\n<p>Savings are against the better single platform for that measure (cost: "
       "seed-prorated); regret is against the latency oracle. <i>in-sample</i>: an oracle, which "
       "chose with every record, the judged ones included; <i>bound</i>: the hindsight bound, "
       "per request the faster of two independent draws, which no policy can attain.</p>\n";
  h << "<h2 id=\"objectives\">Routing for an objective</h2>\n";
  ObjectiveTable(h, r, "objective-table");
  if (in.censoring) CensoringPanel(h, r, *in.censoring, in.audit);
  for (size_t c = 0; c < cost::kCostModels.size(); ++c) {
    h << "<figure id=\"chart-pareto-" << cost::Name(cost::kCostModels[c]) << "\">" << pareto_svg[c]
      << "<figcaption>Cost (" << cost::Name(cost::kCostModels[c])
      << ") against mean response time: single platforms, oracles, the classifier and the "
         "objective policies as points, the balanced sweep as a line.</figcaption></figure>\n";
  }
  h << "<figure id=\"chart-cost\">" << *cost_svg
    << "<figcaption>Cost per 1M requests by policy and cost model.</figcaption></figure>\n";
  h << "<figure id=\"chart-cdf\">" << *cdf_svg
    << "<figcaption>Response-time distribution by policy.</figcaption></figure>\n";
  h << "<figure id=\"chart-share\">" << *share_svg
    << "<figcaption>Lambda share per workload.</figcaption></figure>\n";
  h << "</body></html>\n";

  return WriteAtomically(path, h.str());
}

}  // namespace hr::report
