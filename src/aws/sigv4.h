// AWS Signature Version 4 as the services check it: the canonical request, the string to sign,
// the derived key and the signature, and the parts of an Authorization header. The router signs
// its Lambda calls with this (SignedHeaderLines: the body hashed once per request, where libcurl
// 7.88's CURLOPT_AWS_SIGV4 hashes it again on every attempt); `emulate` verifies what it receives
// with it, and a Python test holds both against botocore. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hr::aws {

// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-west-1/lambda/
// aws4_request, SignedHeaders=host;x-amz-date, Signature=hex`.
struct Authorization {
  std::string access_key, date, region, service;  // date: YYYYMMDD
  std::vector<std::string> signed_headers;        // lower case, as listed
  std::string signature;
};
core::Result<Authorization> ParseAuthorization(std::string_view header);

// What a signature covers. `path` is the path as sent (percent-encoded once), `query` the raw
// query string without '?'; `headers` the signed headers' (lower-case name, value) pairs.
struct CanonicalInput {
  std::string_view method, path, query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view payload_sha256;  // hex
};
// The canonical request as AWS checks it for services other than S3: the path encoded once more,
// the query's parameters decoded and encoded again (RFC 3986), sorted.
std::string CanonicalRequest(const CanonicalInput& in);

// The signature of `canonical_request` at `amz_date` (YYYYMMDDTHHMMSSZ) for the scope.
std::string Signature(std::string_view secret_key, std::string_view amz_date,
                      std::string_view region, std::string_view service,
                      std::string_view canonical_request);

// A request to sign: an absolute URL (its host and any port but the scheme's default are the
// signed `host`), the headers signed besides host and x-amz-date (lower-case names), the
// payload's SHA-256 (hex), the scope and the key, and the time (Unix seconds).
struct SigningInput {
  std::string_view method = "POST", url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view payload_sha256, region, service, access_key, secret_key;
  int64_t unix_s = 0;
};
// The header lines to send with the request: "X-Amz-Date: ..." and "Authorization: ...".
std::vector<std::string> SignedHeaderLines(const SigningInput& in);

}  // namespace hr::aws
