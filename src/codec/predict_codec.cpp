#include "codec/predict_codec.h"

#include <cmath>

namespace hr::codec {

namespace {

using core::ErrorCode;
using core::MakeError;

constexpr std::string_view kKnownFields =
    "workload_type, payload_size_kb, time_window, load_pattern, timestamp";

// One field value as the request rules see it, whichever reader produced it.
struct Scalar {
  enum class Kind { kNull, kString, kNumber, kNumberOutOfRange, kOther };
  Kind kind = Kind::kOther;
  std::string_view text;
  double number = 0;
};

// The request rules, shared by both readers: known fields, their types, duplicates.
class RequestFields {
 public:
  core::Status Add(std::string_view key, const Scalar& v) {
    unsigned bit = 0;
    core::Status s;
    if (key == "workload_type") {
      bit = 1;
      s = ReadString(v, key, false, raw_.workload_type);
    } else if (key == "payload_size_kb") {
      bit = 2;
      s = ReadPayload(v);
    } else if (key == "time_window") {
      bit = 4;
      s = ReadString(v, key, true, raw_.time_window);
    } else if (key == "load_pattern") {
      bit = 8;
      s = ReadString(v, key, true, raw_.load_pattern);
    } else if (key == "timestamp") {
      bit = 16;
      s = ReadString(v, key, true, raw_.timestamp);
    } else {
      std::string shown(key.substr(0, 64));
      return MakeError(ErrorCode::kUnknownField,
                       "unknown field '" + shown + "'; allowed: " + std::string(kKnownFields), shown);
    }
    if (!s) return s;
    if (seen_ & bit) {
      return MakeError(ErrorCode::kInvalidJson, "field '" + std::string(key) + "' appears twice",
                       std::string(key));
    }
    seen_ |= bit;
    return {};
  }
  core::Result<features::Request> Finish(const core::CivilTime& now) const {
    return features::Validate(raw_, now);
  }

 private:
  // Optional string fields accept null as absent; required ones do not.
  static core::Status ReadString(const Scalar& v, std::string_view field, bool allow_null,
                                 std::optional<std::string_view>& out) {
    if (v.kind == Scalar::Kind::kNull && allow_null) {
      out.reset();
      return {};
    }
    if (v.kind != Scalar::Kind::kString) {
      return MakeError(ErrorCode::kWrongType, std::string(field) + " must be a string", std::string(field));
    }
    out = v.text;
    return {};
  }
  core::Status ReadPayload(const Scalar& v) {
    if (v.kind == Scalar::Kind::kNumberOutOfRange) {
      return MakeError(ErrorCode::kOutOfRange,
                       "payload_size_kb must be a finite number from 0 to 10485760 (10 GB)",
                       "payload_size_kb");
    }
    if (v.kind != Scalar::Kind::kNumber) {
      return MakeError(ErrorCode::kWrongType, "payload_size_kb must be a number (KB)", "payload_size_kb");
    }
    raw_.payload_size_kb = v.number;
    return {};
  }

