#include "modelfile/known_schemas.h"

#include "features/seed_v1.h"

namespace hr::modelfile {

std::span<const std::string_view> KnownSchemaFeatures(std::string_view schema) {
  if (schema == features::kSeedV1Schema) return features::kSeedV1Names;
  return {};
}

}  // namespace hr::modelfile
