#include "eval/off_policy.h"

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "core/mix.h"
#include "core/rng.h"
#include "data/audit.h"
#include "data/ingest.h"
#include "json/json_writer.h"
#include "outcome/outcome.h"
#include "policy/objective.h"
#include "train/outcome_tables.h"
#include "train/training_set.h"

namespace hr::eval {

namespace {

namespace od = simdjson::ondemand;
namespace fs = std::filesystem;
using core::ErrorCode;
using core::MakeError;

constexpr size_t kMaxDepth = 8;  // an outcome line nests three deep

// The route{} fields off-policy evaluation reads.
struct RouteFields {
  bool found = false;
  std::optional<double> propensity;
  bool propensity_wrong_type = false;
  bool fallback = false, hedge = false;
  int64_t attempt = 1;
  std::string source, model;
};

// Reads the route{} object of a line already parsed as a measurement. Returns false when the line
// is not JSON this reader can walk (the measurement parser has said why already).
bool ReadRoute(std::string_view line, RouteFields& f) {
  thread_local od::parser parser;
  thread_local bool allocated = false;
  if (!allocated) {
    if (parser.allocate(std::max<size_t>(line.size(), 4096), kMaxDepth)) return false;
    allocated = true;
  }
  if (parser.capacity() < line.size() && parser.allocate(line.size(), kMaxDepth)) return false;
  simdjson::padded_string padded(line);
  od::document doc;
  if (parser.iterate(padded).get(doc)) return false;
  od::object obj;
  if (doc.get_object().get(obj)) return false;
  for (auto fr : obj) {
    od::field field;
    if (std::move(fr).get(field)) return false;
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key != "route") continue;
    od::object route;
    if (field.value().get_object().get(route)) return false;
    f.found = true;
    for (auto rr : route) {
      od::field rf;
      if (std::move(rr).get(rf)) return false;
      std::string_view k;
      if (rf.unescaped_key().get(k)) return false;
      od::value v = rf.value();
      if (k == "propensity") {
        double d = 0;
        od::json_type t;
        if (v.type().get(t)) return false;
        if (t == od::json_type::null) continue;
        if (t != od::json_type::number || v.get_double().get(d)) {
          f.propensity_wrong_type = true;
        } else {
          f.propensity = d;
        }
      } else if (k == "fallback") {
        bool b = false;
        if (!v.get_bool().get(b)) f.fallback = b;
      } else if (k == "hedge") {
        bool b = false;
        if (!v.get_bool().get(b)) f.hedge = b;
      } else if (k == "attempt") {
        int64_t a = 1;
        if (!v.get_int64().get(a)) f.attempt = a;
      } else if (k == "source" || k == "model") {
        std::string_view s;
        if (!v.get_string().get(s))
          (k == "source" ? f.source : f.model) = std::string(s.substr(0, 64));
      }
    }
  }
  const char* rest = nullptr;  // content after the object: not a line
  return doc.current_location().get(rest) != simdjson::SUCCESS;
}

void Count(std::map<std::string, uint64_t>& m, const std::string& key) { ++m[key]; }

std::vector<std::pair<std::string, uint64_t>> MostFirst(const std::map<std::string, uint64_t>& m) {
  std::vector<std::pair<std::string, uint64_t>> out(m.begin(), m.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

// Accumulates lines into a log.
struct Accumulator {
  const OffPolicyReadOptions& options;
  OffPolicyLog& log;
  std::map<std::string, uint64_t> skipped, models;

  void Skip(const std::string& why) { Count(skipped, why); }
  void Line(std::string_view line) {
    ++log.lines;
    LineRead r = ReadOutcomeLine(line);
    if (!r.used) {
      if (!r.skip.empty()) Count(models, r.model.empty() ? "none" : r.model);
      Skip(r.skip);
      return;
    }
    const int64_t ts = r.used->record.timestamp_us;
    if ((options.since_us && ts < *options.since_us) ||
        (options.until_us && ts >= *options.until_us)) {
      Skip("outside --since/--until");
      return;
    }
    Count(models, r.model.empty() ? "none" : r.model);
    log.used.push_back(std::move(*r.used));
  }
  void Finish() {
    log.skipped = MostFirst(skipped);
    log.models = MostFirst(models);
  }
};

// Streams a plain or gzip file line by line; a line longer than the limit is skipped unread.
core::Status ReadFile(const std::string& path, Accumulator& acc) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) return MakeError(ErrorCode::kIo, "cannot open '" + path + "'", "--off-policy");
  gzbuffer(gz, 1 << 17);
  const size_t max_line = std::max<size_t>(acc.options.max_line_bytes, 16);
  std::string buf(max_line + 2, '\0');
  std::string line;
  bool too_long = false;
  uint64_t bytes = 0;
  while (bytes < acc.options.max_bytes) {
    char* got = gzgets(gz, buf.data(), static_cast<int>(buf.size()));
    if (!got) break;
    const size_t n = std::strlen(got);
    bytes += n;
    const bool ends = n > 0 && got[n - 1] == '\n';
    if (!too_long) line.append(got, ends ? n - 1 : n);
    if (line.size() > max_line) {
      too_long = true;
      line.clear();
    }
    if (!ends) continue;
    if (too_long) {
      ++acc.log.lines;
      acc.Skip("line longer than " + std::to_string(max_line) + " bytes (not read)");
    } else if (!line.empty()) {
      acc.Line(line);
    }
    line.clear();
    too_long = false;
  }
  if (!line.empty() && !too_long) acc.Line(line);
  int err = 0;
  const char* msg = gzerror(gz, &err);
  const bool damaged = err != Z_OK && err != Z_STREAM_END;
  const std::string why = damaged && msg ? msg : "";
  gzclose(gz);
  if (damaged)
    return MakeError(ErrorCode::kIo, "cannot read '" + path + "': " + why, "--off-policy");
  return {};
}

bool IsLogFile(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.ends_with(".jsonl") || name.ends_with(".jsonl.gz");
}

}  // namespace

