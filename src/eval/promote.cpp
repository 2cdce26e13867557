#include "eval/promote.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/civil_time.h"
#include "core/rng.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "modelfile/provenance.h"
#include "outcome/outcome.h"
#include "train/outcome_tables.h"

namespace hr::eval {

namespace {

using core::ErrorCode;
using core::MakeError;

std::string Stamp(int64_t wall_us) {
  core::CivilTime t = core::FromUnixSeconds(wall_us / 1'000'000);
  t.nanos = static_cast<int>(wall_us % 1'000'000) * 1000;
  return core::FormatWallClockMicros(t);
}

// The metric an objective is judged on: its index in DoublyRobustTerms, and its name.
core::Result<std::pair<size_t, std::string>> MetricOf(const policy::Objective& o) {
  if (o.kind == policy::ObjectiveKind::kLatency)
    return std::pair<size_t, std::string>{0, "response_time_ms"};
  if (o.kind == policy::ObjectiveKind::kCost) {
    for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c)
      if (kOffPolicyCostModels[c] == o.cost_model)
        return std::pair<size_t, std::string>{
            1 + c, "cost_per_million_usd." + std::string(cost::Name(o.cost_model))};
    return MakeError(ErrorCode::kInvalidArgument,
                     "--cost-model: a log prices requests under the seed-prorated cost models only",
                     "--cost-model");
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "--objective: promote judges latency or cost (a mean per request); got '" +
                       std::string(policy::Name(o.kind)) + "'",
                   "--objective");
}

// The champion's metadata with a `lineage` object: what the challenger came from.
std::string Lineage(const model::Model& champion, uint64_t fingerprint, const PromoteDecision& d,
                    const policy::Objective& objective) {
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, champion.spec().metadata.json, json::kModelFileLimits, why) ||
      !doc.IsObject())
    doc.SetObject();
  auto& a = doc.GetAllocator();
  doc.RemoveMember("lineage");
  rapidjson::Value lin(rapidjson::kObjectType);
  auto str = [&](const std::string& s) { return rapidjson::Value(s.c_str(), a); };
  lin.AddMember("made_by", "hybrid-router promote", a);
  lin.AddMember("champion", str(modelfile::FingerprintText(fingerprint)), a);
  lin.AddMember("objective", str(policy::Label(objective)), a);
  lin.AddMember("learned", "outcome tables from the log's older lines; classifier kept", a);
  rapidjson::Value window(rapidjson::kObjectType);
  window.AddMember("from", str(d.window_from), a);
  window.AddMember("split_at", str(d.split_at), a);
  window.AddMember("to", str(d.window_to), a);
  lin.AddMember("log_window", window, a);
  lin.AddMember("train_lines", d.train_lines, a);
  lin.AddMember("eval_lines", d.eval_lines, a);
  lin.AddMember("improvement", d.improvement, a);
  lin.AddMember("lower_bound_95", d.lower_bound, a);
  doc.AddMember("lineage", lin, a);
  json::Buffer buf;
  json::Writer w(buf);
  doc.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

}  // namespace

core::Status PromoteConfig::Validate() const {
  if (!champion)
    return MakeError(ErrorCode::kInvalidArgument, "--champion: no model", "--champion");
  if (!champion->spec().outcomes)
    return MakeError(ErrorCode::kInvalidArgument,
                     "--champion: a classifier-only model has no outcome tables to re-learn",
                     "--champion");
  if (!(train_share > 0 && train_share < 1))
    return MakeError(ErrorCode::kInvalidArgument, "--train-share must be above 0 and below 1",
                     "--train-share");
  if (!(min_ess >= 1 && min_ess <= 1e9))
    return MakeError(ErrorCode::kInvalidArgument, "--min-ess must be from 1 to 1e9", "--min-ess");
  if (auto m = MetricOf(objective); !m) return m.error();
  return {};
}

