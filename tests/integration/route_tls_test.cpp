// Black-box tests of `route` against TLS upstreams: nginx (one worker, on 127.0.0.1) terminates
// TLS with the test CA's certificates (tests/data/tls, made by make.sh there) in front of
// `emulate`, one port speaking HTTP/1.1 only, one offering HTTP/2 by ALPN, one with a certificate
// from a CA nobody trusts. The router trusts the test CA through --ca-file or AWS_CA_BUNDLE, as the
// AWS SDKs do, never through the machine's store.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "route_fixtures.h"
#include "run_binary.h"

namespace hr::testing {
namespace {

const std::string kTls = std::string(HR_TEST_DATA_DIR) + "/tls/";
constexpr const char* kTlsKey = "AKIDROUTETLS";
constexpr const char* kTlsSecret = "tls/Secret+Key0123456789";

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// nginx terminating TLS in front of `backend_port`: h1 (HTTP/1.1 only), h2 (HTTP/2 by ALPN, else
// HTTP/1.1) with the trusted CA's certificate, untrusted (HTTP/2) with the other CA's. Its access
// log has one "port protocol method uri status" line per request.
class TlsFront {
 public:
  explicit TlsFront(int backend_port) {
    char t[] = "/tmp/hr_nginx_XXXXXX";
    dir_ = mkdtemp(t);
    h1 = ClosedPort();
    h2 = ClosedPort();
    untrusted = ClosedPort();
    auto server = [&](int port, const char* listen, const std::string& who) {
      return "server { listen 127.0.0.1:" + std::to_string(port) + " " + listen +
             "; ssl_certificate " + kTls + who + "-server.pem; ssl_certificate_key " + kTls + who +
             "-server.key; location / { proxy_pass http://127.0.0.1:" +
             std::to_string(backend_port) +
             "; proxy_http_version 1.1; proxy_set_header Host $http_host; } }\n";
    };
    std::ofstream conf(dir_ + "/nginx.conf");
    conf << "worker_processes 1; daemon off; pid " << dir_ << "/nginx.pid; error_log " << dir_
         << "/error.log;\nevents {}\nhttp {\n"
         << "log_format t '$server_port $server_protocol $request_method $uri $status';\n"
         << "access_log " << dir_ << "/access.log t;\nclient_max_body_size 8m;\n"
         << "client_body_temp_path " << dir_ << "/body; proxy_temp_path " << dir_ << "/proxy;\n"
         << "fastcgi_temp_path " << dir_ << "/f; uwsgi_temp_path " << dir_ << "/u; scgi_temp_path "
         << dir_ << "/s;\n"
         << server(h1, "ssl", "trusted") << server(h2, "ssl http2", "trusted")
         << server(untrusted, "ssl http2", "untrusted") << "}\n";
    conf.close();
    pid_ = fork();
    if (pid_ == 0) {
      const std::string err = dir_ + "/stderr";
      freopen(err.c_str(), "w", stderr);
      execlp("nginx", "nginx", "-p", dir_.c_str(), "-c", (dir_ + "/nginx.conf").c_str(), "-e",
             (dir_ + "/error.log").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 400 && !(Accepts(h1) && Accepts(h2) && Accepts(untrusted)); ++i) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  ~TlsFront() {
    if (pid_ > 0) {
      ::kill(pid_, SIGQUIT);
      waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  bool running() const { return pid_ > 0; }
  std::string Why() const { return Slurp(dir_ + "/stderr") + Slurp(dir_ + "/error.log"); }
  // The access log's lines (nginx writes each as its request ends).
  std::vector<std::string> Seen() const {
    std::vector<std::string> out;
    std::ifstream in(dir_ + "/access.log");
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  int h1 = 0, h2 = 0, untrusted = 0;

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

std::string Https(int port) { return "https://127.0.0.1:" + std::to_string(port); }

int Count(const std::vector<std::string>& lines, const std::string& prefix) {
  int n = 0;
  for (const std::string& l : lines) n += l.rfind(prefix, 0) == 0;
  return n;
}

// Unsigned https targets: Lambda over HTTP/1.1, ECS over HTTP/2 (negotiated by ALPN), both
// verified against the test CA named by --ca-file; every answer relayed and logged.
TEST(RouteTls, HttpsTargetsOverHttp1AndHttp2TrustTheNamedCa) {
  ServerProcess emu = Emulate({"--time-scale", "0.001"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  TlsFront tls(emu.port());
  ASSERT_TRUE(tls.running()) << "nginx did not start (tools/setup.sh installs nginx-light): "
                             << tls.Why();
  LogDir log;
  ServerProcess route =
      Route({"--lambda-url", Https(tls.h1) + "/prod", "--ecs-url", Https(tls.h2), "--policy",
             "split:0.5", "--ca-file", kTls + "trusted-ca.pem", "--outcome-log", log.path});
  ASSERT_GT(route.port(), 0) << route.Stderr();
  int lambda = 0, ecs = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = Call(route.port(), "POST", "/lightweight",
                  Request("lightweight_api", 10, "tls-" + std::to_string(i)));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["x-route-fallback"], "false");
    (r.headers["x-route-platform"] == "lambda" ? lambda : ecs)++;
  }
  EXPECT_GT(lambda, 0);
  EXPECT_GT(ecs, 0);
  StopCleanly(route);
  const auto seen = tls.Seen();
  EXPECT_EQ(Count(seen, std::to_string(tls.h1) + " HTTP/1.1 POST /prod/lightweight 200"), lambda);
  EXPECT_EQ(Count(seen, std::to_string(tls.h2) + " HTTP/2.0 POST /lightweight/process 200"), ecs);
  int ok = 0;
  for (const Attempt& a : Attempts(log)) ok += a.outcome == "answered";
  EXPECT_EQ(ok, 40);
}

// Signed Invoke API calls over TLS, HTTP/2 and HTTP/1.1, the CA named by AWS_CA_BUNDLE as the AWS
// SDKs read it: `emulate` behind nginx verifies every signature.
TEST(RouteTls, SignedInvokeCallsOverTlsTrustAwsCaBundle) {
  ServerProcess emu = Emulate(
      {"--time-scale", "0.001", "--aws-access-key", kTlsKey, "--aws-secret-key", kTlsSecret});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  TlsFront tls(emu.port());
  ASSERT_TRUE(tls.running()) << tls.Why();
  const std::vector<std::string> env = {std::string("AWS_ACCESS_KEY_ID=") + kTlsKey,
                                        std::string("AWS_SECRET_ACCESS_KEY=") + kTlsSecret,
                                        "AWS_CA_BUNDLE=" + kTls + "trusted-ca.pem"};
  for (const int port : {tls.h2, tls.h1}) {
    LogDir log;
    const std::string config = log.path + "-tls.json";
    std::ofstream(config)
        << R"({"region":"eu-west-1","lambda_endpoint":")" << Https(port) << R"(","ecs_url":")"
        << Url(emu.port())
        << R"(","workloads":{"lightweight_api":{"lambda_function":"hr-lightweight"}}})";
    ServerProcess route = Route({"--config", config, "--policy", "lambda-only"}, env);
    ASSERT_GT(route.port(), 0) << route.Stderr();
    for (int i = 0; i < 5; ++i) {
      auto r = Call(route.port(), "POST", "/lightweight", Request("lightweight_api", 10));
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.headers["x-route-platform"], "lambda") << port;
    }
    StopCleanly(route);
    std::filesystem::remove(config);
  }
  simdjson::dom::parser p;
  simdjson::dom::element aws;
  ASSERT_EQ(p.parse(Call(emu.port(), "GET", "/emulate/aws").body).get(aws), simdjson::SUCCESS);
  EXPECT_EQ(aws["verified"].get_int64().value(), 10);
  EXPECT_EQ(aws["refused"].get_object().value().size(), 0u);
  const auto seen = tls.Seen();
  EXPECT_EQ(Count(seen, std::to_string(tls.h2) + " HTTP/2.0 POST "), 5);
  EXPECT_EQ(Count(seen, std::to_string(tls.h1) + " HTTP/1.1 POST "), 5);
}

// A certificate that does not verify (another CA's; or the test CA's without --ca-file, the
// machine's store not trusting it) is a TLS failure: nothing was sent, so ECS serves the request,
// and the outcome log says why.
TEST(RouteTls, ACertificateThatDoesNotVerifyIsNeverSentAndFallsBack) {
  ServerProcess emu = Emulate({"--time-scale", "0.001"});
  ASSERT_GT(emu.port(), 0) << emu.Stderr();
  TlsFront tls(emu.port());
  ASSERT_TRUE(tls.running()) << tls.Why();
  struct Case {
    int port;
    std::vector<std::string> trust;
  };
  for (const Case& c :
       {Case{tls.untrusted, {"--ca-file", kTls + "trusted-ca.pem"}}, Case{tls.h2, {}}}) {
    LogDir log;
    std::vector<std::string> args = {"--lambda-url",  Https(c.port), "--ecs-url",
                                     Url(emu.port()), "--policy",    "lambda-only",
                                     "--outcome-log", log.path};
    args.insert(args.end(), c.trust.begin(), c.trust.end());
    ServerProcess route = Route(args);
    ASSERT_GT(route.port(), 0) << route.Stderr();
    for (int i = 0; i < 3; ++i) {
      auto r = Call(route.port(), "POST", "/lightweight", Request("lightweight_api", 10));
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.headers["x-route-platform"], "ecs");
      EXPECT_EQ(r.headers["x-route-fallback"], "true");
    }
    StopCleanly(route);
    simdjson::dom::parser p;
    int tls_failed = 0;
    for (const std::string& line : log.Lines()) {
      simdjson::dom::element e;
      ASSERT_EQ(p.parse(line).get(e), simdjson::SUCCESS);
      if (e["platform"].get_string().value() != "lambda") continue;
      EXPECT_EQ(e["route"]["outcome"].get_string().value(), "not_run") << line;
      const std::string_view why = e["route"]["error"].get_string().value();
      EXPECT_EQ(why.rfind("tls_failed: ", 0), 0u) << line;
      tls_failed++;
    }
    EXPECT_EQ(tls_failed, 3);
  }
  // No request reached the upstream behind either certificate.
  EXPECT_EQ(Count(tls.Seen(), ""), 0);
}

// A --ca-file or AWS_CA_BUNDLE that cannot be used stops the router at start, naming it.
TEST(RouteTls, AnUnusableCaFileStopsTheRouterAtStart) {
  const std::string base = "--lambda-url " + Https(1) + " --ecs-url " + Https(2);
  for (const auto& [trust, env, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--ca-file /nonexistent/ca.pem", "", "--ca-file /nonexistent/ca.pem cannot be read"},
           {"--ca-file " + kTls + "trusted-server.key", "", "holds no PEM certificate"},
           {"", "AWS_CA_BUNDLE=/nonexistent/bundle.pem",
            "AWS_CA_BUNDLE /nonexistent/bundle.pem cannot be read"}}) {
    const std::string args = "route --port 0 " + base + " " + trust;
    const RunResult r =
        RunCli(args, "", env.empty() ? "" : "env " + env + " " + HR_BINARY + " " + args);
    EXPECT_NE(r.exit_code, 0) << trust << env;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace hr::testing
