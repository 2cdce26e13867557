// The router in-process, through its seams: a real event loop (an Asio context the test runs), a
// request object the router answers through Defer, and a scripted sender in place of the
// upstream module, which records every call and answers it as the test says, now or after a
// delay on the loop. No sockets: the decisions (fallbacks, budget, breakers, hedging, spill-over
// slots, outcome lines) are the router's own code.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "route/router.h"

namespace hr::route::testing {

namespace asio = boost::asio;
using upstream::Failure;
using upstream::UpstreamRequest;
using upstream::UpstreamResult;

class TestLoop final : public http::Loop {
 public:
  void Watch(int, int, std::function<void(int)>) override {}
  void Forget(int) override {}
  std::unique_ptr<http::LoopTimer> NewTimer() override { return std::make_unique<Timer>(io); }
  asio::io_context io;

 private:
  class Timer final : public http::LoopTimer {
   public:
    explicit Timer(asio::io_context& io) : timer_(io) {}
    void Start(int64_t ms, std::function<void()> fire) override {
      const uint64_t gen = ++generation_;
      timer_.expires_after(std::chrono::milliseconds(ms));
      timer_.async_wait([this, gen, alive = std::weak_ptr<bool>(alive_),
                         fire = std::move(fire)](const boost::system::error_code& ec) {
        if (!ec && !alive.expired() && gen == generation_) fire();
      });
    }
    void Cancel() override {
      ++generation_;
      timer_.cancel();
    }

   private:
    asio::steady_timer timer_;
    uint64_t generation_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  };
};

// A request to the router; its answer, when deferred, lands in `answer`.
class TestRequest final : public http::Request {
 public:
  TestRequest(TestLoop& loop, std::string target, std::string body)
      : loop_(loop), target_(std::move(target)), body_(std::move(body)) {}
  std::string_view method() const override { return method_; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view name) const override {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  }
  http::Responder Defer() const override {
    auto slot = answer;
    return [slot](http::Response r) { *slot = std::move(r); };
  }
  http::Loop* loop() const override { return &loop_; }
  std::map<std::string, std::string> headers{{"content-type", "application/json"}};
  std::string method_ = "POST";
  std::shared_ptr<std::optional<http::Response>> answer =
      std::make_shared<std::optional<http::Response>>();

 private:
  TestLoop& loop_;
  std::string target_, body_;
};

// What the scripted platform does with one call.
struct Scripted {
  UpstreamResult result;
  int delay_ms = 0;  // answered on the loop after this long (0: on its next turn)
};
inline Scripted Answer(int status, std::string body = "{}", int delay_ms = 0) {
  Scripted s;
  s.result.status = status;
  s.result.body = std::move(body);
  s.result.headers = {{"content-type", "application/json"}};
  s.result.total_ms = delay_ms;
  s.delay_ms = delay_ms;
  return s;
}
inline Scripted Fail(Failure f, int delay_ms = 0) {
  Scripted s;
  s.result.failure = f;
  s.result.message = "scripted " + std::string(upstream::Name(f));
  s.result.total_ms = delay_ms;
  s.delay_ms = delay_ms;
  return s;
}

class ScriptedSender final : public upstream::Sender {
 public:
  using Script = std::function<Scripted(const UpstreamRequest&)>;
  ScriptedSender(asio::io_context& io, Script script, std::vector<UpstreamRequest>& seen)
      : io_(io), script_(std::move(script)), seen_(seen) {}
  ~ScriptedSender() override {
    for (auto& [t, done] : pending_) {
      t->cancel();
      UpstreamResult r;
      r.failure = Failure::kShutdown;
      r.message = "the router stopped";
      done(std::move(r));
    }
  }
  void Send(UpstreamRequest request, std::function<void(UpstreamResult)> done) override {
    Scripted s = script_(request);
    seen_.push_back(std::move(request));
    ++in_flight_;
    auto t = std::make_shared<asio::steady_timer>(io_);
    t->expires_after(std::chrono::milliseconds(s.delay_ms));
    pending_.emplace_back(t, std::move(done));
    t->async_wait([this, t, r = std::move(s.result)](const boost::system::error_code& ec) mutable {
      if (ec) return;
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->first != t) continue;
        auto finish = std::move(it->second);
        pending_.erase(it);
        --in_flight_;
        finish(std::move(r));
        return;
      }
    });
  }
  int in_flight() const override { return in_flight_; }
  uint64_t strays() const override { return 0; }

 private:
  asio::io_context& io_;
  Script script_;
  std::vector<UpstreamRequest>& seen_;
  std::vector<std::pair<std::shared_ptr<asio::steady_timer>, std::function<void(UpstreamResult)>>>
      pending_;
  int in_flight_ = 0;
};

