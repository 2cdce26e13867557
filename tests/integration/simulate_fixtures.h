// What the black-box tests of `simulate` (and of the off-policy loop on its logs) share: a
// command's JSON output parsed, and a small input file written under the test's temporary
// directory.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <string>

#include "run_binary.h"

namespace hr::testing {

inline simdjson::dom::element Json(simdjson::dom::parser& p, const RunResult& r) {
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(r.out).get(doc), simdjson::SUCCESS) << r.out.substr(0, 300) << r.err;
  return doc;
}

inline std::string TempFile(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace hr::testing
