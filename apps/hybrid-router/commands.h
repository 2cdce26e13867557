// Each command registers its options on a CLI11 subcommand from its own config struct (defaults
// and range checks sit next to each field, so --help is generated from the same table) and
// returns the function that runs it. main() only wires them together.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace hr::app {

using RunFn = std::function<int()>;

RunFn AddPredict(CLI::App& app);
RunFn AddTrain(CLI::App& app);
RunFn AddAudit(CLI::App& app);
RunFn AddServe(CLI::App& app);
RunFn AddEvaluate(CLI::App& app);
RunFn AddLambda(CLI::App& app);
RunFn AddEmulate(CLI::App& app);
RunFn AddRoute(CLI::App& app);
RunFn AddSimulate(CLI::App& app);
RunFn AddPromote(CLI::App& app);
bool StartedAsLambda(int argc, char** argv);

}  // namespace hr::app
