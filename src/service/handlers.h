// Route handlers of the service (internal to service/): each fills a Reply from a request body.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "codec/predict_codec.h"
#include "model/mlp.h"
#include "service/service.h"

namespace hr::service::detail {

struct Reply {
  int status = 200;
  std::string body;
  std::optional<core::ErrorCode> error_code;  // for metrics, when status >= 400
  std::string_view decision;    // for the access log and metrics: lambda / ecs / fallback
  std::string_view request_id;  // the body's request_id (valid until the next request)
  std::vector<std::pair<std::string, std::string>> headers;
  // A batch's decisions by platform (lambda, ecs, fallback) and its items answered with an error.
  std::array<uint32_t, 3> batch_decisions{};
  uint32_t batch_failed = 0;
};

// Per-thread working state: the cached model, its scratch, the request reader and its buffers.
struct ThreadState {
  const void* owner = nullptr;
  uint64_t generation = ~0ull;
  std::shared_ptr<const LoadedModel> model;
  std::shared_ptr<const KeyGate> gate;  // the keys in force with the model
  model::Scratch scratch;
  codec::RequestParser requests;
  codec::RequestNotes notes;
  std::string answer;  // a batch item's answer, reused
  uint64_t counter = 0;
};

Reply Error(const core::Error& e);
// Decides for a parsed request with `model` (the fallback heuristic when null) and appends the
// answer: the one path of /predict, batch items, Lambda and `predict`. `start` is when the
// request arrived (inference_time_ms counts from it).
// `objective` is the default; the request's objective fields override it.
policy::Decision AppendAnswer(const model::Model* model, std::string_view model_info_json,
                              double memory_mb, const policy::Objective& objective,
                              const features::Request& req, const codec::RequestNotes& notes,
                              const core::CivilTime& now,
                              std::chrono::steady_clock::time_point start, model::Scratch& scratch,
                              std::string& out);

// An error answer: the code gives the status and the body's code name.
Reply Refuse(core::ErrorCode code, const std::string& message, std::string_view field = {});

Reply Predict(ThreadState& ts, const ServiceConfig& cfg, std::string_view body,
              std::chrono::steady_clock::time_point start);
Reply PredictBatch(ThreadState& ts, const ServiceConfig& cfg, std::string_view body,
                   std::chrono::steady_clock::time_point start);
std::string ModelInfoJson(const LoadedModel* m);

}  // namespace hr::service::detail