LineRead ReadOutcomeLine(std::string_view line) {
  LineRead out;
  if (line.size() > (1u << 20)) {
    out.skip = "line longer than 1048576 bytes (not read)";
    return out;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    out.skip = "empty line";
    return out;
  }
  int status = 0;
  auto rec = data::ParseRecordLine(line, &status);
  RouteFields f;
  const bool walked = ReadRoute(line, f);
  out.model = f.model;
  if (!rec) {
    out.skip = status != 0 && status != 200
                   ? "failed attempt (http_status " + std::to_string(status) + ")"
                   : "not a measurement: " + data::ReasonKind(rec.error().message);
    return out;
  }
  if (!walked || !f.found || (!f.propensity && !f.propensity_wrong_type)) {
    out.skip = "missing field 'route.propensity'";
    return out;
  }
  if (f.propensity_wrong_type || !std::isfinite(*f.propensity) || *f.propensity < 0 ||
      *f.propensity > 1) {
    out.skip = "field 'route.propensity' must be a number in (0, 1]";
    return out;
  }
  if (*f.propensity == 0) {
    out.skip = "route.propensity is zero";
    return out;
  }
  if (f.fallback || f.source == "fallback" || f.attempt > 1) {
    out.skip = "fallback attempt (not the policy's choice)";
    return out;
  }
  if (f.hedge) {
    out.skip = "hedged attempt";
    return out;
  }
  if (f.source == "breaker" || f.source == "no_target") {
    out.skip = "redirected (route.source " + f.source + ")";
    return out;
  }
  LoggedAttempt a;
  a.record = *rec;
  a.propensity = *f.propensity;
  a.model = f.model;
  out.used = std::move(a);
  return out;
}

uint64_t OffPolicyLog::skipped_total() const {
  uint64_t n = 0;
  for (const auto& [why, count] : skipped) n += count;
  return n;
}

OffPolicyLog ReadOffPolicyLines(const std::vector<std::string>& lines,
                                const OffPolicyReadOptions& options) {
  OffPolicyLog log;
  Accumulator acc{options, log, {}, {}};
  for (const std::string& l : lines) {
    if (l.size() > options.max_line_bytes) {
      ++log.lines;
      acc.Skip("line longer than " + std::to_string(options.max_line_bytes) + " bytes (not read)");
      continue;
    }
    acc.Line(l);
  }
  acc.Finish();
  return log;
}

