#include "aws/lambda_invoke.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/base64.h"
#include "http/header_policy.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::aws {

namespace {

using core::ErrorCode;
using core::MakeError;

bool NameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The host of an http(s) URL, without port.
std::string_view HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  std::string_view host = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  return host.substr(0, host.find(':'));
}

// "{prefix}.{service-part}.{region}.{suffix}": the label after `marker`, up to the next dot.
std::string_view LabelAfter(std::string_view host, std::string_view marker) {
  const size_t at = host.find(marker);
  if (at == std::string_view::npos) return {};
  std::string_view rest = host.substr(at + marker.size());
  return rest.substr(0, rest.find('.'));
}

std::optional<double> NumberAfter(std::string_view line, std::string_view label) {
  const size_t at = line.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(at + label.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
  if (ec != std::errc() || !(v >= 0) || v > 1e9) return std::nullopt;
  return v;
}

}  // namespace

std::string InvokeEndpoint(std::string_view region) {
  return "https://lambda." + std::string(region) + ".amazonaws.com";
}

std::string InvokeUrl(std::string_view endpoint, std::string_view function,
                      std::string_view qualifier) {
  std::string url(endpoint);
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/2015-03-31/functions/" + std::string(function) + "/invocations";
  // '$' ($LATEST) percent-encoded, as AWS canonicalizes it: libcurl 7.88 signs the query as sent.
  if (!qualifier.empty()) {
    url += "?Qualifier=";
    for (char c : qualifier) {
      if (c == '$') {
        url += "%24";
      } else {
        url += c;
      }
    }
  }
  return url;
}

core::Status CheckFunctionName(std::string_view name, std::string_view field) {
  const std::string f(field);
  if (name.starts_with("arn:") || name.find(':') != std::string_view::npos)
    return MakeError(ErrorCode::kInvalidArgument,
                     f + " must be the function's name, not an ARN (give the alias or version "
                         "as lambda_qualifier)",
                     f);
  if (name.empty() || name.size() > 64 ||
      !std::all_of(name.begin(), name.end(), [](char c) { return NameChar(c); }))
    return MakeError(ErrorCode::kInvalidArgument,
                     f + " must be 1 to 64 letters, digits, '-' or '_' (got '" +
                         std::string(name.substr(0, 64)) + "')",
                     f);
  return {};
}

core::Status CheckQualifier(std::string_view q, std::string_view field) {
  const std::string f(field);
  if (q.empty() || q.size() > 128 ||
      !std::all_of(q.begin(), q.end(), [](char c) { return NameChar(c) || c == '$'; }))
    return MakeError(ErrorCode::kInvalidArgument,
                     f + " must be a version or alias: 1 to 128 letters, digits, '-', '_' or '$'",
                     f);
  return {};
}

std::string SigV4Provider(std::string_view url, std::string_view region,
                          std::string_view default_service) {
  const std::string host = Lower(HostOf(url));
  std::string service(default_service);
  std::string reg(region);
  if (host.ends_with(".on.aws") && host.find(".lambda-url.") != std::string::npos) {
    service = "lambda";
    if (auto r = LabelAfter(host, ".lambda-url."); !r.empty()) reg = std::string(r);
  } else if (host.find(".execute-api.") != std::string::npos) {
    service = "execute-api";
    if (auto r = LabelAfter(host, ".execute-api."); !r.empty()) reg = std::string(r);
  } else if (host.starts_with("lambda.") && host.ends_with(".amazonaws.com")) {
    service = "lambda";
    if (auto r = LabelAfter(host, "lambda."); !r.empty()) reg = std::string(r);
  }
  return "aws:amz:" + reg + ":" + service;
}

