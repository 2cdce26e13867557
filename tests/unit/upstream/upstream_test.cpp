// Which URLs the event loop's own client sends and how it reads them; the rest stay libcurl's.
#include "upstream/upstream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/byte_budget.h"
#include "scripted_peer.h"
#include "upstream/fetch.h"
#include "upstream/loop_client.h"

namespace hr::upstream {
namespace {

struct Split {
  bool ok;
  std::string host;
  uint16_t port;
  std::string target;
};

Split Of(std::string_view url) {
  Split s{false, "", 0, ""};
  s.ok = SplitPlainUrl(url, s.host, s.port, s.target);
  return s;
}

TEST(SplitPlainUrl, TakesPlainHttpUrlsAndLeavesTheRestToLibcurl) {
  auto alb = Of("http://my-alb-123.eu-west-1.elb.amazonaws.com/heavy/process");
  ASSERT_TRUE(alb.ok);
  EXPECT_EQ(alb.host, "my-alb-123.eu-west-1.elb.amazonaws.com");
  EXPECT_EQ(alb.port, 80);
  EXPECT_EQ(alb.target, "/heavy/process");
  auto local = Of("http://127.0.0.1:18190/lightweight/process?x=1");
  ASSERT_TRUE(local.ok);
  EXPECT_EQ(local.port, 18190);
  EXPECT_EQ(local.target, "/lightweight/process?x=1");
  auto bare = Of("http://10.0.0.7:8080");
  ASSERT_TRUE(bare.ok);
  EXPECT_EQ(bare.target, "/");
  auto query = Of("http://10.0.0.7?a=b");
  ASSERT_TRUE(query.ok);
  EXPECT_EQ(query.target, "/?a=b");
  auto v6 = Of("http://[::1]:9000/medium/process");
  ASSERT_TRUE(v6.ok);
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9000);
  for (const char* libcurls :
       {"https://abc.execute-api.eu-west-1.amazonaws.com/prod/heavy", "http://user:pw@host/x",
        "http://host:0/x", "http://host:65536/x", "http://host:80x/x", "http://[fe80::1%eth0]/x",
        "http://[::1/x", "http:///x", "http://host/x#frag", "http://ho_st/x"}) {
    EXPECT_FALSE(Of(libcurls).ok) << libcurls;
  }
}

TEST(PlainHttpClient, NamesAreCheckedAndTheErrorListsThem) {
  EXPECT_EQ(*ParsePlainHttpClient("loop"), PlainHttpClient::kLoop);
  EXPECT_EQ(*ParsePlainHttpClient("libcurl"), PlainHttpClient::kLibcurl);
  auto bad = ParsePlainHttpClient("curl");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("loop, libcurl"), std::string::npos);
}

// The blocking fetch (credentials, ECS): its answer, its limits, what failed and how.
TEST(Fetch, AnswersFailuresAndTheSizeLimitEachSaySo) {
  ScriptedPeer ok([](tcp::socket& s, ScriptedPeer& p) {
    if (p.ReadRequest(s)) ScriptedPeer::Write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
  });
  FetchRequest q;
  q.url = "http://127.0.0.1:" + std::to_string(ok.port()) + "/creds";
  FetchResult r = Fetch(q);
  EXPECT_EQ(r.failure, Failure::kNone) << r.message;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
  // Over the limit: at once, and named as such (not a timeout after the whole time).
  ScriptedPeer big([](tcp::socket& s, ScriptedPeer& p) {
    if (!p.ReadRequest(s)) return;
    const std::string body(100'000, 'x');
    ScriptedPeer::Write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body);
  });
  q.url = "http://127.0.0.1:" + std::to_string(big.port()) + "/creds";
  q.timeout_ms = 3'000;
  const auto t0 = std::chrono::steady_clock::now();
  r = Fetch(q);
  EXPECT_EQ(r.failure, Failure::kTooLarge);
  EXPECT_EQ(r.message, "the answer is larger than 65536 bytes");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  EXPECT_TRUE(r.body.empty());
  // Nothing listens: never sent. Silence: a timeout, after the request went out.
  ScriptedPeer silent([](tcp::socket& s, ScriptedPeer& p) {
    if (p.ReadRequest(s)) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  });
  q.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/";
  q.timeout_ms = 200;
  EXPECT_EQ(Fetch(q).failure, Failure::kTimeout);
}

