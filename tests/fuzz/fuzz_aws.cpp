// The AWS readers of `route` and `emulate`: Authorization headers, the container credentials
// endpoint's answer, a function's proxy result, a log tail, ECS's DescribeServices answer and
// errors, emulate's SigV4 check of a request built from the input (headers and all), and
// emulate's DescribeServices stand-in (what it answers 200 the router reads back). Nothing crashes;
// what parses is within its bounds; a proxy event carries any body back unchanged; a request signed
// with the test key is accepted whatever its path, query, headers and body.
#include <chrono>
#include <ctime>
#include <map>

#include "aws/credentials.h"
#include "aws/ecs_services.h"
#include "aws/lambda_invoke.h"
#include "aws/sigv4.h"
#include "core/base64.h"
#include "emulate/aws_stand_in.h"
#include "fuzz_util.h"
#include "json/json_reader.h"

namespace {

using namespace hr;

class Req final : public http::Request {
 public:
  std::string method_ = "POST", target_, body_;
  std::map<std::string, std::string> headers_;
  std::string_view method() const override { return method_; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view name) const override {
    auto it = headers_.find(std::string(name));
    return it == headers_.end() ? std::string_view() : std::string_view(it->second);
  }
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// "target\nName: value\n...\n\nbody": a request as the emulator sees one.
Req Build(std::string_view text) {
  Req r;
  size_t eol = text.find('\n');
  r.target_ = std::string(text.substr(0, eol));
  text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  while (!text.empty()) {
    eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers_[Lower(line.substr(0, colon))] = std::string(value);
  }
  r.body_ = std::string(text);
  return r;
}

std::string AmzNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static emulate::AwsStandIn stand_in = [] {
    emulate::AwsOptions o;
    o.access_key = "AKIDFUZZ";
    o.secret_key = "fuzz/secret";
    return emulate::AwsStandIn(o);
  }();
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  static emulate::AwsStandIn unchecked{emulate::AwsOptions{}};
  switch (data[0] % 8) {
    case 0: {
      auto a = aws::ParseAuthorization(text);
      if (a && (a->signature.size() != 64 || a->date.size() != 8 || a->signed_headers.empty()))
        fuzz::Fail("an Authorization header parsed out of bounds", text);
      break;
    }
    case 1: {
      auto c = aws::ParseContainerCredentials(text);
      if (c && (c->access_key_id.empty() || c->secret_access_key.empty()))
        fuzz::Fail("credentials without a key were accepted", text);
      break;
    }
    case 2: {
      auto a = aws::UnwrapProxyAnswer(text);
      if (a && (a->status < 100 || a->status > 599)) fuzz::Fail("a status out of range", text);
      // Any body travels in a proxy event and comes back unchanged.
      const std::string event = aws::ProxyEvent({"/heavy", text, "application/json", "id"});
      json::Document doc;
      std::string why;
      if (!json::ParseDocument(doc, event, json::kRequestLimits, why))
        fuzz::Fail("the proxy event is not JSON", why);
      const json::Value* body = json::Find(doc, "body");
      const json::Value* b64 = json::Find(doc, "isBase64Encoded");
      if (!body || !body->IsString() || !b64 || !b64->IsBool()) fuzz::Fail("no body", event);
      const std::string carried =
          b64->GetBool() ? core::Base64Decode(json::Text(*body)).value_or("\x01 not base64")
                         : std::string(json::Text(*body));
      if (carried != text) fuzz::Fail("the proxy event changed the body", event);
      break;
    }
    case 3: {
      for (const auto& r : {aws::ReadLogTail(text), aws::ReadLogTail(core::Base64Encode(text))}) {
        for (const auto& v : {r.duration_ms, r.billed_duration_ms, r.memory_size_mb,
                              r.max_memory_used_mb, r.init_duration_ms})
          if (v && !(*v >= 0 && *v <= 1e9)) fuzz::Fail("a REPORT value out of bounds", text);
      }
      break;
    }
    case 4: {  // whatever arrives: an answer, never a crash
      const Req r = Build(text);
      (void)stand_in.Verify(r, r.body());
      break;
    }
    case 5: {  // signed with the test key now: accepted
      Req r = Build(text);
      if (r.target_.empty() || r.target_.front() != '/') r.target_.insert(0, "/");
      r.headers_["x-amz-date"] = AmzNow();
      r.headers_.erase("x-amz-content-sha256");
      r.headers_.erase("authorization");
      if (r.headers_["host"].empty()) r.headers_["host"] = "lambda.eu-west-1.amazonaws.com";
      aws::CanonicalInput in;
      in.method = r.method_;
      const size_t q = r.target_.find('?');
      in.path = std::string_view(r.target_).substr(0, q);
      in.query =
          q == std::string::npos ? std::string_view() : std::string_view(r.target_).substr(q + 1);
      std::string names;
      for (const auto& [k, v] : r.headers_) {
        if (k.find_first_of(";, =") != std::string::npos) continue;
        in.headers.emplace_back(k, v);
        names += (names.empty() ? "" : ";") + k;
      }
      const std::string hash = aws::Sha256Hex(r.body_);
      in.payload_sha256 = hash;
      const std::string date = r.headers_["x-amz-date"];
      const std::string sig =
          aws::Signature("fuzz/secret", date, "eu-west-1", "lambda", aws::CanonicalRequest(in));
      r.headers_["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/" + date.substr(0, 8) +
                                    "/eu-west-1/lambda/aws4_request, SignedHeaders=" + names +
                                    ", Signature=" + sig;
      if (auto refused = stand_in.Verify(r, r.body_))
        fuzz::Fail("a request signed with the test key was refused", refused->body);
      break;
    }
    case 6: {
      auto d = aws::ParseDescribeServices(text);
      if (d) {
        for (const auto& svc : d->services)
          if (svc.name.empty() || svc.running < 0 || svc.desired < 0 || svc.pending < 0 ||
              aws::CapacityOf(svc, 10'000) < 0)
            fuzz::Fail("a described service out of bounds", text);
      }
      if (aws::JsonErrorText(text).size() > 4200) fuzz::Fail("an error text unbounded", text);
      break;
    }
    case 7: {  // the stand-in: an AWS JSON answer to anything; its 200s read back
      Req r = Build(text);
      r.headers_["x-amz-target"] = std::string(aws::kDescribeServicesTarget);
      const http::Response res = unchecked.DescribeServices(r, 3);
      json::Document doc;
      std::string why;
      if (!json::ParseDocument(doc, res.body, json::kRequestLimits, why))
        fuzz::Fail("the stand-in's answer is not JSON", res.body);
      if (res.status == 200) {
        auto d = aws::ParseDescribeServices(res.body);
        if (!d) fuzz::Fail("the stand-in's answer does not read back", res.body);
        for (const auto& svc : d->services)
          if (aws::CapacityOf(svc, 2) != 6)
            fuzz::Fail("a described service lost its tasks", res.body);
      } else if (aws::JsonErrorText(res.body).empty()) {
        fuzz::Fail("a refusal without an AWS JSON error", res.body);
      }
      break;
    }
  }
  return 0;
}
