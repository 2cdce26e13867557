#include "workload/request.h"

#include <gtest/gtest.h>

namespace hr::workload {
namespace {

using features::LoadPattern;
using features::TimeWindow;
using features::Workload;

TEST(WorkloadRequests, MetadataGivesTheCellAndErrorsNameTheField) {
  auto wr = workload::Read(
      R"({"request_id":"r1","workload_type":"medium_processing","metadata":{"target_size_kb":100,"time_window":"midday","load_pattern":"ramp_load"},"payload":"x"})");
  ASSERT_TRUE(wr) << wr.error().message;
  EXPECT_EQ(wr->request_id, "r1");
  EXPECT_EQ(wr->workload, Workload::kMediumProcessing);
  EXPECT_EQ(wr->payload_kb, 100);
  EXPECT_TRUE(wr->payload_from_metadata);
  EXPECT_EQ(wr->time_window, TimeWindow::kMidday);
  EXPECT_EQ(wr->load_pattern, LoadPattern::kRampLoad);
  const std::string bare = R"({"payload":")" + std::string(2048, 'A') + R"("})";
  wr = workload::Read(bare);
  ASSERT_TRUE(wr);
  EXPECT_NEAR(wr->payload_kb, static_cast<double>(bare.size()) / 1024, 1e-12);  // the body's size
  EXPECT_FALSE(wr->payload_from_metadata);
  EXPECT_FALSE(wr->time_window);
  EXPECT_FALSE(wr->workload);
  for (const auto& [body, field] :
       {std::pair<const char*, const char*>{R"({"metadata":5})", "metadata"},
        {R"({"metadata":{"target_size_kb":-1}})", "metadata.target_size_kb"},
        {R"({"metadata":{"target_size_kb":1e300}})", "metadata.target_size_kb"},
        {R"({"workload_type":"heavy"})", "workload_type"},
        {R"({"workload_type":5})", "workload_type"}}) {
    auto bad = workload::Read(body);
    ASSERT_FALSE(bad) << body;
    EXPECT_EQ(bad.error().field, field) << body;
  }
  EXPECT_FALSE(workload::Read("[1,2"));
  EXPECT_FALSE(workload::Read("[1,2]"));  // not an object
  EXPECT_TRUE(workload::Read(""));        // an empty body: nothing said, nothing wrong
  // Nesting beyond the request limit is refused, not recursed into.
  EXPECT_FALSE(workload::Read(std::string(100, '[') + std::string(100, ']')));
}

// The metadata is the workload's: values outside the prototype's sets (two of its own load tests
// send load_pattern "quick_validation" and "validation_test") are kept as unknown, read as absent.
TEST(WorkloadRequests, UnknownMetadataValuesAreNotedNotRefused) {
  auto wr = workload::Read(
      R"({"metadata":{"time_window":"noon","load_pattern":"quick_validation","target_size_kb":5}})");
  ASSERT_TRUE(wr) << wr.error().message;
  EXPECT_FALSE(wr->time_window);
  EXPECT_FALSE(wr->load_pattern);
  EXPECT_EQ(wr->payload_kb, 5);
  ASSERT_EQ(wr->unknown.size(), 2u);
  EXPECT_EQ(wr->unknown[0], (std::pair<std::string, std::string>{"metadata.time_window", "noon"}));
  EXPECT_EQ(wr->unknown[1].second, "quick_validation");
  wr = workload::Read(R"({"metadata":{"load_pattern":7,"time_window":{"a":[1]}},"x":1})");
  ASSERT_TRUE(wr);
  EXPECT_EQ(wr->unknown.size(), 2u);
  EXPECT_EQ(wr->unknown[0].second, "(not a string)");
  wr = workload::Read(R"({"metadata":{"load_pattern":"burst_load"}})");
  EXPECT_TRUE(wr->unknown.empty());
  EXPECT_EQ(wr->load_pattern, LoadPattern::kBurstLoad);
}

// Found by fuzz_emulate: a malformed literal where null was possible ("time_window":ndow) made
// simdjson's is_null() throw through the reader (std::terminate).
TEST(WorkloadRequests, MalformedLiteralsAreInvalidJsonNotACrash) {
  for (const char* body : {R"({"metadata":{"time_window":ndow":"midday"}})",
                           R"({"workload_type":nul})", R"({"metadata":{"target_size_kb":nx}})",
                           R"({"metadata":{"load_pattern":n}})", R"({"metadata":nope})"}) {
    auto r = workload::Read(body);
    ASSERT_FALSE(r) << body;
    EXPECT_NE(r.error().message.find("JSON"), std::string::npos)
        << body << ": " << r.error().message;
  }
}

TEST(WorkloadRequests, PathNamesAreThePrototypes) {
  EXPECT_EQ(workload::WorkloadOfPath("thumbnail"), Workload::kThumbnailProcessing);
  EXPECT_EQ(workload::WorkloadOfPath("heavy_processing"), Workload::kHeavyProcessing);
  EXPECT_FALSE(workload::WorkloadOfPath("Heavy"));
  EXPECT_FALSE(workload::WorkloadOfPath(""));
  for (int i = 0; i < features::kWorkloadCount; ++i) {
    const auto w = static_cast<Workload>(i);
    EXPECT_EQ(workload::WorkloadOfPath(workload::PathName(w)), w);
  }
}

}  // namespace
}  // namespace hr::workload
