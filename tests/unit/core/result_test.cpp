#include "core/result.h"

#include <gtest/gtest.h>

namespace hr::core {
namespace {

TEST(ErrorTable, InputErrorsAreClientErrors) {
  for (auto c : {ErrorCode::kInvalidJson, ErrorCode::kMissingField, ErrorCode::kWrongType,
                 ErrorCode::kUnknownValue, ErrorCode::kUnknownField, ErrorCode::kOutOfRange,
                 ErrorCode::kInvalidTimestamp}) {
    EXPECT_EQ(HttpStatus(c), 400) << CodeName(c);
    EXPECT_EQ(ExitCode(c), 2) << CodeName(c);
  }
  EXPECT_EQ(HttpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(ExitCode(ErrorCode::kInvalidModel), 3);
  EXPECT_EQ(CodeName(ErrorCode::kUnknownValue), "unknown_value");
}

TEST(Result, HoldsValueOrError) {
  Result<int> good = 4;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  Result<int> bad = MakeError(ErrorCode::kOutOfRange, "too big", "n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "n");
}

}  // namespace
}  // namespace hr::core