core::Status RequireUsable(const OffPolicyLog& log) {
  if (!log.used.empty()) return {};
  std::string why = log.skipped.empty() ? "no lines" : log.skipped.front().first;
  std::string field = "--off-policy";
  if (why.find("route.propensity") != std::string::npos) field = "route.propensity";
  std::string msg = "no usable outcome line for off-policy evaluation: 0 of " +
                    std::to_string(log.lines) + " lines used";
  if (!log.skipped.empty())
    msg += " (most often: " + why + ", " + std::to_string(log.skipped.front().second) + " lines)";
  if (field == "route.propensity")
    msg += "; the log needs field 'route.propensity' (route and simulate --outcome-log write it)";
  return MakeError(ErrorCode::kInvalidArgument, msg, field);
}

core::Result<OffPolicyLog> ReadOffPolicyLog(const std::vector<std::string>& paths,
                                            const OffPolicyReadOptions& options) {
  OffPolicyLog log;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && IsLogFile(it->path())) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      log.files.insert(log.files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      log.files.push_back(p);
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--off-policy: no such file or directory '" + p + "'", "--off-policy");
    }
  }
  if (log.files.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "--off-policy: no .jsonl or .jsonl.gz files in the paths given",
                     "--off-policy");
  Accumulator acc{options, log, {}, {}};
  for (const std::string& file : log.files)
    if (auto s = ReadFile(file, acc); !s) return s.error();
  acc.Finish();
  if (auto s = RequireUsable(log); !s) return s.error();
  return log;
}

std::vector<CandidatePolicy> DefaultCandidates(const std::shared_ptr<const model::Model>& model) {
  std::vector<CandidatePolicy> out;
  out.push_back(
      {"lambda-only", [](const features::Request&) { return features::Platform::kLambda; }});
  out.push_back({"ecs-only", [](const features::Request&) { return features::Platform::kEcs; }});
  if (!model || !model->spec().outcomes) return out;
  std::vector<policy::Objective> objectives;
  for (policy::ObjectiveKind k : {policy::ObjectiveKind::kLatency, policy::ObjectiveKind::kP95}) {
    policy::Objective o;
    o.kind = k;
    objectives.push_back(o);
  }
  for (cost::CostModel cm : kOffPolicyCostModels) {
    policy::Objective o;
    o.kind = policy::ObjectiveKind::kCost;
    o.cost_model = cm;
    objectives.push_back(o);
  }
  for (const policy::Objective& o : objectives) {
    auto scratch = std::make_shared<model::Scratch>();
    out.push_back(
        {"objective:" + policy::Label(o), [model, o, scratch](const features::Request& q) {
           return policy::DecideFor(*model, q, o, *scratch).platform;
         }});
  }
  return out;
}

namespace {

constexpr size_t kMetrics = 1 + kOffPolicyCostModels.size();  // response ms, then costs (USD)

// Per request and policy: the importance weight, the outcome, and the direct model's predictions
// for the policy's choice and for the logged platform.
struct Terms {
  std::vector<double> w;                         // [i]
  std::vector<std::array<double, kMetrics>> y;   // [i] (shared by policies; kept once)
  std::vector<std::array<double, kMetrics>> qp;  // [i] the direct model at the policy's choice
  std::vector<std::array<double, kMetrics>> ql;  // [i] at the logged platform
};

struct Sums {
  double n = 0, w = 0;
  std::array<double, kMetrics> wy{}, dr{};
};

void Add(Sums& s, const Terms& t, size_t i) {
  s.n += 1;
  s.w += t.w[i];
  for (size_t m = 0; m < kMetrics; ++m) {
    s.wy[m] += t.w[i] * t.y[i][m];
    s.dr[m] += t.qp[i][m] + t.w[i] * (t.y[i][m] - t.ql[i][m]);
  }
}

// The p-quantile of y weighted by w (w > 0 only).
std::optional<double> WeightedQuantile(std::vector<std::pair<double, double>> yw, double p) {
  if (yw.size() < 20) return std::nullopt;
  std::sort(yw.begin(), yw.end());
  double total = 0;
  for (const auto& [y, w] : yw) total += w;
  double cum = 0;
  for (const auto& [y, w] : yw) {
    cum += w;
    if (cum >= p * total) return y;
  }
  return yw.back().first;
}

}  // namespace

