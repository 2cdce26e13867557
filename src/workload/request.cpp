#include "workload/request.h"

#include <simdjson.h>

namespace hr::workload {

namespace {

using core::ErrorCode;
using core::MakeError;
namespace od = simdjson::ondemand;

constexpr std::pair<std::string_view, features::Workload> kPathNames[] = {
    {"lightweight", features::Workload::kLightweightApi},
    {"thumbnail", features::Workload::kThumbnailProcessing},
    {"medium", features::Workload::kMediumProcessing},
    {"heavy", features::Workload::kHeavyProcessing}};

// A field's error with its path in the body.
core::Error Named(core::Error e, const char* field) {
  e.field = field;
  return e;
}

// Whether a value is null, without exceptions: a malformed one ("nul") sets `e` and counts as
// null so the caller stops there.
bool IsNull(od::value& v, simdjson::error_code& e) {
  bool null = false;
  e = v.is_null().get(null);
  return e != simdjson::SUCCESS || null;
}

}  // namespace

std::optional<features::Workload> WorkloadOfPath(std::string_view name) {
  for (const auto& [short_name, w] : kPathNames) {
    if (name == short_name || name == features::Name(w)) return w;
  }
  return std::nullopt;
}

std::string_view PathName(features::Workload w) {
  for (const auto& [short_name, v] : kPathNames) {
    if (v == w) return short_name;
  }
  return "lightweight";
}

core::Result<Request> Read(std::string_view body, size_t capacity) {
  static_assert(kReadPadding >= simdjson::SIMDJSON_PADDING);
  Request wr;
  wr.payload_kb = static_cast<double>(body.size()) / 1024;
  if (body.empty()) return wr;
  simdjson::padded_string copy;
  simdjson::padded_string_view text;
  if (capacity >= body.size() + kReadPadding) {
    text = simdjson::padded_string_view(body.data(), body.size(), capacity);
  } else {
    copy = simdjson::padded_string(body);
    text = copy;
  }
  thread_local od::parser parser;
  if (parser.capacity() < text.size() || parser.max_depth() != 64) {
    if (auto e = parser.allocate(text.size(), 64))
      return MakeError(ErrorCode::kInternal, simdjson::error_message(e));
  }
  const auto invalid = [](simdjson::error_code e) {
    return MakeError(ErrorCode::kInvalidJson,
                     std::string("request body is not valid JSON: ") + simdjson::error_message(e));
  };
  od::document doc;
  if (auto e = parser.iterate(text).get(doc)) return invalid(e);
  od::object obj;
  if (auto e = doc.get_object().get(obj)) {
    if (e == simdjson::INCORRECT_TYPE)
      return MakeError(ErrorCode::kWrongType, "request body must be an object");
    return invalid(e);
  }
  std::string_view s;
  simdjson::error_code null_error = simdjson::SUCCESS;
  for (auto fr : obj) {
    od::field field;
    if (auto e = std::move(fr).get(field)) return invalid(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return invalid(e);
    od::value v = field.value();
    if (key == "request_id") {
      if (!v.get_string().get(s)) wr.request_id = std::string(s.substr(0, 128));
    } else if (key == "workload_type") {
      if (IsNull(v, null_error)) {
        if (null_error) return invalid(null_error);
        continue;
      }
      if (v.get_string().get(s))
        return MakeError(ErrorCode::kWrongType, "workload_type must be a string", "workload_type");
      auto parsed = features::ParseWorkload(s);
      if (!parsed) return Named(parsed.error(), "workload_type");
      wr.workload = *parsed;
    } else if (key == "metadata") {
      if (IsNull(v, null_error)) {
        if (null_error) return invalid(null_error);
        continue;
      }
      od::object md;
      if (v.get_object().get(md))
        return MakeError(ErrorCode::kWrongType, "metadata must be an object", "metadata");
      for (auto mfr : md) {
        od::field m;
        if (auto e = std::move(mfr).get(m)) return invalid(e);
        std::string_view mkey;
        if (auto e = m.unescaped_key().get(mkey)) return invalid(e);
        od::value mv = m.value();
        if (mkey == "target_size_kb") {
          if (IsNull(mv, null_error)) {
            if (null_error) return invalid(null_error);
            continue;
          }
          double kb = 0;
          if (mv.get_double().get(kb) || !(kb >= 0) || kb > features::kMaxPayloadKb)
            return MakeError(ErrorCode::kOutOfRange,
                             "metadata.target_size_kb must be a number from 0 to 10485760",
                             "metadata.target_size_kb");
          wr.payload_kb = kb;
          wr.payload_from_metadata = true;
        } else if (mkey == "time_window" || mkey == "load_pattern") {
          if (IsNull(mv, null_error)) {
            if (null_error) return invalid(null_error);
            continue;
          }
          const bool window = mkey == "time_window";
          bool known = false;
          if (!mv.get_string().get(s)) {
            if (window) {
              if (auto t = features::ParseTimeWindow(s)) {
                wr.time_window = *t;
                known = true;
              }
            } else if (auto l = features::ParseLoadPattern(s)) {
              wr.load_pattern = *l;
              known = true;
            }
          } else {
            s = "(not a string)";
          }
          if (!known)
            wr.unknown.emplace_back(window ? "metadata.time_window" : "metadata.load_pattern",
                                    std::string(s.substr(0, 64)));
        }
      }
    }
  }
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) return invalid(simdjson::TRAILING_CONTENT);
  return wr;
}

}  // namespace hr::workload
