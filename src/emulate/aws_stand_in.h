// The AWS side of `emulate`'s Lambda surfaces (the Invoke API; the stage path as a Function URL
// with IAM auth or an AWS_IAM API Gateway stage): every call's SigV4 signature checked as AWS
// checks it (against a fixed test key, or temporary credentials the emulator issued and that have
// not expired), and a stand-in of the ECS container credentials endpoint that issues those
// (GET /emulate/credentials, answered as the real one answers). Refusals are Lambda's 403s with
// their X-Amzn-ErrorType. GET /emulate/aws counts what was verified and refused, by reason.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "http/server.h"

namespace hr::emulate {

struct AwsOptions {
  std::string access_key, secret_key;  // the fixed test key; empty: calls are not checked
  std::string region = "eu-west-1";    // the scope a signature must name (lambda or execute-api)
  int credentials_lifetime_s = 0;      // > 0: GET /emulate/credentials issues credentials
  std::string credentials_token;       // the Authorization it wants; empty: none
};

class AwsStandIn {
 public:
  explicit AwsStandIn(AwsOptions options) : options_(std::move(options)) {}
  bool checks() const { return !options_.access_key.empty(); }
  bool issues() const { return options_.credentials_lifetime_s > 0; }
  // A refusal when `req` (with `body`) is not signed by a valid, unexpired key; nullopt: it is.
  // The scope's service must be lambda or execute-api, or ecs for the ECS API.
  std::optional<http::Response> Verify(const http::Request& req, std::string_view body,
                                       bool ecs_api = false);
  // POST / with X-Amz-Target DescribeServices: every service whose name holds a workload's path
  // name (hr-heavy) is ACTIVE with `tasks` running and desired; others are MISSING failures.
  // Signed calls are checked (scope service ecs) when checks(); errors as AWS JSON errors
  // (a ClientException when `tasks` is 0: an emulator without --ecs-tasks).
  http::Response DescribeServices(const http::Request& req, int tasks);
  // GET /emulate/credentials.
  http::Response Issue(const http::Request& req);
  // GET /emulate/aws.
  std::string CountsJson() const;

 private:
  struct Issued {
    std::string secret, token;
    int64_t expires_unix_s = 0;
    uint64_t used = 0;
  };
  // Counts the refusal by `reason`; Lambda's 403 with X-Amzn-ErrorType, or for the ECS API an AWS
  // JSON error (400 {"__type", "message"}).
  http::Response Refuse(std::string_view type, std::string_view message, std::string_view reason,
                        bool ecs_api);
  AwsOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Issued> issued_;  // by access key id
  uint64_t verified_ = 0, issued_count_ = 0, static_used_ = 0, described_ = 0;
  std::map<std::string, uint64_t> refused_;  // by reason
};

}  // namespace hr::emulate
