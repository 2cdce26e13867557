// What the black-box tests of `simulate` (and of the off-policy loop on its logs) share: a
// command's JSON output parsed, a small input file written under the test's temporary
// directory, and the drifted log promote learns from.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
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

// The log `promote` learns from: simulate's outcome log (in DIR/log) of the built-in model at
// --explore 0.2 where ECS ran three times slower than its tables say (2 req/s for 3,000 s, from
// 10:00, seed 7).
inline RunResult SimulateEcsThreeTimesSlowerLog(const std::string& dir) {
  std::filesystem::create_directories(dir);
  const std::string drift = dir + "/ecs-x3.json";  // the test's own directory: tests run at once
  std::ofstream(drift) << R"([{"from_s":0,"until_s":1e9,"platform":"ecs","service_factor":3}])";
  return RunCli(
      "simulate -q --policy builtin --objective latency --explore 0.2 --rate 2 "
      "--duration-s 3000 --start-hour 10 --seed 7 --drift " +
      drift + " --outcome-log " + dir + "/log");
}

}  // namespace hr::testing
