// `hybrid-router audit [DIR...]`: the data-quality report of measurement logs, as a readable
// table or as JSON (--json). Every rejected line is listed in the JSON; the table shows the first
// --show-rejections of them and counts by reason.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "commands.h"
#include "data/audit.h"
#include "data/ingest.h"
#include "model_source.h"
#include "report/audit_text.h"

namespace hr::app {

namespace {

struct AuditConfig {
  std::vector<std::string> data;
  bool json = false;
  bool strict = false;
  size_t show_rejections = 20;
  std::string schedules;  // a file; empty: the prototype's
};

int RunAudit(AuditConfig& cfg) {
  if (cfg.data.empty()) cfg.data.push_back(data::DefaultDataDir());
  const auto t0 = std::chrono::steady_clock::now();
  data::IngestOptions options;
  options.strict = cfg.strict;
  options.keep_rejections = std::max<size_t>(options.keep_rejections, cfg.show_rejections);
  auto ds = data::Ingest(cfg.data, options);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!ds) return ReportError(ds.error());
  auto schedules =
      cfg.schedules.empty() ? data::PrototypeSchedules() : data::ReadSchedules(cfg.schedules);
  if (!schedules) return ReportError(schedules.error());
  const data::AuditReport report = data::Audit(*ds, *schedules);
  const std::string text = cfg.json ? report::AuditJson(*ds, report, ms)
                                    : report::AuditTable(*ds, report, ms, cfg.show_rejections);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (auto s = data::RequireRecords(*ds); !s) return ReportError(s.error());  // exit 2
  return 0;
}

}  // namespace

RunFn AddAudit(CLI::App& app) {
  auto cfg = std::make_shared<AuditConfig>();
  CLI::App* sub = app.add_subcommand(
      "audit",
      "Data-quality report of measurement logs (default: the shipped data): counts per "
      "cell, latency, cold starts, censoring, clock and memory mismatches, cost model, "
      "label ceiling.");
  sub->add_option("data", cfg->data, "Measurement files or directories (.jsonl, .jsonl.gz)");
  sub->add_flag("--json", cfg->json, "Write the report as one JSON document");
  sub->add_flag("--strict", cfg->strict, "Fail on any rejected line");
  sub->add_option("--show-rejections", cfg->show_rejections,
                  "Rejected lines listed in the table (--json lists the first max(100, N); all are "
                  "counted by reason)")
      ->capture_default_str();
  sub->add_option("--schedules", cfg->schedules,
                  "JSON file of the load schedules that sent the data, per load pattern "
                  "[[seconds, requests/s], ...] (default: the prototype's; docs/train-audit.md)")
      ->check(CLI::ExistingFile);
  return [cfg] { return RunAudit(*cfg); };
}

}  // namespace hr::app
