#include "sim/service_times.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "cost/cost.h"
#include "data/measured_sizes.h"
#include "policy/decision.h"

namespace hr::sim {

namespace {

using features::Workload;

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  return v[mid];
}

ServiceSample FromDistribution(const Distribution& d, core::Rng& rng, double init_ms) {
  const double ms = d.SampleMs(rng);
  return {ms, ms, std::min(init_ms, ms)};
}

}  // namespace

core::Result<ServiceTimes> ServiceTimes::FromRecords(const std::vector<data::Record>& records,
                                                     bool ecs_busy_response) {
  ServiceTimes st;
  // Payload sizes and their shares come from every record of the workload, on both platforms; a
  // record counts for the measured size its payload belongs to (features/payload_size.h).
  const features::PayloadSizes sizes = data::MeasuredPayloadSizes(records);
  std::array<std::vector<std::pair<double, uint64_t>>, features::kWorkloadCount> counts;
  std::array<std::vector<double>, features::kWorkloadCount> memory;
  for (const data::Record& r : records) {
    auto& c = counts[static_cast<size_t>(r.workload)];
    const double size = sizes.Of(r.workload, r.target_payload_kb);
    auto it = std::find_if(c.begin(), c.end(), [&](auto& p) { return p.first == size; });
    if (it == c.end()) {
      c.emplace_back(size, 1);
    } else {
      ++it->second;
    }
  }
  for (size_t w = 0; w < features::kWorkloadCount; ++w) {
    auto& c = counts[w];
    std::sort(c.begin(), c.end());
    PerWorkload& pw = st.w_[w];
    uint64_t total = 0;
    for (auto& [kb, n] : c) total += n;
    uint64_t run = 0;
    for (auto& [kb, n] : c) {
      run += n;
      pw.payloads_kb.push_back(kb);
      pw.payload_cdf.push_back(static_cast<double>(run) / static_cast<double>(total));
    }
    pw.by_payload.resize(c.size());
    st.shares_[w] =
        static_cast<double>(total) / static_cast<double>(std::max<size_t>(1, records.size()));
  }
  // Warm Lambda and ECS from the low-load runs; cold starts pooled per workload from every run.
  std::array<std::vector<std::pair<uint32_t, ServiceSample>>, features::kWorkloadCount> cold;
  const auto low = [](const data::Record& r) {
    return r.load_pattern == features::LoadPattern::kLowLoad;
  };
  for (const data::Record& r : records) {
    PerWorkload& pw = st.w_[static_cast<size_t>(r.workload)];
    const uint32_t p = st.NearestPayload(r.workload, r.target_payload_kb);
    const ServiceSample s{r.response_time_ms, std::min(r.execution_time_ms, r.response_time_ms), 0};
    if (r.platform == policy::Platform::kLambda) {
      memory[static_cast<size_t>(r.workload)].push_back(r.memory_used_mb);
      if (r.cold_start == 1) {
        cold[static_cast<size_t>(r.workload)].emplace_back(p, s);
      } else if (low(r)) {
        pw.by_payload[p].lambda_warm.push_back(s);
      }
    } else if (low(r)) {
      pw.by_payload[p].ecs.push_back(
          {s.response_ms, ecs_busy_response ? s.response_ms : s.busy_ms, 0});
    }
  }
  // A cold start's INIT phase is not logged: it is estimated as the cold response less the median
  // warm response of the same payload, per workload (median over its cold records).
  std::vector<double> all_penalties;
  std::array<double, features::kWorkloadCount> init_ms{};
  for (size_t w = 0; w < features::kWorkloadCount; ++w) {
    PerWorkload& pw = st.w_[w];
    const std::string name(features::Name(static_cast<Workload>(w)));
    if (pw.payloads_kb.empty())
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             "the measurements have no record of " + name, "data");
    for (size_t p = 0; p < pw.by_payload.size(); ++p) {
      const PerPayload& pp = pw.by_payload[p];
      if (pp.lambda_warm.empty() || pp.ecs.empty())
        return core::MakeError(
            core::ErrorCode::kInvalidArgument,
            "the measurements have no " +
                std::string(pp.lambda_warm.empty() ? "warm Lambda" : "low-load ECS") +
                " record of " + name + " at " + std::to_string(pw.payloads_kb[p]) + " KB",
            "data");
    }
    std::vector<double> penalties;
    for (auto& [p, s] : cold[w]) {
      std::vector<double> warm;
      for (const ServiceSample& x : pw.by_payload[p].lambda_warm) warm.push_back(x.response_ms);
      penalties.push_back(std::max(0.0, s.response_ms - Median(std::move(warm))));
    }
    init_ms[w] = Median(penalties);
    all_penalties.insert(all_penalties.end(), penalties.begin(), penalties.end());
    pw.lambda_memory_mb = memory[w].empty() ? cost::MeasuredLambdaMemoryMb(static_cast<Workload>(w))
                                            : Median(memory[w]);
  }
  const double shared_init = Median(all_penalties);
  for (size_t w = 0; w < features::kWorkloadCount; ++w) {
    PerWorkload& pw = st.w_[w];
    if (cold[w].empty()) {  // borrow: the warm samples plus the other workloads' median penalty
      for (const PerPayload& pp : pw.by_payload)
        for (ServiceSample s : pp.lambda_warm)
          pw.lambda_cold.push_back(
              {s.response_ms + shared_init, s.busy_ms + shared_init, shared_init});
      continue;
    }
    for (auto& [p, s] : cold[w])
      pw.lambda_cold.push_back({s.response_ms, s.busy_ms + init_ms[w], init_ms[w]});
  }
  return st;
}

