#include "report/simulation_report.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "report/html_kit.h"
#include "report/simulation_text.h"

namespace hr::report {

namespace fs = std::filesystem;

core::Status WriteSimulationReport(const std::vector<sim::SimResult>& results,
                                   const std::string& setup, const std::string& path) {
  if (results.empty())
    return core::MakeError(core::ErrorCode::kInvalidArgument, "nothing simulated", "html");
  auto scratch = ScratchDir::Create("hr-sim-report-");
  if (!scratch) return scratch.error();
  const fs::path& dir = (*scratch)->path();

  // One data file per policy, in first-seen order.
  std::vector<std::string> policies;
  std::map<std::string, std::ostringstream> data;
  for (const sim::SimResult& r : results) {
    if (!data.count(r.policy)) policies.push_back(r.policy);
    data[r.policy] << r.rate << ' ' << r.cost_usd.per_day << ' ' << r.response_ms.p95 << '\n';
  }
  // Built with streams: GCC 12 warns falsely (-Wrestrict) on chains of std::string additions.
  std::ostringstream cost_plot, p95_plot, marks, changes;
  cost_plot << "plot ";
  p95_plot << "plot ";
  for (size_t i = 0; i < policies.size(); ++i) {
    std::ostringstream name;
    name << 'p' << i << ".dat";
    const fs::path file = dir / name.str();
    if (auto s = Write(file, data[policies[i]].str()); !s) return s.error();
    const char* sep = i ? ", " : "";
    cost_plot << sep << "'" << file.string() << "' using 1:2 with linespoints lw 2 title '"
              << policies[i] << "'";
    p95_plot << sep << "'" << file.string() << "' using 1:3 with linespoints lw 2 title '"
             << policies[i] << "'";
  }
  // Where the cheapest policy changes: a dashed line half-way between the two rates.
  const auto cheapest = CheapestByRate(results);
  for (size_t i = 1; i < cheapest.size(); ++i) {
    if (cheapest[i].second == cheapest[i - 1].second) continue;
    const double x = (cheapest[i].first + cheapest[i - 1].first) / 2;
    marks << "set arrow from " << x << ", graph 0 to " << x
          << ", graph 1 nohead dt 2 lc rgb '#888'\n";
    changes << "<li>" << Escape(cheapest[i - 1].second) << " stops being the cheapest between "
            << cheapest[i - 1].first << " and " << cheapest[i].first << " requests/s; "
            << Escape(cheapest[i].second) << " takes over.</li>\n";
  }
  std::string changes_html = changes.str();
  if (changes_html.empty())
    changes_html = "<li>" + Escape(cheapest.front().second) +
                   " is the cheapest at every rate simulated.</li>\n";
  const std::string axes = "set key top left\nset grid\nset xlabel 'arrival rate (requests/s)'\n";
  auto cost_svg =
      Plot(dir, "cost", axes + "set ylabel 'cost per day (USD)'\n" + marks.str() + cost_plot.str());
  if (!cost_svg) return cost_svg.error();
  auto p95_svg = Plot(
      dir, "p95", axes + "set ylabel 'p95 response time (ms)'\n" + marks.str() + p95_plot.str());
  if (!p95_svg) return p95_svg.error();

  std::string phases;  // --drift: every run's phases against the oracle
  for (const sim::SimResult& r : results)
    if (!r.phases.empty()) phases.append(r.policy).append(":\n").append(PhasesText(r));
  if (!phases.empty())
    phases = "<h2>Phases against the oracle (regret: the mean minus the oracle's)</h2><pre>" +
             Escape(phases) + "</pre>\n";
  std::ostringstream h;
  h << "<!doctype html><html><head><meta charset='utf-8'><title>hybrid-router simulate</title>"
    << "<style>" << Stylesheet() << "</style></head><body>\n"
    << "<h1>What would each policy cost at my traffic?</h1>\n"
    << "<p>A discrete-event simulation of Lambda instances (keep-alive, cold starts, limits) and "
       "ECS Fargate tasks (k requests in flight per task, FIFO queueing, target-tracking "
       "autoscaling, per-second billing with a one-minute minimum) at each arrival rate.</p>\n"
    << "<pre>" << Escape(setup) << "</pre>\n<h2>Where the cheapest policy changes</h2><ul>\n"
    << changes_html << "</ul>\n<figure>" << *cost_svg
    << "<figcaption>Total cost per day against the arrival rate; dashed lines: the cheapest "
       "policy changes.</figcaption></figure>\n<figure>"
    << *p95_svg
    << "<figcaption>p95 response time (queueing and cold starts included).</figcaption>"
       "</figure>\n<h2>Every run</h2><pre>"
    << Escape(SweepTable(results)) << "</pre>\n"
    << phases << "</body></html>\n";
  return WriteAtomically(path, h.str());
}

namespace {

// One data file of (cost per day, p95) points.
core::Status Points(const fs::path& file, const std::vector<const sim::SimResult*>& results) {
  std::ostringstream out;
  for (const sim::SimResult* r : results)
    out << r->cost_usd.per_day << ' ' << r->response_ms.p95 << '\n';
  return Write(file, out.str());
}

}  // namespace

core::Status WriteAdviceReport(const sim::AdviceSet& set, double p95_target_ms,
                               const std::string& setup, const std::string& path) {
  const std::vector<sim::Advice>& advice = set.workloads;
  if (advice.empty())
    return core::MakeError(core::ErrorCode::kInvalidArgument, "no workload to advise on", "html");
  auto scratch = ScratchDir::Create("hr-advice-report-");
  if (!scratch) return scratch.error();
  const fs::path& dir = (*scratch)->path();
  std::ostringstream figures;
  for (size_t i = 0; i < advice.size(); ++i) {
    const sim::Advice& a = advice[i];
    const std::string name(features::Name(a.workload));
    std::vector<const sim::SimResult*> tried;
    tried.reserve(a.tried.size());
    for (const auto& t : a.tried) tried.push_back(&t.result);
    const std::pair<const char*, std::vector<const sim::SimResult*>> sets[] = {
        {"tried", tried},
        {"lambda", {&a.lambda_only}},
        {"ecs", {&a.ecs_only}},
        {"advised", {&a.advised}}};
    std::ostringstream plot;
    plot << "set key top right\nset grid\nset xlabel 'cost per day (USD)'\n"
         << "set ylabel 'p95 response time (ms)'\n";
    const double target = a.p95_target_ms > 0 ? a.p95_target_ms : p95_target_ms;
    if (target > 0)
      plot << "set arrow from graph 0, first " << target << " to graph 1, first " << target
           << " nohead dt 2 lc rgb '#888'\n";
    plot << "plot ";
    const char* styles[] = {"with points pt 7 ps 0.6 lc rgb '#9ab' title 'configurations tried'",
                            "with points pt 5 ps 1.6 lc rgb '#d62' title 'lambda-only'",
                            "with points pt 9 ps 1.8 lc rgb '#27c' title 'ecs-only (autoscaling)'",
                            "with points pt 3 ps 2.4 lw 3 lc rgb '#191' title 'advised'"};
    for (size_t k = 0; k < std::size(sets); ++k) {
      std::ostringstream file_name;
      file_name << 'w' << i << '-' << sets[k].first << ".dat";
      const fs::path file = dir / file_name.str();
      if (auto st = Points(file, sets[k].second); !st) return st.error();
      plot << (k ? ", " : "") << "'" << file.string() << "' using 1:2 " << styles[k];
    }
    auto svg = Plot(dir, "advice-" + std::to_string(i), plot.str());
    if (!svg) return svg.error();
    const std::string wait = a.tasks == 0 ? ""
                             : a.wait < 0 ? ", any number waiting per task"
                                          : ", " + std::to_string(a.wait) + " waiting per task";
    figures << "<h2>" << Escape(name) << "</h2>\n<figure>" << *svg << "<figcaption>Every "
            << "configuration simulated for " << Escape(name) << " (ECS tasks kept x requests "
            << "allowed to wait before spilling to Lambda): cost per day against p95. Advised: "
            << a.tasks << " task" << (a.tasks == 1 ? "" : "s") << Escape(wait)
            << (a.meets_target ? "" : " (no configuration met the target: the fastest)")
            << "; the dashed line is the p95 target.</figcaption></figure>\n";
  }
  std::ostringstream h;
  h << "<!doctype html><html><head><meta charset='utf-8'><title>hybrid-router simulate "
       "--advise</title><style>"
    << Stylesheet() << "</style></head><body>\n"
    << "<h1>How many ECS tasks should I keep, and let Lambda take the rest?</h1>\n"
    << "<p>Per workload, the cheapest spill-over configuration whose p95 meets the target, among "
       "every task count and waiting allowance simulated, beside Lambda alone and ECS alone with "
       "autoscaling on the same traffic. A configuration below and to the left of another is "
       "cheaper and faster.</p>\n<pre>"
    << Escape(setup) << "</pre>\n<pre>" << Escape(AdviceTable(set, p95_target_ms)) << "</pre>\n"
    << figures.str() << "</body></html>\n";
  return WriteAtomically(path, h.str());
}

}  // namespace hr::report