namespace {

// What every estimate of a log needs: the records, the requests as the router saw them, the
// outcomes, and the cross-fitted direct model's predictions on each platform.
struct Prepared {
  std::vector<data::Record> records;
  std::vector<features::Request> requests;
  std::vector<std::array<double, kMetrics>> y;
  std::vector<std::array<std::array<double, kMetrics>, 2>> q;  // [i][platform]
  bool direct_model = true;
};

Prepared Prepare(const std::vector<LoggedAttempt>& log, const OffPolicyConfig& config) {
  Prepared pr;
  const size_t n = log.size();
  pr.records.reserve(n);
  for (const auto& a : log) pr.records.push_back(a.record);
  const cost::Provisioned none;
  // The direct model, cross-fitted: a request's predictions come from the tables of the other
  // half (halves by a hash of the line's position, so a day's traffic is in both).
  std::array<std::vector<uint32_t>, 2> halves;
  std::vector<uint8_t> half(n);
  for (size_t i = 0; i < n; ++i) {
    half[i] = static_cast<uint8_t>(core::Mix64(i ^ config.seed) & 1);
    halves[half[i]].push_back(static_cast<uint32_t>(i));
  }
  std::array<std::shared_ptr<const outcome::OutcomeModel>, 2> tables;
  train::OutcomeConfig oc;
  oc.pricing = config.pricing;
  oc.shrinkage = 2;
  for (size_t h = 0; h < 2; ++h) {
    if (halves[h].empty()) continue;
    auto m = outcome::OutcomeModel::Create(train::LearnOutcomes(pr.records, halves[h], oc));
    if (m) tables[h] = *m;
  }
  pr.direct_model = tables[0] && tables[1];
  pr.requests.resize(n);
  pr.q.assign(n, {});
  pr.y.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const data::Record& r = pr.records[i];
    pr.requests[i] = train::RequestOf(r);
    pr.y[i][0] = r.response_time_ms;
    for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c)
      pr.y[i][1 + c] =
          cost::CostUsd(data::UsageOf(r), kOffPolicyCostModels[c], config.pricing, none) * 1e6;
    const auto& tab = tables[1 - half[i]];
    if (pr.direct_model && tab->Covers(pr.requests[i].workload)) {
      std::array<outcome::Estimate, 2> e;
      tab->Estimate(pr.requests[i], e);
      for (size_t p = 0; p < 2; ++p) {
        pr.q[i][p][0] = e[p].response_mean_ms;
        for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c)
          pr.q[i][p][1 + c] =
              e[p].cost_mean_usd[static_cast<size_t>(kOffPolicyCostModels[c])] * 1e6;
      }
    }
  }
  return pr;
}

size_t Side(features::Platform p) { return p == features::Platform::kLambda ? 0 : 1; }

}  // namespace

DrTerms DoublyRobustTerms(const std::vector<LoggedAttempt>& log,
                          const std::vector<CandidatePolicy>& policies, size_t metric,
                          const OffPolicyConfig& config) {
  DrTerms out;
  const Prepared pr = Prepare(log, config);
  out.direct_model = pr.direct_model;
  const size_t m = std::min(metric, kMetrics - 1);
  for (const CandidatePolicy& pol : policies) {
    std::vector<double> terms(log.size());
    double sw = 0, sw2 = 0;
    for (size_t i = 0; i < log.size(); ++i) {
      const auto chosen = pol.choose(pr.requests[i]);
      const auto logged = pr.records[i].platform;
      const double w = chosen == logged ? 1 / log[i].propensity : 0;
      sw += w;
      sw2 += w * w;
      terms[i] = pr.q[i][Side(chosen)][m] + w * (pr.y[i][m] - pr.q[i][Side(logged)][m]);
    }
    out.terms.push_back(std::move(terms));
    out.ess.push_back(sw2 > 0 ? sw * sw / sw2 : 0);
  }
  return out;
}

