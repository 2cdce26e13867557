#include "report/audit_text.h"

#include <gtest/gtest.h>

#include <string>

#include "data/ingest.h"

namespace hr::report {
namespace {

TEST(AuditText, TableAndJsonReportTheDamagedLines) {
  auto ds = data::Ingest({std::string(HR_TEST_DATA_DIR) + "/corrupt"});
  ASSERT_TRUE(ds) << ds.error().message;
  ASSERT_GT(ds->rejected, 2u);
  const data::AuditReport a = data::Audit(*ds);
  const std::string json = AuditJson(*ds, a, 1.5);
  EXPECT_NE(json.find("\"rejected\":" + std::to_string(ds->rejected)), std::string::npos);
  EXPECT_NE(json.find("\"rejections\":[{\"file\":"), std::string::npos);
  EXPECT_EQ(json.back(), '\n');
  const std::string table = AuditTable(*ds, a, 1.5, 1);
  EXPECT_EQ(table.rfind("== Input\n", 0), 0u);
  // One rejected line shown, the rest counted.
  EXPECT_NE(table.find("... and " + std::to_string(ds->rejected - 1) + " more rejected lines"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("== Findings"), std::string::npos);
}

}  // namespace
}  // namespace hr::report
