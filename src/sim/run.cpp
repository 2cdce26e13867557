#include "sim/run.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>

#include "data/ingest.h"
#include "sim/trace_file.h"

namespace hr::sim {

namespace {

// A "W=VALUE,..." list of an option: each workload name read, its value's text handed to `each`
// (which says what is wrong with it, or nothing).
core::Status ForEachWorkload(
    std::string_view text, const std::string& option, std::string_view want,
    const std::function<std::optional<std::string>(features::Workload, std::string_view)>& each) {
  const auto bad = [&](const std::string& why) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, option + ": " + why, option);
  };
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return bad("expected " + std::string(want) + " (got '" + std::string(part.substr(0, 64)) +
                 "')");
    auto w = features::ParseWorkload(part.substr(0, eq));
    if (!w) return bad(w.error().message);
    if (auto why = each(*w, part.substr(eq + 1))) return bad(*why);
  }
  return {};
}

}  // namespace

core::Result<Mix> ParseMix(std::string_view text) {
  Mix mix{};
  double sum = 0;
  auto read = ForEachWorkload(
      text, "--mix", "W=SHARE,...",
      [&](features::Workload w, std::string_view num) -> std::optional<std::string> {
        double share = 0;
        auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), share);
        if (ec != std::errc() || p != num.data() + num.size() || !std::isfinite(share) ||
            share < 0 || share > 1e6)
          return "the share of " + std::string(features::Name(w)) + " must be a number >= 0";
        mix[static_cast<size_t>(w)] += share;
        sum += share;
        return std::nullopt;
      });
  if (!read) return read.error();
  if (!(sum > 0))
    return core::MakeError(core::ErrorCode::kInvalidArgument, "--mix: no workload has a share",
                           "--mix");
  for (double& s : mix) s /= sum;
  return mix;
}

core::Status ParseEcsTasks(std::string_view text, SimConfig& c) {
  auto number = [](std::string_view s, int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out >= 0 && out <= 10'000;
  };
  if (text.find('=') == std::string_view::npos) {
    if (!number(text, c.ecs.tasks))
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "--ecs-tasks: expected a task count 0-10000 or W=N,... (got '" +
                                 std::string(text.substr(0, 64)) + "')",
                             "--ecs-tasks");
    return {};
  }
  c.ecs_tasks_by_workload.fill(-1);
  return ForEachWorkload(
      text, "--ecs-tasks", "W=N,...",
      [&](features::Workload w, std::string_view num) -> std::optional<std::string> {
        int n = 0;
        if (!number(num, n))
          return "the tasks of " + std::string(features::Name(w)) + " must be 0-10000";
        c.ecs_tasks_by_workload[static_cast<size_t>(w)] = n;
        return std::nullopt;
      });
}

bool IsPolicyByWorkload(std::string_view text) { return text.find('=') != std::string_view::npos; }

core::Result<PolicyByWorkload> ParsePolicyByWorkload(std::string_view text) {
  PolicyByWorkload out;
  auto read = ForEachWorkload(
      text, "--policy", "W=POLICY,...",
      [&](features::Workload w, std::string_view value) -> std::optional<std::string> {
        const std::string name(features::Name(w));
        auto spec = policy::ParsePolicy(value, "--policy " + name);
        if (!spec || spec->uses_model() || spec->kind == policy::PolicyKind::kOracle)
          return "the policy of " + name + " must be lambda-only, ecs-only, split:S or " +
                 "spillover[:W] (got '" + std::string(value.substr(0, 64)) + "')";
        if (out[static_cast<size_t>(w)]) return name + " has two policies";
        out[static_cast<size_t>(w)] = std::move(*spec);
        return std::nullopt;
      });
  if (!read) return read.error();
  return out;
}

