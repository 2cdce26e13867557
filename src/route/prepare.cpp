// The router's state made and ended (Router::Impl), and what it makes off the event loop: a large
// signed Lambda call's proxy event and SigV4 payload hash (route/calls.h MakeLambdaBody), on a pool
// thread, the attempt then sent on the request's own loop. Everything of a flight is touched on its
// loop only: the pool is given copies and shared, immutable bytes.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "route/calls.h"
#include "route/router_impl.h"

namespace hr::route {

Router::Impl::Impl(const RouterConfig& c)
    : config(c),
      budget(c.budget),
      hedge_budget({c.hedge_share, 10, 0}),
      breakers(c.breaker),
      throttles(c.throttle_backoff_ms) {
  // One thread: hashing runs at about 1.6 GB/s, so a 5 MB body takes ~3 ms of it.
  if (c.targets.signs()) prepare_pool = std::make_unique<boost::asio::thread_pool>(1);
  if (c.policy.kind == policy::PolicyKind::kAdaptive)
    learner = std::make_unique<policy::Learner>(c.learn);
  for (size_t w = 0; w < ecs_share.size(); ++w) ecs_share[w] = ShareOf(CapacityOf(c, w));
}

Router::Impl::~Impl() = default;  // the pool (if any) joins its last job

bool Router::Impl::SendPrepared(const std::shared_ptr<Flight>& f, AttemptKind kind) {
  const features::Workload w = f->workload();
  boost::asio::io_context* io = f->loop ? f->loop->io_context() : nullptr;
  if (!prepare_pool || !io || !f->body_sha256.empty() || f->body->size() < kOffLoopBodyBytes ||
      !SignsLambda(config.targets, w, config.credentials != nullptr))
    return false;
  metrics.PreparedOffLoop();
  std::weak_ptr<Impl> weak = shared_from_this();
  // The pool thread reads the config's targets (fixed for the router's life) and the copies.
  boost::asio::post(*prepare_pool,
                    [this, weak, f, w, kind, io, body = f->body, content_type = f->content_type,
                     request_id = f->facts.request_id] {
                      auto made = std::make_shared<LambdaBody>(
                          MakeLambdaBody(config.targets, w, *body, content_type, request_id, true));
                      boost::asio::post(*io, [weak, f, kind, made] {
                        auto self = weak.lock();
                        if (!self) return;
                        if (!f->event) f->event = std::move(made->event);
                        if (f->body_sha256.empty()) f->body_sha256 = std::move(made->sha256);
                        self->Send(f, policy::Platform::kLambda, kind);
                      });
                    });
  return true;
}

}  // namespace hr::route
