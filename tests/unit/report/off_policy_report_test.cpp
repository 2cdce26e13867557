#include "report/off_policy_report.h"

#include <gtest/gtest.h>

#include <string>

namespace hr::report {
namespace {

eval::OffPolicyResult Result() {
  eval::OffPolicyResult r;
  r.used = 900;
  r.logged.response_ms = 1900.04;
  r.logged.response_p95_ms = 5000;
  eval::PolicyEstimate p;
  p.policy = "lambda-only";
  p.matched = 450;
  p.effective_sample_size = 60;
  p.min_matched_propensity = 0.1;
  p.response_ms.ips = {1920.25, {1850.04, 1990.96}};
  p.response_ms.snips = {1921, {1860, 1980}};
  p.response_ms.dr = {1919, {1870.5, 1969.5}};
  p.cost_per_million_usd[0].dr = {13.6543, {13.1, 14.2}};
  r.policies.push_back(p);
  return r;
}

// The section: the lines and their reasons, the logging models, a row per policy with its
// intervals beside the logging policy's observed value, each chart in its figure, and the caveats.
TEST(OffPolicyReport, TheSectionHasItsTablesChartsAndCaveats) {
  eval::OffPolicyLog log;
  log.files = {"a.jsonl"};
  log.lines = 1000;
  log.used.resize(900);
  log.skipped = {{"fallback attempt (not the policy's choice)", 100}};
  log.models = {{"fnv1a64:0000000000000001", 1000}};
  const std::string h = OffPolicySection(log, Result(),
                                         {{"response", "<svg>R</svg>"},
                                          {"cost-seed-prorated", "<svg>C</svg>"},
                                          {"cost-seed-prorated-deployed-memory", "<svg>D</svg>"}});
  for (const char* part : {
           "<section id=\"off-policy\">",
           "1000 lines, 900 used, 100 skipped",
           "<tr><td>fallback attempt (not the policy's choice)</td><td>100</td></tr>",
           "<tr><td>fnv1a64:0000000000000001</td><td>1000</td></tr>",
           "<tr class=\"logged\"><td>logging policy (observed)</td><td>900</td><td>&ndash;</td>"
           "<td>&ndash;</td><td colspan=\"3\">1900.0</td><td>5000.0</td></tr>",
           "<tr><td>lambda-only</td><td>450</td><td>60.0</td><td>0.1</td><td>1920.2 [1850.0, "
           "1991.0]</td><td>1921.0 [1860.0, 1980.0]</td><td>1919.0 [1870.5, 1969.5]</td>",
           "<td>13.654 [13.100, 14.200]</td>",
           "<figure id=\"chart-off-policy-response\"><svg>R</svg>",
           "<figure id=\"chart-off-policy-cost-seed-prorated\"><svg>C</svg>",
           "<figure id=\"chart-off-policy-cost-seed-prorated-deployed-memory\"><svg>D</svg>",
           "<div class=\"caveat\"><b>lambda-only</b>: effective sample size 60.0 is under 100",
       })
    EXPECT_NE(h.find(part), std::string::npos) << part << "\n" << h;
}

}  // namespace
}  // namespace hr::report
