// A small blocking HTTP/1.1 client (Boost.Beast) for talking to local endpoints such as the
// Lambda Runtime API: one keep-alive connection, reopened when the peer closed it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hr::http {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class Client {
 public:
  // `endpoint` is host:port (an IP address, as AWS_LAMBDA_RUNTIME_API gives it, or a name).
  static core::Result<std::unique_ptr<Client>> Create(const std::string& endpoint);
  virtual ~Client() = default;
  // timeout_ms 0: wait as long as it takes (the Runtime API's next-invocation long poll).
  virtual core::Result<ClientResponse> Send(
      const std::string& method, const std::string& target, const std::string& body,
      const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms = 0) = 0;
};

}  // namespace hr::http
