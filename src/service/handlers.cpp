#include "service/handlers.h"

#include <chrono>
#include <optional>

#include "codec/predict_codec.h"
#include "cost/lambda_cost.h"
#include "features/seed_v1.h"
#include "json/json_writer.h"
#include "policy/decision.h"

namespace hr::service::detail {

namespace {

namespace od = simdjson::ondemand;
using Clock = std::chrono::steady_clock;

std::string Finish(json::Buffer& buf) { return std::string(buf.GetString(), buf.GetSize()); }

simdjson::padded_string_view Pad(ThreadState& ts, std::string_view body) {
  ts.padded.assign(body);
  ts.padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(ts.padded.data(), body.size(), ts.padded.capacity());
}

// Writes one answer (or the fallback when no model is loaded) for a parsed request.
std::string_view Answer(ThreadState& ts, const ServiceConfig& cfg, const features::Request& req,
                        const core::CivilTime& now, Clock::time_point start, json::Writer& w) {
  policy::Decision d;
  const model::Metadata* info = nullptr;
  if (ts.model) {
    d = policy::Decide(*ts.model->model, features::SeedV1Features(req), ts.scratch);
    info = &ts.model->model->spec().metadata;
  } else {
    d = policy::FallbackHeuristic(req.workload, req.payload_kb);
  }
  codec::ResponseExtras extras;
  extras.inference_time_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  extras.inference_cost_usd = cost::LambdaInvocationCostUsd(extras.inference_time_ms, cfg.memory_mb);
  extras.now = now;
  if (ts.model) extras.model_info_json = ts.model->model_info_json;
  codec::WriteResponse(w, req, d, info, extras);
  return d.from_model ? policy::Name(d.platform) : std::string_view("fallback");
}

}  // namespace

Reply ErrorWithStatus(int status, std::string_view code, const std::string& message,
                      std::string_view field) {
  Reply r;
  r.status = status;
  r.error_code = code;
  r.body = codec::ErrorBody(code, message, field);
  return r;
}

Reply Error(const core::Error& e) {
  return ErrorWithStatus(core::HttpStatus(e.code), core::CodeName(e.code), e.message, e.field);
}

Reply Predict(ThreadState& ts, const ServiceConfig& cfg, std::string_view body, Clock::time_point start) {
  const core::CivilTime now = core::NowUtc();
  auto req = codec::ParseRequest(ts.parser, Pad(ts, body), now);
  if (!req) return Error(req.error());
  json::Buffer buf(nullptr, 1024);  // an answer is about 550 bytes: no regrowth
  json::Writer w(buf);
  Reply r;
  if (!ts.model) {
    // The prototype's answer when it could not use its model, so callers can still route.
    const policy::Decision d = policy::FallbackHeuristic(req->workload, req->payload_kb);
    r.status = 503;
    r.error_code = "unavailable";
    r.decision = "fallback";
    w.StartObject();
    json::Key(w, "error");
    w.StartObject();
    json::Key(w, "code");
    json::String(w, "unavailable");
    json::Key(w, "message");
    json::String(w, "no usable model is loaded; use fallback_prediction or retry after a reload");
    w.EndObject();
    json::Key(w, "fallback_prediction");
    w.StartObject();
    json::Key(w, "platform");
    json::String(w, policy::Name(d.platform));
    json::Key(w, "confidence");
    w.Double(d.confidence);
    json::Key(w, "note");
    json::String(w, "Fallback prediction due to error");
    w.EndObject();
    w.EndObject();
    r.body = Finish(buf);
    return r;
  }
  r.decision = Answer(ts, cfg, *req, now, start, w);
  r.body = Finish(buf);
  return r;
}

Reply PredictBatch(ThreadState& ts, const ServiceConfig& cfg, std::string_view body, Clock::time_point start) {
  const core::CivilTime now = core::NowUtc();
  od::document doc;
  auto invalid = [](simdjson::error_code err) {
    return ErrorWithStatus(400, "invalid_json", std::string("request body is not valid JSON: ") +
                                                    simdjson::error_message(err));
  };
  if (auto err = ts.parser.iterate(Pad(ts, body)).get(doc)) return invalid(err);
  od::json_type type;
  if (auto err = doc.type().get(type)) return invalid(err);
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "results");
  w.StartArray();
  size_t count = 0, failed = 0;
  // Answers every item of the array; returns an error reply only for a whole-body failure.
  auto process = [&](od::array items) -> std::optional<Reply> {
    for (auto item_result : items) {
      od::value item;
      if (auto err = std::move(item_result).get(item)) return invalid(err);
      if (++count > cfg.max_batch) {
        return ErrorWithStatus(413, "payload_too_large",
                               "a batch holds at most " + std::to_string(cfg.max_batch) + " requests",
                               "requests");
      }
      od::object obj;
      core::Result<features::Request> req =
          item.get_object().get(obj)
              ? core::Result<features::Request>(
                    core::MakeError(core::ErrorCode::kWrongType, "each request must be a JSON object"))
              : codec::ParseRequestObject(obj, now);
      if (!req) {
        if (req.error().code == core::ErrorCode::kInvalidJson && req.error().field.empty()) {
          return ErrorWithStatus(400, "invalid_json", req.error().message);
        }
        ++failed;
        w.StartObject();
        json::Key(w, "index");
        w.Uint64(count - 1);
        json::Key(w, "error");
        codec::WriteErrorObject(w, req.error());
        w.EndObject();
        continue;
      }
      if (ts.model) {
        Answer(ts, cfg, *req, now, start, w);
        continue;
      }
      ++failed;
      w.StartObject();
      json::Key(w, "index");
      w.Uint64(count - 1);
      json::Key(w, "error");
      codec::WriteErrorObject(w, core::MakeError(core::ErrorCode::kUnavailable, "no usable model is loaded"));
      json::Key(w, "fallback_prediction");
      w.StartObject();
      json::Key(w, "platform");
      json::String(w, policy::Name(policy::FallbackHeuristic(req->workload, req->payload_kb).platform));
      json::Key(w, "confidence");
      w.Double(0.5);
      w.EndObject();
      w.EndObject();
    }
    return std::nullopt;
  };

