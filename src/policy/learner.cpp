#include "policy/learner.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::policy {

namespace {

bool Within(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

constexpr double kMedianStep = 0.01;       // the reference median's step per outcome (1 %)
constexpr uint32_t kHoldAfterAlarm = 200;  // outcomes of the other platform (WorkloadStats::hold)
constexpr size_t kP50Level = 5;            // outcome::kQuantileLevels[5] == 0.5
static_assert(outcome::kQuantileLevels[kP50Level] == 0.5);
// The size detector watches a platform whose moving share (weight kShareRate) of the workload's
// outcomes is under kSeldom: too few for the signs to add up soon. Its threshold is kZThreshold,
// or higher for a larger share, so that it raises about one false alarm in kZHorizon requests of
// the workload whatever the share (Siegmund's approximation of a CUSUM's run length at slack 0.5
// under normal scores: 2 exp(h + 1.166) outcomes). It scores once it has seen kZWarmup outcomes.
// A sum past kZDoubt of the threshold is a doubt: the watch sends that platform its share of every
// request until the doubt clears or becomes an alarm, so a change is confirmed within a few
// requests, not at the watch's next turn (tests/unit/sim/drift_bar_test: with the doubt, every
// one of 30 changes per 5 seeds seen within 300 requests of its workload, on seeds 1-15; without,
// 25 of 30 on seeds 1-5).
constexpr double kSeldom = 0.35, kShareRate = 0.01, kZHorizon = 1e6, kZDoubt = 0.3;
constexpr uint32_t kZWarmup = 10;
constexpr double kZRate = 0.05;  // the moving mean and deviation's weight of a new outcome
constexpr double kZClip = 3, kZClipLambdaUp = 2, kZSlack = 0.5, kZThreshold = 5;

}  // namespace

core::Status LearnOptions::Validate() const {
  if (!Within(prior_weight, 0, 1e6))
    return core::InvalidArgument("--prior-weight", "must be 0 to 1,000,000");
  if (!Within(half_life, 1, 1e9))
    return core::InvalidArgument("--learn-half-life", "must be 1 to 1e9 outcomes");
  if (!Within(explore_floor, 0, 0.5))
    return core::InvalidArgument("--explore-floor", "must be 0 to 0.5");
  if (!Within(thompson_scale, 0.01, 10))
    return core::InvalidArgument("--thompson-scale", "must be 0.01 to 10");
  if (min_records < 0 || min_records > 10'000)
    return core::InvalidArgument("--min-records", "must be 0 to 10,000");
  if (!Within(drift_threshold, 0, 1e6))
    return core::InvalidArgument("--drift-threshold", "must be 0 to 1,000,000");
  if (!Within(drift_slack, 0, 1)) return core::InvalidArgument("--drift-slack", "must be 0 to 1");
  if (!Within(prior_weight_after_drift, 0, 1e6))
    return core::InvalidArgument("--prior-weight-after-drift", "must be 0 to 1,000,000");
  if (watch < 0 || watch > 1'000'000)
    return core::InvalidArgument("--watch", "must be 0 to 1,000,000 outcomes");
  if (!Within(watch_share, 0, 0.5))
    return core::InvalidArgument("--watch-share", "must be 0 to 0.5");
  return {};
}

int PayloadBin(double payload_kb) {
  if (!(payload_kb > 0)) return 0;
  const double bin = std::floor(2 * std::log2(1 + payload_kb));
  return static_cast<int>(std::min<double>(bin, kPayloadBins - 1));
}

outcome::Estimate Scaled(const outcome::Estimate& e, double factor, double records) {
  outcome::Estimate s = e;
  s.n = records;
  s.response_mean_ms *= factor;
  s.response_sd_ms *= factor;
  for (double& q : s.response_quantiles_ms) q *= factor;
  s.execution_mean_ms *= factor;
  for (double& c : s.cost_mean_usd) c *= factor;
  for (double& c : s.cost_sd_usd) c *= factor;
  return s;
}

Learner::Learner(const LearnOptions& options)
    : options_(options), decay_(std::exp2(-1.0 / std::max(1.0, options.half_life))) {
  for (auto& c : cells_) c.assign(kCellsPerPlatform, CellStats{});
  for (auto& w : workloads_)
    for (auto& p : w) p.prior_weight = options_.prior_weight;
  for (auto& c : common_) c.prior_weight = options_.prior_weight;
}

size_t Learner::CellIndex(const features::Request& req) {
  const size_t context = static_cast<size_t>(req.time_window) * features::kLoadPatternCount +
                         static_cast<size_t>(req.load_pattern);
  return (static_cast<size_t>(req.workload) * kPayloadBins +
          static_cast<size_t>(PayloadBin(req.payload_kb))) *
             kContexts +
         context;
}

double Learner::CommonFactor(size_t w) const {
  const Common& c = common_[w];
  const double k = c.prior_weight;
  return k + c.weight > 0 ? (k + c.ratio) / (k + c.weight) : 1.0;
}

double Learner::WorkloadFactor(size_t w, const WorkloadStats& ws) const {
  const double k = ws.prior_weight;
  const double parent = CommonFactor(w);
  return k + ws.weight > 0 ? (k * parent + ws.ratio) / (k + ws.weight) : parent;
}

double Learner::CellFactor(size_t w, const WorkloadStats& ws, const CellStats& c) const {
  const double k = ws.prior_weight;
  const double parent = WorkloadFactor(w, ws);
  return k + c.weight > 0 ? (k * parent + c.ratio) / (k + c.weight) : parent;
}

LearnedView Learner::Look(const features::Request& req) const {
  LearnedView v;
  const size_t i = CellIndex(req);
  std::lock_guard lock(mutex_);
  for (size_t p = 0; p < 2; ++p) {
    const WorkloadStats& ws = workloads_[static_cast<size_t>(req.workload)][p];
    const CellStats& c = cells_[p][i];
    v.factor[p] = CellFactor(static_cast<size_t>(req.workload), ws, c);
    v.records[p] = ws.prior_weight + c.weight;
    v.live[p] = c.live;
    v.stale[p] = ws.stale;
    v.doubt[p] = ws.doubt;
  }
  return v;
}

std::optional<DriftEvent> Learner::Observe(const features::Request& req, features::Platform p,
                                           double response_ms, const outcome::Estimate& tabled) {
  if (!(tabled.response_mean_ms > 0) || !std::isfinite(response_ms) || response_ms < 0)
    return std::nullopt;
  const size_t pi = static_cast<size_t>(p);
  const size_t i = CellIndex(req);
  std::lock_guard lock(mutex_);
  const auto wi = static_cast<size_t>(req.workload);
  WorkloadStats& ws = workloads_[wi][pi];
  Common& common = common_[wi];
  CellStats& c = cells_[pi][i];
  const double factor = CellFactor(wi, ws, c);
  const double ratio = response_ms / tabled.response_mean_ms;
  ++ws.outcomes;
  // The change detector: above or below the cell's current median.
  std::optional<DriftEvent> drift;
  // The reference is the cell's own median, tracked slowly from the tables' (times the factor):
  // a cell whose median the tables got wrong settles instead of tripping the detector, while a
  // change moves outcomes to one side faster than the reference follows.
  if (c.median <= 0) c.median = factor;
  const double median = tabled.response_quantiles_ms[kP50Level] * c.median;
  const bool held = ws.hold > 0;
  if (held) --ws.hold;
  // The watch's bookkeeping: how much of the workload each platform serves (off: none of it).
  const double share = ws.share;  // before this outcome
  if (options_.watch > 0) {
    WorkloadStats& other = workloads_[wi][1 - pi];
    ws.share += kShareRate * (1 - ws.share);
    other.share -= kShareRate * other.share;
    ws.stale = 0;
    other.stale = std::min<uint32_t>(other.stale + 1, 1'000'000'000);
  }
  if (options_.drift_threshold > 0 && median > 0 && !held) {
    if (response_ms != median) {
      const double sign = response_ms > median ? 1 : -1;
      c.median *= std::exp(kMedianStep * sign);
      ws.up = std::max(0.0, ws.up + sign - options_.drift_slack);
      ws.down = std::max(0.0, ws.down - sign - options_.drift_slack);
      ws.recent += 0.1 * (response_ms / (tabled.response_mean_ms * factor) - ws.recent);
    }
    const int size = options_.watch > 0 ? SizeDetector(ws, p, ratio, share) : 0;
    const double t = options_.drift_threshold;
    if (ws.up > t || ws.down > t || size != 0) {
      drift = Alarm(req, pi, ws.up > t || size > 0);
      if (options_.watch > 0) {  // the size detector's level restarts here (its spread stays)
        ws.rmean = std::log(std::max(ratio, 1e-9));
        ws.rn = 1;
      }
    }
  }
  ws.weight = ws.weight * decay_ + 1;
  ws.ratio = ws.ratio * decay_ + ratio;
  common.weight = common.weight * decay_ + 1;
  common.ratio = common.ratio * decay_ + ratio;
  c.weight = c.weight * decay_ + 1;
  c.ratio = c.ratio * decay_ + ratio;
  ++c.live;
  return drift;
}

int Learner::SizeDetector(WorkloadStats& ws, features::Platform p, double ratio, double share) {
  // A platform the workload seldom uses sees too few outcomes for the signs to add up: they also
  // count by how far they fall from the platform's recent ones. Against the tables, not the
  // learned factor: after an alarm that factor follows the newest outcomes, and would hide the
  // next change from this detector.
  const double r = std::log(std::max(ratio, 1e-9));
  // In doubt the threshold stays where the doubt began: the watch's extra requests raise the
  // platform's share, and with it the threshold, out of reach of the change they came to confirm.
  if (!ws.doubt) ws.zthreshold = std::max(kZThreshold, std::log(share * kZHorizon / 2) - 1.166);
  const double threshold = ws.zthreshold;
  if (share < kSeldom && ws.zwarm) {
    // Lambda's cold starts make single slow outcomes: upward, one counts only a little.
    const double top = p == features::Platform::kLambda ? kZClipLambdaUp : kZClip;
    const double z = std::clamp((r - ws.rmean) / std::max(1.25 * ws.rdev, 0.02), -kZClip, top);
    ws.zup = std::max(0.0, ws.zup + z - kZSlack);
    ws.zdown = std::max(0.0, ws.zdown - z - kZSlack);
  }
  // A running mean until 1 / kZRate outcomes, then a moving one; once warm, an outcome moves
  // them by at most 3 deviations (a cold start is one outcome, not a new level).
  const double rate = std::max(kZRate, 1.0 / (ws.rn + 1));
  const double cap = ws.zwarm ? 3 * ws.rdev : HUGE_VAL;
  const double step = std::clamp(r - ws.rmean, -cap, cap);
  if (ws.rn > 0) ws.rdev += (ws.zwarm ? kZRate : 1.0 / ws.rn) * (std::abs(step) - ws.rdev);
  ws.rmean += rate * step;
  ws.rn = std::min<uint32_t>(ws.rn + 1, 1'000'000'000);
  ws.zwarm = ws.zwarm || ws.rn >= kZWarmup;
  ws.doubt = share < kSeldom && std::max(ws.zup, ws.zdown) > kZDoubt * threshold;
  return ws.zup > threshold ? 1 : ws.zdown > threshold ? -1 : 0;
}

DriftEvent Learner::Alarm(const features::Request& req, size_t pi, bool slower) {
  const auto wi = static_cast<size_t>(req.workload);
  WorkloadStats& ws = workloads_[wi][pi];
  const DriftEvent event{req.workload, static_cast<features::Platform>(pi), slower, ws.recent,
                         WorkloadFactor(wi, ws)};
  ++ws.drifts;
  ws.up = ws.down = ws.zup = ws.zdown = 0;
  ws.doubt = false;
  ws.weight = ws.ratio = 0;
  ws.recent = 1;
  ws.prior_weight = std::min(options_.prior_weight, options_.prior_weight_after_drift);
  // The policy now moves the workload's traffic to the other platform, and that platform's
  // outcomes shift with the load it is handed (an ECS service sized for the traffic it had
  // queues a sudden burst): not a change of the platform. Its detector sits out the move, so
  // a self-made queue does not make it forget what it knew and learn the queue instead (in the
  // drift bar that alarm kept thumbnails off ECS for hours: tests/unit/sim/drift_bar_test).
  WorkloadStats& other = workloads_[wi][1 - pi];
  other.hold = kHoldAfterAlarm;
  other.up = other.down = other.zup = other.zdown = 0;
  other.doubt = false;
  common_[wi] = Common{0, 0, ws.prior_weight};
  // The workload's cells forget what they learned, not that they were tried: with their live
  // counts reset, every cell would again be sent --min-records requests to the platform that
  // just changed (with probability 1 - floor), and an ECS service, whose outcomes arrive only
  // after its queue, took them all at once: in the drift bar (tests/unit/sim/drift_bar_test)
  // a medium-sized service scaled in to one task, twice as slow, queued them for minutes.
  const size_t first = wi * kPayloadBins * kContexts;  // the workload's cells
  for (size_t k = first; k < first + kPayloadBins * kContexts; ++k)
    cells_[pi][k] = CellStats{0, 0, 0, cells_[pi][k].live};
  return event;
}

LearnedSummary Learner::Summary(features::Workload w, features::Platform p) const {
  const size_t pi = static_cast<size_t>(p);
  const size_t first = static_cast<size_t>(w) * kPayloadBins * kContexts;
  std::lock_guard lock(mutex_);
  const WorkloadStats& ws = workloads_[static_cast<size_t>(w)][pi];
  LearnedSummary s;
  s.factor = WorkloadFactor(static_cast<size_t>(w), ws);
  s.records = ws.weight;
  s.outcomes = ws.outcomes;
  s.drifts = ws.drifts;
  for (size_t i = first; i < first + kPayloadBins * kContexts; ++i)
    s.cells_live += cells_[pi][i].live > 0;
  return s;
}

std::string Learner::Json() const {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "options");
  w.StartObject();
  json::Key(w, "prior_weight");
  json::Double(w, options_.prior_weight);
  json::Key(w, "half_life");
  json::Double(w, options_.half_life);
  json::Key(w, "explore_floor");
  json::Double(w, options_.explore_floor);
  json::Key(w, "thompson_scale");
  json::Double(w, options_.thompson_scale);
  json::Key(w, "min_records");
  w.Int(options_.min_records);
  json::Key(w, "drift_threshold");
  json::Double(w, options_.drift_threshold);
  json::Key(w, "drift_slack");
  json::Double(w, options_.drift_slack);
  json::Key(w, "watch");
  w.Int(options_.watch);
  json::Key(w, "watch_share");
  json::Double(w, options_.watch_share);
  w.EndObject();
  json::Key(w, "workloads");
  w.StartObject();
  for (int wi = 0; wi < features::kWorkloadCount; ++wi) {
    const auto wl = static_cast<features::Workload>(wi);
    json::Key(w, features::Name(wl));
    w.StartObject();
    for (size_t pi = 0; pi < 2; ++pi) {
      const auto p = static_cast<features::Platform>(pi);
      const LearnedSummary s = Summary(wl, p);
      json::Key(w, features::Name(p));
      w.StartObject();
      json::Key(w, "factor");
      json::Double(w, s.factor);
      json::Key(w, "records");
      json::Double(w, s.records);
      json::Key(w, "outcomes");
      w.Uint64(s.outcomes);
      json::Key(w, "drifts");
      w.Uint64(s.drifts);
      json::Key(w, "cells");
      w.StartArray();
      std::lock_guard lock(mutex_);
      const WorkloadStats& ws = workloads_[static_cast<size_t>(wi)][pi];
      const size_t first = static_cast<size_t>(wi) * kPayloadBins * kContexts;
      for (size_t i = first; i < first + kPayloadBins * kContexts; ++i) {
        const CellStats& c = cells_[pi][i];
        if (c.live == 0) continue;
        const size_t local = i - first;
        const size_t context = local % kContexts;
        w.StartObject();
        json::Key(w, "payload_bin");
        w.Uint64(local / kContexts);
        json::Key(w, "time_window");
        json::String(w, features::Name(static_cast<features::TimeWindow>(
                            context / features::kLoadPatternCount)));
        json::Key(w, "load_pattern");
        json::String(w, features::Name(static_cast<features::LoadPattern>(
                            context % features::kLoadPatternCount)));
        json::Key(w, "factor");
        json::Double(w, CellFactor(static_cast<size_t>(wi), ws, c));
        json::Key(w, "records");
        json::Double(w, c.weight);
        json::Key(w, "live");
        w.Uint(c.live);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

namespace {
constexpr int kSnapshotVersion = 1;
}  // namespace

std::string Learner::Snapshot() const {
  json::Buffer buf;
  json::Writer w(buf);
  std::lock_guard lock(mutex_);
  w.StartObject();
  json::Key(w, "hybrid_router_learn_state");
  w.Int(kSnapshotVersion);
  json::Key(w, "cells_per_platform");
  w.Uint64(kCellsPerPlatform);
  json::Key(w, "common");
  w.StartArray();
  for (const Common& c : common_) {
    w.StartArray();
    for (double x : {c.weight, c.ratio, c.prior_weight}) json::Double(w, x);
    w.EndArray();
  }
  w.EndArray();
  json::Key(w, "workloads");
  w.StartArray();
  for (const auto& per : workloads_)
    for (const WorkloadStats& ws : per) {
      w.StartArray();
      for (double x : {ws.weight, ws.ratio, ws.prior_weight, ws.up, ws.down, ws.recent,
                       static_cast<double>(ws.outcomes), static_cast<double>(ws.drifts)})
        json::Double(w, x);
      w.EndArray();
    }
  w.EndArray();
  // The watch's state per workload and platform (restored when present: older snapshots lack it).
  json::Key(w, "watch");  // [share, stale, rmean, rdev, rn, zup, zdown, zthreshold, zwarm, doubt]
  w.StartArray();
  for (const auto& per : workloads_)
    for (const WorkloadStats& ws : per) {
      w.StartArray();
      for (double x :
           {ws.share, static_cast<double>(ws.stale), ws.rmean, ws.rdev, static_cast<double>(ws.rn),
            ws.zup, ws.zdown, ws.zthreshold, ws.zwarm ? 1.0 : 0.0, ws.doubt ? 1.0 : 0.0})
        json::Double(w, x);
      w.EndArray();
    }
  w.EndArray();
  json::Key(w, "cells");  // [platform, index, weight, ratio, median, live] of every live cell
  w.StartArray();
  for (size_t p = 0; p < 2; ++p)
    for (size_t i = 0; i < kCellsPerPlatform; ++i) {
      const CellStats& c = cells_[p][i];
      if (c.live == 0 && c.weight == 0) continue;
      w.StartArray();
      w.Uint64(p);
      w.Uint64(i);
      json::Double(w, c.weight);
      json::Double(w, c.ratio);
      json::Double(w, c.median);
      w.Uint(c.live);
      w.EndArray();
    }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

core::Status Learner::Restore(std::string_view snapshot) {
  const auto bad = [](const std::string& field, const std::string& why) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "--learn-state: " + field + " " + why,
                           "--learn-state");
  };
  json::Document doc;
  std::string error;
  if (!json::ParseDocument(doc, snapshot, json::ReadLimits{8, true}, error))
    return bad("file", "is not JSON: " + error);
  const json::Value* version = json::Find(doc, "hybrid_router_learn_state");
  if (!version || !version->IsInt() || version->GetInt() != kSnapshotVersion)
    return bad("hybrid_router_learn_state", "must be 1 (not a learner snapshot of this version)");
  const json::Value* layout = json::Find(doc, "cells_per_platform");
  if (!layout || !layout->IsUint64() || layout->GetUint64() != kCellsPerPlatform)
    return bad("cells_per_platform", "is another build's layout");
  const auto numbers = [&](const json::Value* a, size_t n, const std::string& field,
                           std::vector<double>& out) -> core::Status {
    if (!a || !a->IsArray() || a->Size() != n) return bad(field, "has the wrong shape");
    for (const json::Value& x : a->GetArray()) {
      if (!x.IsNumber() || !std::isfinite(x.GetDouble()) || x.GetDouble() < 0)
        return bad(field, "holds a number that is not finite and >= 0");
      out.push_back(x.GetDouble());
    }
    return {};
  };
  const json::Value* common = json::Find(doc, "common");
  const json::Value* workloads = json::Find(doc, "workloads");
  const json::Value* cells = json::Find(doc, "cells");
  if (!common || !common->IsArray() || common->Size() != common_.size())
    return bad("common", "has the wrong shape");
  if (!workloads || !workloads->IsArray() || workloads->Size() != 2 * workloads_.size())
    return bad("workloads", "has the wrong shape");
  if (!cells || !cells->IsArray() || cells->Size() > 2 * kCellsPerPlatform)
    return bad("cells", "has the wrong shape");
  std::array<Common, features::kWorkloadCount> new_common{};
  std::array<std::array<WorkloadStats, 2>, features::kWorkloadCount> new_workloads{};
  std::array<std::vector<CellStats>, 2> new_cells;
  for (auto& v : new_cells) v.assign(kCellsPerPlatform, CellStats{});
  for (rapidjson::SizeType i = 0; i < common->Size(); ++i) {
    std::vector<double> x;
    if (auto s = numbers(&(*common)[i], 3, "common[" + std::to_string(i) + "]", x); !s) return s;
    new_common[i] = Common{x[0], x[1], x[2]};
  }
  for (rapidjson::SizeType i = 0; i < workloads->Size(); ++i) {
    std::vector<double> x;
    if (auto s = numbers(&(*workloads)[i], 8, "workloads[" + std::to_string(i) + "]", x); !s)
      return s;
    WorkloadStats& ws = new_workloads[i / 2][i % 2];
    ws = WorkloadStats{x[0],
                       x[1],
                       x[2],
                       x[3],
                       x[4],
                       x[5],
                       static_cast<uint64_t>(x[6]),
                       static_cast<uint64_t>(x[7]),
                       0};
  }
  if (const json::Value* watch = json::Find(doc, "watch")) {
    if (!watch->IsArray() || watch->Size() != 2 * workloads_.size())
      return bad("watch", "has the wrong shape");
    for (rapidjson::SizeType i = 0; i < watch->Size(); ++i) {
      const std::string field = "watch[" + std::to_string(i) + "]";
      const json::Value& a = (*watch)[i];
      if (!a.IsArray() || a.Size() != 10) return bad(field, "has the wrong shape");
      std::array<double, 10> x{};
      for (rapidjson::SizeType k = 0; k < 10; ++k) {
        if (!a[k].IsNumber()) return bad(field, "holds a value that is not a number");
        x[k] = a[k].GetDouble();
      }
      // share, stale, rmean, rdev, rn, zup, zdown, zthreshold, zwarm, doubt (rmean: a mean of
      // logs of ratios of finite doubles clamped at 1e-9 from below, so within -21 and 710)
      const std::array<std::pair<double, double>, 10> range{{{0, 1},
                                                             {0, 1e9},
                                                             {-1e3, 1e3},
                                                             {0, 1e6},
                                                             {0, 1e9},
                                                             {0, 1e6},
                                                             {0, 1e6},
                                                             {0, 1e6},
                                                             {0, 1},
                                                             {0, 1}}};
      for (size_t k = 0; k < 10; ++k)
        if (!Within(x[k], range[k].first, range[k].second))
          return bad(field, "holds a number out of its range");
      WorkloadStats& ws = new_workloads[i / 2][i % 2];
      ws.share = x[0];
      ws.stale = static_cast<uint32_t>(x[1]);
      ws.rmean = x[2];
      ws.rdev = x[3];
      ws.rn = static_cast<uint32_t>(x[4]);
      ws.zup = x[5];
      ws.zdown = x[6];
      ws.zthreshold = x[7];
      ws.zwarm = x[8] >= 0.5;
      ws.doubt = x[9] >= 0.5;
    }
  }
  for (rapidjson::SizeType i = 0; i < cells->Size(); ++i) {
    std::vector<double> x;
    const std::string field = "cells[" + std::to_string(i) + "]";
    if (auto s = numbers(&(*cells)[i], 6, field, x); !s) return s;
    if (x[0] > 1 || x[1] >= static_cast<double>(kCellsPerPlatform) || x[5] > 4e9)
      return bad(field, "names no cell");
    new_cells[static_cast<size_t>(x[0])][static_cast<size_t>(x[1])] =
        CellStats{x[2], x[3], x[4], static_cast<uint32_t>(x[5])};
  }
  std::lock_guard lock(mutex_);
  common_ = new_common;
  workloads_ = new_workloads;
  cells_ = std::move(new_cells);
  return {};
}

}  // namespace hr::policy
