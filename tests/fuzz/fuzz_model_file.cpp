// Model files: anything is refused with a reason or loads; a model that loads writes a file that
// loads again to the same text.
#include "fuzz_util.h"
#include "modelfile/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  auto m = modelfile::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!m) {
    if (m.error().message.empty()) fuzz::Fail("a refusal without a reason");
    return 0;
  }
  const std::string text = modelfile::Serialize(**m);
  auto again = modelfile::Parse(text);
  if (!again) fuzz::Fail("a written model does not load", again.error().message);
  if (modelfile::Serialize(**again) != text) fuzz::Fail("a written model does not round-trip");
  return 0;
}
