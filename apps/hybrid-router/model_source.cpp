#include "model_source.h"

#include <cstdio>

namespace hr::app {

void AddModelOption(CLI::App& sub, std::string& path) {
  sub.add_option("-m,--model", path,
                 "Model file (hybrid-router-model JSON, e.g. from tools/import_sklearn.py)")
      ->envname("HYBRID_ROUTER_MODEL");
}

core::Result<modelfile::ModelPtr> LoadModel(const std::string& path) {
  if (path.empty()) {
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "no model given: pass --model FILE (this build has no built-in model)",
                           "model");
  }
  return modelfile::ReadFile(path);
}

int ReportError(const core::Error& e) {
  std::fprintf(stderr, "hybrid-router: %s\n", e.message.c_str());
  return core::ExitCode(e.code);
}

}  // namespace hr::app
