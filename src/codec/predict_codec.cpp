#include "codec/predict_codec.h"

#include <cmath>

namespace hr::codec {

namespace {

using core::ErrorCode;
using core::MakeError;
namespace od = simdjson::ondemand;

constexpr std::string_view kKnownFields =
    "workload_type, payload_size_kb, time_window, load_pattern, timestamp";

core::Error JsonError(simdjson::error_code err) {
  return MakeError(ErrorCode::kInvalidJson,
                   std::string("request body is not valid JSON: ") + simdjson::error_message(err));
}

// Optional string fields accept null as absent; required ones do not.
core::Status ReadString(od::value v, std::string_view field, bool allow_null,
                        std::optional<std::string_view>& out) {
  od::json_type type;
  if (auto err = v.type().get(type); err) return JsonError(err);
  if (type == od::json_type::null && allow_null) {
    out.reset();
    return {};
  }
  std::string_view s;
  if (type != od::json_type::string || v.get_string().get(s)) {
    return MakeError(ErrorCode::kWrongType, std::string(field) + " must be a string",
                     std::string(field));
  }
  out = s;
  return {};
}

core::Status ReadPayload(od::value v, std::optional<double>& out) {
  od::json_type type;
  if (auto err = v.type().get(type); err) return JsonError(err);
  if (type != od::json_type::number) {
    return MakeError(ErrorCode::kWrongType, "payload_size_kb must be a number (KB)",
                     "payload_size_kb");
  }
  double d = 0;
  if (auto err = v.get_double().get(d); err) {
    if (err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE) {
      return MakeError(ErrorCode::kOutOfRange,
                       "payload_size_kb must be a finite number from 0 to 10485760 (10 GB)",
                       "payload_size_kb");
    }
    return JsonError(err);
  }
  out = d;
  return {};
}

void Num(json::Writer& w, std::string_view key, double v) {
  json::Key(w, key);
  json::Double(w, v);
}

void Str(json::Writer& w, std::string_view key, std::string_view v) {
  json::Key(w, key);
  json::String(w, v);
}

void StrOrNull(json::Writer& w, std::string_view key, std::string_view v) {
  json::Key(w, key);
  if (v.empty()) {
    w.Null();
  } else {
    json::String(w, v);
  }
}

}  // namespace

core::Result<features::Request> ParseRequestObject(od::object obj, const core::CivilTime& now) {
  features::RawRequest raw;
  unsigned seen = 0;
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field); err) return JsonError(err);
    std::string_view key;
    if (auto err = field.unescaped_key().get(key); err) return JsonError(err);
    unsigned bit = 0;
    core::Status s;
    if (key == "workload_type") {
      bit = 1;
      s = ReadString(field.value(), key, false, raw.workload_type);
    } else if (key == "payload_size_kb") {
      bit = 2;
      s = ReadPayload(field.value(), raw.payload_size_kb);
    } else if (key == "time_window") {
      bit = 4;
      s = ReadString(field.value(), key, true, raw.time_window);
    } else if (key == "load_pattern") {
      bit = 8;
      s = ReadString(field.value(), key, true, raw.load_pattern);
    } else if (key == "timestamp") {
      bit = 16;
      s = ReadString(field.value(), key, true, raw.timestamp);
    } else {
      std::string shown(key.substr(0, 64));
      return MakeError(ErrorCode::kUnknownField,
                       "unknown field '" + shown + "'; allowed: " + std::string(kKnownFields),
                       shown);
    }
    if (!s) return s.error();
    if (seen & bit) {
      return MakeError(ErrorCode::kInvalidJson, "field '" + std::string(key) + "' appears twice",
                       std::string(key));
    }
    seen |= bit;
  }
  return features::Validate(raw, now);
}