OffPolicyResult EstimateOffPolicy(const std::vector<LoggedAttempt>& log,
                                  const std::vector<CandidatePolicy>& policies,
                                  const OffPolicyConfig& config) {
  OffPolicyResult out;
  const size_t n = log.size();
  out.used = n;
  if (n == 0) return out;
  const Prepared pr = Prepare(log, config);
  out.direct_model = pr.direct_model;
  const std::vector<data::Record>& records = pr.records;
  const std::vector<features::Request>& requests = pr.requests;
  const auto& q = pr.q;
  Terms t;
  t.y = pr.y;
  // The logging policy as observed.
  {
    std::vector<double> resp(n);
    for (size_t i = 0; i < n; ++i) {
      resp[i] = t.y[i][0];
      out.logged.response_ms += t.y[i][0] / static_cast<double>(n);
      for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c)
        out.logged.cost_per_million_usd[c] += t.y[i][1 + c] / static_cast<double>(n);
    }
    out.logged.response_p95_ms = Percentile(resp, 0.95);
  }
  // Resamples over requests, shared by every policy (paired).
  const int b_count = std::max(config.bootstrap, 0);
  std::vector<std::vector<uint32_t>> draws(static_cast<size_t>(b_count));
  core::Rng rng(core::Mix64(config.seed ^ 0xb007b007ull));
  for (auto& d : draws) {
    d.resize(n);
    for (auto& x : d) x = static_cast<uint32_t>(rng.Below(n));
  }
  for (const CandidatePolicy& pol : policies) {
    PolicyEstimate pe;
    pe.policy = pol.name;
    t.w.assign(n, 0);
    t.qp.resize(n);
    t.ql.resize(n);
    double sw = 0, sw2 = 0, min_p = 1;
    std::vector<std::pair<double, double>> yw;
    for (size_t i = 0; i < n; ++i) {
      const auto chosen = pol.choose(requests[i]);
      const auto logged = records[i].platform;
      t.qp[i] = q[i][chosen == features::Platform::kLambda ? 0 : 1];
      t.ql[i] = q[i][logged == features::Platform::kLambda ? 0 : 1];
      if (chosen != logged) continue;
      t.w[i] = 1 / log[i].propensity;
      ++pe.matched;
      sw += t.w[i];
      sw2 += t.w[i] * t.w[i];
      min_p = std::min(min_p, log[i].propensity);
      yw.emplace_back(t.y[i][0], t.w[i]);
    }
    pe.effective_sample_size = sw2 > 0 ? sw * sw / sw2 : 0;
    pe.min_matched_propensity = pe.matched ? min_p : 0;
    pe.response_p95_ms = WeightedQuantile(std::move(yw), 0.95);
    auto point = [&](const Sums& s, size_t m) {
      std::array<double, 3> v{};  // ips, snips, dr
      v[0] = s.n > 0 ? s.wy[m] / s.n : 0;
      v[1] = s.w > 0 ? s.wy[m] / s.w : 0;
      v[2] = s.n > 0 ? s.dr[m] / s.n : 0;
      return v;
    };
    Sums all;
    for (size_t i = 0; i < n; ++i) Add(all, t, i);
    std::array<std::array<std::vector<double>, 3>, kMetrics> boot;
    for (const auto& d : draws) {
      Sums s;
      for (uint32_t i : d) Add(s, t, i);
      for (size_t m = 0; m < kMetrics; ++m) {
        const auto v = point(s, m);
        for (size_t e = 0; e < 3; ++e) boot[m][e].push_back(v[e]);
      }
    }
    for (size_t m = 0; m < kMetrics; ++m) {
      const auto v = point(all, m);
      Estimators& est = m == 0 ? pe.response_ms : pe.cost_per_million_usd[m - 1];
      Interval* slots[3] = {&est.ips, &est.snips, &est.dr};
      for (size_t e = 0; e < 3; ++e) {
        slots[e]->mean = v[e];
        slots[e]->ci95 = {Percentile(boot[m][e], 0.025), Percentile(boot[m][e], 0.975)};
        if (boot[m][e].empty()) slots[e]->ci95 = {v[e], v[e]};
      }
    }
    out.policies.push_back(std::move(pe));
  }
  return out;
}

