#include "report/off_policy_report.h"

#include <cstdio>
#include <sstream>

#include "report/html_kit.h"

namespace hr::report {

namespace {

namespace fs = std::filesystem;

// "mean [lo, hi]" with `digits` decimals, as the text output writes an interval.
std::string Cell(const eval::Interval& i, int digits) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.*f [%.*f, %.*f]", digits, i.mean, digits, i.ci95[0], digits,
                i.ci95[1]);
  return buf;
}

// The metric's estimators of a policy: 0 response time, 1 + c cost under kOffPolicyCostModels[c].
const eval::Estimators& Of(const eval::PolicyEstimate& p, size_t metric) {
  return metric == 0 ? p.response_ms : p.cost_per_million_usd[metric - 1];
}

double LoggedOf(const eval::LoggedValue& v, size_t metric) {
  return metric == 0 ? v.response_ms : v.cost_per_million_usd[metric - 1];
}

std::string ChartName(size_t metric) {
  return metric == 0
             ? std::string("response")
             : std::string("cost-").append(cost::Name(eval::kOffPolicyCostModels[metric - 1]));
}

// The three estimators per policy with their 95 % intervals as error bars, the logging policy's
// observed value as a dashed line.
core::Result<std::string> Chart(const fs::path& dir, const eval::OffPolicyResult& r,
                                size_t metric) {
  std::ostringstream data;
  for (const eval::PolicyEstimate& p : r.policies) {
    const eval::Estimators& e = Of(p, metric);
    data << '"' << p.policy << '"';
    for (const eval::Interval* i : {&e.ips, &e.snips, &e.dr})
      data << ' ' << F("%.9g", i->mean) << ' ' << F("%.9g", i->ci95[0]) << ' '
           << F("%.9g", i->ci95[1]);
    data << '\n';
  }
  const std::string name = ChartName(metric);
  const fs::path file = dir / (name + ".dat");
  if (auto s = Write(file, data.str()); !s) return s.error();
  const std::string ylabel = metric == 0
                                 ? std::string("mean response time (ms)")
                                 : std::string("USD per 1M requests (")
                                       .append(cost::Name(eval::kOffPolicyCostModels[metric - 1]))
                                       .append(")");
  const std::string f = std::string("'").append(file.string()).append("'");
  std::ostringstream gp;
  gp << "set grid ytics\nset key outside top center horizontal\nset xtics rotate by -20\nset "
        "xrange [-0.6:"
     << r.policies.size() << "-0.4]\nset offsets 0, 0, graph 0.08, graph 0.08\nset ylabel '"
     << ylabel << "'\nset title 'Off-policy estimates with 95 % intervals: " << ylabel
     << "'\nlogged = " << F("%.9g", LoggedOf(r.logged, metric)) << "\nplot " << f
     << " using 0:2:xtic(1) with points ps 0 notitle, " << f
     << " using ($0-0.2):2:3:4 with yerrorbars pt 7 ps 0.8 lw 1.5 title 'IPS', " << f
     << " using 0:5:6:7 with yerrorbars pt 5 ps 0.8 lw 1.5 title 'SNIPS', " << f
     << " using ($0+0.2):8:9:10 with yerrorbars pt 9 ps 1 lw 2 title 'DR', logged with lines dt 2 "
        "lw 2 lc rgb '#555555' title 'logging policy (observed)'\n";
  return Plot(dir, name, gp.str());
}

void CountsTable(std::ostringstream& h, const char* id, const char* what,
                 const std::vector<std::pair<std::string, uint64_t>>& rows) {
  h << "<table id=\"" << id << "\"><tr><th>" << what << "</th><th>lines</th></tr>\n";
  for (const auto& [name, count] : rows)
    h << "<tr><td>" << Escape(name) << "</td><td>" << count << "</td></tr>\n";
  h << "</table>\n";
}

void EstimatesTable(std::ostringstream& h, const eval::OffPolicyResult& r, size_t metric) {
  const int digits = metric == 0 ? 1 : 3;
  const char* unit = metric == 0 ? "ms" : "USD";
  h << "<table id=\"off-policy-" << ChartName(metric)
    << "\"><tr><th>policy</th><th>matched</th><th>effective sample size</th><th>smallest "
       "matched propensity</th><th>IPS "
    << unit << " [95 %]</th><th>SNIPS " << unit << " [95 %]</th><th>DR " << unit << " [95 %]</th>"
    << (metric == 0 ? "<th>p95 ms (SNIPS)</th>" : "") << "</tr>\n";
  h << "<tr class=\"logged\"><td>logging policy (observed)</td><td>" << r.used
    << "</td><td>&ndash;</td><td>&ndash;</td><td colspan=\"3\">"
    << F(metric == 0 ? "%.1f" : "%.3f", LoggedOf(r.logged, metric)) << "</td>"
    << (metric == 0 ? "<td>" + F("%.1f", r.logged.response_p95_ms) + "</td>" : "") << "</tr>\n";
  for (const eval::PolicyEstimate& p : r.policies) {
    const eval::Estimators& e = Of(p, metric);
    h << "<tr><td>" << Escape(p.policy) << "</td><td>" << p.matched << "</td><td>"
      << F("%.1f", p.effective_sample_size) << "</td><td>" << F("%.4g", p.min_matched_propensity)
      << "</td><td>" << Cell(e.ips, digits) << "</td><td>" << Cell(e.snips, digits) << "</td><td>"
      << Cell(e.dr, digits) << "</td>";
    if (metric == 0)
      h << "<td>" << (p.response_p95_ms ? F("%.1f", *p.response_p95_ms) : "&ndash;") << "</td>";
    h << "</tr>\n";
  }
  h << "</table>\n";
}

}  // namespace