// Two targets per workload ("lambda" and "ecs" hosts), a scripted platform behind them, an outcome
// log in a temporary folder.
class RouterHarness {
 public:
  explicit RouterHarness(ScriptedSender::Script script,
                         std::function<void(RouterConfig&)> adjust = {}) {
    char dir[] = "/tmp/hr_router_test_XXXXXX";
    log_dir_ = mkdtemp(dir);
    RouterConfig c;
    for (size_t w = 0; w < c.targets.workloads.size(); ++w) {
      c.targets.workloads[w].url = {"http://lambda/w" + std::to_string(w),
                                    "http://ecs/w" + std::to_string(w)};
      c.targets.workloads[w].timeout_ms = 5'000;
      c.targets.workloads[w].deadline_ms = 10'000;
    }
    c.outcome_log.dir = log_dir_;
    c.seed = 7;
    c.policy.kind = policy::PolicyKind::kLambdaOnly;
    c.policy.text = "lambda-only";
    c.breaker.failures = 0;  // off unless a test turns it on
    c.senders = [this, script](http::Loop&) -> core::Result<std::unique_ptr<upstream::Sender>> {
      return std::unique_ptr<upstream::Sender>(
          std::make_unique<ScriptedSender>(loop.io, script, seen));
    };
    if (adjust) adjust(c);
    auto r = Router::Create(c);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (r) router = std::move(*r);
  }
  ~RouterHarness() {
    router.reset();
    std::filesystem::remove_all(log_dir_);
  }

  // Sends one request and runs the loop until it is answered (or `max_ms` passed).
  http::Response Send(const std::string& path, const std::string& body, int max_ms = 5'000) {
    auto req = Start(path, body);
    RunUntil([&] { return req->answer->has_value(); }, max_ms);
    EXPECT_TRUE(req->answer->has_value()) << path << " was not answered";
    return req->answer->value_or(http::Response{});
  }
  // Hands a request to the router without running the loop (its answer comes as the loop runs).
  std::shared_ptr<TestRequest> Start(const std::string& path, const std::string& body) {
    auto req = std::make_shared<TestRequest>(loop, path, body);
    http::Response res;
    router->Handle(*req, res);
    if (!*req->answer && !Deferred(res)) *req->answer = std::move(res);
    return req;
  }
  void RunUntil(const std::function<bool()>& done, int max_ms = 5'000) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
    while (!done() && std::chrono::steady_clock::now() < until) {
      loop.io.restart();
      loop.io.run_for(std::chrono::milliseconds(5));
    }
  }
  void RunFor(int ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
      loop.io.restart();
      loop.io.run_until(until);
    }
  }
  // The outcome log's lines (the router is stopped first: its log is written out).
  std::vector<std::string> StopAndReadLog() {
    router.reset();
    loop.io.restart();
    loop.io.poll();
    std::vector<std::string> lines;
    for (const auto& e : std::filesystem::directory_iterator(log_dir_)) {
      std::ifstream in(e.path());
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    return lines;
  }
  std::string Metrics() {
    http::Response res;
    TestRequest req(loop, "/metrics", "");
    req.method_ = "GET";
    router->Handle(req, res);
    return res.body;
  }

  TestLoop loop;
  std::vector<UpstreamRequest> seen;
  std::unique_ptr<Router> router;

 private:
  // A deferred request's `res` stays as it was made (status 200, empty body, no headers).
  static bool Deferred(const http::Response& res) {
    return res.status == 200 && res.body.empty() && res.headers.empty();
  }
  std::string log_dir_;
};

inline std::string Header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// The counter's value in Prometheus text ("name{labels} value"), -1 when absent.
inline double MetricValue(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::atof(text.c_str() + at + series.size() + 2);
}

inline std::string Workload(const std::string& name, const std::string& id = "r1") {
  return R"({"workload_type":")" + name + R"(","request_id":")" + id +
         R"(","metadata":{"target_size_kb":100},"payload":"QUJD"})";
}

}  // namespace hr::route::testing
