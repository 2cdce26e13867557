// Which URLs the event loop's own client sends and how it reads them; the rest stay libcurl's.
#include "upstream/upstream.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hr::upstream