std::string ProxyEvent(const ProxyEventParts& p) {
  json::Buffer buf;
  json::Writer w(buf);
  const bool text = json::IsValidUtf8(p.body);
  w.StartObject();
  json::Key(w, "resource");
  json::String(w, p.path);
  json::Key(w, "path");
  json::String(w, p.path);
  json::Key(w, "httpMethod");
  json::String(w, "POST");
  json::Key(w, "headers");
  w.StartObject();
  json::Key(w, "Content-Type");
  json::String(w, p.content_type);
  json::Key(w, "X-Request-Id");
  json::String(w, p.request_id);
  w.EndObject();
  json::Key(w, "queryStringParameters");
  w.Null();
  json::Key(w, "pathParameters");
  w.Null();
  json::Key(w, "requestContext");
  w.StartObject();
  json::Key(w, "resourcePath");
  json::String(w, p.path);
  json::Key(w, "httpMethod");
  json::String(w, "POST");
  json::Key(w, "path");
  json::String(w, p.path);
  json::Key(w, "requestId");
  json::String(w, p.request_id);
  w.EndObject();
  w.EndObject();
  // The body (up to Lambda's 6 MB) is appended in one reservation, not through the Writer.
  std::string event(buf.GetString(), buf.GetSize() - 1);  // without the closing brace
  event += R"(,"body":)";
  if (text) {
    json::AppendQuoted(event, p.body);
  } else {
    json::AppendQuoted(event, core::Base64Encode(p.body));
  }
  event += text ? R"(,"isBase64Encoded":false})" : R"(,"isBase64Encoded":true})";
  return event;
}

core::Result<ProxyAnswer> UnwrapProxyAnswer(std::string_view payload) {
  json::Document doc;
  std::string why;
  const auto malformed = [](const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed Lambda proxy response: " + what,
                     "payload");
  };
  if (!json::ParseDocument(doc, payload, json::kRequestLimits, why) || !doc.IsObject())
    return malformed("not a JSON object");
  ProxyAnswer a;
  const json::Value* status = json::Find(doc, "statusCode");
  if (!status || !status->IsInt64() || status->GetInt64() < 200 || status->GetInt64() > 599)
    return malformed("no statusCode from 200 to 599");
  a.status = static_cast<int>(status->GetInt64());
  if (const json::Value* h = json::Find(doc, "headers"); h && !h->IsNull()) {
    if (!h->IsObject()) return malformed("headers is not an object");
    for (const auto& m : h->GetObject()) {
      if (!m.value.IsString()) return malformed("a header's value is not a string");
      const std::string_view name = json::Text(m.name);
      const std::string_view value = json::Text(m.value);
      if (const auto problem = http::HeaderProblem(name, value)) return malformed(*problem);
      if (a.headers.size() >= 100) return malformed("over 100 headers");
      a.headers.emplace_back(Lower(json::Text(m.name)), std::string(value));
    }
  }
  bool base64 = false;
  if (const json::Value* b = json::Find(doc, "isBase64Encoded"); b && b->IsBool())
    base64 = b->GetBool();
  if (const json::Value* b = json::Find(doc, "body"); b && !b->IsNull()) {
    if (!b->IsString()) return malformed("body is not a string");
    if (base64) {
      auto bytes = core::Base64Decode(json::Text(*b));
      if (!bytes) return malformed("body is marked isBase64Encoded but is not base64");
      a.body = std::move(*bytes);
    } else {
      a.body = std::string(json::Text(*b));
    }
  }
  return a;
}

InvokeReport ReadLogTail(std::string_view base64) {
  InvokeReport r;
  if (base64.size() > 8192) return r;  // Lambda returns at most 4 KB of log
  const auto text = core::Base64Decode(base64);
  if (!text) return r;
  const size_t at = text->rfind("REPORT RequestId:");
  if (at == std::string::npos) return r;
  std::string_view line(*text);
  line = line.substr(at);
  line = line.substr(0, line.find('\n'));
  r.billed_duration_ms = NumberAfter(line, "Billed Duration:");
  // "Duration:" also ends "Billed Duration:" and "Init Duration:": the run's own comes first.
  r.duration_ms = NumberAfter(line.substr(0, line.find("Billed")), "Duration:");
  r.memory_size_mb = NumberAfter(line, "Memory Size:");
  r.max_memory_used_mb = NumberAfter(line, "Max Memory Used:");
  r.init_duration_ms = NumberAfter(line, "Init Duration:");
  return r;
}

}  // namespace hr::aws
