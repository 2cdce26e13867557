#include "emulate/aws_stand_in.h"

#include <chrono>
#include <random>

#include "aws/ecs_services.h"
#include "aws/sigv4.h"
#include "core/civil_time.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::emulate {

namespace {

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RandomHex(size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n, '0');
  for (char& c : out) c = kDigits[rng() & 15];
  return out;
}

// Seconds since 1970 of an X-Amz-Date (YYYYMMDDTHHMMSSZ); nullopt when malformed.
std::optional<int64_t> AmzDate(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  const std::string iso = std::string(d.substr(0, 4)) + "-" + std::string(d.substr(4, 2)) + "-" +
                          std::string(d.substr(6, 2)) + "T" + std::string(d.substr(9, 2)) + ":" +
                          std::string(d.substr(11, 2)) + ":" + std::string(d.substr(13, 2)) + "Z";
  auto t = core::ParseIso8601(iso);
  if (!t) return std::nullopt;
  return core::WallClockMicros(*t) / 1'000'000;
}

// An AWS JSON 1.1 error answer (the ECS API's): 400 {"__type", "message"}.
http::Response AwsJsonError(std::string_view type, std::string_view message) {
  http::Response r;
  r.status = 400;
  r.headers.emplace_back("Content-Type", std::string(aws::kAwsJsonContentType));
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "__type");
  json::String(w, type);
  json::Key(w, "message");
  json::String(w, message);
  w.EndObject();
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

}  // namespace

http::Response AwsStandIn::Refuse(std::string_view type, std::string_view message,
                                  std::string_view reason, bool ecs_api) {
  ++refused_[std::string(reason)];
  if (ecs_api) return AwsJsonError(type, message);
  http::Response r;
  r.status = 403;
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "Type");
  json::String(w, "User");
  json::Key(w, "message");
  json::String(w, message);
  w.EndObject();
  r.body.assign(buf.GetString(), buf.GetSize());
  r.headers.emplace_back("X-Amzn-ErrorType", std::string(type));
  return r;
}

std::optional<http::Response> AwsStandIn::Verify(const http::Request& req, std::string_view body,
                                                 bool ecs_api) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto refuse = [&](std::string_view type, std::string_view message,
                          std::string_view reason) {
    return Refuse(type, message, reason, ecs_api);
  };
  const std::string_view header = req.header("authorization");
  if (header.empty())
    return refuse("MissingAuthenticationTokenException", "Missing Authentication Token", "missing");
  auto a = aws::ParseAuthorization(header);
  if (!a) return refuse("IncompleteSignatureException", a.error().message, "malformed");
  const bool service_ok =
      ecs_api ? a->service == "ecs" : a->service == "lambda" || a->service == "execute-api";
  if (!service_ok || a->region != options_.region)
    return refuse("InvalidSignatureException",
                  ecs_api ? "Credential should be scoped to a valid region and service ecs"
                          : "Credential should be scoped to a valid region and service lambda or "
                            "execute-api",
                  "scope");
  bool has_host = false, has_date = false;
  for (const std::string& h : a->signed_headers) {
    has_host = has_host || h == "host";
    has_date = has_date || h == "x-amz-date";
  }
  const std::string_view amz_date = req.header("x-amz-date");
  const auto when = AmzDate(amz_date);
  if (!has_host || !has_date || !when || amz_date.substr(0, 8) != a->date)
    return refuse("IncompleteSignatureException",
                  "host and x-amz-date must be signed, and the date must match the scope",
                  "malformed");
  const int64_t now = NowUnix();
  if (*when < now - 300 || *when > now + 300)
    return refuse("InvalidSignatureException", "Signature expired: the date is over 5 min off",
                  "clock");
  std::string secret;
  Issued* issued = nullptr;
  if (a->access_key == options_.access_key) {
    secret = options_.secret_key;
  } else if (auto it = issued_.find(a->access_key); it != issued_.end()) {
    issued = &it->second;
    if (now >= issued->expires_unix_s)
      return refuse("ExpiredTokenException",
                    "The security token included in the request is expired", "expired");
    if (req.header("x-amz-security-token") != issued->token)
      return refuse("UnrecognizedClientException",
                    "The security token included in the request is invalid.", "token");
    secret = issued->secret;
  } else {
    return refuse("UnrecognizedClientException",
                  "The security token included in the request is invalid.", "unknown_key");
  }
  aws::CanonicalInput in;
  in.method = req.method();
  const std::string_view target = req.target();
  const size_t q = target.find('?');
  in.path = target.substr(0, q);
  in.query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  for (const std::string& h : a->signed_headers)
    in.headers.emplace_back(h, std::string(req.header(h)));
  const std::string body_hash = aws::Sha256Hex(body);
  const std::string_view given_hash = req.header("x-amz-content-sha256");
  in.payload_sha256 = given_hash.empty() ? std::string_view(body_hash) : given_hash;
  if (!given_hash.empty() && given_hash != body_hash)
    return refuse("InvalidSignatureException", "x-amz-content-sha256 does not match the body",
                  "signature");
  const std::string expected =
      aws::Signature(secret, amz_date, a->region, a->service, aws::CanonicalRequest(in));
  if (expected != a->signature)
    return refuse("InvalidSignatureException",
                  "The request signature we calculated does not match the signature you provided.",
                  "signature");
  ++verified_;
  if (issued) {
    ++issued->used;
  } else {
    ++static_used_;
  }
  return std::nullopt;
}

