// Hedging (--hedge): when a request's first attempt has not answered after the chosen platform's
// p95 for the request's cell, the other platform gets the request as well, within the hedges' own
// budget (a share of the requests, no floor), the breakers and, under spill-over, a free ECS slot
// of the hedge's own; the first answer wins and the loser is still logged and counted.
#include <algorithm>
#include <chrono>

#include "outcome/outcome.h"
#include "route/router_impl.h"
#include "route/steps.h"

namespace hr::route {

namespace {

using Clock = std::chrono::steady_clock;
using policy::Platform;

using features::Other;

// Where the outcome tables keep the p95.
constexpr size_t kP95Index = static_cast<size_t>(
    std::find(outcome::kQuantileLevels.begin(), outcome::kQuantileLevels.end(), 0.95) -
    outcome::kQuantileLevels.begin());
static_assert(kP95Index < outcome::kQuantiles);

}  // namespace

void Router::Impl::ArmHedge(const std::shared_ptr<Flight>& f, Platform first) {
  const features::Workload w = f->workload();
  if (f->finished || config.targets.of(w).url[static_cast<size_t>(Other(first))].empty()) return;
  std::optional<double> model_p95;
  if (const auto loaded = service->model();
      loaded->model->spec().outcomes && loaded->model->spec().outcomes->Covers(w)) {
    std::array<outcome::Estimate, 2> e;
    loaded->model->spec().outcomes->Estimate(f->facts.features, e);
    model_p95 = e[static_cast<size_t>(first)].response_quantiles_ms[kP95Index];
  }
  const auto delay =
      HedgeDelayMs(config.hedge_after_ms, model_p95,
                   hedge_delays.DelayMs(first, w, f->facts.features.payload_kb),
                   std::chrono::duration<double, std::milli>(f->deadline - Clock::now()).count());
  if (!delay) return;
  f->hedge_timer = f->loop->NewTimer();
  // The timer lives in the flight: it holds the flight weakly (else neither is ever freed).
  std::weak_ptr<Impl> self = shared_from_this();
  std::weak_ptr<Flight> weak = f;
  f->hedge_timer->Start(std::max<int64_t>(1, static_cast<int64_t>(*delay)), [self, weak, first] {
    auto router = self.lock();
    auto flight = weak.lock();
    if (router && flight) router->Hedge(flight, first);
  });
}

void Router::Impl::Hedge(const std::shared_ptr<Flight>& f, Platform first) {
  if (f->finished || f->attempts - f->resends >= 2 || f->outstanding == 0) return;
  const int64_t now_ms = NowMs();
  const Platform other = Other(first);
  const features::Workload w = f->workload();
  if (Clock::now() + std::chrono::milliseconds(1) >= f->deadline) return;
  bool probe = false;
  if (!breakers.Allow(other, w, now_ms, &probe)) {
    metrics.FallbackDenied(Denied::kBreaker);
    return;
  }
  // Under spill-over a hedge is speculative: it takes a free ECS slot of its own or does not go.
  bool slot = false;
  if (other == Platform::kEcs && config.policy.spills()) {
    if (!ReserveEcs(w)) {
      metrics.FallbackDenied(Denied::kCapacity);
      if (probe) breakers.Release(other, w);
      return;
    }
    slot = true;
  }
  if (!hedge_budget.TryFallback(now_ms)) {  // the hedges' own share of the requests
    metrics.FallbackDenied(Denied::kHedgeBudget);
    if (slot) ReleaseEcs(w);  // the hedge's own slot; the first attempt keeps its own
    if (probe) breakers.Release(other, w);
    return;
  }
  metrics.Hedged(other);
  f->hedged = true;
  Attempt(f, other, {false, probe, true, 0, slot});
}

}  // namespace hr::route
