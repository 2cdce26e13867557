// Off-policy evaluation as one self-contained HTML file (evaluate --off-policy --html): per
// candidate policy the IPS, SNIPS and DR estimates of mean response time and of cost per 1M
// requests with their 95 % intervals (tables, and gnuplot charts with error bars, inlined SVG),
// the logging policy's observed value beside them, the effective sample sizes, the lines used and
// skipped with their reasons, the logging models, and when not to trust the numbers
// (eval::TrustCaveats). Adapter: runs gnuplot, writes the file.
#pragma once

#include <string>

#include "core/result.h"
#include "eval/off_policy.h"

namespace hr::report {

// The page's body: the section (id "off-policy") with its tables and the charts given as SVG,
// keyed by chart name ("response", and each of eval::kOffPolicyCostModels' names). Pure.
std::string OffPolicySection(const eval::OffPolicyLog& log, const eval::OffPolicyResult& r,
                             const std::vector<std::pair<std::string, std::string>>& charts);

// Draws the charts and writes the whole page to `path` (via a temporary file and rename). Needs
// gnuplot on PATH.
core::Status WriteOffPolicyHtml(const eval::OffPolicyLog& log, const eval::OffPolicyResult& r,
                                const std::string& path);

}  // namespace hr::report
