// The prototype's /predict JSON, both ways, shared by every front end (predict, serve, lambda):
// a request body -> validated features::Request, and a decision -> the response body, field for
// field as the prototype wrote it. Errors become {"error":{"code","message","field"}}.
// Adapter: the only place the API's JSON shapes are known.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/civil_time.h"
#include "core/result.h"
#include "features/request.h"
#include "json/json_writer.h"
#include "model/mlp.h"
#include "policy/decision.h"

namespace hr::codec {

// Parses and validates one request object. `text` must be padded (simdjson::padded_string).
core::Result<features::Request> ParseRequest(simdjson::ondemand::parser& parser,
                                             simdjson::padded_string_view text,
                                             const core::CivilTime& now);

// Same, for a request object already located inside a larger document (batch items, events).
core::Result<features::Request> ParseRequestObject(simdjson::ondemand::object obj,
                                                   const core::CivilTime& now);

struct ResponseExtras {
  double inference_time_ms = 0;
  double inference_cost_usd = 0;
  core::CivilTime now;  // written as metrics.timestamp
  // model_info pre-rendered by ModelInfoJson (a server renders it once per model); empty: write it.
  std::string_view model_info_json;
};

// The response's "model_info" object: model_type, test_accuracy, training_date.
void WriteModelInfo(json::Writer& w, const model::Metadata* info);
std::string ModelInfoJson(const model::Metadata* info);

// {"prediction":{...},"metrics":{...},"request_context":{...},"model_info":{...}}
void WriteResponse(json::Writer& w, const features::Request& req, const policy::Decision& d,
                   const model::Metadata* model_info, const ResponseExtras& extras);

// {"error":{"code":...,"message":...,"field":...}} (field omitted when empty).
void WriteErrorObject(json::Writer& w, const core::Error& e);
void WriteErrorObject(json::Writer& w, std::string_view code, std::string_view message,
                      std::string_view field);
std::string ErrorBody(const core::Error& e);
// The same body for errors outside the request codes (not_found, unauthorized, ...).
std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field = {});

}  // namespace hr::codec
