#include "core/number_text.h"

#include <gtest/gtest.h>

namespace hr::core {
namespace {

TEST(NumberText, FloatsMustBeFiniteNumbers) {
  for (const char* ok : {"0", "1e-5", "-2.5", "3600000", "1e308", "0.000001"})
    EXPECT_EQ(NumberTextProblem(ok, NumberKind::kFloat), "") << ok;
  for (const char* bad : {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "1e999", "-1e999"})
    EXPECT_NE(NumberTextProblem(bad, NumberKind::kFloat).find("is not a finite number"),
              std::string::npos)
        << bad;
  for (const char* bad : {"", "1.5x", "abc", " 1"})
    EXPECT_NE(NumberTextProblem(bad, NumberKind::kFloat).find("is not a number"), std::string::npos)
        << bad;
}

TEST(NumberText, UnsignedNumbersAreNeverWrappedOrSaturated) {
  for (const char* ok : {"0", "1", "42", "18446744073709551615", "+7"})
    EXPECT_EQ(NumberTextProblem(ok, NumberKind::kUnsigned), "") << ok;
  EXPECT_NE(NumberTextProblem("-1", NumberKind::kUnsigned).find("is negative"), std::string::npos);
  EXPECT_NE(NumberTextProblem("18446744073709551616", NumberKind::kUnsigned).find("largest"),
            std::string::npos);
  EXPECT_NE(NumberTextProblem("99999999999999999999999", NumberKind::kUnsigned).find("largest"),
            std::string::npos);
  EXPECT_NE(NumberTextProblem("010", NumberKind::kUnsigned).find("leading zero"),
            std::string::npos);
  for (const char* bad : {"0x10", "1.5", "1e3", "", "-", "nan"})
    EXPECT_NE(NumberTextProblem(bad, NumberKind::kUnsigned).find("not a whole number"),
              std::string::npos)
        << bad;
}

TEST(NumberText, SignedNumbersFitIn64Bits) {
  for (const char* ok : {"0", "-1", "9223372036854775807", "-9223372036854775808"})
    EXPECT_EQ(NumberTextProblem(ok, NumberKind::kSigned), "") << ok;
  for (const char* bad : {"9223372036854775808", "-9223372036854775809", "1e3", "0x1"})
    EXPECT_NE(NumberTextProblem(bad, NumberKind::kSigned), "") << bad;
}

}  // namespace
}  // namespace hr::core