http::Response AwsStandIn::Issue(const http::Request& req) {
  http::Response r;
  if (!options_.credentials_token.empty() &&
      req.header("authorization") != options_.credentials_token) {
    r.status = 401;
    r.body = R"({"message":"the Authorization header is not the container's token"})";
    return r;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = NowUnix();
  std::erase_if(issued_, [now](const auto& kv) { return kv.second.expires_unix_s + 3600 < now; });
  if (issued_.size() >= 10'000) {
    r.status = 429;
    r.body = R"({"message":"too many credentials issued"})";
    return r;
  }
  const std::string key = "ASIAEMU" + RandomHex(13);
  Issued c{RandomHex(40), RandomHex(64), now + options_.credentials_lifetime_s, 0};
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "AccessKeyId");
  json::String(w, key);
  json::Key(w, "SecretAccessKey");
  json::String(w, c.secret);
  json::Key(w, "Token");
  json::String(w, c.token);
  json::Key(w, "Expiration");
  json::String(w,
               core::FormatUtcMicros(core::FromUnixSeconds(c.expires_unix_s)).substr(0, 19) + "Z");
  w.EndObject();
  issued_.emplace(key, std::move(c));
  ++issued_count_;
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

std::string AwsStandIn::CountsJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "verified");
  w.Uint64(verified_);
  json::Key(w, "verified_with_test_key");
  w.Uint64(static_used_);
  json::Key(w, "credentials_issued");
  w.Uint64(issued_count_);
  json::Key(w, "ecs_services_described");
  w.Uint64(described_);
  json::Key(w, "verified_by_issued_key");
  w.StartArray();  // in the order issued keys sort, which is random: counts only
  for (const auto& [key, c] : issued_) w.Uint64(c.used);
  w.EndArray();
  json::Key(w, "refused");
  w.StartObject();
  for (const auto& [reason, n] : refused_) {
    json::Key(w, reason);
    w.Uint64(n);
  }
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

http::Response AwsStandIn::DescribeServices(const http::Request& req, int tasks) {
  const auto error = AwsJsonError;
  if (req.header("x-amz-target") != aws::kDescribeServicesTarget)
    return error("UnknownOperationException", "only DescribeServices is emulated");
  if (checks())
    if (auto refused = Verify(req, req.body(), true)) return std::move(*refused);
  if (tasks <= 0)  // no --ecs-tasks: ECS is unlimited here, which no task count can say
    return error("ClientException",
                 "the emulator runs no ECS tasks to describe: start it with --ecs-tasks N");
  json::Document in;
  std::string why;
  if (!json::ParseDocument(in, req.body(), json::kRequestLimits, why) || !in.IsObject())
    return error("SerializationException", "the body is not a JSON object");
  const json::Value* services = json::Find(in, "services");
  if (!services || !services->IsArray() || services->Size() == 0 ||
      services->Size() > aws::kMaxDescribeServices)
    return error("InvalidParameterException", "services must list 1 to 10 services");
  std::string cluster = "default";
  if (const json::Value* c = json::Find(in, "cluster"); c && c->IsString())
    cluster = std::string(json::Text(*c).substr(0, 255));
  const std::string prefix =
      "arn:aws:ecs:" + options_.region + ":000000000000:service/" + cluster + "/";
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::Key(w, "services");
  w.StartArray();
  std::vector<std::string> missing;
  for (const json::Value& s : services->GetArray()) {
    if (!s.IsString()) return error("InvalidParameterException", "services must be strings");
    std::string_view name = json::Text(s).substr(0, 1600);
    name = name.substr(name.rfind('/') + 1);  // an ARN's last part
    // A service whose name holds a workload's path name (hr-heavy, heavy-processing).
    bool known = false;
    for (std::string_view wl : {"lightweight", "thumbnail", "medium", "heavy"})
      known = known || name.find(wl) != std::string_view::npos;
    if (!known) {
      missing.push_back(prefix + std::string(name));
      continue;
    }
    w.StartObject();
    json::Key(w, "serviceArn");
    json::String(w, prefix + std::string(name));
    json::Key(w, "serviceName");
    json::String(w, name);
    json::Key(w, "clusterArn");
    json::String(w, "arn:aws:ecs:" + options_.region + ":000000000000:cluster/" + cluster);
    json::Key(w, "status");
    json::String(w, "ACTIVE");
    for (const char* key : {"desiredCount", "runningCount"}) {
      json::Key(w, key);
      w.Int(tasks);
    }
    json::Key(w, "pendingCount");
    w.Int(0);
    json::Key(w, "launchType");
    json::String(w, "FARGATE");
    w.EndObject();
  }
  w.EndArray();
  json::Key(w, "failures");
  w.StartArray();
  for (const std::string& arn : missing) {
    w.StartObject();
    json::Key(w, "arn");
    json::String(w, arn);
    json::Key(w, "reason");
    json::String(w, "MISSING");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  http::Response r;
  r.headers.emplace_back("Content-Type", std::string(aws::kAwsJsonContentType));
  r.body.assign(buf.GetString(), buf.GetSize());
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++described_;
  }
  return r;
}

}  // namespace hr::emulate
