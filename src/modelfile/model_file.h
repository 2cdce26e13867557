// The model file: one self-describing JSON document (format name and version, feature schema and
// names, scaler, layers, classes, decision threshold, free-form metadata) <-> model::Model.
// Loading validates everything and names what is wrong; writing then reading gives the same
// numbers bit for bit and the same bytes. Streams and strings here; paths only in *File helpers.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/mlp.h"

namespace hr::modelfile {

inline constexpr std::string_view kFormatName = "hybrid-router-model";
// Version 2 adds "outcomes" (per-platform outcome tables for objective decisions); version 1 files
// (classifier only) still load, and a model without outcome tables is written as version 1.
inline constexpr int kFormatVersion = 2;
// Model files larger than this are refused before parsing, whatever a caller allows.
inline constexpr size_t kMaxModelBytes = 256u << 20;
// The default size limit of a model file (serve's --max-model-mb): checked before reading.
inline constexpr size_t kDefaultMaxModelBytes = 64u << 20;

using ModelPtr = std::shared_ptr<const model::Model>;

core::Result<ModelPtr> Parse(std::string_view text);
// Reads at most `max_bytes` (and kMaxModelBytes) before refusing the stream.
core::Result<ModelPtr> Read(std::istream& in, size_t max_bytes = kDefaultMaxModelBytes);
std::string Serialize(const model::Model& m);
// The version Serialize writes for this model: 2 with outcome tables, else 1.
int FormatVersionOf(const model::Model& m);

// Reads a file; errors name the path. A regular file larger than `max_bytes` is refused before
// any of it is read.
core::Result<ModelPtr> ReadFile(const std::string& path, size_t max_bytes = kDefaultMaxModelBytes);
// Writes to path via a temporary file and rename, so a failed write leaves no half file.
core::Status WriteFileAtomic(const model::Model& m, const std::string& path);

}  // namespace hr::modelfile