namespace {

// Everything but the runs: options checked, service times, mix, profile or trace in place.
core::Result<ServiceTimes> Prepare(SimRequest& q, const Progress& progress) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  SimConfig& c = q.config;
  // What needs no file first: a mistyped option fails at once.
  if (q.lambda_cold && !q.lambda_warm)
    return core::MakeError(core::ErrorCode::kInvalidArgument, "--lambda-cold needs --lambda-warm",
                           "--lambda-cold");
  if (!q.mix.empty()) {
    auto m = ParseMix(q.mix);
    if (!m) return m.error();
    c.arrivals.mix = *m;
  }
  if (auto s = c.Validate(); !s) return s.error();
  // Service times: the measurements unless distributions replace every platform the runs use.
  const bool lambda_given = q.lambda_warm.has_value(), ecs_given = q.ecs_service.has_value();
  bool need_lambda = c.explore > 0, need_ecs = c.explore > 0;
  for (size_t w = 0; w < features::kWorkloadCount; ++w) {
    const policy::PolicyKind kind = c.PolicyOf(static_cast<features::Workload>(w)).kind;
    need_lambda |= kind != policy::PolicyKind::kEcsOnly;
    need_ecs |= kind != policy::PolicyKind::kLambdaOnly;
  }
  for (const SimPolicy& p : q.sweep_policies) {
    need_lambda |= p.spec.kind != policy::PolicyKind::kEcsOnly;
    need_ecs |= p.spec.kind != policy::PolicyKind::kLambdaOnly;
  }
  // A model decides by the measured payloads (distributions have none): it needs the measurements.
  const auto decides_by_model = [](const SimPolicy& p) { return p.spec.uses_model(); };
  const bool any_model =
      decides_by_model(c.policy) ||
      std::any_of(q.sweep_policies.begin(), q.sweep_policies.end(), decides_by_model);
  const Distribution warm = q.lambda_warm.value_or(Distribution{}),
                     cold = q.lambda_cold.value_or(warm);
  std::optional<ServiceTimes> times;
  if (!any_model && (!need_lambda || lambda_given) && (!need_ecs || ecs_given)) {
    times = ServiceTimes::FromDistributions(warm, cold, q.ecs_service.value_or(Distribution{}));
  } else {
    say("reading the measurements");
    auto ds =
        data::Ingest(q.data.empty() ? std::vector<std::string>{data::DefaultDataDir()} : q.data);
    if (!ds) return ds.error();
    if (auto s = data::RequireRecords(*ds); !s) return s.error();
    auto t = ServiceTimes::FromRecords(ds->records, q.ecs_busy_response);
    if (!t) return t.error();
    times = std::move(*t);
    if (lambda_given) times->SetLambda(warm, cold);
    if (ecs_given) times->SetEcs(*q.ecs_service);
  }
  if (q.mix.empty()) c.arrivals.mix = times->WorkloadShares();
  if (!q.profile_file.empty()) {
    auto p = ReadProfile(q.profile_file);
    if (!p) return p.error();
    c.arrivals.kind = ArrivalSpec::Kind::kProfile;
    c.arrivals.profile = std::move(*p);
    // The whole period unless --duration-s says otherwise: a first hour scaled to a day is not
    // the day.
    if (!q.duration_given && c.arrivals.PeriodS() > 0) c.duration_s = c.arrivals.PeriodS();
  }
  if (!q.trace_file.empty()) {
    say("reading the trace " + q.trace_file);
    auto t = ReadTrace(q.trace_file);
    if (!t) return t.error();
    c.arrivals.kind = ArrivalSpec::Kind::kTrace;
    if (!q.duration_given) c.duration_s = std::max(1.0, std::ceil(t->back().t_s + 1e-9));
    c.arrivals.trace = std::make_shared<const std::vector<TraceEntry>>(std::move(*t));
  }
  return std::move(*times);
}

// The wall time since `start`, as progress (stderr): results carry no wall time, so that the same
// seed gives the same bytes.
void SayWallTime(const Progress& progress, std::chrono::steady_clock::time_point start) {
  if (!progress) return;
  char buf[64];
  std::snprintf(buf, sizeof buf, "done in %.2f s (wall time)",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  progress(buf);
}

}  // namespace

core::Result<std::vector<SimResult>> Run(SimRequest& q, const Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  if (q.config.on_line && !q.sweep_rates.empty())
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--outcome-log writes one run's lines: not with --sweep-rate",
                           "--outcome-log");
  if (q.config.PerWorkloadPolicy() && !q.sweep_rates.empty())
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--sweep-rate compares whole-run policies: not with --policy "
                           "W=POLICY,...",
                           "--policy");
  auto times = Prepare(q, progress);
  if (!times) return times.error();
  const SimConfig& c = q.config;
  auto tick = [&](double simulated_s) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "simulated %.0f of %.0f s", simulated_s, c.duration_s);
    if (progress) progress(buf);
  };
  if (q.sweep_rates.empty()) {
    auto r = Simulate(c, *times, tick);
    if (!r) return r.error();
    SayWallTime(progress, start);
    return std::vector<SimResult>{std::move(*r)};
  }
  auto swept = Sweep(c, *times, q.sweep_rates, q.sweep_policies, [&](double rate) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "rate %.4g done", rate);
    if (progress) progress(buf);
  });
  if (swept) SayWallTime(progress, start);
  return swept;
}

core::Result<AdviceSet> RunAdvice(SimRequest& q, double p95_target_ms, const Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  if (q.config.on_line)
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--outcome-log writes one run's lines: not with --advise",
                           "--outcome-log");
  // The advice runs both platforms whatever --policy says: the service times of both, as the
  // re-run of its options loads them.
  q.sweep_policies = {Fixed("lambda-only"), Fixed("ecs-only")};
  auto times = Prepare(q, progress);
  if (!times) return times.error();
  auto advice = AdviseTogether(q.config, *times, p95_target_ms, [&](double tasks) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "tried %.0f tasks", tasks);
    if (progress) progress(buf);
  });
  if (advice) SayWallTime(progress, start);
  return advice;
}

}  // namespace hr::sim
