#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <ctime>

namespace hr::aws {

namespace {

using core::ErrorCode;

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &n);
  return {reinterpret_cast<const char*>(out.data()), n};
}

bool Unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// RFC 3986 encoding of everything but the unreserved characters and '/'.
std::string EncodePath(std::string_view s) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (Unreserved(c) || c == '/') {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kDigits[u >> 4];
      out += kDigits[u & 15];
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A query parameter's name or value as AWS signs it: percent-escapes decoded, then everything but
// the unreserved characters encoded (so "$LATEST" and "%24LATEST" sign alike).
std::string NormalizeQueryPart(std::string_view s) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      c = static_cast<unsigned char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    }
    if (Unreserved(static_cast<char>(c))) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

// A header value as signed: trimmed, runs of spaces folded to one.
std::string Fold(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return Hex(out.data(), out.size());
}

core::Result<Authorization> ParseAuthorization(std::string_view header) {
  constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
  if (!header.starts_with(kAlgorithm))
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "the Authorization header is not AWS4-HMAC-SHA256", "authorization");
  header.remove_prefix(kAlgorithm.size());
  Authorization a;
  std::string_view credential, signed_headers;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view part = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.starts_with("Credential=")) {
      credential = part.substr(11);
    } else if (part.starts_with("SignedHeaders=")) {
      signed_headers = part.substr(14);
    } else if (part.starts_with("Signature=")) {
      a.signature = std::string(part.substr(10));
    }
  }
  std::vector<std::string_view> scope;
  for (size_t at = 0; at <= credential.size() && scope.size() < 6;) {
    const size_t slash = std::min(credential.find('/', at), credential.size());
    scope.push_back(credential.substr(at, slash - at));
    at = slash + 1;
  }
  if (scope.size() != 5 || scope[4] != "aws4_request" || scope[0].empty() || scope[1].size() != 8 ||
      a.signature.size() != 64 || signed_headers.empty())
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "the Authorization header lacks a Credential scope, SignedHeaders or a "
                           "Signature",
                           "authorization");
  a.access_key = std::string(scope[0]);
  a.date = std::string(scope[1]);
  a.region = std::string(scope[2]);
  a.service = std::string(scope[3]);
  for (size_t at = 0; at <= signed_headers.size();) {
    const size_t semi = std::min(signed_headers.find(';', at), signed_headers.size());
    a.signed_headers.emplace_back(signed_headers.substr(at, semi - at));
    at = semi + 1;
  }
  return a;
}

std::string CanonicalRequest(const CanonicalInput& in) {
  std::string out(in.method);
  out += '\n';
  out += in.path.empty() ? std::string("/") : EncodePath(in.path);
  out += '\n';
  std::vector<std::pair<std::string, std::string>> params;
  for (size_t at = 0; at < in.query.size();) {
    const size_t amp = std::min(in.query.find('&', at), in.query.size());
    const std::string_view p = in.query.substr(at, amp - at);
    at = amp + 1;
    if (p.empty()) continue;
    const size_t eq = p.find('=');
    params.emplace_back(NormalizeQueryPart(p.substr(0, eq)),
                        eq == std::string_view::npos ? "" : NormalizeQueryPart(p.substr(eq + 1)));
  }
  std::sort(params.begin(), params.end());
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out += '&';
    out.append(params[i].first).append("=").append(params[i].second);
  }
  out += '\n';
  auto headers = in.headers;
  std::sort(headers.begin(), headers.end());
  std::string names;
  for (const auto& [name, value] : headers) {
    out.append(name).append(":").append(Fold(value)).append("\n");
    if (!names.empty()) names += ';';
    names += name;
  }
  out += '\n';
  out += names;
  out += '\n';
  out += in.payload_sha256;
  return out;
}

std::string Signature(std::string_view secret_key, std::string_view amz_date,
                      std::string_view region, std::string_view service,
                      std::string_view canonical_request) {
  const std::string_view date = amz_date.substr(0, 8);
  std::string scope(date);
  scope.append("/").append(region).append("/").append(service).append("/aws4_request");
  std::string to_sign = "AWS4-HMAC-SHA256\n";
  to_sign.append(amz_date).append("\n").append(scope).append("\n");
  to_sign.append(Sha256Hex(canonical_request));
  std::string key = Hmac("AWS4" + std::string(secret_key), date);
  key = Hmac(key, region);
  key = Hmac(key, service);
  key = Hmac(key, "aws4_request");
  const std::string sig = Hmac(key, to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::vector<std::string> SignedHeaderLines(const SigningInput& in) {
  std::string_view rest = in.url;
  const size_t scheme_end = rest.find("://");
  const std::string_view scheme =
      scheme_end == std::string_view::npos ? std::string_view("https") : rest.substr(0, scheme_end);
  if (scheme_end != std::string_view::npos) rest.remove_prefix(scheme_end + 3);
  const size_t path_at = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view host = rest.substr(0, path_at);
  rest.remove_prefix(path_at);
  rest = rest.substr(0, rest.find('#'));
  const size_t q = rest.find('?');
  const std::string_view path = rest.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : rest.substr(q + 1);
  if (const size_t colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
    const std::string_view port = host.substr(colon + 1);
    if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80"))
      host.remove_suffix(port.size() + 1);  // as clients send it: no default port
  }
  std::array<char, 17> amz_date{};
  const time_t t = static_cast<time_t>(in.unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(amz_date.data(), amz_date.size(), "%Y%m%dT%H%M%SZ", &tm);
  const std::string_view date(amz_date.data(), 16);
  CanonicalInput c;
  c.method = in.method;
  c.path = path;
  c.query = query;
  c.headers = in.headers;
  c.headers.emplace_back("host", std::string(host));
  c.headers.emplace_back("x-amz-date", std::string(date));
  c.payload_sha256 = in.payload_sha256;
  std::vector<std::string> names;
  names.reserve(c.headers.size());
  for (const auto& [name, value] : c.headers) names.push_back(name);
  std::sort(names.begin(), names.end());
  std::string signed_names;
  for (const std::string& n : names) {
    if (!signed_names.empty()) signed_names += ';';
    signed_names += n;
  }
  const std::string signature =
      Signature(in.secret_key, date, in.region, in.service, CanonicalRequest(c));
  std::string authorization = "Authorization: AWS4-HMAC-SHA256 Credential=";
  authorization.append(in.access_key).append("/").append(date.substr(0, 8)).append("/");
  authorization.append(in.region).append("/").append(in.service).append("/aws4_request");
  authorization.append(", SignedHeaders=").append(signed_names);
  authorization.append(", Signature=").append(signature);
  return {"X-Amz-Date: " + std::string(date), std::move(authorization)};
}

}  // namespace hr::aws
