// `evaluate --off-policy DIR...`: the options, and the run (eval/off_policy.h) with its output.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hr::app {

struct OffPolicyOptions {
  std::vector<std::string> paths;  // outcome-log files or directories
  std::string since, until;        // ISO-8601 wall clock, as the lines' timestamps
  int bootstrap = 200;
};

// Returns --off-policy (which excludes the measurement arguments).
CLI::Option* AddOffPolicyOptions(CLI::App& sub, OffPolicyOptions& o);
// model: a file, "builtin" or empty (the built-in model); format: table or json (csv is refused);
// html: also write the off-policy HTML report there; exit status as ReportError's.
int RunOffPolicy(const OffPolicyOptions& o, const std::string& model, uint64_t seed,
                 const std::string& pricing_file, const std::string& format,
                 const std::string& html, bool quiet);

}  // namespace hr::app
