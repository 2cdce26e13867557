// Runs the real hybrid-router binary as a user would: arguments, stdin from a string, captured
// stdout, stderr and exit code.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace hr::testing {

// The shipped measurements (the project's copy of the campaign).
inline const std::string kShippedData = std::string(HR_SOURCE_DIR) + "/data/aws-measurements";

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs HR_BINARY with `args`, or `command` as given when it is not empty.
inline RunResult RunCli(const std::string& args, const std::string& stdin_text = "",
                        const std::string& command = "") {
  char dir_template[] = "/tmp/hr_cli_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string in = dir + "/in", out = dir + "/out", err = dir + "/err";
  std::ofstream(in, std::ios::binary) << stdin_text;
  const std::string cmd = "(" + (command.empty() ? std::string(HR_BINARY) + " " + args : command) +
                          ") <" + in + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::system(("rm -rf " + dir).c_str());
  return r;
}

}  // namespace hr::testing
