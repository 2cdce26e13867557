// The black-box tests' one way to read a JSON answer: parse it, and fail the test (showing the
// text) when it is not JSON.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace hr::testing {

inline simdjson::dom::element Json(simdjson::dom::parser& p, const std::string& text) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(text).get(e), simdjson::SUCCESS) << text;
  return e;
}

}  // namespace hr::testing