core::Result<PromoteDecision> DecidePromotion(const PromoteConfig& config,
                                              const OffPolicyLog& log) {
  if (auto s = config.Validate(); !s) return s.error();
  const auto metric = *MetricOf(config.objective);
  PromoteDecision d;
  d.metric = metric.second;
  d.min_ess = config.min_ess;
  // Oldest first; the older share teaches the challenger, the newer judges both.
  std::vector<const LoggedAttempt*> by_time;
  by_time.reserve(log.used.size());
  for (const LoggedAttempt& a : log.used) by_time.push_back(&a);
  std::stable_sort(by_time.begin(), by_time.end(), [](const auto* a, const auto* b) {
    return a->record.timestamp_us < b->record.timestamp_us;
  });
  const size_t n = by_time.size();
  const auto cut = static_cast<size_t>(std::floor(static_cast<double>(n) * config.train_share));
  d.train_lines = cut;
  d.eval_lines = n - cut;
  if (n > 0) {
    d.window_from = Stamp(by_time.front()->record.timestamp_us);
    d.window_to = Stamp(by_time.back()->record.timestamp_us);
    d.split_at = Stamp(by_time[std::min(cut, n - 1)]->record.timestamp_us);
  }
  if (cut == 0 || cut == n)
    return MakeError(ErrorCode::kInvalidArgument,
                     "the log has " + std::to_string(n) +
                         " usable lines: too few to train on one part and judge on the other",
                     "--log");
  std::vector<data::Record> older;
  older.reserve(cut);
  for (size_t i = 0; i < cut; ++i) older.push_back(by_time[i]->record);
  std::vector<uint32_t> rows(older.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint32_t>(i);
  train::OutcomeConfig oc;
  oc.pricing = config.estimate.pricing;
  oc.shrinkage = config.shrinkage;
  auto tables = outcome::OutcomeModel::Create(train::LearnOutcomes(older, rows, oc));
  if (!tables) {  // too few lines, or too little exploration: nothing to promote
    d.why = "kept: the log's older part cannot make outcome tables (" + tables.error().message +
            "): it needs both platforms for every workload it has (more lines, or explore)";
    return d;
  }
  model::ModelSpec spec = config.champion->spec();
  spec.outcomes = *tables;
  std::vector<LoggedAttempt> newer;
  newer.reserve(n - cut);
  for (size_t i = cut; i < n; ++i) newer.push_back(*by_time[i]);
  const auto decider = [&](const std::shared_ptr<const model::Model>& m, std::string name) {
    auto scratch = std::make_shared<model::Scratch>();
    const policy::Objective o = config.objective;
    return CandidatePolicy{std::move(name), [m, o, scratch](const features::Request& q) {
                             return policy::DecideFor(*m, q, o, *scratch).platform;
                           }};
  };
  // The challenger's decisions first, to make it; its lineage needs the estimates, so the file's
  // model is made again with them below.
  auto draft = model::Model::Create(spec);
  if (!draft) return draft.error();
  const DrTerms terms = DoublyRobustTerms(
      newer, {decider(config.champion, "champion"), decider(*draft, "challenger")}, metric.first,
      config.estimate);
  const std::vector<double>& champ = terms.terms[0];
  const std::vector<double>& chal = terms.terms[1];
  d.champion_ess = terms.ess[0];
  d.challenger_ess = terms.ess[1];
  d.champion.mean = Mean(champ);
  d.challenger.mean = Mean(chal);
  d.improvement = d.champion.mean - d.challenger.mean;
  core::Rng rng(core::Mix64(config.estimate.seed ^ 0x9e0b07eull));
  const size_t m = newer.size();
  std::vector<double> diff, bc, bh;
  for (int b = 0; b < std::max(config.estimate.bootstrap, 10); ++b) {
    double sc = 0, sh = 0;
    for (size_t k = 0; k < m; ++k) {
      const size_t i = rng.Below(m);
      sc += champ[i];
      sh += chal[i];
    }
    bc.push_back(sc / static_cast<double>(m));
    bh.push_back(sh / static_cast<double>(m));
    diff.push_back(bc.back() - bh.back());
  }
  d.lower_bound = Percentile(diff, 0.05);
  d.champion.ci95 = {Percentile(bc, 0.025), Percentile(bc, 0.975)};
  d.challenger.ci95 = {Percentile(bh, 0.025), Percentile(bh, 0.975)};
  const double ess = std::min(d.champion_ess, d.challenger_ess);
  char buf[256];
  if (ess < config.min_ess) {
    std::snprintf(buf, sizeof buf,
                  "kept: effective sample size %.0f is below the floor %.0f (more lines, or "
                  "more exploration)",
                  ess, config.min_ess);
  } else if (!(d.lower_bound > 0)) {
    std::snprintf(buf, sizeof buf,
                  "kept: the improvement's one-sided 95 %% lower bound %.4g is not above 0",
                  d.lower_bound);
  } else {
    d.promote = true;
    std::snprintf(buf, sizeof buf,
                  "promoted: the challenger is better by %.4g (one-sided 95 %% lower bound %.4g > "
                  "0) with effective sample sizes %.0f and %.0f",
                  d.improvement, d.lower_bound, d.champion_ess, d.challenger_ess);
  }
  d.why = buf;
  spec.metadata.json = Lineage(*config.champion, config.champion_fingerprint, d, config.objective);
  auto made = model::Model::Create(std::move(spec));
  if (!made) return made.error();
  d.challenger_model = *made;
  return d;
}

std::string PromoteText(const PromoteDecision& d) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "Log: %llu lines to learn from (%s to %s), %llu to judge on (to %s)\n"
                "Doubly robust %s (lower is better), 95 %% interval:\n"
                "  champion   %.4g [%.4g, %.4g]  ESS %.0f\n"
                "  challenger %.4g [%.4g, %.4g]  ESS %.0f\n"
                "Improvement %.4g, one-sided 95 %% lower bound %.4g; ESS floor %.0f\n",
                static_cast<unsigned long long>(d.train_lines), d.window_from.c_str(),
                d.split_at.c_str(), static_cast<unsigned long long>(d.eval_lines),
                d.window_to.c_str(), d.metric.c_str(), d.champion.mean, d.champion.ci95[0],
                d.champion.ci95[1], d.champion_ess, d.challenger.mean, d.challenger.ci95[0],
                d.challenger.ci95[1], d.challenger_ess, d.improvement, d.lower_bound, d.min_ess);
  return std::string(buf) + "Decision: " + d.why + "\n";
}

