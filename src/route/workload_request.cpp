#include "route/workload_request.h"

#include "json/json_reader.h"

namespace hr::route {

namespace {

using core::ErrorCode;
using core::MakeError;

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

core::Result<WorkloadRequest> ReadWorkloadRequest(std::string_view body) {
  WorkloadRequest wr;
  wr.payload_kb = static_cast<double>(body.size()) / 1024;
  if (body.empty()) return wr;
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, body, json::kRequestLimits, why))
    return MakeError(ErrorCode::kInvalidJson, "request body is not valid JSON: " + why);
  if (!doc.IsObject()) return MakeError(ErrorCode::kWrongType, "request body must be an object");
  if (const json::Value* id = json::Find(doc, "request_id"); id && id->IsString())
    wr.request_id = std::string(json::Text(*id).substr(0, 128));
  if (const json::Value* w = json::Find(doc, "workload_type"); w && !w->IsNull()) {
    if (!w->IsString())
      return MakeError(ErrorCode::kWrongType, "workload_type must be a string", "workload_type");
    auto parsed = features::ParseWorkload(json::Text(*w));
    if (!parsed) return Named(parsed.error(), "workload_type");
    wr.workload = *parsed;
  }
  const json::Value* md = json::Find(doc, "metadata");
  if (!md || md->IsNull()) return wr;
  if (!md->IsObject())
    return MakeError(ErrorCode::kWrongType, "metadata must be an object", "metadata");
  if (const json::Value* kb = json::Find(*md, "target_size_kb"); kb && !kb->IsNull()) {
    if (!kb->IsNumber() || !(kb->GetDouble() >= 0) || kb->GetDouble() > features::kMaxPayloadKb)
      return MakeError(ErrorCode::kOutOfRange,
                       "metadata.target_size_kb must be a number from 0 to 10485760",
                       "metadata.target_size_kb");
    wr.payload_kb = kb->GetDouble();
    wr.payload_from_metadata = true;
  }
  if (const json::Value* tw = json::Find(*md, "time_window"); tw && !tw->IsNull()) {
    if (!tw->IsString())
      return MakeError(ErrorCode::kWrongType, "metadata.time_window must be a string",
                       "metadata.time_window");
    auto t = features::ParseTimeWindow(json::Text(*tw));
    if (!t) return Named(t.error(), "metadata.time_window");
    wr.time_window = *t;
  }
  if (const json::Value* lp = json::Find(*md, "load_pattern"); lp && !lp->IsNull()) {
    if (!lp->IsString())
      return MakeError(ErrorCode::kWrongType, "metadata.load_pattern must be a string",
                       "metadata.load_pattern");
    auto l = features::ParseLoadPattern(json::Text(*lp));
    if (!l) return Named(l.error(), "metadata.load_pattern");
    wr.load_pattern = *l;
  }
  return wr;
}

}  // namespace hr::route
