// The model built into the binary: models/default.json, trained by `hybrid-router train` on the
// shipped measurements (see models/README.md). Used whenever no --model is given.
#pragma once

#include <string_view>

namespace hr::builtin {

// The model file's text, exactly as committed.
std::string_view DefaultModelText();

}  // namespace hr::builtin
