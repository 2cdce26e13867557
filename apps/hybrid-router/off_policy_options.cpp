#include "off_policy_options.h"

#include <cstdio>

#include "core/civil_time.h"
#include "eval/evaluate.h"
#include "eval/off_policy.h"
#include "model_source.h"
#include "report/off_policy_report.h"

namespace hr::app {

CLI::Option* AddOffPolicyOptions(CLI::App& sub, OffPolicyOptions& o) {
  auto* off = sub.add_option(
      "--off-policy", o.paths,
      "Off-policy evaluation on outcome logs (route's, or simulate --outcome-log's): "
      "files or directories whose lines carry route.propensity");
  sub.add_option("--since", o.since,
                 "With --off-policy: only lines at or after this time (ISO-8601, as logged)");
  sub.add_option("--until", o.until,
                 "With --off-policy: only lines before this time (ISO-8601, as logged)");
  sub.add_option("--bootstrap", o.bootstrap,
                 "With --off-policy: bootstrap resamples over requests for the 95 % intervals")
      ->capture_default_str()
      ->check(CLI::Range(10, 100000));
  return off;
}

namespace {

core::Result<std::optional<int64_t>> Time(const std::string& text, const char* option) {
  if (text.empty()) return std::optional<int64_t>();
  auto t = core::ParseIso8601(text);
  if (!t)
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           std::string(option) + ": " + t.error().message, option);
  return std::optional<int64_t>(core::WallClockMicros(*t));
}

}  // namespace

int RunOffPolicy(const OffPolicyOptions& o, const std::string& model, uint64_t seed,
                 const std::string& pricing_file, const std::string& format,
                 const std::string& html, bool quiet) {
  if (format == "csv")
    return ReportError(core::MakeError(core::ErrorCode::kInvalidArgument,
                                       "--format csv is not available with --off-policy (table "
                                       "or json)",
                                       "--format"));
  const bool json = format == "json";
  eval::OffPolicyReadOptions read;
  auto since = Time(o.since, "--since");
  if (!since) return ReportError(since.error());
  auto until = Time(o.until, "--until");
  if (!until) return ReportError(until.error());
  read.since_us = *since;
  read.until_us = *until;
  eval::OffPolicyConfig cfg;
  cfg.seed = seed;
  cfg.bootstrap = o.bootstrap;
  if (!pricing_file.empty())
    if (auto s = eval::LoadPricing(pricing_file, cfg.pricing); !s) return ReportError(s.error());
  auto m = LoadModel(model == "builtin" ? "" : model);
  if (!m) return ReportError(m.error());
  auto log = eval::ReadOffPolicyLog(o.paths, read);
  if (!log) return ReportError(log.error());
  if (!quiet)
    std::fprintf(stderr, "evaluate: %zu of %llu outcome lines usable\n", log->used.size(),
                 static_cast<unsigned long long>(log->lines));
  const auto result = eval::EstimateOffPolicy(log->used, eval::DefaultCandidates(*m), cfg);
  if (!html.empty()) {
    if (auto s = report::WriteOffPolicyHtml(*log, result, html); !s) return ReportError(s.error());
    if (!quiet) std::fprintf(stderr, "evaluate: wrote %s\n", html.c_str());
  }
  const std::string text =
      json ? eval::OffPolicyJson(*log, result) : eval::OffPolicyText(*log, result);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace hr::app