  if (type == od::json_type::object) {
    od::object obj;
    if (auto err = doc.get_object().get(obj)) return invalid(err);
    bool found = false;
    for (auto field_result : obj) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return invalid(err);
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return invalid(err);
      if (key != "requests") {
        return ErrorWithStatus(400, "unknown_field",
                               "unknown field '" + std::string(key.substr(0, 64)) + "'; allowed: requests",
                               key.substr(0, 64));
      }
      if (found) return ErrorWithStatus(400, "invalid_json", "requests appears twice", "requests");
      od::array items;
      if (field.value().get_array().get(items)) {
        return ErrorWithStatus(400, "wrong_type", "requests must be an array of request objects", "requests");
      }
      found = true;
      if (auto fail = process(items)) return *fail;
    }
    if (!found) return ErrorWithStatus(400, "missing_field", "requests is required (an array)", "requests");
  } else if (type == od::json_type::array) {
    od::array items;
    if (auto err = doc.get_array().get(items)) return invalid(err);
    if (auto fail = process(items)) return *fail;
  } else {
    return ErrorWithStatus(400, "wrong_type", "request body must be an array or {\"requests\": [...]}");
  }

  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {
    return ErrorWithStatus(400, "invalid_json", "request body has content after the JSON value");
  }
  w.EndArray();
  json::Key(w, "count");
  w.Uint64(count);
  json::Key(w, "failed");
  w.Uint64(failed);
  w.EndObject();
  Reply r;
  r.body = Finish(buf);
  return r;
}

std::string ModelInfoJson(const LoadedModel* m) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "loaded");
  w.Bool(m != nullptr);
  if (m) {
    const auto& s = m->model->spec();
    json::Key(w, "source");
    json::String(w, m->source);
    json::Key(w, "loaded_at");
    json::String(w, m->loaded_at);
    json::Key(w, "format");
    json::String(w, modelfile::kFormatName);
    json::Key(w, "format_version");
    w.Int(modelfile::kFormatVersion);
    json::Key(w, "feature_schema");
    json::String(w, s.feature_schema);
    json::Key(w, "layers");
    w.StartArray();
    w.Uint64(s.layers.front().inputs);
    for (const auto& l : s.layers) w.Uint64(l.outputs);
    w.EndArray();
    json::Key(w, "hidden_activation");
    json::String(w, model::Name(s.hidden_activation));
    json::Key(w, "scaler");
    w.Bool(s.scaler.has_value());
    json::Key(w, "decision_threshold");
    w.Double(s.decision_threshold);
    json::Key(w, "metadata");
    w.RawValue(s.metadata.json.data(), s.metadata.json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  return Finish(buf);
}

}  // namespace hr::service::detail
