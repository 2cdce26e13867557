// Where a command's model comes from: --model FILE, or the model built into the binary.
// Also the one place that prints an Error for the CLI and maps it to an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/result.h"
#include "modelfile/model_file.h"

namespace hr::app {

void AddModelOption(CLI::App& sub, std::string& path);
core::Result<modelfile::ModelPtr> LoadModel(const std::string& path);
// Prints "hybrid-router: <message>" on stderr and returns the error's exit code.
int ReportError(const core::Error& e);

}  // namespace hr::app
