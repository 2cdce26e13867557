#include "model_source.h"

#include <cstdio>

#include "builtin/default_model.h"

namespace hr::app {

void AddModelOption(CLI::App& sub, std::string& path) {
  sub.add_option("-m,--model", path,
                 "Model file (hybrid-router-model JSON); default: the built-in model")
      ->envname("HYBRID_ROUTER_MODEL");
}

core::Result<modelfile::ModelPtr> LoadModel(const std::string& path) {
  if (path.empty()) {
    auto m = modelfile::Parse(builtin::DefaultModelText());
    if (!m) {
      core::Error e = m.error();
      e.message = "built-in model: " + e.message;
      return e;
    }
    return m;
  }
  return modelfile::ReadFile(path);
}

int ReportError(const core::Error& e) {
  std::fprintf(stderr, "hybrid-router: %s\n", e.message.c_str());
  return core::ExitCode(e.code);
}

}  // namespace hr::app
