#include "data/schedules.h"

#include <cmath>
#include <fstream>

#include "json/json_reader.h"

namespace hr::data {

namespace {

using core::ErrorCode;
using core::MakeError;

LoadSchedule Points(std::vector<std::pair<double, double>> p) { return LoadSchedule{std::move(p)}; }

}  // namespace

double LoadSchedule::SentBy(double d) const {
  double sent = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    const auto [t0, r0] = points[i - 1];
    const auto [t1, r1] = points[i];
    if (d <= t0 || t1 <= t0) continue;
    const double to = std::min(d, t1);
    const double rate_at_to = r0 + (r1 - r0) * (to - t0) / (t1 - t0);
    sent += (to - t0) * (r0 + rate_at_to) / 2;  // the trapezoid under a linear rate
  }
  return sent;
}

LoadSchedules PrototypeSchedules() {
  LoadSchedules s;
  s.source = "the prototype's load schedules (built in)";
  using features::LoadPattern;
  s.by_pattern[static_cast<size_t>(LoadPattern::kLowLoad)] = Points({{0, 5}, {3600, 5}});
  s.by_pattern[static_cast<size_t>(LoadPattern::kMediumLoad)] = Points({{0, 15}, {3600, 15}});
  s.by_pattern[static_cast<size_t>(LoadPattern::kBurstLoad)] =
      Points({{0, 5}, {600, 5}, {600, 30}, {900, 30}, {900, 5}, {1200, 5}});
  s.by_pattern[static_cast<size_t>(LoadPattern::kRampLoad)] = Points({{0, 5}, {3600, 25}});
  return s;
}

core::Result<LoadSchedules> ParseSchedules(std::string_view text, const std::string& source) {
  if (text.size() > kMaxScheduleBytes)
    return MakeError(ErrorCode::kInvalidArgument, source + ": larger than 64 KB", "schedules");
  json::Document doc;
  std::string error;
  if (!json::ParseDocument(doc, text, json::kRequestLimits, error) || !doc.IsObject())
    return MakeError(ErrorCode::kInvalidArgument, source + ": not a JSON object (" + error + ")",
                     "schedules");
  LoadSchedules out;
  out.source = source;
  for (const auto& member : doc.GetObject()) {
    const std::string key(json::Text(member.name));
    const auto pattern = features::ParseLoadPattern(key);
    if (!pattern)
      return MakeError(ErrorCode::kInvalidArgument,
                       source + ": unknown load pattern '" + key +
                           "' (low_load, medium_load, burst_load, ramp_load)",
                       key);
    const auto bad = [&](const std::string& why) {
      return MakeError(ErrorCode::kInvalidArgument, source + ": " + key + ": " + why, key);
    };
    const json::Value& v = member.value;
    if (!v.IsArray() || v.Size() < 2 || v.Size() > kMaxSchedulePoints)
      return bad("must be an array of 2 to 1000 [seconds, requests per second] points");
    LoadSchedule& s = out.by_pattern[static_cast<size_t>(*pattern)];
    if (s.known()) return bad("given twice");
    for (const auto& point : v.GetArray()) {
      if (!point.IsArray() || point.Size() != 2 || !point[0].IsNumber() || !point[1].IsNumber())
        return bad("each point must be [seconds, requests per second]");
      const double t = point[0].GetDouble(), rate = point[1].GetDouble();
      if (!std::isfinite(t) || !std::isfinite(rate) || rate < 0 || rate > 1e6 || t < 0 || t > 1e7)
        return bad("seconds must be 0 to 1e7 and rates 0 to 1e6 requests per second");
      if (s.points.empty() ? t != 0 : t < s.points.back().first)
        return bad("the first point must be at 0 s and seconds must not go back");
      s.points.emplace_back(t, rate);
    }
    if (s.Seconds() <= 0) return bad("the schedule must last longer than 0 s");
  }
  return out;
}

core::Result<LoadSchedules> ReadSchedules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kIo, "cannot read schedules file '" + path + "'", "schedules");
  std::string text(kMaxScheduleBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return ParseSchedules(text, path);
}

}  // namespace hr::data
