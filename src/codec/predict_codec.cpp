#include "codec/predict_codec.h"

#if defined(HR_WITH_SIMDJSON)
#include "codec/predict_codec_ondemand.h"
#endif

#include <cmath>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::codec {

namespace {

using core::ErrorCode;
using core::MakeError;

constexpr std::string_view kKnownFields =
    "workload_type, payload_size_kb, time_window, load_pattern, timestamp, request_id, objective, "
    "cost_model, slo_ms, value_of_time_usd_per_s";

// One field value as the request rules see it, whichever reader produced it.
struct Scalar {
  enum class Kind { kNull, kString, kNumber, kNumberOutOfRange, kOther };
  Kind kind = Kind::kOther;
  std::string_view text;
  double number = 0;
};

// The request rules, shared by both readers: known fields, their types, duplicates, unknown fields.
class RequestFields {
 public:
  RequestFields(const ParseOptions& options, RequestNotes* notes)
      : options_(options), notes_(notes) {
    if (notes_) notes_->Clear();
  }

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
    } else if (key == "request_id") {
      bit = 32;
      s = ReadString(v, key, true, request_id_);
    } else if (key == "objective") {
      bit = 64;
      s = ReadObjective(v);
    } else if (key == "cost_model") {
      bit = 128;
      s = ReadCostModel(v);
    } else if (key == "slo_ms") {
      bit = 256;
      s = ReadNumber(v, key, policy::CheckSloMs, objective_.slo_ms);
    } else if (key == "value_of_time_usd_per_s") {
      bit = 512;
      s = ReadNumber(v, key, policy::CheckValueOfTime, objective_.value_of_time_usd_per_s);
    } else {
      return Unknown(key);
    }
    if (!s) return s;
    if (seen_ & bit) {
      return MakeError(ErrorCode::kInvalidJson, "field '" + std::string(key) + "' appears twice",
                       std::string(key));
    }
    seen_ |= bit;
    return {};
  }

  // A member that is not a decision input: refused when strict, else named in the warnings.
  core::Status Unknown(std::string_view key) {
    if (options_.strict) {
      const std::string shown(key.substr(0, 64));
      return MakeError(ErrorCode::kUnknownField,
                       "unknown field '" + shown + "'; allowed: " + std::string(kKnownFields),
                       shown);
    }
    if (notes_) notes_->Ignore(key);
    return {};
  }

  core::Result<features::Request> Finish(const core::CivilTime& now) const {
    auto r = features::Validate(raw_, now);
    if (r && notes_) {
      if (request_id_) notes_->request_id.assign(request_id_->substr(0, 128));
      notes_->objective = objective_;
    }
    return r;
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
      return MakeError(ErrorCode::kWrongType, std::string(field) + " must be a string",
                       std::string(field));
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
      return MakeError(ErrorCode::kWrongType, "payload_size_kb must be a number (KB)",
                       "payload_size_kb");
    }
    raw_.payload_size_kb = v.number;
    return {};
  }

  core::Status ReadObjective(const Scalar& v) {
    std::optional<std::string_view> text;
    if (auto s = ReadString(v, "objective", true, text); !s || !text) return s;
    auto k = policy::ParseObjectiveField(*text);
    if (!k) return k.error();
    objective_.kind = *k;
    return {};
  }
  core::Status ReadCostModel(const Scalar& v) {
    std::optional<std::string_view> text;
    if (auto s = ReadString(v, "cost_model", true, text); !s || !text) return s;
    auto m = policy::ParseCostModelField(*text);
    if (!m) return m.error();
    objective_.cost_model = *m;
    return {};
  }
  // An optional number with its range check; null is absent.
  static core::Status ReadNumber(const Scalar& v, std::string_view field,
                                 core::Status (*check)(double), std::optional<double>& out) {
    if (v.kind == Scalar::Kind::kNull) return {};
    if (v.kind == Scalar::Kind::kNumber || v.kind == Scalar::Kind::kNumberOutOfRange) {
      const double x = v.kind == Scalar::Kind::kNumber ? v.number : -1;
      if (auto s = check(x); !s) return s;
      out = x;
      return {};
    }
    return MakeError(ErrorCode::kWrongType, std::string(field) + " must be a number",
                     std::string(field));
  }

  const ParseOptions& options_;
  RequestNotes* notes_;
  features::RawRequest raw_;
  policy::ObjectiveRequest objective_;
  std::optional<std::string_view> request_id_;
  unsigned seen_ = 0;
};

Scalar FromValue(const json::Value& v) {
  Scalar s;
  if (v.IsNull()) {
    s.kind = Scalar::Kind::kNull;
  } else if (v.IsString()) {
    s.kind = Scalar::Kind::kString;
    s.text = json::Text(v);
  } else if (v.IsNumber()) {
    s.number = v.GetDouble();
    // The reader keeps a number beyond a double's range as infinity, so its field can be named.
    s.kind = std::isfinite(s.number) ? Scalar::Kind::kNumber : Scalar::Kind::kNumberOutOfRange;
  }
  return s;
}

