// AWS credentials found as the AWS SDKs find them: the environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the ECS container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on 169.254.170.2, or AWS_CONTAINER_CREDENTIALS_FULL_URI
// with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]). Temporary credentials are refreshed on a thread
// of their own `refresh_ahead_s` before they expire (15 minutes, botocore's advisory refresh);
// a failed refresh keeps the old ones and tries again with backoff. Secrets never appear in an
// error message or a log line. Adapter: HTTP (libcurl) and the environment.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hr::aws {

struct Credentials {
  std::string access_key_id, secret_access_key, session_token;
  int64_t expires_unix_s = 0;  // 0: they do not expire (the environment's)
  std::string source;          // "environment" or "container"
};

// The container endpoint's answer: {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}.
core::Result<Credentials> ParseContainerCredentials(std::string_view json);

// Whether the SDKs accept `url` as AWS_CONTAINER_CREDENTIALS_FULL_URI: https, or http to a loopback
// address or the ECS/EKS link-local endpoints; never with user information before the host.
bool AllowedFullUri(std::string_view url);

struct CredentialOptions {
  int refresh_ahead_s = 900;
  int timeout_ms = 2'000;  // one call of the container endpoint
  std::string ca_file;  // the PEM bundle an https endpoint is checked against; empty: the system's
  // The environment, injectable for tests; default: getenv.
  std::function<std::string(const char*)> env;
};

// Told after each refresh on the refresher's thread: whether it worked, why not (no secret in
// it), and when the credentials in use expire (0: never).
using RefreshListener = std::function<void(bool ok, const std::string& why, int64_t expires)>;

class CredentialProvider {
 public:
  // Errors when no source has credentials, or the container endpoint cannot be read at start.
  static core::Result<std::shared_ptr<CredentialProvider>> Discover(
      const CredentialOptions& options);
  ~CredentialProvider();
  CredentialProvider(const CredentialProvider&) = delete;
  CredentialProvider& operator=(const CredentialProvider&) = delete;

  // The newest credentials (any thread; a lock and a shared_ptr copy).
  std::shared_ptr<const Credentials> Current() const;
  uint64_t refreshes() const;  // successful refreshes after the first fetch
  uint64_t refresh_failures() const;
  void OnRefresh(RefreshListener listener);

 private:
  CredentialProvider() = default;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hr::aws
