#include "lambda/emf.h"

#include <algorithm>

#include "json/json_writer.h"

namespace hr::lambda {

namespace {

using core::ErrorCode;
using core::MakeError;

// Top-level members a dimension may not take: the metadata and the line's properties.
constexpr std::string_view kReserved[] = {"_aws", "RequestId", "Status"};

bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= ' ' && c <= '~'; });
}

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' '; });
}

}  // namespace

core::Status CheckEmfNamespace(std::string_view ns, std::string_view field) {
  if (ns == kEmfOff) return {};
  const auto ok = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == '/' || c == '#' || c == ':' || c == ' ';
  };
  if (ns.empty() || ns.size() > 255 || !std::all_of(ns.begin(), ns.end(), ok) || Blank(ns))
    return MakeError(
        ErrorCode::kInvalidArgument,
        std::string(field) +
            ": the EMF namespace must be 1-255 characters of A-Z a-z 0-9 . - _ / # : and "
            "space (or 'off'), not '" +
            std::string(ns.substr(0, 64)) + "'",
        std::string(field));
  if (ns.starts_with("AWS/"))
    return MakeError(
        ErrorCode::kInvalidArgument,
        std::string(field) +
            ": the EMF namespace may not start with AWS/ (CloudWatch's own namespaces)",
        std::string(field));
  return {};
}

core::Result<std::vector<std::pair<std::string, std::string>>> ParseEmfDimensions(
    std::string_view text, std::string_view field) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto bad = [&](const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(field) + ": " + what,
                     std::string(field));
  };
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      return bad(std::string(item.substr(0, 64)).append(" is not NAME=VALUE"));
    const std::string_view name = item.substr(0, eq), value = item.substr(eq + 1);
    if (name.empty() || name.size() > 255 || !Printable(name) || Blank(name) || name.front() == ':')
      return bad(std::string("a name must be 1-255 printable ASCII characters, not all spaces, not "
                             "starting with ':', not ")
                     .append(name.substr(0, 64)));
    if (value.empty() || value.size() > 1024 || !Printable(value) || Blank(value))
      return bad("the value of " + std::string(name) +
                 " must be 1-1024 printable ASCII characters, not all spaces");
    const bool taken =
        std::any_of(kEmfMetrics.begin(), kEmfMetrics.end(),
                    [&](const auto& m) { return m.first == name; }) ||
        std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved);
    if (taken) return bad(std::string(name) + " is the name of a metric or property of the line");
    if (std::any_of(out.begin(), out.end(), [&](const auto& d) { return d.first == name; }))
      return bad(std::string(name) + " is given twice");
    out.emplace_back(name, value);
    if (out.size() > 30) return bad("at most 30 dimensions");
  }
  return out;
}

core::Result<EmfOptions> MakeEmfOptions(std::string name_space, std::string_view dimensions,
                                        std::string_view function_name) {
  EmfOptions o;
  if (auto s = CheckEmfNamespace(name_space, "--emf-namespace"); !s) return s.error();
  o.name_space = std::move(name_space);
  std::string given(dimensions);
  if (given.empty() && !function_name.empty()) given = "FunctionName=" + std::string(function_name);
  if (given == "none") given.clear();
  auto parsed = ParseEmfDimensions(given, "--emf-dimensions");
  if (!parsed) return parsed.error();
  o.dimensions = std::move(*parsed);
  return o;
}

std::string EmfLine(const EmfOptions& o, const InvocationMetrics& m) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "_aws");
  w.StartObject();
  json::Key(w, "Timestamp");
  w.Int64(m.timestamp_ms);
  json::Key(w, "CloudWatchMetrics");
  w.StartArray();
  w.StartObject();
  json::Key(w, "Namespace");
  json::String(w, o.name_space);
  json::Key(w, "Dimensions");
  w.StartArray();
  w.StartArray();  // one dimension set, all of them (empty: the metrics without dimensions)
  for (const auto& d : o.dimensions) json::String(w, d.first);
  w.EndArray();
  w.EndArray();
  json::Key(w, "Metrics");
  w.StartArray();
  for (const auto& [name, unit] : kEmfMetrics) {
    w.StartObject();
    json::Key(w, "Name");
    json::String(w, name);
    json::Key(w, "Unit");
    json::String(w, unit);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  for (const auto& d : o.dimensions) {
    json::Key(w, d.first);
    json::String(w, d.second);
  }
  const bool client_error = m.status >= 400 && m.status < 500;
  const bool error = m.status == 0 || m.status >= 500;
  const uint32_t values[] = {
      1, m.decisions[0], m.decisions[1], m.decisions[2], client_error ? 1u : 0u, error ? 1u : 0u,
      0, m.failed_items};
  for (size_t i = 0; i < kEmfMetrics.size(); ++i) {
    json::Key(w, kEmfMetrics[i].first);
    if (kEmfMetrics[i].first == "InferenceTime") {
      json::Double(w, std::max(0.0, m.inference_ms));
    } else {
      w.Uint(values[i]);
    }
  }
  json::Key(w, "RequestId");
  json::String(w, m.request_id);
  json::Key(w, "Status");
  w.Int(m.status);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace hr::lambda
