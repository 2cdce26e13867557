// `route`: the gateway in front of the user's Lambda functions and ECS services (docs/design.md
// "Routing real traffic"). Per workload request it derives the decision features (path, body
// metadata, the clock in its time zone, the arrival rate it observes), decides with the model and
// objective (or a fixed policy, or explores), forwards the body unchanged to the chosen platform,
// falls back to the other only when the guards allow it, relays the answer with X-Route-*
// headers, and logs every attempt as a measurement. Everything that is not a workload path
// (health, readiness, model, metrics, reload, /predict) is the service's. Adapter.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/server.h"
#include "route/router_config.h"
#include "service/service.h"

namespace hr::route {

class Router {
 public:
  static core::Result<std::unique_ptr<Router>> Create(const RouterConfig& config);
  // Destroy after the server has drained: transfers still running end as kShutdown (answered
  // 502 if their clients are still there), and the outcome log is written out.
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The server's handler.
  void Handle(const http::Request& req, http::Response& res);
  service::Service& service();

 private:
  Router() = default;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hr::route