core::Result<features::Request> ParseRequest(od::parser& parser, simdjson::padded_string_view text,
                                             const core::CivilTime& now) {
  od::document doc;
  if (auto err = parser.iterate(text).get(doc); err) return JsonError(err);
  od::json_type type;
  if (auto err = doc.type().get(type); err) return JsonError(err);
  if (type != od::json_type::object) {
    // On-demand parsing only peeks at a scalar; validate the whole text to tell bad JSON apart.
    simdjson::dom::parser dom;
    simdjson::dom::element ignored;
    if (auto err = dom.parse(text.data(), text.size()).get(ignored); err) return JsonError(err);
    return MakeError(ErrorCode::kWrongType, "request body must be a JSON object");
  }
  od::object obj;
  if (auto err = doc.get_object().get(obj); err) return JsonError(err);
  auto req = ParseRequestObject(obj, now);
  if (!req) return req;
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {  // an error here means we consumed everything
    return MakeError(ErrorCode::kInvalidJson, "request body has content after the JSON object");
  }
  return req;
}

void WriteResponse(json::Writer& w, const features::Request& req, const policy::Decision& d,
                   const model::Metadata* info, const ResponseExtras& extras) {
  w.StartObject();
  json::Key(w, "prediction");
  w.StartObject();
  Str(w, "platform", policy::Name(d.platform));
  Num(w, "confidence", d.confidence);
  Num(w, "lambda_probability", d.lambda_probability);
  Num(w, "ecs_probability", d.ecs_probability);
  w.EndObject();

  json::Key(w, "metrics");
  w.StartObject();
  Num(w, "inference_time_ms", extras.inference_time_ms);
  Num(w, "inference_cost_usd", extras.inference_cost_usd);
  Str(w, "timestamp", core::FormatUtcMicros(extras.now));
  w.EndObject();

  json::Key(w, "request_context");
  w.StartObject();
  Str(w, "workload_type", features::Name(req.workload));
  Num(w, "payload_size_kb", req.payload_kb);
  Str(w, "time_window", features::Name(req.time_window));
  Str(w, "load_pattern", features::Name(req.load_pattern));
  if (req.time_window_derived || req.load_pattern_defaulted) {
    // Values the client did not send: time_window from the hour, load_pattern low_load.
    json::Key(w, "derived");
    w.StartArray();
    if (req.time_window_derived) json::String(w, "time_window");
    if (req.load_pattern_defaulted) json::String(w, "load_pattern");
    w.EndArray();
  }
  w.EndObject();

  json::Key(w, "model_info");
  if (!extras.model_info_json.empty()) {
    w.RawValue(extras.model_info_json.data(), extras.model_info_json.size(), rapidjson::kObjectType);
  } else {
    WriteModelInfo(w, info);
  }
  w.EndObject();
}

void WriteModelInfo(json::Writer& w, const model::Metadata* info) {
  w.StartObject();
  if (info) {
    StrOrNull(w, "model_type", info->model_type);
    json::Key(w, "test_accuracy");
    if (info->test_accuracy) {
      json::Double(w, *info->test_accuracy);
    } else {
      w.Null();
    }
    StrOrNull(w, "training_date", info->training_date);
  } else {
    Str(w, "model_type", "fallback-heuristic");
    json::Key(w, "test_accuracy");
    w.Null();
    json::Key(w, "training_date");
    w.Null();
  }
  w.EndObject();
}

std::string ModelInfoJson(const model::Metadata* info) {
  json::Buffer buf;
  json::Writer w(buf);
  WriteModelInfo(w, info);
  return std::string(buf.GetString(), buf.GetSize());
}

void WriteErrorObject(json::Writer& w, std::string_view code, std::string_view message,
                      std::string_view field) {
  w.StartObject();
  json::Key(w, "code");
  json::String(w, code);
  json::Key(w, "message");
  json::String(w, message);
  if (!field.empty()) {
    json::Key(w, "field");
    json::String(w, field);
  }
  w.EndObject();
}

void WriteErrorObject(json::Writer& w, const core::Error& e) {
  WriteErrorObject(w, core::CodeName(e.code), e.message, e.field);
}

std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "error");
  WriteErrorObject(w, code, message, field);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string ErrorBody(const core::Error& e) { return ErrorBody(core::CodeName(e.code), e.message, e.field); }

}  // namespace hr::codec