// The buffer budget: what it lends, what it refuses, and leases that give back when let go.
TEST(ByteBudget, LendsUpToItsLimitAndLeasesGiveBack) {
  http::ByteBudget b(100);
  EXPECT_TRUE(b.TryTake(60));
  EXPECT_FALSE(b.TryTake(41));  // 101 > 100: nothing taken, counted
  EXPECT_EQ(b.used(), 60u);
  EXPECT_EQ(b.refusals(), 1u);
  {
    EXPECT_TRUE(b.TryTake(40));
    const http::Lease lease = http::LeaseOf(&b, 40);
    auto copy = lease;  // the bytes go with the last owner
    EXPECT_EQ(b.used(), 100u);
  }
  EXPECT_EQ(b.used(), 60u);
  b.Give(60);
  EXPECT_EQ(b.used(), 0u);
  EXPECT_EQ(b.peak(), 100u);
  EXPECT_EQ(http::LeaseOf(nullptr, 5), nullptr);
}

// A growing body: every capacity is taken before it is allocated (old and new held together while
// copying), stages double to 1 MB and then jump to a mapping of its own, never past the limit.
TEST(GrowWithin, TakesEveryStageFromTheBudgetAndJumpsToAMappingPastOneMegabyte) {
  http::ByteBudget b(64 << 20);
  std::string body;
  size_t taken = 0;
  std::vector<size_t> stages;
  for (size_t size = 4096; size <= (12u << 20); size += 4096) {
    ASSERT_EQ(http::GrowWithin(body, size, 16 << 20, &b, taken), http::Growth::kRoom) << size;
    if (stages.empty() || stages.back() != taken) stages.push_back(taken);
    body.resize(size);
    EXPECT_EQ(b.used(), taken);
    EXPECT_GE(body.capacity(), size);
  }
  // 4 KB, 8 KB, ... 1 MB, then 8 MB (the mapping size), then 16 MB: no stage of 2 or 4 MB.
  EXPECT_EQ(stages.back(), size_t{16} << 20);
  EXPECT_EQ(stages[stages.size() - 2], http::kOwnMappingBytes);
  EXPECT_EQ(stages[stages.size() - 3], size_t{1} << 20);
  // The largest use at once was the 8 MB stage held while the 16 MB one was filled.
  EXPECT_EQ(b.peak(), (size_t{24} << 20));
  EXPECT_EQ(http::GrowWithin(body, (16u << 20) + 1, 16 << 20, &b, taken), http::Growth::kTooLarge);
  http::ByteBudget small(100);
  std::string other;
  size_t other_taken = 0;
  EXPECT_EQ(http::GrowWithin(other, 60, 1000, &small, other_taken), http::Growth::kRoom);
  EXPECT_EQ(http::GrowWithin(other, 200, 1000, &small, other_taken), http::Growth::kOverBudget);
  EXPECT_EQ(small.used(), 60u);  // the refused stage took nothing, the held one stays
}

// An answer's body is taken from the budget as it grows; one the budget cannot hold fails as
// kOverBudget (not too large), and what it held is given back.
TEST(AnswerReader, AnAnswerTheBudgetCannotHoldFailsAndGivesBack) {
  http::ByteBudget b(1'000);
  LoopClientOptions o;
  o.budget = &b;
  {
    AnswerReader r(o);
    size_t used = 0;
    EXPECT_EQ(
        r.Feed("HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n" + std::string(600, 'x'), used),
        AnswerReader::State::kDone);
    EXPECT_EQ(b.used(), 600u);  // held by the answer's lease
    CallAnswer a = std::move(r.answer());
    a.lease.reset();
    EXPECT_EQ(b.used(), 0u);
  }
  AnswerReader big(o);
  size_t used = 0;
  EXPECT_EQ(big.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" +
                         std::string(1024, 'x') + "\r\n0\r\n\r\n",
                     used),
            AnswerReader::State::kFailed);
  EXPECT_EQ(big.answer().failure, Failure::kOverBudget);
  EXPECT_EQ(b.used(), 0u);
  EXPECT_EQ(b.refusals(), 1u);
}

}  // namespace
}  // namespace hr::upstream
