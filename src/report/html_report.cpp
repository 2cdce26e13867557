#include "report/html_report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hr::report {

namespace {

namespace fs = std::filesystem;

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string F(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

const eval::PolicyResult* Find(const eval::ReplayResult& r, std::string_view name) {
  for (const auto& p : r.policies) {
    if (p.policy == name) return &p;
  }
  return nullptr;
}

core::Status Write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out)
    return core::MakeError(core::ErrorCode::kIo, "cannot write '" + path.string() + "'", "html");
  return {};
}

// Runs gnuplot on `script` in `dir`; returns the SVG it wrote, without its XML prologue.
core::Result<std::string> Plot(const fs::path& dir, const std::string& name,
                               const std::string& script) {
  const fs::path gp = dir / (name + ".gp"), svg = dir / (name + ".svg"),
                 err = dir / (name + ".err");
  if (auto s = Write(gp,
                     "set terminal svg size 960,420 dynamic noenhanced font 'sans,12' background "
                     "rgb 'white'\nset output '" +
                         svg.string() + "'\n" + script);
      !s) {
    return s.error();
  }
  const std::string cmd = "gnuplot '" + gp.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  if (status != 0) {
    std::ifstream e(err);
    std::stringstream ss;
    ss << e.rdbuf();
    return core::MakeError(
        core::ErrorCode::kIo,
        "gnuplot failed (" + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
            "); is it installed? (tools/setup.sh gnuplot-nox) " + ss.str().substr(0, 300),
        "html");
  }
  std::ifstream in(svg);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const size_t start = text.find("<svg");
  if (start == std::string::npos)
    return core::MakeError(core::ErrorCode::kIo, "gnuplot wrote no SVG", "html");
  return text.substr(start);
}

constexpr const char* kStyle =
    R"(body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.caveat{background:#fff8e5;border-left:4px solid #e0a800;padding:.4em .8em;margin:.5em 0}
.conclusion{background:#eef6ee;border-left:4px solid #3a3;padding:.6em 1em}figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em})";

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
    << F("%.0f", o_lat->response_mean.mean)
    << " ms), and no policy could beat the per-request hindsight bound of "
    << F("%.0f", hind->response_mean.mean)
    << " ms. On cost the answer depends on the cost model: with the prototype's pro-rated formula "
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
  return s.str();
}

core::Status WriteHtmlReport(const ReportInput& in, const std::string& path) {
  const eval::ReplayResult& r = *in.result;
  std::error_code ec;
  const fs::path dir = fs::temp_directory_path(ec) / ("hr_report_" + std::to_string(::getpid()));
  fs::create_directories(dir, ec);
  if (ec)
    return core::MakeError(core::ErrorCode::kIo,
                           "cannot create a temporary folder: " + ec.message(), "html");
  struct Cleanup {
    fs::path d;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(d, e);
    }
  } cleanup{dir};

  // Data files for gnuplot.
  std::ostringstream cost, share;
  cost << "policy seed-prorated deployed-memory provisioned\n";
  share << "workload";
  for (const auto& p : r.policies) share << ' ' << p.policy;
  share << '\n';
  for (const auto& p : r.policies) {
    cost << p.policy << ' ' << p.cost_per_million[0].mean << ' ' << p.cost_per_million[1].mean
         << ' ' << p.cost_per_million[2].mean << '\n';
  }
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    share << features::Name(static_cast<features::Workload>(w));
    for (const auto& p : r.policies)
      share << ' ' << p.lambda_share_by_workload[static_cast<size_t>(w)].mean * 100;
    share << '\n';
  }
  std::ostringstream cdf;
  for (const auto& p : r.policies) {
    cdf << "\"" << p.policy << "\"\n";
    for (size_t q = 0; q < p.response_percentiles.size(); ++q) {
      cdf << p.response_percentiles[q] << ' ' << static_cast<double>(q) / 100.0 << '\n';
    }
    cdf << "\n\n";
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
                          std::to_string(r.policies.size() - 1) + "] '" + d +
                          "cdf.dat' index i using 1:2 with lines lw 2 title columnheader(1)\n");
  if (!cdf_svg) return cdf_svg.error();
  auto share_svg = Plot(dir, "share",
                        bars +
                            "set ylabel 'Lambda share (%)'\nset yrange [0:105]\nset title 'Lambda "
                            "share per workload'\n"
                            "plot for [i=2:" +
                            std::to_string(r.policies.size() + 1) + "] '" + d +
                            "share.dat' using i:xtic(1) title columnheader(i)\n");
  if (!share_svg) return share_svg.error();

  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hybrid-router "
       "evaluation</title><style>"
    << kStyle << "</style></head><body>\n<h1>Does hybrid routing pay off?</h1>\n";
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
    h << "<tr><td>" << Escape(p.policy) << "</td><td>" << F("%.1f%%", p.lambda_share.mean * 100)
      << "</td><td>" << F("%.0f", p.response_mean.mean) << " &plusmn; "
      << F("%.0f", p.response_mean.ci95) << "</td><td>" << F("%.0f", p.response_p50.mean)
      << "</td><td>" << F("%.0f", p.response_p95.mean) << "</td><td>"
      << F("%.0f", p.response_p99.mean) << "</td><td>" << F("%.0f", p.execution_mean.mean)
      << "</td><td>" << F("%.0f", p.cold_starts.mean) << "</td><td>"
      << F("%.2f", p.cost_per_million[0].mean) << " &plusmn; "
      << F("%.2f", p.cost_per_million[0].ci95) << "</td><td>"
      << F("%.2f", p.cost_per_million[1].mean) << "</td><td>"
      << F("%.2f", p.cost_per_million[2].mean) << "</td><td>"
      << F("%.1f%%", p.latency_savings * 100) << "</td><td>" << F("%.1f%%", p.cost_savings[0] * 100)
      << "</td><td>" << F("%.0f", p.latency_regret_ms) << "</td></tr>\n";
  }
  h << "</table>\n<p>Savings are against the better single platform for that measure (cost: "
       "seed-prorated); "
       "regret is against the latency oracle.</p>\n";
  h << "<figure id=\"chart-cost\">" << *cost_svg
    << "<figcaption>Cost per 1M requests by policy and cost model.</figcaption></figure>\n";
  h << "<figure id=\"chart-cdf\">" << *cdf_svg
    << "<figcaption>Response-time distribution by policy.</figcaption></figure>\n";
  h << "<figure id=\"chart-share\">" << *share_svg
    << "<figcaption>Lambda share per workload.</figcaption></figure>\n";
  h << "</body></html>\n";

  const std::string tmp = path + ".tmp";
  if (auto s = Write(tmp, h.str()); !s) return s.error();
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return core::MakeError(core::ErrorCode::kIo, "cannot write '" + path + "'", "html");
  }
  return {};
}

}  // namespace hr::report