#if defined(HR_WITH_SIMDJSON)
namespace od = simdjson::ondemand;

// The on-demand reader's answer when the body is plain; nullopt: let the RapidJSON reader decide
// (an error, or content on-demand reading would skip without checking), so that both readers give
// the same answer for every body.
using FastResult = std::optional<core::Result<features::Request>>;

// A scalar value, read (and so checked) on demand; nullopt for anything else.
std::optional<Scalar> FromOnDemand(od::value v) {
  od::json_type type;
  if (v.type().get(type)) return std::nullopt;
  Scalar s;
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return std::nullopt;
      s.kind = Scalar::Kind::kNull;
      return s;
    }
    case od::json_type::string:
      if (v.get_string().get(s.text)) return std::nullopt;
      s.kind = Scalar::Kind::kString;
      return s;
    case od::json_type::number: {
      // get_double() checks the grammar, but Debian's simdjson 3.0.1 misreads some mantissas of
      // more than 19 digits (0.000200000000000000200000047797894 read as 1.58e-14, found by
      // fuzz_request): a number that long is read from its text, as the other reader reads it.
      if (v.get_double().get(s.number)) return std::nullopt;
      if (const std::string_view token = v.raw_json_token();
          token.size() > 19 && !json::ParseJsonDouble(token, s.number)) {
        return std::nullopt;
      }
      s.kind = Scalar::Kind::kNumber;
      return s;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (v.get_bool().get(b)) return std::nullopt;
      return s;  // kOther
    }
    default:
      return std::nullopt;
  }
}

FastResult ParseOnDemand(od::parser& parser, simdjson::padded_string_view text,
                         const core::CivilTime& now, const ParseOptions& options,
                         RequestNotes* notes) {
  od::document doc;
  if (parser.iterate(text).get(doc)) return std::nullopt;
  od::object obj;
  if (doc.get_object().get(obj)) return std::nullopt;
  RequestFields fields(options, notes);
  for (auto field_result : obj) {
    od::field field;
    if (std::move(field_result).get(field)) return std::nullopt;
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    auto value = FromOnDemand(field.value());
    if (!value) return std::nullopt;
    if (auto s = fields.Add(key, *value); !s) return std::nullopt;
  }
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) return std::nullopt;  // content after the object
  auto req = fields.Finish(now);
  if (!req) return std::nullopt;
  return req;
}
#endif

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

core::Result<features::Request> ParseRequestValue(const json::Value& v, const core::CivilTime& now,
                                                  const ParseOptions& options,
                                                  RequestNotes* notes) {
  RequestFields fields(options, notes);
  for (const auto& m : v.GetObject()) {
    if (auto s = fields.Add(json::Text(m.name), FromValue(m.value)); !s) return s.error();
  }
  return fields.Finish(now);
}

core::Result<features::Request> ParseRequestText(std::string_view text, const core::CivilTime& now,
                                                 const ParseOptions& options, RequestNotes* notes) {
  if (notes) notes->Clear();
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, text, json::kRequestLimits, why)) {
    return MakeError(ErrorCode::kInvalidJson, "request body is not valid JSON: " + why);
  }
  if (!doc.IsObject())
    return MakeError(ErrorCode::kWrongType, "request body must be a JSON object");
  return ParseRequestValue(doc, now, options, notes);
}