ServiceTimes ServiceTimes::FromDistributions(Distribution lambda_warm, Distribution lambda_cold,
                                             Distribution ecs) {
  ServiceTimes st;
  for (size_t w = 0; w < features::kWorkloadCount; ++w) {
    PerWorkload& pw = st.w_[w];
    pw.payloads_kb = {0};
    pw.payload_cdf = {1};
    pw.by_payload.resize(1);
    pw.lambda_memory_mb = cost::MeasuredLambdaMemoryMb(static_cast<Workload>(w));
  }
  st.SetLambda(lambda_warm, lambda_cold);
  st.SetEcs(ecs);
  return st;
}

void ServiceTimes::SetLambda(Distribution warm, Distribution cold) {
  lambda_warm_ = warm;
  lambda_cold_ = cold;
}

void ServiceTimes::SetEcs(Distribution ecs) { ecs_ = ecs; }

uint32_t ServiceTimes::DrawPayload(Workload w, core::Rng& rng) const {
  const auto& cdf = at(w).payload_cdf;
  const double u = rng.Uniform();
  const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
  return static_cast<uint32_t>(
      std::min<size_t>(static_cast<size_t>(it - cdf.begin()), cdf.size() - 1));
}

uint32_t ServiceTimes::NearestPayload(Workload w, double payload_kb) const {
  const auto& p = at(w).payloads_kb;
  return p.empty() ? 0 : static_cast<uint32_t>(features::NearestSize(p, payload_kb));
}

ServiceSample ServiceTimes::Lambda(Workload w, uint32_t payload, bool cold, core::Rng& rng) const {
  if (lambda_warm_) {
    if (!cold) return FromDistribution(*lambda_warm_, rng, 0);
    return FromDistribution(*lambda_cold_, rng,
                            std::max(0.0, lambda_cold_->MeanMs() - lambda_warm_->MeanMs()));
  }
  const PerWorkload& pw = at(w);
  const auto& pool = cold ? pw.lambda_cold : pw.by_payload[payload].lambda_warm;
  return pool[rng.Below(pool.size())];
}

ServiceSample ServiceTimes::Ecs(Workload w, uint32_t payload, core::Rng& rng) const {
  if (ecs_) return FromDistribution(*ecs_, rng, 0);
  const auto& pool = at(w).by_payload[payload].ecs;
  return pool[rng.Below(pool.size())];
}

namespace {

template <typename Pool>
double MeanBusy(const std::vector<double>& cdf, const Pool& pool_of) {
  double mean = 0, prev = 0;
  for (size_t p = 0; p < cdf.size(); ++p) {
    const auto& pool = pool_of(p);
    double sum = 0;
    for (const ServiceSample& s : pool) sum += s.busy_ms;
    mean += (cdf[p] - prev) * (pool.empty() ? 0 : sum / static_cast<double>(pool.size()));
    prev = cdf[p];
  }
  return mean;
}

}  // namespace

double ServiceTimes::MeanLambdaBusyMs(Workload w) const {
  if (lambda_warm_) return lambda_warm_->MeanMs();
  const PerWorkload& pw = at(w);
  return MeanBusy(pw.payload_cdf, [&](size_t p) -> auto& { return pw.by_payload[p].lambda_warm; });
}

double ServiceTimes::MeanEcsBusyMs(Workload w) const {
  if (ecs_) return ecs_->MeanMs();
  const PerWorkload& pw = at(w);
  return MeanBusy(pw.payload_cdf, [&](size_t p) -> auto& { return pw.by_payload[p].ecs; });
}

ServiceTimes::Means ServiceTimes::MeanMs(Workload w, uint32_t payload) const {
  auto mean = [](const std::vector<ServiceSample>& pool, double ServiceSample::*field) {
    double sum = 0;
    for (const ServiceSample& s : pool) sum += s.*field;
    return pool.empty() ? 0 : sum / static_cast<double>(pool.size());
  };
  Means m;
  const PerWorkload& pw = at(w);
  if (lambda_warm_) {
    m.lambda_warm_ms = lambda_warm_->MeanMs();
    m.lambda_cold_ms = lambda_cold_->MeanMs();
    m.lambda_init_ms = std::max(0.0, m.lambda_cold_ms - m.lambda_warm_ms);
  } else {
    const PerPayload& pp = pw.by_payload[payload];
    m.lambda_warm_ms = mean(pp.lambda_warm, &ServiceSample::response_ms);
    m.lambda_cold_ms = mean(pw.lambda_cold, &ServiceSample::response_ms);
    m.lambda_init_ms = mean(pw.lambda_cold, &ServiceSample::init_ms);
  }
  if (ecs_) {
    m.ecs_ms = m.ecs_busy_ms = ecs_->MeanMs();
  } else {
    m.ecs_ms = mean(pw.by_payload[payload].ecs, &ServiceSample::response_ms);
    m.ecs_busy_ms = mean(pw.by_payload[payload].ecs, &ServiceSample::busy_ms);
  }
  return m;
}

}  // namespace hr::sim
