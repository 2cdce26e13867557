#include "lambda/events.h"

#include <simdjson.h>

#include "http/client.h"
#include "json/json_writer.h"

namespace hr::lambda {

namespace {

using simdjson::dom::element;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

core::Status Body(element e, Event& ev) {
  std::string_view body;
  bool base64 = false;
  if (e["isBase64Encoded"].get_bool().get(base64) != simdjson::SUCCESS) base64 = false;
  if (e["body"].get_string().get(body) != simdjson::SUCCESS) {
    ev.body.clear();
    return {};
  }
  if (base64) {
    auto decoded = http::Base64Decode(body);
    if (!decoded) return decoded.error();
    ev.body = std::move(*decoded);
  } else {
    ev.body = std::string(body);
  }
  return {};
}

void Headers(element e, Event& ev) {
  simdjson::dom::object h;
  if (e["headers"].get_object().get(h) != simdjson::SUCCESS) return;
  for (auto field : h) {
    std::string_view v;
    if (field.value.get_string().get(v) == simdjson::SUCCESS) ev.headers.emplace_back(Lower(field.key), std::string(v));
  }
}

}  // namespace

std::string_view Name(EventFormat f) {
  switch (f) {
    case EventFormat::kApiGatewayV1: return "api-gateway-v1";
    case EventFormat::kHttpApiV2: return "http-api-v2";
    case EventFormat::kFunctionUrl: return "function-url";
    case EventFormat::kAlb: return "alb";
    case EventFormat::kDirect: return "direct";
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

core::Result<Event> ParseEvent(std::string_view json) {
  simdjson::dom::parser parser;
  element e;
  if (auto err = parser.parse(json.data(), json.size()).get(e)) {
    return core::MakeError(core::ErrorCode::kInvalidJson, std::string("event is not JSON: ") + simdjson::error_message(err));
  }
  if (!e.is_object()) return core::MakeError(core::ErrorCode::kWrongType, "event must be a JSON object");
  Event ev;
  std::string_view s;
  element rc;
  const bool has_rc = e["requestContext"].get(rc) == simdjson::SUCCESS;
  if (e["version"].get_string().get(s) == simdjson::SUCCESS && s == "2.0" && has_rc) {
    std::string_view domain;
    ev.format = rc["domainName"].get_string().get(domain) == simdjson::SUCCESS &&
                        domain.find(".lambda-url.") != std::string_view::npos
                    ? EventFormat::kFunctionUrl
                    : EventFormat::kHttpApiV2;
    if (rc["http"]["method"].get_string().get(s) == simdjson::SUCCESS) ev.method = std::string(s);
    if (e["rawPath"].get_string().get(s) == simdjson::SUCCESS) ev.path = std::string(s);
    Headers(e, ev);
    if (auto st = Body(e, ev); !st) return st.error();
    return ev;
  }
  if (e["httpMethod"].get_string().get(s) == simdjson::SUCCESS) {
    element elb;
    ev.format = has_rc && rc["elb"].get(elb) == simdjson::SUCCESS ? EventFormat::kAlb : EventFormat::kApiGatewayV1;
    ev.method = std::string(s);
    if (e["path"].get_string().get(s) == simdjson::SUCCESS) ev.path = std::string(s);
    Headers(e, ev);
    if (auto st = Body(e, ev); !st) return st.error();
    return ev;
  }
  // Direct invocation: the prototype's raw request, or {"body": "<request JSON>"} as it accepted.
  ev.format = EventFormat::kDirect;
  ev.headers.emplace_back("content-type", "application/json");
  std::string_view body;
  if (e["body"].get_string().get(body) == simdjson::SUCCESS) {
    ev.body = std::string(body);
  } else if (element b; e["body"].get(b) == simdjson::SUCCESS && b.is_object()) {
    ev.body = simdjson::minify(b);
  } else {
    ev.body = std::string(json);
  }
  return ev;
}

std::string FormatResponse(EventFormat format, const http::Response& r) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "statusCode");
  w.Int(r.status);
  if (format == EventFormat::kAlb) {
    json::Key(w, "statusDescription");
    json::String(w, std::to_string(r.status) + " " + Reason(r.status));
  }
  json::Key(w, "headers");
  w.StartObject();
  json::Key(w, "Content-Type");
  json::String(w, r.content_type);
  for (const auto& [k, v] : r.headers) {
    json::Key(w, k);
    json::String(w, v);
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