#if defined(HR_WITH_SIMDJSON)
core::Result<features::Request> ParseRequest(od::parser& parser, simdjson::padded_string_view text,
                                             const core::CivilTime& now,
                                             const ParseOptions& options, RequestNotes* notes) {
  if (auto fast = ParseOnDemand(parser, text, now, options, notes)) return std::move(*fast);
  return ParseRequestText(std::string_view(text.data(), text.size()), now, options, notes);
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

core::Result<features::Request> RequestParser::Parse(std::string_view body,
                                                     const core::CivilTime& now,
                                                     const ParseOptions& options,
                                                     RequestNotes* notes) {
#if defined(HR_WITH_SIMDJSON)
  state_->padded.assign(body);
  state_->padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return ParseRequest(
      state_->parser,
      simdjson::padded_string_view(state_->padded.data(), body.size(), state_->padded.capacity()),
      now, options, notes);
#else
  return ParseRequestText(body, now, options, notes);
#endif
}

void AppendResponse(std::string& out, const features::Request& req, const policy::Decision& d,
                    const model::Metadata* info, const ResponseExtras& extras) {
  // The keys and names are constant ASCII: written as fixed text, only the numbers formatted.
  out += R"({"prediction":{"platform":")";
  out += policy::Name(d.platform);
  out += R"(","confidence":)";
  json::AppendDouble(out, d.confidence);
  out += R"(,"lambda_probability":)";
  json::AppendDouble(out, d.lambda_probability);
  out += R"(,"ecs_probability":)";
  json::AppendDouble(out, d.ecs_probability);
  if (d.from_model) {
    out += R"(,"objective":")";
    out += policy::Name(d.objective);
    out += '"';
  }
  if (d.has_expected) {
    out += R"(,"expected":{)";
    for (size_t p = 0; p < 2; ++p) {
      const policy::Expected& e = d.expected[p];
      out += p == 0 ? R"("lambda":{"response_time_ms":{"mean":)"
                    : R"(},"ecs":{"response_time_ms":{"mean":)";
      json::AppendDouble(out, e.response_mean_ms);
      out += R"(,"p95":)";
      json::AppendDouble(out, e.response_p95_ms);
      out += R"(},"cost_usd":)";
      json::AppendDouble(out, e.cost_usd);
    }
    out += '}';
    if (d.lambda_mean_lower_probability) {
      // How sure the tables are that Lambda's expected value is the lower one (not per request).
      out += R"(,"lambda_mean_lower_probability":)";
      json::AppendDouble(out, *d.lambda_mean_lower_probability);
    }
    out += '}';
  }
  out += R"(},"metrics":{"inference_time_ms":)";
  json::AppendDouble(out, extras.inference_time_ms);
  out += R"(,"inference_cost_usd":)";
  json::AppendDouble(out, extras.inference_cost_usd);
  out += R"(,"timestamp":")";
  out += core::FormatUtcMicros(extras.now);
  out += R"("},"request_context":{"workload_type":")";
  out += features::Name(req.workload);
  out += R"(","payload_size_kb":)";
  json::AppendDouble(out, req.payload_kb);
  out += R"(,"time_window":")";
  out += features::Name(req.time_window);
  out += R"(","load_pattern":")";
  out += features::Name(req.load_pattern);
  out += '"';
  if (req.time_window_derived || req.load_pattern_defaulted) {
    // Values the client did not send: time_window from the hour, load_pattern low_load.
    out += R"(,"derived":[)";
    if (req.time_window_derived) out += R"("time_window")";
    if (req.time_window_derived && req.load_pattern_defaulted) out += ',';
    if (req.load_pattern_defaulted) out += R"("load_pattern")";
    out += ']';
  }
  out += R"(},"model_info":)";
  if (!extras.model_info_json.empty()) {
    out += extras.model_info_json;
  } else {
    out += ModelInfoJson(info);
  }
  if (extras.notes && (!extras.notes->request_id.empty() || extras.notes->ignored_count > 0 ||
                       d.objective_unavailable)) {
    // Client text (request_id, field names) goes through the Writer's escaping.
    json::Buffer buf;
    json::Writer w(buf);
    w.StartObject();
    WriteNotes(w, *extras.notes, d.objective_unavailable);
    w.EndObject();
    out += ',';
    out.append(buf.GetString() + 1, buf.GetSize() - 2);
  }
  out += '}';
}

void WriteResponse(json::Writer& w, const features::Request& req, const policy::Decision& d,
                   const model::Metadata* info, const ResponseExtras& extras) {
  thread_local std::string text;
  text.clear();
  AppendResponse(text, req, d, info, extras);
  w.Raw(text, rapidjson::kObjectType);
}

void RequestNotes::Ignore(std::string_view key) {
  if (ignored_fields.size() < kMaxNamedFields) ignored_fields.emplace_back(key.substr(0, 64));
  ++ignored_count;
}

void WriteNotes(json::Writer& w, const RequestNotes& notes, bool objective_unavailable) {
  if (!notes.request_id.empty()) {
    json::Key(w, "request_id");
    json::String(w, notes.request_id);
  }
  if (notes.ignored_count == 0 && !objective_unavailable) return;
  json::Key(w, "warnings");
  w.StartArray();
  if (objective_unavailable) {
    w.StartObject();
    json::Key(w, "code");
    json::String(w, "objective_unavailable");
    json::Key(w, "field");
    json::String(w, "objective");
    json::Key(w, "message");
    json::String(w,
                 "the model has no outcome tables for this workload (a classifier only, e.g. an "
                 "imported scikit-learn model, or trained on data without this workload); "
                 "decided with the classifier, no expected outcome");
    w.EndObject();
  }
  for (const std::string& f : notes.ignored_fields) {
    w.StartObject();
    json::Key(w, "code");
    json::String(w, "unknown_field");
    json::Key(w, "field");
    json::String(w, f);
    json::Key(w, "message");
    json::String(w, "unknown field '" + f + "' was ignored");
    w.EndObject();
  }
  if (notes.ignored_count > notes.ignored_fields.size()) {
    w.StartObject();
    json::Key(w, "code");
    json::String(w, "unknown_field");
    json::Key(w, "message");
    json::String(w, std::to_string(notes.ignored_count - notes.ignored_fields.size()) +
                        " more unknown fields were ignored");
    w.EndObject();
  }
  w.EndArray();
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

}  // namespace hr::codec
