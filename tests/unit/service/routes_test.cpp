// The service's routes and API keys in-process (no socket): what each route answers, and which
// need a key.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "service/api_keys.h"
#include "service/service.h"

namespace hr::service {
namespace {

class Req final : public http::Request {
 public:
  Req(std::string method, std::string target, std::string body = "", std::string key = "")
      : method_(std::move(method)),
        target_(std::move(target)),
        body_(std::move(body)),
        key_(std::move(key)) {}
  std::string_view method() const override { return method_; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view name) const override {
    return name == "x-api-key" ? std::string_view(key_) : std::string_view();
  }

 private:
  std::string method_, target_, body_, key_;
};

http::Response Handle(Service& s, const Req& req) {
  http::Response res;
  s.Handle(req, res);
  return res;
}

TEST(Routes, EachRouteAnswersInProcess) {
  auto s = Service::Create({});
  ASSERT_TRUE(s) << s.error().message;
  const std::string body = R"({"workload_type":"heavy_processing","payload_size_kb":5120})";
  auto r = Handle(**s, Req("POST", "/predict", body));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind(R"({"prediction":{"platform":")", 0), 0u) << r.body;
  r = Handle(**s, Req("POST", "/predict/batch", "[" + body + "," + body + ",7]"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("count":3,"failed":1)"), std::string::npos) << r.body;
  EXPECT_EQ(Handle(**s, Req("GET", "/healthz")).status, 200);
  EXPECT_EQ(Handle(**s, Req("GET", "/readyz")).status, 200);
  EXPECT_NE(Handle(**s, Req("GET", "/metrics")).body.find("hybrid_router_requests_total"),
            std::string::npos);
  r = Handle(**s, Req("GET", "/nowhere"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(R"("code":"not_found")"), std::string::npos) << r.body;
  r = Handle(**s, Req("GET", "/predict"));
  EXPECT_EQ(r.status, 405);
  r = Handle(**s, Req("POST", "/predict", R"({"workload_type":"heavy"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("field":"workload_type")"), std::string::npos) << r.body;
}

TEST(Routes, KeysGuardTheApiButNotTheProbes) {
  ServiceConfig cfg;
  auto keys = ApiKeys::FromList("key-one-0123456789,key-two-0123456789");
  ASSERT_TRUE(keys);
  cfg.keys = *keys;
  auto s = Service::Create(cfg);
  ASSERT_TRUE(s);
  const std::string body = R"({"workload_type":"lightweight_api","payload_size_kb":1})";
  EXPECT_EQ(Handle(**s, Req("POST", "/predict", body)).status, 401);
  EXPECT_EQ(Handle(**s, Req("POST", "/predict", body, "key-three-0123456789")).status, 401);
  EXPECT_EQ(Handle(**s, Req("POST", "/predict", body, "key-two-0123456789")).status, 200);
  EXPECT_EQ(Handle(**s, Req("GET", "/model")).status, 401);
  EXPECT_EQ(Handle(**s, Req("GET", "/healthz")).status, 200);
  EXPECT_EQ(Handle(**s, Req("GET", "/metrics")).status, 200);  // unless metrics_need_auth
}

TEST(ApiKeys, ListsAndFiles) {
  auto k = ApiKeys::FromList(" a-key-0123456789abc , another-key-0123456789 ");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->size(), 2u);
  EXPECT_TRUE(k->Check("a-key-0123456789abc"));
  EXPECT_TRUE(k->Check("another-key-0123456789"));
  EXPECT_FALSE(k->Check("a-key-0123456789ab"));
  EXPECT_FALSE(k->Check(""));
  const std::string path = ::testing::TempDir() + "/hr_keys_unit";
  std::ofstream(path) << "# comment\nfile-key-1-0123456789\n\nfile-key-2-0123456789\n";
  auto f = ApiKeys::FromFile(path);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->size(), 2u);
  EXPECT_TRUE(f->Check("file-key-2-0123456789"));
  EXPECT_FALSE(ApiKeys::FromFile("/nonexistent/keys"));
  EXPECT_EQ(ApiKeys::FromList("short").error().field, "api_keys");  // under 16 characters
  EXPECT_FALSE(ApiKeys::FromList("has a space 0123456789"));
}

}  // namespace
}  // namespace hr::service