std::string OffPolicySection(const eval::OffPolicyLog& log, const eval::OffPolicyResult& r,
                             const std::vector<std::pair<std::string, std::string>>& charts) {
  auto chart = [&](const std::string& name) -> std::string {
    for (const auto& [n, svg] : charts)
      if (n == name) return svg;
    return "";
  };
  std::ostringstream h;
  h << "<section id=\"off-policy\">\n<h2>Off-policy evaluation</h2>\n<p class=\"conclusion\" "
       "id=\"off-policy-summary\">What each candidate policy would have given on the requests "
       "the logging policy served, from "
    << log.files.size() << " outcome-log file(s): " << log.lines << " lines, " << log.used.size()
    << " used, " << log.skipped_total()
    << " skipped. Each estimate is shown as mean [95 % interval] (percentiles of a seeded "
       "bootstrap over requests) beside the logging policy's own observed value.</p>\n";
  h << "<h3 id=\"off-policy-lines\">Lines</h3>\n<table id=\"off-policy-line-counts\"><tr><th>"
       "lines</th><th>count</th></tr>\n<tr><td>total</td><td>"
    << log.lines << "</td></tr>\n<tr><td>used</td><td>" << log.used.size()
    << "</td></tr>\n<tr><td>skipped</td><td>" << log.skipped_total() << "</td></tr>\n</table>\n";
  if (!log.skipped.empty()) CountsTable(h, "off-policy-skipped", "skipped because", log.skipped);
  h << "<h3 id=\"off-policy-logging-models\">Logging models</h3>\n";
  CountsTable(h, "off-policy-models", "logging model (route.model)", log.models);
  if (!r.direct_model)
    h << "<div class=\"caveat\">No outcome tables from a half of the log: DR is IPS here.</div>\n";

  h << "<h3 id=\"off-policy-response-time\">Mean response time</h3>\n";
  EstimatesTable(h, r, 0);
  h << "<figure id=\"chart-off-policy-response\">" << chart(ChartName(0))
    << "<figcaption>Mean response time per candidate policy: IPS, SNIPS and DR with their 95 % "
       "intervals; the dashed line is the logging policy's observed mean.</figcaption></figure>\n";
  h << "<h3 id=\"off-policy-cost\">Cost per 1M requests</h3>\n<p>Per request from its "
       "execution time, under each cost model a log can price (provisioned ECS needs the "
       "task-hours of a run, which a log does not have).</p>\n";
  for (size_t c = 0; c < eval::kOffPolicyCostModels.size(); ++c) {
    const std::string cm(cost::Name(eval::kOffPolicyCostModels[c]));
    h << "<h4>" << cm << "</h4>\n";
    EstimatesTable(h, r, 1 + c);
    h << "<figure id=\"chart-off-policy-" << ChartName(1 + c) << "\">" << chart(ChartName(1 + c))
      << "<figcaption>Cost per 1M requests (" << cm
      << ") per candidate policy, with 95 % intervals; the dashed line is the logging policy's "
         "observed cost.</figcaption></figure>\n";
  }

  h << "<h3 id=\"off-policy-trust\">When not to trust these numbers</h3>\n";
  bool any = false;
  for (const eval::PolicyEstimate& p : r.policies) {
    for (const std::string& why : eval::TrustCaveats(p)) {
      h << "<div class=\"caveat\"><b>" << Escape(p.policy) << "</b>: " << Escape(why) << "</div>\n";
      any = true;
    }
  }
  if (!any)
    h << "<p id=\"off-policy-trusted\">Every candidate has an effective sample size of at least "
      << F("%.0f", eval::kMinTrustedEss) << " and no matched propensity under "
      << F("%g", eval::kLowPropensity) << ".</p>\n";
  h << "<p>Small effective sample sizes make the intervals themselves noisy; a few lines with "
       "small propensities carry large weights (IPS swings with them, SNIPS less, DR least). The "
       "estimators also assume that a request's outcome depends on its own platform only "
       "(queueing and cold starts break that) and describe the log's window only "
       "(docs/evaluate.md, \"When not to trust them\").</p>\n</section>\n";
  return h.str();
}

core::Status WriteOffPolicyHtml(const eval::OffPolicyLog& log, const eval::OffPolicyResult& r,
                                const std::string& path) {
  auto scratch = ScratchDir::Create("hr_offpolicy_report_");
  if (!scratch) return scratch.error();
  std::vector<std::pair<std::string, std::string>> charts;
  for (size_t m = 0; m < 1 + eval::kOffPolicyCostModels.size(); ++m) {
    auto svg = Chart((*scratch)->path(), r, m);
    if (!svg) return svg.error();
    charts.emplace_back(ChartName(m), std::move(*svg));
  }
  std::string page =
      std::string(
          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
          "hybrid-router off-policy evaluation</title><style>")
          .append(Stylesheet())
          .append("</style></head><body>\n<h1>What would other policies have given?</h1>\n")
          .append(OffPolicySection(log, r, charts))
          .append("</body></html>\n");
  return WriteAtomically(path, page);
}

}  // namespace hr::report
