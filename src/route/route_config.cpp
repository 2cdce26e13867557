#include "route/route_config.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "aws/ecs_services.h"
#include "aws/lambda_invoke.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "workload/request.h"

namespace hr::route {

namespace {

using core::ErrorCode;
using core::MakeError;

core::Error Bad(ErrorCode code, const std::string& message, const std::string& field) {
  return MakeError(code, "route config: " + message, field);
}

core::Status ReadInt(const json::Value& v, const std::string& field, int lo, int hi, int& out) {
  if (!v.IsInt64() || v.GetInt64() < lo || v.GetInt64() > hi)
    return Bad(
        ErrorCode::kOutOfRange,
        field + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi),
        field);
  out = static_cast<int>(v.GetInt64());
  return {};
}

core::Status ReadBool(const json::Value& v, const std::string& field, bool& out) {
  if (!v.IsBool()) return Bad(ErrorCode::kWrongType, field + " must be true or false", field);
  out = v.GetBool();
  return {};
}

core::Status ReadUrl(const json::Value& v, const std::string& field, std::string& out) {
  if (!v.IsString()) return Bad(ErrorCode::kWrongType, field + " must be a string", field);
  out = std::string(json::Text(v));
  return CheckUrl(out, field);
}

std::string Join(std::string_view base, std::string_view path) {
  std::string url(base);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + std::string(path);
}

// The options every level shares.
struct Common {
  std::optional<int> timeout_ms, deadline_ms;
  std::optional<bool> idempotent;
  std::optional<bool> lambda_iam;  // lambda_auth
  std::optional<int> ecs_capacity;
  std::optional<int> ecs_task_concurrency;  // with ecs_service: requests each task runs at once
};

// A workload's Lambda function, when named.
struct Function {
  std::string name, qualifier;
};

bool RegionName(std::string_view r) {
  return !r.empty() && r.size() <= 32 &&
         r.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

core::Status ReadString(const json::Value& v, const std::string& field, std::string& out) {
  if (!v.IsString()) return Bad(ErrorCode::kWrongType, field + " must be a string", field);
  out = std::string(json::Text(v));
  return {};
}

core::Status ReadCommon(std::string_view key, const json::Value& v, const std::string& where,
                        Common& c, bool& known) {
  known = true;
  int i = 0;
  bool b = false;
  if (key == "timeout_ms") {
    if (auto s = ReadInt(v, where + "timeout_ms", 1, 900'000, i); !s) return s;
    c.timeout_ms = i;
  } else if (key == "deadline_ms") {
    if (auto s = ReadInt(v, where + "deadline_ms", 1, 1'800'000, i); !s) return s;
    c.deadline_ms = i;
  } else if (key == "idempotent") {
    if (auto s = ReadBool(v, where + "idempotent", b); !s) return s;
    c.idempotent = b;
  } else if (key == "ecs_capacity") {
    if (auto s = ReadInt(v, where + "ecs_capacity", 0, 1'000'000, i); !s) return s;
    c.ecs_capacity = i;
  } else if (key == "ecs_task_concurrency") {
    if (auto s = ReadInt(v, where + "ecs_task_concurrency", 1, 10'000, i); !s) return s;
    c.ecs_task_concurrency = i;
  } else if (key == "lambda_auth") {
    const std::string field = where + "lambda_auth";
    if (!v.IsString() || (json::Text(v) != "none" && json::Text(v) != "iam"))
      return Bad(ErrorCode::kUnknownValue, field + " must be \"none\" or \"iam\"", field);
    c.lambda_iam = json::Text(v) == "iam";
  } else {
    known = false;
  }
  return {};
}

void Apply(const Common& c, WorkloadTargets& t) {
  if (c.timeout_ms) t.timeout_ms = *c.timeout_ms;
  if (c.deadline_ms) t.deadline_ms = *c.deadline_ms;
  if (c.idempotent) t.idempotent = *c.idempotent;
  if (c.ecs_capacity) t.ecs_capacity = *c.ecs_capacity;
  if (c.ecs_task_concurrency) t.ecs_task_concurrency = *c.ecs_task_concurrency;
}

// An ECS service's name (letters, digits, - and _) or ARN.
core::Status CheckServiceName(std::string_view s, const std::string& field) {
  const bool ok = !s.empty() && s.size() <= 1600 &&
                  s.find_first_not_of(
                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-_:/.") == std::string_view::npos;
  if (!ok)
    return Bad(ErrorCode::kInvalidArgument,
               field + " must be an ECS service's name or ARN (letters, digits, - _ : / .)", field);
  return {};
}

// Signs the workload's Lambda calls when it names a function or asks for IAM auth.
core::Status Sign(const std::string& where, bool invoke, bool iam, std::string_view region,
                  WorkloadTargets& t) {
  if (!invoke && !iam) return {};
  std::string provider = aws::SigV4Provider(t.url[0], region, "lambda");
  if (provider.starts_with("aws:amz::"))
    return Bad(ErrorCode::kMissingField,
               where + (invoke ? "lambda_function" : "lambda_auth") +
                   " signs its calls, which needs a region: set \"region\" in the file or "
                   "AWS_REGION",
               "region");
  t.lambda_invoke = invoke;
  t.lambda_sigv4 = std::move(provider);
  return {};
}

}  // namespace

core::Status CheckUrl(std::string_view url, std::string_view field) {
  const std::string f(field);
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return Bad(
        ErrorCode::kInvalidArgument,
        f + " must start with http:// or https:// (got '" + std::string(url.substr(0, 64)) + "')",
        f);
  }
  if (rest.empty() || rest.front() == '/' || rest.front() == ':')
    return Bad(ErrorCode::kInvalidArgument, f + " has no host", f);
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return Bad(ErrorCode::kInvalidArgument, f + " holds a space or a control character", f);
  }
  // The port, when given, is one a connection can use.
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  authority = authority.substr(
      authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
  const size_t close = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535)
      return Bad(ErrorCode::kInvalidArgument,
                 f + " has the port '" + std::string(port.substr(0, 16)) +
                     "': a port is a number from 1 to 65535",
                 f);
  }
  return {};
}

// A key given twice in one object (JSON allows it; which one wins is the reader's whim).
core::Status NoDuplicateKeys(const json::Value& v, const std::string& where) {
  if (!v.IsObject()) return {};
  std::set<std::string_view> seen;
  for (const auto& m : v.GetObject()) {
    const std::string_view key = json::Text(m.name);
    if (!seen.insert(key).second)
      return Bad(ErrorCode::kInvalidArgument,
                 where + std::string(key.substr(0, 64)) + " is given twice: keep one",
                 where + std::string(key.substr(0, 64)));
    if (auto s = NoDuplicateKeys(m.value, where + std::string(key.substr(0, 64)) + "."); !s)
      return s;
  }
  return {};
}

// A base URL (the router appends /{workload} or /{workload}/process) that already ends in a
// workload's path is a workload's own URL given as a base: every request would go to
// .../heavy/process/medium/process and come back 404, relayed as if it were an answer.
core::Status CheckBase(std::string_view url, std::string_view field) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view path = url.substr(scheme + 3);
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return {};
  path = path.substr(slash, path.find_first_of("?#", slash) - slash);
  while (path.ends_with('/')) path.remove_suffix(1);
  if (path.ends_with("/process")) path.remove_suffix(8);
  const std::string_view last = path.substr(path.rfind('/') + 1);
  if (last.empty() || !workload::WorkloadOfPath(last)) return {};
  return Bad(ErrorCode::kInvalidArgument,
             std::string(field) + " ends in the workload path '/" + std::string(last) +
                 "': give the base URL (the router appends /{workload} for Lambda and "
                 "/{workload}/process for ECS), or the workload's own URL under "
                 "workloads.<name>",
             std::string(field));
}

core::Result<RouteTargets> ParseTargets(std::string_view text, std::string_view lambda_base,
                                        std::string_view ecs_base, std::string_view env_region) {
  RouteTargets t;
  std::array<std::string, 2> base;
  std::string region(env_region), endpoint, ecs_api;
  if (!region.empty() && !RegionName(region))
    return Bad(ErrorCode::kInvalidArgument,
               "the region from --region or AWS_REGION must be an AWS region name such as "
               "eu-west-1",
               "region");
  std::array<Function, features::kWorkloadCount> function;
  Common top;
  std::array<Common, features::kWorkloadCount> own;
  std::array<std::array<std::string, 2>, features::kWorkloadCount> own_url;
  if (!text.empty()) {
    if (text.size() > kMaxConfigBytes)
      return Bad(ErrorCode::kInvalidArgument, "the file is larger than 1 MB", "config");
    json::Document doc;
    std::string why;
    if (!json::ParseDocument(doc, text, json::kRequestLimits, why))
      return Bad(ErrorCode::kInvalidJson, "not valid JSON: " + why, "config");
    if (!doc.IsObject()) return Bad(ErrorCode::kWrongType, "must be a JSON object", "config");
    if (auto s = NoDuplicateKeys(doc, ""); !s) return s.error();
    for (const auto& m : doc.GetObject()) {
      const std::string key(json::Text(m.name));
      bool known = false;
      if (auto s = ReadCommon(key, m.value, "", top, known); !s) return s.error();
      if (known) continue;
      if (key == "lambda_url" || key == "ecs_url") {
        if (auto s = ReadUrl(m.value, key, base[key == "ecs_url" ? 1 : 0]); !s) return s.error();
        if (auto s = CheckBase(base[key == "ecs_url" ? 1 : 0], key); !s) return s.error();
      } else if (key == "region") {
        if (auto s = ReadString(m.value, key, region); !s) return s.error();
        if (!RegionName(region))
          return Bad(ErrorCode::kInvalidArgument,
                     "region must be an AWS region name such as eu-west-1", key);
      } else if (key == "lambda_endpoint") {
        if (auto s = ReadUrl(m.value, key, endpoint); !s) return s.error();
      } else if (key == "ecs_api_endpoint") {
        if (auto s = ReadUrl(m.value, key, ecs_api); !s) return s.error();
      } else if (key == "ecs_cluster") {
        if (auto s = ReadString(m.value, key, t.ecs_cluster); !s) return s.error();
        if (auto s = CheckServiceName(t.ecs_cluster, key); !s) return s.error();
      } else if (key == "connect_timeout_ms") {
        if (auto s = ReadInt(m.value, key, 1, 60'000, t.connect_timeout_ms); !s) return s.error();
      } else if (key == "workloads") {
        if (!m.value.IsObject())
          return Bad(ErrorCode::kWrongType, "workloads must be an object", "workloads");
        for (const auto& wm : m.value.GetObject()) {
          const std::string name(json::Text(wm.name));
          const auto w = workload::WorkloadOfPath(name);
          if (!w)
            return Bad(ErrorCode::kUnknownValue,
                       "workloads." + name.substr(0, 64) +
                           " is not a workload (lightweight_api, thumbnail_processing, "
                           "medium_processing, heavy_processing)",
                       "workloads." + name.substr(0, 64));
          const std::string where = "workloads." + std::string(features::Name(*w)) + ".";
          if (!wm.value.IsObject())
            return Bad(ErrorCode::kWrongType,
                       where.substr(0, where.size() - 1) + " must be an object",
                       where.substr(0, where.size() - 1));
          const size_t wi = static_cast<size_t>(*w);
          for (const auto& om : wm.value.GetObject()) {
            const std::string k(json::Text(om.name));
            bool k_known = false;
            if (auto s = ReadCommon(k, om.value, where, own[wi], k_known); !s) return s.error();
            if (k_known) continue;
            if (k == "lambda_url" || k == "ecs_url") {
              if (auto s = ReadUrl(om.value, where + k, own_url[wi][k == "ecs_url" ? 1 : 0]); !s)
                return s.error();
            } else if (k == "lambda_function") {
              if (auto s = ReadString(om.value, where + k, function[wi].name); !s) return s.error();
              if (auto s = aws::CheckFunctionName(function[wi].name, where + k); !s)
                return s.error();
            } else if (k == "ecs_service") {
              if (auto s = ReadString(om.value, where + k, t.workloads[wi].ecs_service); !s)
                return s.error();
              if (auto s = CheckServiceName(t.workloads[wi].ecs_service, where + k); !s)
                return s.error();
            } else if (k == "lambda_qualifier") {
              if (auto s = ReadString(om.value, where + k, function[wi].qualifier); !s)
                return s.error();
              if (auto s = aws::CheckQualifier(function[wi].qualifier, where + k); !s)
                return s.error();
            } else {
              return Bad(ErrorCode::kUnknownField,
                         where + k.substr(0, 64) +
                             " is not a known key (lambda_url, lambda_function, lambda_qualifier, "
                             "lambda_auth, ecs_url, ecs_capacity, ecs_service, "
                             "ecs_task_concurrency, timeout_ms, deadline_ms, idempotent)",
                         where + k.substr(0, 64));
            }
          }
          if (!function[wi].name.empty() && !own_url[wi][0].empty())
            return Bad(ErrorCode::kInvalidArgument,
                       where + "lambda_function and " + where +
                           "lambda_url name two Lambda targets: keep one",
                       where + "lambda_function");
          if (function[wi].name.empty() && !function[wi].qualifier.empty())
            return Bad(ErrorCode::kMissingField,
                       where + "lambda_qualifier needs " + where + "lambda_function",
                       where + "lambda_qualifier");
        }
      } else {
        return Bad(ErrorCode::kUnknownField,
                   key.substr(0, 64) +
                       " is not a known key (lambda_url, ecs_url, region, lambda_endpoint, "
                       "lambda_auth, ecs_capacity, ecs_api_endpoint, ecs_cluster, "
                       "ecs_task_concurrency, timeout_ms, deadline_ms, connect_timeout_ms, "
                       "idempotent, workloads)",
                   key.substr(0, 64));
      }
    }
  }
  if (!lambda_base.empty()) {
    if (auto s = CheckUrl(lambda_base, "--lambda-url"); !s) return s.error();
    if (auto s = CheckBase(lambda_base, "--lambda-url"); !s) return s.error();
    base[0] = std::string(lambda_base);
  }
  if (!ecs_base.empty()) {
    if (auto s = CheckUrl(ecs_base, "--ecs-url"); !s) return s.error();
    if (auto s = CheckBase(ecs_base, "--ecs-url"); !s) return s.error();
    base[1] = std::string(ecs_base);
  }
  bool any = false;
  for (int i = 0; i < features::kWorkloadCount; ++i) {
    const auto w = static_cast<features::Workload>(i);
    WorkloadTargets& wt = t.workloads[static_cast<size_t>(i)];
    Apply(top, wt);
    Apply(own[static_cast<size_t>(i)], wt);
    // Without a deadline of its own a request may use two full attempts.
    if (!top.deadline_ms && !own[static_cast<size_t>(i)].deadline_ms)
      wt.deadline_ms = 2 * wt.timeout_ms;
    if (wt.deadline_ms < wt.timeout_ms)
      return Bad(ErrorCode::kInvalidArgument,
                 "workloads." + std::string(features::Name(w)) + ": deadline_ms (" +
                     std::to_string(wt.deadline_ms) + ", the whole request) is below timeout_ms (" +
                     std::to_string(wt.timeout_ms) + ", one attempt)",
                 "deadline_ms");
    const std::string short_name(workload::PathName(w));
    const Function& fn = function[static_cast<size_t>(i)];
    wt.url[0] = !fn.name.empty() ? aws::InvokeUrl(endpoint.empty() && !region.empty()
                                                      ? aws::InvokeEndpoint(region)
                                                      : endpoint,
                                                  fn.name, fn.qualifier)
                : !own_url[static_cast<size_t>(i)][0].empty() ? own_url[static_cast<size_t>(i)][0]
                : !base[0].empty()                            ? Join(base[0], "/" + short_name)
                                                              : "";
    const std::string where = "workloads." + std::string(features::Name(w)) + ".";
    if (!fn.name.empty() && endpoint.empty() && region.empty())
      return Bad(ErrorCode::kMissingField,
                 where +
                     "lambda_function needs a region for its endpoint: set \"region\" in the "
                     "file or AWS_REGION",
                 "region");
    const auto& own_iam = own[static_cast<size_t>(i)].lambda_iam;
    const bool iam = own_iam ? *own_iam : top.lambda_iam.value_or(false);
    if (!wt.url[0].empty())
      if (auto s = Sign(where, !fn.name.empty(), iam, region, wt); !s) return s.error();
    wt.url[1] = !own_url[static_cast<size_t>(i)][1].empty() ? own_url[static_cast<size_t>(i)][1]
                : !base[1].empty() ? Join(base[1], "/" + short_name + "/process")
                                   : "";
    any = any || !wt.url[0].empty() || !wt.url[1].empty();
    if (!wt.ecs_service.empty()) {
      if (own[static_cast<size_t>(i)].ecs_capacity)
        return Bad(
            ErrorCode::kInvalidArgument,
            where + "ecs_capacity and " + where + "ecs_service set one capacity two ways: keep one",
            where + "ecs_capacity");
      if (wt.ecs_task_concurrency < 1)
        return Bad(ErrorCode::kMissingField,
                   where +
                       "ecs_service needs ecs_task_concurrency (requests each task runs at "
                       "once), for the workload or for all",
                   where + "ecs_task_concurrency");
      wt.ecs_capacity = -1;  // discovered
      if (t.ecs_api_url.empty()) {
        t.ecs_api_url = ecs_api.empty() && !region.empty() ? aws::EcsEndpoint(region) : ecs_api;
        if (t.ecs_api_url.empty())
          return Bad(ErrorCode::kMissingField,
                     where +
                         "ecs_service is found through the ECS API, which needs a region: set "
                         "\"region\" in the file or AWS_REGION",
                     "region");
        t.ecs_sigv4 = aws::SigV4Provider(t.ecs_api_url, region, "ecs");
        if (t.ecs_sigv4.starts_with("aws:amz::"))
          return Bad(ErrorCode::kMissingField,
                     "ecs_api_endpoint is signed, which needs a region: set \"region\" in the "
                     "file or AWS_REGION",
                     "region");
      }
    }
  }
  if (!any)
    return MakeError(ErrorCode::kInvalidArgument,
                     "no targets: give --lambda-url and/or --ecs-url, or --config with URLs",
                     "config");
  return t;
}

core::Result<RouteTargets> ReadTargets(const std::string& path, std::string_view lambda_base,
                                       std::string_view ecs_base, std::string_view region) {
  if (path.empty()) return ParseTargets({}, lambda_base, ecs_base, region);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return MakeError(ErrorCode::kIo, "cannot read the route config '" + path + "'", "config");
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  auto t = ParseTargets(text, lambda_base, ecs_base, region);
  if (!t) {
    core::Error e = t.error();
    e.message = path + ": " + e.message;
    return e;
  }
  return t;
}

std::string Redacted(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t end = url.find_first_of("/?#", scheme + 3);
  const std::string_view authority = url.substr(scheme + 3, end - (scheme + 3));
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, scheme + 3));
  out += "***@";
  out += url.substr(scheme + 3 + at + 1);
  return out;
}

std::string TargetsJson(const RouteTargets& t) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  for (size_t i = 0; i < t.workloads.size(); ++i) {
    json::Key(w, features::Name(static_cast<features::Workload>(i)));
    w.StartObject();
    for (size_t p = 0; p < 2; ++p) {
      json::Key(w, p == 0 ? "lambda" : "ecs");
      if (t.workloads[i].url[p].empty()) {
        w.Null();
      } else {
        json::String(w, Redacted(t.workloads[i].url[p]));
      }
    }
    w.EndObject();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace hr::route
