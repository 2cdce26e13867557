// The prototype's /predict JSON, both ways, shared by every front end (predict, serve, lambda):
// a request body -> validated features::Request, and a decision -> the response body, field for
// field as the prototype wrote it. Errors become {"error":{"code","message","field"}}.
// Adapter: the only place the API's JSON shapes are known.
#pragma once

#if defined(HR_WITH_SIMDJSON)
#include <simdjson.h>
#endif

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/civil_time.h"
#include "core/result.h"
#include "features/request.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "model/mlp.h"
#include "policy/decision.h"

namespace hr::codec {

// Request bodies are read by one of two readers with the same rules and the same errors (code
// and field): simdjson's on-demand API (about 4x faster on a request; the default build), and
// RapidJSON's DOM (links statically: the Lambda bootstrap, whose build has no simdjson).

// Parses and validates one request body with the fastest reader this build has. Keeps buffers
// between calls: one per thread.
class RequestParser {
 public:
  RequestParser();
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;
  core::Result<features::Request> Parse(std::string_view body, const core::CivilTime& now);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Parses and validates one request body with RapidJSON (any build).
core::Result<features::Request> ParseRequestText(std::string_view text, const core::CivilTime& now);

// Same, for a request already parsed as part of a larger document (batch items). `v` must be an
// object.
core::Result<features::Request> ParseRequestValue(const json::Value& v, const core::CivilTime& now);

#if defined(HR_WITH_SIMDJSON)
// Parses and validates one request object. `text` must be padded (simdjson::padded_string).
core::Result<features::Request> ParseRequest(simdjson::ondemand::parser& parser,
                                             simdjson::padded_string_view text,
                                             const core::CivilTime& now);
#endif

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
