#include "service/handlers.h"

#include <chrono>
#include <optional>

#include "codec/predict_codec.h"
#include "cost/cost.h"
#include "features/seed_v1.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "policy/decision.h"

namespace hr::service::detail {

namespace {

using Clock = std::chrono::steady_clock;

std::string Finish(json::Buffer& buf) { return std::string(buf.GetString(), buf.GetSize()); }

// Appends one answer (or the fallback when no model is loaded) for a parsed request.
std::string_view Answer(ThreadState& ts, const ServiceConfig& cfg, const features::Request& req,
                        const codec::RequestNotes& notes, const core::CivilTime& now,
                        Clock::time_point start, std::string& out) {
  const policy::Decision d =
      AppendAnswer(ts.model ? ts.model->model.get() : nullptr,
                   ts.model ? std::string_view(ts.model->model_info_json) : std::string_view(),
                   cfg.memory_mb, cfg.objective, req, notes, now, start, ts.scratch, out);
  return d.from_model ? policy::Name(d.platform) : std::string_view("fallback");
}

// The prototype's fallback_prediction object (the heuristic it used without a model); the
// single-request answer also carries its note.
void WriteFallback(json::Writer& w, const features::Request& req, bool with_note) {
  const policy::Decision d = policy::FallbackHeuristic(req.workload, req.payload_kb);
  json::Key(w, "fallback_prediction");
  w.StartObject();
  json::Key(w, "platform");
  json::String(w, policy::Name(d.platform));
  json::Key(w, "confidence");
  w.Double(d.confidence);
  if (with_note) {
    json::Key(w, "note");
    json::String(w, "Fallback prediction due to error");
  }
  w.EndObject();
}

// Opens a batch result that failed: {"index":...,"error":{...} (the caller closes it).
void BeginFailedItem(json::Writer& w, size_t index, const core::Error& e) {
  w.StartObject();
  json::Key(w, "index");
  w.Uint64(index);
  json::Key(w, "error");
  json::WriteErrorObject(w, e);
}

}  // namespace

policy::Decision AppendAnswer(const model::Model* model, std::string_view model_info_json,
                              double memory_mb, const policy::Objective& objective,
                              const features::Request& req, const codec::RequestNotes& notes,
                              const core::CivilTime& now,
                              std::chrono::steady_clock::time_point start, model::Scratch& scratch,
                              std::string& out) {
  const policy::Decision d =
      model ? policy::DecideFor(*model, req, notes.objective.Over(objective), scratch)
            : policy::FallbackHeuristic(req.workload, req.payload_kb);
  codec::ResponseExtras extras;
  extras.inference_time_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  extras.inference_cost_usd = cost::LambdaInvocationCostUsd(extras.inference_time_ms, memory_mb);
  extras.now = now;
  extras.model_info_json = model_info_json;
  extras.notes = &notes;
  codec::AppendResponse(out, req, d, model ? &model->spec().metadata : nullptr, extras);
  return d;
}

Reply Refuse(core::ErrorCode code, const std::string& message, std::string_view field) {
  Reply r;
  r.status = core::HttpStatus(code);
  r.error_code = code;
  r.body = json::ErrorBody(core::CodeName(code), message, field);
  return r;
}

Reply Error(const core::Error& e) { return Refuse(e.code, e.message, e.field); }

Reply Predict(ThreadState& ts, const ServiceConfig& cfg, std::string_view body,
              Clock::time_point start) {
  const core::CivilTime now = core::NowUtc();
  auto req = ts.requests.Parse(body, now, codec::ParseOptions{cfg.strict}, &ts.notes);
  if (!req) return Error(req.error());
  json::Buffer buf(nullptr, 1024);  // an answer is about 550 bytes: no regrowth
  json::Writer w(buf);
  Reply r;
  r.request_id = ts.notes.request_id;
  if (!ts.model) {
    // The prototype's answer when it could not use its model, so callers can still route.
    r.status = core::HttpStatus(core::ErrorCode::kUnavailable);
    r.error_code = core::ErrorCode::kUnavailable;
    r.decision = "fallback";
    w.StartObject();
    json::Key(w, "error");
    json::WriteErrorObject(
        w, "unavailable",
        "no usable model is loaded; use fallback_prediction or retry after a reload", "");
    WriteFallback(w, *req, true);
    codec::WriteNotes(w, ts.notes);
    w.EndObject();
    r.body = Finish(buf);
    return r;
  }
  r.body.reserve(640);
  r.decision = Answer(ts, cfg, *req, ts.notes, now, start, r.body);
  return r;
}

Reply PredictBatch(ThreadState& ts, const ServiceConfig& cfg, std::string_view body,
                   Clock::time_point start) {
  const core::CivilTime now = core::NowUtc();
  // A batch is read whole with RapidJSON (per item it costs ~0.3 us more than on-demand reading,
  // small beside the answer), so that every build, the static Lambda one too, reads it the same.
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, body, json::kRequestLimits, why)) {
    return Refuse(core::ErrorCode::kInvalidJson, "request body is not valid JSON: " + why);
  }
  const codec::ParseOptions options{cfg.strict};
  codec::RequestNotes& wrapper_notes = ts.notes;
  wrapper_notes.Clear();
  const json::Value* items = nullptr;
  if (doc.IsObject()) {
    for (const auto& m : doc.GetObject()) {
      const std::string_view key = json::Text(m.name);
      if (key != "requests") {
        if (cfg.strict) {
          return Refuse(core::ErrorCode::kUnknownField,
                        "unknown field '" + std::string(key.substr(0, 64)) + "'; allowed: requests",
                        key.substr(0, 64));
        }
        wrapper_notes.Ignore(key);
        continue;
      }
      if (items) return Refuse(core::ErrorCode::kInvalidJson, "requests appears twice", "requests");
      if (!m.value.IsArray()) {
        return Refuse(core::ErrorCode::kWrongType, "requests must be an array of request objects",
                      "requests");
      }
      items = &m.value;
    }
    if (!items)
      return Refuse(core::ErrorCode::kMissingField, "requests is required (an array)", "requests");
  } else if (doc.IsArray()) {
    items = &doc;
  } else {
    return Refuse(core::ErrorCode::kWrongType,
                  "request body must be an array or {\"requests\": [...]}");
  }
  if (items->Size() > cfg.max_batch) {
    return Refuse(core::ErrorCode::kPayloadTooLarge,
                  "a batch holds at most " + std::to_string(cfg.max_batch) + " requests",
                  "requests");
  }

  // An answer is about 600 bytes: room for all of them up front, not regrown and copied.
  json::Buffer buf(nullptr, items->Size() * 640 + 256);
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "results");
  w.StartArray();
  size_t index = 0, failed = 0;
  std::array<uint32_t, 3> decisions{};
  codec::RequestNotes notes;
  for (const json::Value& item : items->GetArray()) {
    const size_t at = index++;
    core::Result<features::Request> req =
        item.IsObject() ? codec::ParseRequestValue(item, now, options, &notes)
                        : core::Result<features::Request>(core::MakeError(
                              core::ErrorCode::kWrongType, "each request must be a JSON object"));
    if (req && ts.model) {
      ts.answer.clear();
      ++decisions[Answer(ts, cfg, *req, notes, now, start, ts.answer) == "lambda" ? 0 : 1];
      w.Raw(ts.answer, rapidjson::kObjectType);
      continue;
    }
    ++failed;
    if (!req) {
      BeginFailedItem(w, at, req.error());
    } else {
      ++decisions[2];  // the prototype's fallback_prediction
      BeginFailedItem(w, at,
                      core::MakeError(core::ErrorCode::kUnavailable, "no usable model is loaded"));
      WriteFallback(w, *req, false);
      codec::WriteNotes(w, notes);
    }
    w.EndObject();
  }
  w.EndArray();
  json::Key(w, "count");
  w.Uint64(index);
  json::Key(w, "failed");
  w.Uint64(failed);
  codec::WriteNotes(w, wrapper_notes);
  w.EndObject();
  Reply r;
  r.body = Finish(buf);
  r.batch_decisions = decisions;
  r.batch_failed = static_cast<uint32_t>(failed);
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
    w.Int(modelfile::FormatVersionOf(*m->model));
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
    w.Raw(s.metadata.json, rapidjson::kObjectType);
  }
  w.EndObject();
  return Finish(buf);
}

}  // namespace hr::service::detail
