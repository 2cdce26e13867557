// Per-key rate limits in-process, on a clock the tests move: the token bucket, the quota's UTC
// day, what a reload keeps, the keys file's limit fields, and what a client of the service sees.
#include "service/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "service/api_keys.h"
#include "service/service.h"

namespace hr::service {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr int64_t kMidnight = int64_t{20455} * 86'400 * kS;  // 2026-01-02T00:00:00Z

TEST(RateLimit, TheBucketAllowsItsBurstThenItsRate) {
  KeyLimits l;
  l.rate_per_s = 2;
  l.burst = 3;
  KeyState s;
  int64_t t = kMidnight + 3600 * kS;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.Take(l, t).limited, LimitKind::kNone) << i;
  LimitVerdict v = s.Take(l, t);
  EXPECT_EQ(v.limited, LimitKind::kRate);
  EXPECT_EQ(v.retry_after_s, 1);
  EXPECT_EQ(s.Take(l, t + kS / 2).limited, LimitKind::kNone);  // half a second: one token
  EXPECT_EQ(s.Take(l, t + kS / 2).limited, LimitKind::kRate);
  t += 100 * kS;  // a long pause fills the bucket to its burst, no more
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.Take(l, t).limited, LimitKind::kNone) << i;
  EXPECT_EQ(s.Take(l, t).limited, LimitKind::kRate);
  EXPECT_EQ(s.Take(l, t - 50 * kS).limited, LimitKind::kRate);  // a clock stepped back refills none
  EXPECT_EQ(s.allowed(), 7u);
  EXPECT_EQ(s.rate_limited(), 4u);
  EXPECT_EQ(s.quota_exceeded(), 0u);
  // A slow rate: the wait until the next token, rounded up to whole seconds.
  KeyLimits slow;
  slow.rate_per_s = 0.1;
  slow.burst = 1;
  KeyState one;
  EXPECT_EQ(one.Take(slow, t).limited, LimitKind::kNone);
  v = one.Take(slow, t + 2 * kS);
  EXPECT_EQ(v.limited, LimitKind::kRate);
  EXPECT_EQ(v.retry_after_s, 8);
}

TEST(RateLimit, TheQuotaResetsAtTheUtcDayBoundary) {
  KeyLimits l;
  l.quota_per_day = 3;
  KeyState s;
  const int64_t before = kMidnight - 10 * kS;  // 23:59:50 UTC
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.Take(l, before).limited, LimitKind::kNone) << i;
  LimitVerdict v = s.Take(l, before);
  EXPECT_EQ(v.limited, LimitKind::kQuota);
  EXPECT_EQ(v.retry_after_s, 10);  // until midnight
  v = s.Take(l, kMidnight - 1);
  EXPECT_EQ(v.limited, LimitKind::kQuota);
  EXPECT_EQ(v.retry_after_s, 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.Take(l, kMidnight).limited, LimitKind::kNone) << i;
  v = s.Take(l, kMidnight + kS);
  EXPECT_EQ(v.limited, LimitKind::kQuota);
  EXPECT_EQ(v.retry_after_s, 86'399);
  EXPECT_EQ(s.allowed(), 6u);
  EXPECT_EQ(s.quota_exceeded(), 3u);
}

