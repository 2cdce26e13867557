// The options `serve` and `lambda` share (model, request rules, limits, API keys), wired once:
// the same flags, defaults, ranges and HYBRID_ROUTER_* environment variables for both.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/result.h"
#include "objective_options.h"
#include "service/service.h"

namespace hr::app {

struct ServiceOptions {
  service::ServiceConfig service;
  size_t max_model_mb = modelfile::kDefaultMaxModelBytes >> 20;
  std::string api_key_file;
  ObjectiveOptions objective;
  CLI::Option* memory_mb = nullptr;  // set: --memory-mb or its variable was given
};

void AddServiceOptions(CLI::App& sub, ServiceOptions& o);
// After parsing: the model size limit in bytes, and the API keys from --api-key-file or
// HYBRID_ROUTER_API_KEYS (a bad key file is an error naming it).
core::Status FinishServiceOptions(ServiceOptions& o);

}  // namespace hr::app
