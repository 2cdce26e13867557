// `hybrid-router promote`: a challenger learned from the router's own log replaces the champion
// model only when doubly robust estimates on the newer part of the log show that it wins
// (eval/promote.h, docs/promote.md). Exit 0 promoted, 1 kept, 2 error.
#include <cstdio>
#include <fstream>

#include "commands.h"
#include "eval/evaluate.h"
#include "eval/promote.h"
#include "http/client.h"
#include "model_source.h"
#include "modelfile/model_file.h"
#include "objective_options.h"
#include "service/service.h"

namespace hr::app {

namespace {

struct PromoteCommandConfig {
  std::string champion = "builtin", out, reload, api_key_file, pricing, format = "text";
  std::vector<std::string> log;
  ObjectiveOptions objective;
  eval::PromoteConfig promote;
  bool quiet = false;
};

core::Error Bad(const std::string& field, const std::string& why) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, field + ": " + why, field);
}

// POST URL (http://HOST:PORT[/PATH], /admin/reload when no path) with the admin key, if any.
core::Status Reload(const std::string& url, const std::string& key_file) {
  if (!url.starts_with("http://")) return Bad("--reload", "must be http://HOST:PORT[/PATH]");
  const std::string rest = url.substr(7);
  const size_t slash = rest.find('/');
  const std::string endpoint = rest.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/admin/reload" : rest.substr(slash);
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key_file.empty()) {
    std::ifstream in(key_file);
    std::string key;
    if (!in || !std::getline(in, key) || key.size() > 4096)
      return Bad("--api-key-file", "cannot read a key from '" + key_file + "'");
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    headers.emplace_back("x-api-key", key);
  }
  auto client = http::Client::Create(endpoint);
  if (!client) return Bad("--reload", client.error().message);
  auto r = (*client)->Send("POST", path, "", headers, 30000);
  if (!r) return Bad("--reload", r.error().message);
  if (r->status != 200)
    return Bad("--reload",
               "the service answered " + std::to_string(r->status) + ": " + r->body.substr(0, 200));
  return {};
}

int RunPromote(PromoteCommandConfig& cfg) {
  eval::PromoteConfig& p = cfg.promote;
  if (!cfg.pricing.empty())
    if (auto s = eval::LoadPricing(cfg.pricing, p.estimate.pricing); !s)
      return ReportError(s.error());
  const std::string file = cfg.champion == "builtin" ? "" : cfg.champion;
  auto m = LoadModel(file);
  if (!m) return ReportError(m.error());
  p.champion = *m;
  p.champion_fingerprint = service::ModelFingerprint(file);
  p.objective = ToObjective(cfg.objective);
  if (auto s = p.Validate(); !s) return ReportError(s.error());
  auto log = eval::ReadOffPolicyLog(cfg.log);
  if (!log) return ReportError(log.error());
  auto d = eval::DecidePromotion(p, *log);
  if (!d) return ReportError(d.error());
  bool written = false;
  if (d->promote && !cfg.out.empty()) {
    if (auto s = modelfile::WriteFileAtomic(*d->challenger_model, cfg.out); !s)
      return ReportError(s.error());
    written = true;
  }
  const std::string text =
      cfg.format == "json" ? eval::PromoteJson(*d, written, cfg.out) : eval::PromoteText(*d);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (written && !cfg.quiet) std::fprintf(stderr, "promote: wrote %s\n", cfg.out.c_str());
  if (written && !cfg.reload.empty()) {
    if (auto s = Reload(cfg.reload, cfg.api_key_file); !s) return ReportError(s.error());
    if (!cfg.quiet) std::fprintf(stderr, "promote: %s reloaded\n", cfg.reload.c_str());
  }
  return d->promote ? 0 : 1;
}

}  // namespace

RunFn AddPromote(CLI::App& app) {
  auto cfg = std::make_shared<PromoteCommandConfig>();
  CLI::App* s = app.add_subcommand(
      "promote",
      "Learn a challenger from the router's outcome log and replace the champion model only when "
      "doubly robust estimates on the log's newer part show it wins (exit 0 promoted, 1 kept)");
  s->add_option("--champion", cfg->champion, "The model in service: a file, or 'builtin'")
      ->capture_default_str();
  s->add_option("--log", cfg->log, "Outcome-log files or directories (route --outcome-log)")
      ->required();
  s->add_option("--out", cfg->out, "Where the challenger is written (atomically) when promoted");
  AddObjectiveOptions(*s, cfg->objective);
  s->add_option("--train-share", cfg->promote.train_share,
                "The older share of the log's lines the challenger learns from")
      ->capture_default_str();
  s->add_option("--min-ess", cfg->promote.min_ess,
                "Effective sample size both estimates need on the newer part")
      ->capture_default_str();
  s->add_option("--shrinkage", cfg->promote.shrinkage,
                "The challenger's outcome tables: pseudo-count toward the parent cell, 0-1000")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  s->add_option("--bootstrap", cfg->promote.estimate.bootstrap, "Bootstrap resamples")
      ->capture_default_str()
      ->check(CLI::Range(10, 100000));
  s->add_option("--seed", cfg->promote.estimate.seed, "Seed of the halves and the bootstrap")
      ->capture_default_str();
  s->add_option("--pricing", cfg->pricing, "JSON file of prices (as evaluate's)")
      ->check(CLI::ExistingFile);
  auto* reload = s->add_option("--reload", cfg->reload,
                               "After writing, POST http://HOST:PORT[/PATH] (default path "
                               "/admin/reload) so serve or route loads the new model");
  s->add_option("--api-key-file", cfg->api_key_file, "With --reload: the admin API key's file")
      ->needs(reload)
      ->check(CLI::ExistingFile);
  s->add_option("--format", cfg->format, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  s->add_flag("-q,--quiet", cfg->quiet, "No progress output");
  return [cfg] { return RunPromote(*cfg); };
}

}  // namespace hr::app
