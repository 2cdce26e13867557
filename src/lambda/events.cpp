#include "lambda/events.h"

#include <algorithm>

#include "codec/predict_codec.h"
#include "core/base64.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::lambda {

namespace {

using json::Value;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Sets the body, or the event's bad_request when the body cannot be used.
void Body(const Value& e, Event& ev) {
  const Value* b64 = json::Find(e, "isBase64Encoded");
  const bool base64 = b64 && b64->IsBool() && b64->GetBool();
  const Value* body = json::Find(e, "body");
  ev.body.clear();
  if (!body || body->IsNull()) return;
  if (!body->IsString()) {
    ev.bad_request =
        core::MakeError(core::ErrorCode::kWrongType, "the event's body must be a string", "body");
    return;
  }
  if (!base64) {
    ev.body = std::string(json::Text(*body));
    return;
  }
  auto decoded = core::Base64Decode(json::Text(*body));
  if (!decoded) {
    ev.bad_request = core::MakeError(
        core::ErrorCode::kInvalidJson,
        "the event's body is marked isBase64Encoded but is not valid base64", "body");
    return;
  }
  ev.body = std::move(*decoded);
}

void Headers(const Value& e, Event& ev) {
  // ALB with multi-value headers: {"name": ["v1", "v2"]}, and no "headers" (API Gateway v1
  // sends both; its headers are read).
  const Value* multi = json::Find(e, "multiValueHeaders");
  if (ev.format == EventFormat::kAlb && multi && multi->IsObject() && !json::Find(e, "headers")) {
    ev.multi_value_headers = true;
    for (const auto& field : multi->GetObject()) {
      if (!field.value.IsArray()) continue;
      std::string joined;  // as HTTP folds repeated fields: comma-separated
      for (const auto& v : field.value.GetArray()) {
        if (!v.IsString()) continue;
        if (!joined.empty()) joined += ", ";
        joined += json::Text(v);
      }
      ev.headers.emplace_back(Lower(json::Text(field.name)), std::move(joined));
    }
    return;
  }
  const Value* h = json::Find(e, "headers");
  if (!h || !h->IsObject()) return;
  for (const auto& field : h->GetObject()) {
    if (field.value.IsString())
      ev.headers.emplace_back(Lower(json::Text(field.name)), std::string(json::Text(field.value)));
  }
}

}  // namespace

std::string_view Name(EventFormat f) {
  switch (f) {
    case EventFormat::kApiGatewayV1:
      return "api-gateway-v1";
    case EventFormat::kHttpApiV2:
      return "http-api-v2";
    case EventFormat::kFunctionUrl:
      return "function-url";
    case EventFormat::kAlb:
      return "alb";
    case EventFormat::kDirect:
      return "direct";
  }
  return "?";
}

std::string_view EventRequest::header(std::string_view name) const {
  for (const auto& [k, v] : e_.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

http::Response BadRequestResponse(const core::Error& e) {
  http::Response r;
  r.status = core::HttpStatus(e.code);
  r.body = json::ErrorBody(e);
  return r;
}

namespace {

// A body over the limit: the 413 `serve` answers.
Event Limited(Event ev, size_t max_body_bytes) {
  if (!ev.bad_request && ev.body.size() > max_body_bytes)
    ev.bad_request = core::MakeError(core::ErrorCode::kPayloadTooLarge, http::kBodyTooLargeMessage);
  return ev;
}

}  // namespace

core::Result<Event> ParseEvent(std::string_view text, size_t max_body_bytes) {
  json::Document e;
  std::string why;
  bool refused = false;
  if (!json::ParseDocument(e, text, json::kRequestLimits, why, &refused)) {
    if (!refused)
      return core::MakeError(core::ErrorCode::kInvalidJson, "event is not JSON: " + why);
    Event ev;  // JSON, but beyond the reading limits: the caller gets a 400 in the direct format
    ev.bad_request = core::MakeError(core::ErrorCode::kInvalidJson, "event refused: " + why);
    return ev;
  }
  if (!e.IsObject())
    return core::MakeError(core::ErrorCode::kWrongType, "event must be a JSON object");
  Event ev;
  const Value* rc = json::Find(e, "requestContext");
  if (json::StringAt(e, "version") == "2.0" && rc) {
    ev.format = json::StringAt(*rc, "domainName").find(".lambda-url.") != std::string_view::npos
                    ? EventFormat::kFunctionUrl
                    : EventFormat::kHttpApiV2;
    if (const Value* http = json::Find(*rc, "http")) {
      if (auto m = json::StringAt(*http, "method"); !m.empty()) ev.method = std::string(m);
    }
    if (auto p = json::StringAt(e, "rawPath"); !p.empty()) ev.path = std::string(p);
    Headers(e, ev);
    Body(e, ev);
    return Limited(std::move(ev), max_body_bytes);
  }
  if (const Value* method = json::Find(e, "httpMethod"); method && method->IsString()) {
    ev.format = rc && json::Find(*rc, "elb") ? EventFormat::kAlb : EventFormat::kApiGatewayV1;
    ev.method = std::string(json::Text(*method));
    if (const Value* p = json::Find(e, "path"); p && p->IsString())
      ev.path = std::string(json::Text(*p));
    Headers(e, ev);
    Body(e, ev);
    return Limited(std::move(ev), max_body_bytes);
  }
  // Direct invocation: the prototype's raw request, or {"body": "<request JSON>"} as it accepted.
  ev.format = EventFormat::kDirect;
  ev.headers.emplace_back("content-type", "application/json");
  const Value* body = json::Find(e, "body");
  if (body && body->IsString()) {
    ev.body = std::string(json::Text(*body));
  } else if (body && body->IsObject()) {
    ev.body = json::Canonical(*body);
  } else {
    ev.body = std::string(text);
  }
  return Limited(std::move(ev), max_body_bytes);
}

std::string FormatResponse(EventFormat format, const http::Response& r, bool multi_value_headers) {
  const bool multi = multi_value_headers && format == EventFormat::kAlb;
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "statusCode");
  w.Int(r.status);
  if (format == EventFormat::kAlb) {
    json::Key(w, "statusDescription");
    json::String(w, std::to_string(r.status) + " " + std::string(http::ReasonPhrase(r.status)));
  }
  json::Key(w, multi ? "multiValueHeaders" : "headers");
  w.StartObject();
  std::vector<std::pair<std::string_view, std::string_view>> all = {
      {"Content-Type", r.content_type}};
  for (const auto& [k, v] : r.headers) all.emplace_back(k, v);
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string_view name = all[i].first;
    if (!multi) {
      json::Key(w, name);
      json::String(w, all[i].second);
      continue;
    }
    // One array per name, its values in order (a name seen before was written with it).
    if (std::any_of(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(i),
                    [&](const auto& h) { return h.first == name; }))
      continue;
    json::Key(w, name);
    w.StartArray();
    for (size_t j = i; j < all.size(); ++j)
      if (all[j].first == name) json::String(w, all[j].second);
    w.EndArray();
  }
  w.EndObject();
  json::Key(w, "body");
  json::String(w, r.body);
  if (format != EventFormat::kDirect) {
    json::Key(w, "isBase64Encoded");
    w.Bool(false);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace hr::lambda
