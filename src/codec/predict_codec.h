// The prototype's /predict JSON, both ways, shared by every front end (predict, serve, lambda):
// a request body -> validated features::Request, and a decision -> the response body, field for
// field as the prototype wrote it. Errors become {"error":{"code","message","field"}}.
// Adapter: the only place the API's JSON shapes are known.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_time.h"
#include "core/result.h"
#include "features/request.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "model/mlp.h"
#include "policy/decision.h"
#include "policy/objective.h"

namespace hr::codec {

// Request bodies are read by one of two readers with the same rules and the same errors (code
// and field): simdjson's on-demand API (about 4x faster on a request; the default build), and
// RapidJSON's DOM (links statically: the Lambda bootstrap, whose build has no simdjson).

// How requests are read. Unknown fields are ignored and named in the answer's warnings, as the
// prototype ignored them (its own clients send request_id and lambda_memory_mb); strict refuses
// them with unknown_field. A misspelt known value is an error either way.
struct ParseOptions {
  bool strict = false;
};

// What a request said beside its decision inputs, for the answer.
inline constexpr size_t kMaxNamedFields = 16;

struct RequestNotes {
  std::string request_id;              // the body's request_id, echoed; empty: none
  policy::ObjectiveRequest objective;  // objective, cost_model, slo_ms, value_of_time_usd_per_s
  std::vector<std::string> ignored_fields;  // unknown fields (at most kMaxNamedFields named)
  size_t ignored_count = 0;                 // all unknown fields, named or not
  void Clear() {
    request_id.clear();
    objective = {};
    ignored_fields.clear();
    ignored_count = 0;
  }
  bool empty() const { return request_id.empty() && ignored_count == 0; }
  // Notes an unknown field (its first 64 bytes); the first kMaxNamedFields are named.
  void Ignore(std::string_view key);
};

// Parses and validates one request body with the fastest reader this build has. Keeps buffers
// between calls: one per thread. `notes` (optional) is cleared and filled.
class RequestParser {
 public:
  RequestParser();
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;
  core::Result<features::Request> Parse(std::string_view body, const core::CivilTime& now,
                                        const ParseOptions& options = {},
                                        RequestNotes* notes = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Parses and validates one request body with RapidJSON (any build), under json::kRequestLimits.
core::Result<features::Request> ParseRequestText(std::string_view text, const core::CivilTime& now,
                                                 const ParseOptions& options = {},
                                                 RequestNotes* notes = nullptr);

// Same, for a request already parsed as part of a larger document (batch items). `v` must be an
// object.
core::Result<features::Request> ParseRequestValue(const json::Value& v, const core::CivilTime& now,
                                                  const ParseOptions& options = {},
                                                  RequestNotes* notes = nullptr);

struct ResponseExtras {
  double inference_time_ms = 0;
  double inference_cost_usd = 0;
  core::CivilTime now;  // written as metrics.timestamp
  // model_info pre-rendered by ModelInfoJson (a server renders it once per model); empty: write it.
  std::string_view model_info_json;
  const RequestNotes* notes = nullptr;  // request_id and warnings, written after model_info
};

// The response's "model_info" object: model_type, test_accuracy, training_date.
void WriteModelInfo(json::Writer& w, const model::Metadata* info);
std::string ModelInfoJson(const model::Metadata* info);

// {"prediction":{...},"metrics":{...},"request_context":{...},"model_info":{...}}, then
// "request_id" and "warnings" when the request had them.
void WriteResponse(json::Writer& w, const features::Request& req, const policy::Decision& d,
                   const model::Metadata* model_info, const ResponseExtras& extras);
// The same bytes appended to a string: fixed text with only the numbers formatted (the Writer
// escapes every constant key byte by byte, a third of a /predict answer's time).
void AppendResponse(std::string& out, const features::Request& req, const policy::Decision& d,
                    const model::Metadata* model_info, const ResponseExtras& extras);

// "request_id" and "warnings" members of an answer (nothing when the notes are empty and the
// objective was available).
void WriteNotes(json::Writer& w, const RequestNotes& notes, bool objective_unavailable = false);

}  // namespace hr::codec