// ---- output ----

// numpy's linear interpolation (data::Quantile); 0 for none.
double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return data::Quantile(v, q);
}

void PutInterval(json::Writer& w, const Interval& i, std::optional<double> ess) {
  w.StartObject();
  json::Key(w, "mean");
  json::Double(w, i.mean);
  json::Key(w, "ci95");
  w.StartArray();
  json::Double(w, i.ci95[0]);
  json::Double(w, i.ci95[1]);
  w.EndArray();
  if (ess) {
    json::Key(w, "effective_sample_size");
    json::Double(w, *ess);
  }
  w.EndObject();
}

namespace {

std::string Num(double v, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Cell(const Interval& i, int digits) {
  return Num(i.mean, digits) + " [" + Num(i.ci95[0], digits) + ", " + Num(i.ci95[1], digits) + "]";
}

void PutCounts(json::Writer& w, const std::vector<std::pair<std::string, uint64_t>>& v,
               std::string_view name_key) {
  w.StartArray();
  for (const auto& [name, count] : v) {
    w.StartObject();
    json::Key(w, name_key);
    json::String(w, name);
    json::Key(w, "lines");
    w.Uint64(count);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::vector<std::string> TrustCaveats(const PolicyEstimate& p) {
  std::vector<std::string> out;
  if (p.effective_sample_size < kMinTrustedEss)
    out.push_back(std::string("effective sample size ")
                      .append(Num(p.effective_sample_size))
                      .append(" is under ")
                      .append(Num(kMinTrustedEss, 0))
                      .append(": its intervals are themselves noisy"));
  if (p.matched > 0 && p.min_matched_propensity < kLowPropensity) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "a matched line has propensity %.3g (weight %.0f), under %g: a few such lines "
                  "swing IPS, SNIPS less, DR least",
                  p.min_matched_propensity, 1 / p.min_matched_propensity, kLowPropensity);
    out.emplace_back(buf);
  }
  return out;
}

std::string OffPolicyText(const OffPolicyLog& log, const OffPolicyResult& r) {
  std::string s = "Off-policy evaluation of " + std::to_string(log.files.size()) +
                  " file(s): " + std::to_string(log.lines) + " lines, " +
                  std::to_string(log.used.size()) + " used, " +
                  std::to_string(log.skipped_total()) + " skipped\n";
  for (const auto& [why, count] : log.skipped)
    s += "  skipped " + std::to_string(count) + ": " + why + "\n";
  if (log.models.size() > 1) {
    s += "Lines from " + std::to_string(log.models.size()) + " logging models:\n";
    for (const auto& [m, count] : log.models) s += "  " + m + ": " + std::to_string(count) + "\n";
  } else if (log.models.size() == 1) {
    s += "Logging model: " + log.models.front().first + "\n";
  }
  if (!r.direct_model) s += "No outcome tables from a half of the log: DR is IPS here.\n";
  s += "\nLogging policy (observed): mean " + Num(r.logged.response_ms) + " ms, p95 " +
       Num(r.logged.response_p95_ms) + " ms";
  for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c)
    s += ", " + std::string(cost::Name(kOffPolicyCostModels[c])) + " $" +
         Num(r.logged.cost_per_million_usd[c], 3) + "/1M";
  s += "\n\nMean response time, ms (95 % interval, bootstrap over requests):\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-36s %8s %8s %-26s %-26s %-26s %8s\n", "policy", "ESS",
                "matched", "IPS", "SNIPS", "DR", "p95");
  s += line;
  for (const PolicyEstimate& p : r.policies) {
    std::snprintf(line, sizeof line, "%-36s %8.1f %8llu %-26s %-26s %-26s %8s\n", p.policy.c_str(),
                  p.effective_sample_size, static_cast<unsigned long long>(p.matched),
                  Cell(p.response_ms.ips, 1).c_str(), Cell(p.response_ms.snips, 1).c_str(),
                  Cell(p.response_ms.dr, 1).c_str(),
                  p.response_p95_ms ? Num(*p.response_p95_ms).c_str() : "-");
    s += line;
  }
  std::string caveats;
  for (const PolicyEstimate& p : r.policies)
    for (const std::string& why : TrustCaveats(p)) caveats += "  " + p.policy + ": " + why + "\n";
  if (!caveats.empty()) s += "\nWhen not to trust these numbers:\n" + caveats;
  for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c) {
    s += "\nCost per 1M requests, USD, " + std::string(cost::Name(kOffPolicyCostModels[c])) + ":\n";
    for (const PolicyEstimate& p : r.policies) {
      const Estimators& e = p.cost_per_million_usd[c];
      std::snprintf(line, sizeof line, "%-36s IPS %-28s SNIPS %-28s DR %-28s\n", p.policy.c_str(),
                    Cell(e.ips, 3).c_str(), Cell(e.snips, 3).c_str(), Cell(e.dr, 3).c_str());
      s += line;
    }
  }
  return s;
}

