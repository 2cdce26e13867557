// The on-demand (simdjson) request reader, for the codec itself, its tests, benchmarks and fuzz
// targets: kept out of predict_codec.h so that simdjson stays out of widely included headers.
#pragma once

#include <simdjson.h>

#include "codec/predict_codec.h"

namespace hr::codec {

// Parses and validates one request object. `text` must be padded (simdjson::padded_string).
// Plain requests are read on demand; a body that is not (an error, an unknown field holding an
// array or object) is answered by ParseRequestText, so both readers always agree.
core::Result<features::Request> ParseRequest(simdjson::ondemand::parser& parser,
                                             simdjson::padded_string_view text,
                                             const core::CivilTime& now,
                                             const ParseOptions& options = {},
                                             RequestNotes* notes = nullptr);

}  // namespace hr::codec