std::string PromoteJson(const PromoteDecision& d, bool written, const std::string& out_path) {
  json::Buffer buf;
  json::Writer w(buf);
  auto interval = [&](const Interval& i, double ess) { PutInterval(w, i, ess); };
  w.StartObject();
  json::Key(w, "decision");
  json::String(w, d.promote ? "promoted" : "kept");
  json::Key(w, "why");
  json::String(w, d.why);
  json::Key(w, "metric");
  json::String(w, d.metric);
  json::Key(w, "champion");
  interval(d.champion, d.champion_ess);
  json::Key(w, "challenger");
  interval(d.challenger, d.challenger_ess);
  json::Key(w, "improvement");
  w.StartObject();
  json::Key(w, "mean");
  json::Double(w, d.improvement);
  json::Key(w, "lower_bound_95");
  json::Double(w, d.lower_bound);
  w.EndObject();
  json::Key(w, "min_effective_sample_size");
  json::Double(w, d.min_ess);
  json::Key(w, "lines");
  w.StartObject();
  json::Key(w, "train");
  w.Uint64(d.train_lines);
  json::Key(w, "eval");
  w.Uint64(d.eval_lines);
  w.EndObject();
  json::Key(w, "window");
  w.StartObject();
  json::Key(w, "from");
  json::String(w, d.window_from);
  json::Key(w, "split_at");
  json::String(w, d.split_at);
  json::Key(w, "to");
  json::String(w, d.window_to);
  w.EndObject();
  json::Key(w, "written");
  if (written) {
    json::String(w, out_path);
  } else {
    w.Null();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace hr::eval
