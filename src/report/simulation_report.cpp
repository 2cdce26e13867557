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
    << Escape(SweepTable(results)) << "</pre>\n</body></html>\n";
  return WriteAtomically(path, h.str());
}

}  // namespace hr::report
