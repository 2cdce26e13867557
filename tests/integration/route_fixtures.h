// What the black-box tests of `route` share: workload requests, a closed port, the outcome log's
// folder and its attempts, `emulate` and `route` as real processes, and what emulated ECS saw.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "http_client.h"

namespace hr::testing {

inline std::string Request(const std::string& workload, double kb, const std::string& id = "") {
  std::string body = R"({"workload_type":")" + workload + R"(","metadata":{"target_size_kb":)" +
                     std::to_string(kb) + R"(},"payload":"QUJD")";
  if (!id.empty()) body += R"(,"request_id":")" + id + "\"";
  return body + "}";
}
inline const std::string kMedium = Request("medium_processing", 100);

// A counter of the router's /metrics (the first line starting with `series`), -1 when absent.
inline double Metric(int port, const std::string& series) {
  const std::string m = Call(port, "GET", "/metrics").body;
  const size_t at = m.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atof(m.c_str() + at + series.size() + 2);
}

// A port on 127.0.0.1 where nothing listens: connections to it are refused.
inline int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline std::string Url(int port, const std::string& path = "") {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

struct LogDir {
  std::string path;
  LogDir() {
    char t[] = "/tmp/hr_route_log_XXXXXX";
    path = mkdtemp(t);
  }
  ~LogDir() { std::filesystem::remove_all(path); }
  // Every line of every .jsonl file, parsed.
  std::vector<std::string> Lines() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path)) {
      std::ifstream in(e.path());
      for (std::string line; std::getline(in, line);) out.push_back(line);
    }
    return out;
  }
};

struct Attempt {
  std::string platform, outcome, request_id;
  std::string source;  // route.source: the decision's source (policy, explore, learned, ...)
  int status = 0, attempt = 0;
  bool fallback = false;
  double propensity = 0;
};

inline std::vector<Attempt> Attempts(const LogDir& log) {
  std::vector<Attempt> out;
  simdjson::dom::parser p;
  for (const std::string& line : log.Lines()) {
    simdjson::dom::element e;
    EXPECT_EQ(p.parse(line).get(e), simdjson::SUCCESS) << line;
    Attempt a;
    a.platform = std::string(e["platform"].get_string().value());
    a.status = static_cast<int>(e["http_status"].get_int64().value());
    a.request_id = std::string(e["request_id"].get_string().value());
    a.outcome = std::string(e["route"]["outcome"].get_string().value());
    a.attempt = static_cast<int>(e["route"]["attempt"].get_int64().value());
    a.fallback = e["route"]["fallback"].get_bool().value();
    a.propensity = e["route"]["propensity"].get_double().value();
    std::string_view source;
    if (e["route"]["source"].get(source) == simdjson::SUCCESS) a.source = std::string(source);
    out.push_back(a);
  }
  return out;
}

inline ServerProcess Emulate(std::vector<std::string> args) {
  return ServerProcess(std::move(args), {}, 0, "emulate");
}
inline ServerProcess Route(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.end(), {"--access-log", "off"});
  return ServerProcess(std::move(args), std::move(env), 0, "route");
}

// Stops the router (SIGTERM: it drains and writes its outcome log) and checks it exited cleanly.
inline void StopCleanly(ServerProcess& route) {
  ASSERT_EQ(route.Stop(SIGTERM), 0) << route.Stderr();
}

struct EcsSeen {
  int64_t in_service_max = -1, waited = -1;
};
inline EcsSeen SeenByEcs(int port, const char* workload) {
  auto r = Call(port, "GET", "/emulate/ecs");
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  auto w = doc["services"][workload];
  return {w["in_service_max"].get_int64().value(), w["waited"].get_int64().value()};
}

}  // namespace hr::testing
