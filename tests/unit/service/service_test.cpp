// The service in-process: the per-thread model cache across Services, and reloads.
#include "service/service.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>

namespace hr::service {
namespace {

class FakeRequest final : public http::Request {
 public:
  FakeRequest(std::string method, std::string target, std::string body = "")
      : method_(std::move(method)), target_(std::move(target)), body_(std::move(body)) {}
  std::string_view method() const override { return method_; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view) const override { return {}; }

 private:
  std::string method_, target_, body_;
};

std::string ModelSource(Service& s) {
  FakeRequest req("GET", "/model");
  http::Response res;
  s.Handle(req, res);
  EXPECT_EQ(res.status, 200);
  const size_t at = res.body.find("\"source\":\"");
  return at == std::string::npos ? ""
                                 : res.body.substr(at + 10, res.body.find('"', at + 10) - at - 10);
}

// Each thread caches the model by (Service, generation). A new Service at the address of a freed
// one started again at generation 1, so a thread could go on serving the freed Service's model.
TEST(Service, ANewServiceAtAFreedAddressNeverServesTheOldModel) {
  ServiceConfig with_file;
  with_file.model_path = std::string(HR_TEST_DATA_DIR) + "/tiny_seed_v1.json";
  for (int round = 0; round < 20; ++round) {
    uint64_t first_generation = 0;
    const void* first_address = nullptr;
    {
      auto a = Service::Create(with_file);
      ASSERT_TRUE(a.ok()) << a.error().message;
      EXPECT_EQ(ModelSource(**a), "tiny_seed_v1.json");
      first_generation = (*a)->generation();
      first_address = a->get();
    }
    auto b = Service::Create(ServiceConfig{});
    ASSERT_TRUE(b.ok());
    EXPECT_NE((*b)->generation(), first_generation);
    EXPECT_EQ(ModelSource(**b), "built-in") << "same address: " << (first_address == b->get());
  }
}

TEST(Service, ReloadSwapsOnlyAValidModelAndTheFileNameIsAllItShows) {
  const std::string path = ::testing::TempDir() + "/hr_service_reload.json";
  std::filesystem::copy_file(std::string(HR_TEST_DATA_DIR) + "/tiny_seed_v1.json", path,
                             std::filesystem::copy_options::overwrite_existing);
  ServiceConfig cfg;
  cfg.model_path = path;
  cfg.max_model_bytes = 1 << 20;
  auto s = Service::Create(cfg);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ModelSource(**s), "hr_service_reload.json");
  const uint64_t g = (*s)->generation();
  std::filesystem::resize_file(path, 2 << 20);  // over --max-model-mb: refused unread
  auto refused = (*s)->Reload();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("larger than the limit of 1 MB"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ((*s)->generation(), g);
  EXPECT_EQ(ModelSource(**s), "hr_service_reload.json");
  // Asynchronous reloads report on the reload thread, each exactly once.
  std::filesystem::copy_file(std::string(HR_TEST_DATA_DIR) + "/tiny_seed_v1.json", path,
                             std::filesystem::copy_options::overwrite_existing);
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0;
  for (int i = 0; i < 5; ++i) {
    (*s)->RequestReload([&](const core::Status& st) {
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      ok += st.ok();
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done == 5; }));
  EXPECT_EQ(ok, 5);
  EXPECT_NE((*s)->generation(), g);
}

}  // namespace
}  // namespace hr::service