  features::RawRequest raw_;
  unsigned seen_ = 0;
};

core::Error RapidJsonError(const std::string& why) {
  return MakeError(ErrorCode::kInvalidJson, "request body is not valid JSON: " + why);
}

Scalar FromValue(const json::Value& v) {
  Scalar s;
  if (v.IsNull()) {
    s.kind = Scalar::Kind::kNull;
  } else if (v.IsString()) {
    s.kind = Scalar::Kind::kString;
    s.text = json::Text(v);
  } else if (v.IsNumber()) {
    s.kind = Scalar::Kind::kNumber;
    s.number = v.GetDouble();
  }
  return s;
}

// RapidJSON refuses a whole document for one number beyond a double's range, where on-demand
// reading reports that field. The key of the member whose value is the number starting at
// `offset`, so both say the same; empty when the number is not directly a member's value.
std::string_view KeyBefore(std::string_view text, size_t offset) {
  constexpr std::string_view kSpace = " \t\r\n";
  if (offset == 0 || offset > text.size()) return {};
  const size_t colon = text.find_last_not_of(kSpace, offset - 1);
  if (colon == std::string_view::npos || colon == 0 || text[colon] != ':') return {};
  const size_t close = text.find_last_not_of(kSpace, colon - 1);
  if (close == std::string_view::npos || close == 0 || text[close] != '"') return {};
  const size_t open = text.rfind('"', close - 1);
  if (open == std::string_view::npos) return {};
  return text.substr(open + 1, close - open - 1);
}

#if defined(HR_WITH_SIMDJSON)
namespace od = simdjson::ondemand;

core::Error JsonError(simdjson::error_code err) {
  return MakeError(ErrorCode::kInvalidJson,
                   std::string("request body is not valid JSON: ") + simdjson::error_message(err));
}

core::Result<Scalar> FromOnDemand(od::value v) {
  od::json_type type;
  if (auto err = v.type().get(type); err) return JsonError(err);
  Scalar s;
  switch (type) {
    case od::json_type::null:
      s.kind = Scalar::Kind::kNull;
      break;
    case od::json_type::string:
      if (auto err = v.get_string().get(s.text); err) return JsonError(err);
      s.kind = Scalar::Kind::kString;
      break;
    case od::json_type::number:
      if (auto err = v.get_double().get(s.number); err) {
        if (err != simdjson::NUMBER_ERROR && err != simdjson::NUMBER_OUT_OF_RANGE) return JsonError(err);
        s.kind = Scalar::Kind::kNumberOutOfRange;
      } else {
        s.kind = Scalar::Kind::kNumber;
      }
      break;
    default:
      break;
  }
  return s;
}

core::Result<features::Request> ParseRequestObject(od::object obj, const core::CivilTime& now) {
  RequestFields fields;
  for (auto field_result : obj) {
    od::field field;
    if (auto err = std::move(field_result).get(field); err) return JsonError(err);
    std::string_view key;
    if (auto err = field.unescaped_key().get(key); err) return JsonError(err);
    auto value = FromOnDemand(field.value());
    if (!value) return value.error();
    if (auto s = fields.Add(key, *value); !s) return s.error();
  }
  return fields.Finish(now);
}
#endif

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

core::Result<features::Request> ParseRequestValue(const json::Value& v, const core::CivilTime& now) {
  RequestFields fields;
  for (const auto& m : v.GetObject()) {
    if (auto s = fields.Add(json::Text(m.name), FromValue(m.value)); !s) return s.error();
  }
  return fields.Finish(now);
}

core::Result<features::Request> ParseRequestText(std::string_view text, const core::CivilTime& now) {
  json::Document doc;
  std::string why;
  bool too_big = false;
  if (!json::ParseDocument(doc, text, why, &too_big)) {
    if (const std::string_view key = too_big ? KeyBefore(text, doc.GetErrorOffset()) : ""; !key.empty()) {
      Scalar out_of_range;
      out_of_range.kind = Scalar::Kind::kNumberOutOfRange;
      RequestFields fields;
      if (auto s = fields.Add(key, out_of_range); !s) return s.error();
    }
    return RapidJsonError(why);
  }
  if (!doc.IsObject()) return MakeError(ErrorCode::kWrongType, "request body must be a JSON object");
  return ParseRequestValue(doc, now);
}

#if defined(HR_WITH_SIMDJSON)
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

#endif

struct RequestParser::State {
#if defined(HR_WITH_SIMDJSON)
  od::parser parser;
  std::string padded;  // the body plus simdjson's padding
#endif
};

RequestParser::RequestParser() : state_(std::make_unique<State>()) {}
RequestParser::~RequestParser() = default;

core::Result<features::Request> RequestParser::Parse(std::string_view body, const core::CivilTime& now) {
#if defined(HR_WITH_SIMDJSON)
  state_->padded.assign(body);
  state_->padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return ParseRequest(state_->parser,
                      simdjson::padded_string_view(state_->padded.data(), body.size(), state_->padded.capacity()),
                      now);
#else
  return ParseRequestText(body, now);
#endif
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
    w.Raw(extras.model_info_json, rapidjson::kObjectType);
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