std::string OffPolicyJson(const OffPolicyLog& log, const OffPolicyResult& r) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "files");
  w.StartArray();
  for (const auto& f : log.files) json::String(w, f);
  w.EndArray();
  json::Key(w, "lines");
  w.StartObject();
  json::Key(w, "total");
  w.Uint64(log.lines);
  json::Key(w, "used");
  w.Uint64(log.used.size());
  json::Key(w, "skipped");
  w.Uint64(log.skipped_total());
  json::Key(w, "skipped_reasons");
  PutCounts(w, log.skipped, "reason");
  w.EndObject();
  json::Key(w, "logging_models");
  PutCounts(w, log.models, "model");
  json::Key(w, "direct_model");
  w.Bool(r.direct_model);
  json::Key(w, "logged");
  w.StartObject();
  json::Key(w, "response_time_ms");
  w.StartObject();
  json::Key(w, "mean");
  json::Double(w, r.logged.response_ms);
  json::Key(w, "p95");
  json::Double(w, r.logged.response_p95_ms);
  w.EndObject();
  json::Key(w, "cost_per_million_usd");
  w.StartObject();
  for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c) {
    json::Key(w, cost::Name(kOffPolicyCostModels[c]));
    json::Double(w, r.logged.cost_per_million_usd[c]);
  }
  w.EndObject();
  w.EndObject();
  json::Key(w, "policies");
  w.StartArray();
  for (const PolicyEstimate& p : r.policies) {
    w.StartObject();
    json::Key(w, "policy");
    json::String(w, p.policy);
    json::Key(w, "effective_sample_size");
    json::Double(w, p.effective_sample_size);
    json::Key(w, "matched");
    w.Uint64(p.matched);
    json::Key(w, "min_matched_propensity");
    json::Double(w, p.min_matched_propensity);
    json::Key(w, "caveats");
    w.StartArray();
    for (const std::string& why : TrustCaveats(p)) json::String(w, why);
    w.EndArray();
    json::Key(w, "off_policy");
    w.StartObject();
    for (int e = 0; e < 3; ++e) {
      json::Key(w, e == 0 ? "ips" : e == 1 ? "snips" : "dr");
      w.StartObject();
      auto pick = [e](const Estimators& x) -> const Interval& {
        return e == 0 ? x.ips : e == 1 ? x.snips : x.dr;
      };
      json::Key(w, "response_time_ms");
      PutInterval(w, pick(p.response_ms));
      json::Key(w, "cost_per_million_usd");
      w.StartObject();
      for (size_t c = 0; c < kOffPolicyCostModels.size(); ++c) {
        json::Key(w, cost::Name(kOffPolicyCostModels[c]));
        PutInterval(w, pick(p.cost_per_million_usd[c]));
      }
      w.EndObject();
      if (e == 1 && p.response_p95_ms) {
        json::Key(w, "response_time_p95_ms");
        json::Double(w, *p.response_p95_ms);
      }
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

}  // namespace hr::eval
