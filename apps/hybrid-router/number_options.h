// One check for every number any command reads from its options or HYBRID_ROUTER_* variables:
// CLI11 reads 'nan' and 'inf' as doubles (which pass every range check), wraps '-1' into an
// unsigned 2^64 - 1, saturates digits past 2^64 and reads '010' as octal. After the commands have
// registered their options, main() gives each numeric option the check of core/number_text.h, so a
// value it refuses is an error naming the option (and its variable), whatever the command.
#pragma once

#include <CLI/CLI.hpp>

namespace hr::app {

// Adds the check to every FLOAT, INT and UINT option of `app` and its subcommands.
void CheckNumberOptions(CLI::App& app);

}  // namespace hr::app