TEST(RateLimit, AReloadKeepsTheStateOfTheIdsItKeepsAndMetricsShowIdsNotKeys) {
  auto before = ApiKeys::FromText(
      "alpha-key-0123456789 id=alpha rate=1 burst=1\nbeta-key-0123456789\n", "keys");
  ASSERT_TRUE(before) << before.error().message;
  KeyGate g1(*before, nullptr);
  const int64_t t = kMidnight;
  EXPECT_EQ(g1.Take(0, t).limited, LimitKind::kNone);
  const LimitVerdict v = g1.Take(0, t);
  EXPECT_EQ(v.limited, LimitKind::kRate);
  EXPECT_EQ(g1.Explain(0, v),
            "API key alpha is over its rate limit of 1 requests/s (burst 1); retry after 1 s");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(g1.Take(1, t).limited, LimitKind::kNone);  // no limits
  // The reload adds a quota to alpha and drops beta: alpha's bucket and counts carry over.
  auto after = ApiKeys::FromText(
      "gamma-key-0123456789 id=gamma\nalpha-key-0123456789 id=alpha rate=1 burst=1 quota=5\n",
      "keys");
  ASSERT_TRUE(after) << after.error().message;
  KeyGate g2(*after, &g1);
  EXPECT_EQ(g2.Take(1, t).limited, LimitKind::kRate);
  const std::string text = g2.Render();
  EXPECT_NE(text.find(R"(hybrid_router_api_key_requests_total{key_id="alpha",result="allowed"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(hybrid_router_api_key_requests_total{key_id="alpha",result="rate_limited"} 2)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"({key_id="gamma",result="allowed"} 0)"), std::string::npos) << text;
  EXPECT_EQ(text.find("key-0123456789"), std::string::npos) << "a key in the metrics: " << text;
  EXPECT_EQ(text.find("beta"), std::string::npos) << text;
}

TEST(ApiKeys, TheKeysFileTakesLimitsAndEachBadFieldIsNamed) {
  auto k = ApiKeys::FromText(
      "# id, rate, burst and quota after the key\n"
      "first-key-0123456789  id=first rate=2.5 burst=10 quota=1000\n"
      "second-key-0123456789\trate=3\n"
      "third-key-0123456789\n",
      "keys.txt");
  ASSERT_TRUE(k) << k.error().message;
  ASSERT_EQ(k->size(), 3u);
  EXPECT_EQ(k->entry(0).id, "first");
  EXPECT_DOUBLE_EQ(k->entry(0).limits.rate_per_s, 2.5);
  EXPECT_DOUBLE_EQ(k->entry(0).limits.burst, 10);
  EXPECT_EQ(k->entry(0).limits.quota_per_day, 1000);
  EXPECT_DOUBLE_EQ(k->entry(1).limits.burst, 3);  // burst defaults to the rate, rounded up
  EXPECT_EQ(k->entry(1).id, DefaultKeyId("second-key-0123456789"));
  EXPECT_EQ(k->entry(1).id.rfind("key-", 0), 0u);
  EXPECT_FALSE(k->entry(2).limits.any());
  EXPECT_EQ(k->Find("second-key-0123456789"), 1);
  EXPECT_EQ(k->Find("second-key-012345678"), -1);
  struct Bad {
    std::string text, field, says;
  };
  const std::vector<Bad> bad = {
      {"some-key-0123456789 rate=0", "rate", "keys.txt:1: rate must be a number"},
      {"some-key-0123456789 rate=fast", "rate", "not 'fast'"},
      {"some-key-0123456789 burst=5", "burst", "burst needs rate"},
      {"some-key-0123456789 rate=1 burst=0", "burst", "burst must be a whole number"},
      {"some-key-0123456789 quota=1.5", "quota", "quota must be a whole number"},
      {"some-key-0123456789 rate=1 rate=2", "rate", "rate is given twice"},
      {"some-key-0123456789 rate", "rate", "rate needs a value"},
      {"some-key-0123456789 colour=red", "colour", "unknown field 'colour'"},
      {"some-key-0123456789 id=a/b", "id", "id must be"},
      {"\n\nkey-a-0123456789ab id=x\nkey-b-0123456789ab id=x", "id",
       "keys.txt:4: id 'x' is also the id of line 3"},
      {"key-a-0123456789ab\nkey-a-0123456789ab", "api_keys", "the same key as line 1"},
      {"short rate=1", "api_keys", "at least 16 characters"},
      {"# only a comment\n", "api_key_file", "holds no key"},
  };
  for (const Bad& b : bad) {
    auto r = ApiKeys::FromText(b.text, "keys.txt");
    ASSERT_FALSE(r) << b.text;
    EXPECT_EQ(r.error().field, b.field) << b.text << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(b.says), std::string::npos) << r.error().message;
  }
}

class KeyedRequest final : public http::Request {
 public:
  KeyedRequest(std::string target, std::string key, std::string body = "")
      : target_(std::move(target)), key_(std::move(key)), body_(std::move(body)) {}
  std::string_view method() const override { return target_ == "/metrics" ? "GET" : "POST"; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view name) const override {
    return name == "x-api-key" ? std::string_view(key_) : std::string_view();
  }

 private:
  std::string target_, key_, body_;
};

const std::string kBody = R"({"workload_type":"lightweight_api","payload_size_kb":1})";

std::string HeaderOf(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// What a client sees: the key over its rate gets 429 with Retry-After and an error naming the
// limit, the other key goes on; the quota comes back at midnight UTC; a reload of the keys file
// changes the limits in force.
TEST(RateLimit, AKeyOverItsLimitIsRefusedWith429WhileAnotherIsServed) {
  const std::string path = ::testing::TempDir() + "/hr_rate_limit_keys";
  std::ofstream(path) << "slow-key-0123456789 id=slow rate=1 burst=2 quota=4\n"
                         "free-key-0123456789 id=free\n";
  auto keys = ApiKeys::FromFile(path);
  ASSERT_TRUE(keys) << keys.error().message;
  std::atomic<int64_t> now{kMidnight - 60 * kS};
  ServiceConfig cfg;
  cfg.keys = *keys;
  cfg.api_key_file = path;
  cfg.clock_us = [&now] { return now.load(); };
  auto s = Service::Create(cfg);
  ASSERT_TRUE(s) << s.error().message;
  auto call = [&](const std::string& key, const std::string& target = "/predict") {
    http::Response res;
    (*s)->Handle(KeyedRequest(target, key, kBody), res);
    return res;
  };
  EXPECT_EQ(call("slow-key-0123456789").status, 200);
  EXPECT_EQ(call("slow-key-0123456789").status, 200);
  http::Response r = call("slow-key-0123456789");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "1");
  EXPECT_NE(r.body.find(R"("code":"rate_limited")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("field":"rate")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("rate limit of 1 requests/s"), std::string::npos) << r.body;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(call("free-key-0123456789").status, 200);
  EXPECT_EQ(call("wrong-key-0123456789").status, 401);
  // Two seconds later: two more, then the day's quota of 4 is spent until midnight.
  now += 2 * kS;
  EXPECT_EQ(call("slow-key-0123456789").status, 200);
  EXPECT_EQ(call("slow-key-0123456789").status, 200);
  now += 2 * kS;
  r = call("slow-key-0123456789");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "56");
  EXPECT_NE(r.body.find(R"("field":"quota")"), std::string::npos) << r.body;
  now = kMidnight;
  EXPECT_EQ(call("slow-key-0123456789").status, 200);
  const std::string metrics = call("", "/metrics").body;
  EXPECT_NE(metrics.find(R"({key_id="slow",result="allowed"} 5)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"({key_id="slow",result="rate_limited"} 1)"), std::string::npos);
  EXPECT_NE(metrics.find(R"({key_id="slow",result="quota_exceeded"} 1)"), std::string::npos);
  EXPECT_NE(metrics.find(R"({key_id="free",result="allowed"} 20)"), std::string::npos);
  EXPECT_NE(metrics.find(R"(status="429"} 2)"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("key-0123456789"), std::string::npos);
  // The reload takes the file's new limits; a bad file keeps the old ones in force.
  std::ofstream(path)
      << "slow-key-0123456789 id=slow\nfree-key-0123456789 id=free rate=1 burst=1\n";
  ASSERT_TRUE((*s)->Reload());
  EXPECT_EQ(call("free-key-0123456789").status, 200);
  EXPECT_EQ(call("free-key-0123456789").status, 429);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(call("slow-key-0123456789").status, 200);
  std::ofstream(path) << "slow-key-0123456789 rate=-1\n";
  auto failed = (*s)->Reload();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().field, "rate");
  EXPECT_EQ(call("free-key-0123456789").status, 429);
  EXPECT_EQ(call("slow-key-0123456789").status, 200);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace hr::service
