#include "service/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace hr::service {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t LineCount(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

// stdout is written in large blocks: nothing per line, everything by the flush.
TEST(AccessLog, StdoutIsBufferedAndFlushed) {
  const std::string path = ::testing::TempDir() + "/hr_access_stdout";
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  const int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
  close(fd);
  {
    auto log = MakeAccessLog("stdout");
    ASSERT_TRUE(log && *log);
    const std::string line(99, 'x');  // 100 bytes a line with its newline
    for (int i = 0; i < 10; ++i) (*log)->info(line);
    const size_t before_flush = LineCount(Slurp(path));
    for (int i = 10; i < 1000; ++i) (*log)->info(line);
    const size_t after_64kb = LineCount(Slurp(path));
    (*log)->flush();
    const size_t flushed = LineCount(Slurp(path));
    spdlog::drop("access");
    dup2(saved, STDOUT_FILENO);
    close(saved);
    EXPECT_EQ(before_flush, 0u) << "no write per line";
    EXPECT_GE(after_64kb, 600u) << "written once 64 KB have gathered";
    EXPECT_LT(after_64kb, 1000u);
    EXPECT_EQ(flushed, 1000u) << "nothing lost at the flush";
  }
}

TEST(AccessLog, OffAndBadTargets) {
  auto off = MakeAccessLog("off");
  ASSERT_TRUE(off);
  EXPECT_EQ(*off, nullptr);
  const std::string file = ::testing::TempDir() + "/hr_access_not_a_dir";
  std::ofstream(file) << "x";
  auto bad = MakeAccessLog(file + "/access.log");  // under a regular file: cannot be created
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "access_log");
}

}  // namespace
}  // namespace hr::service
