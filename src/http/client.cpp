// Beast's HTTP client; with server.cpp and status.cpp the only files that include Beast.
#include "http/client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace hr::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

class BeastClient final : public Client {
 public:
  BeastClient(std::string host, std::string port)
      : host_(std::move(host)), port_(std::move(port)) {}

  core::Result<ClientResponse> Send(const std::string& method, const std::string& target,
                                    const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    int timeout_ms) override {
    // One retry on a stale keep-alive connection; the caller owns any further retry policy.
    for (int attempt = 0; attempt < 2; ++attempt) {
      beast::error_code ec;
      if (!stream_) {
        stream_.emplace(io_);
        Connect(ec);
        if (ec) {
          stream_.reset();
          return Fail("cannot connect to " + host_ + ":" + port_ + ": " + ec.message());
        }
      }
      if (timeout_ms > 0) {
        stream_->expires_after(std::chrono::milliseconds(timeout_ms));
      } else {
        stream_->expires_never();
      }
      bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
      req.set(bhttp::field::host, host_);
      req.set(bhttp::field::user_agent, "hybrid-router");
      for (const auto& [k, v] : headers) req.set(k, v);
      req.body() = body;
      req.prepare_payload();
      bhttp::write(*stream_, req, ec);
      bhttp::response<bhttp::string_body> res;
      beast::flat_buffer buffer;
      if (!ec) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64u << 20);
        bhttp::read(*stream_, buffer, parser, ec);
        if (!ec) res = parser.release();
      }
      if (ec) {
        stream_.reset();
        if (attempt == 0 &&
            (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
             ec == asio::error::broken_pipe || ec == asio::error::eof)) {
          continue;
        }
        return Fail(method + " " + target + ": " + ec.message());
      }
      ClientResponse out;
      out.status = static_cast<int>(res.result_int());
      for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace_back(std::move(name), std::string(f.value()));
      }
      out.body = std::move(res.body());
      if (!res.keep_alive()) stream_.reset();
      return out;
    }
    return Fail("unreachable");
  }

 private:
  // An IP address (what AWS_LAMBDA_RUNTIME_API holds) is connected to without the resolver: a
  // statically linked binary cannot load glibc's name-service modules.
  void Connect(beast::error_code& ec) {
    beast::error_code not_numeric;
    const auto address = asio::ip::make_address(host_, not_numeric);
    unsigned port = 0;
    const bool numeric_port = !port_.empty() && port_.size() <= 5 &&
                              port_.find_first_not_of("0123456789") == std::string::npos &&
                              (port = static_cast<unsigned>(std::stoul(port_))) <= 65535;
    if (!not_numeric && numeric_port) {
      stream_->connect(tcp::endpoint(address, static_cast<unsigned short>(port)), ec);
      return;
    }
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (!ec) stream_->connect(endpoints, ec);
  }

  static core::Error Fail(std::string message) {
    return core::MakeError(core::ErrorCode::kIo, std::move(message), "endpoint");
  }
  asio::io_context io_;
  std::optional<beast::tcp_stream> stream_;
  std::string host_, port_;
};

}  // namespace

std::string ClientResponse::Header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

core::Result<std::unique_ptr<Client>> Client::Create(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == endpoint.size()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "endpoint '" + endpoint + "' is not host:port", "endpoint");
  }
  return std::unique_ptr<Client>(
      new BeastClient(endpoint.substr(0, colon), endpoint.substr(colon + 1)));
}

}  // namespace hr::http
