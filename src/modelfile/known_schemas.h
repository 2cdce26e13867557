// Feature schemas this build can compute, by name, with their feature names in order. A model is
// usable only when its schema is one of these and its names match exactly.
#pragma once

#include <span>
#include <string_view>

namespace hr::modelfile {

// The names of a known schema, or an empty span when the schema is unknown.
std::span<const std::string_view> KnownSchemaFeatures(std::string_view schema);

}  // namespace hr::modelfile
