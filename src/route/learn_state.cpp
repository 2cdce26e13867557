#include "route/learn_state.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace hr::route {

core::Status ReadLearnState(policy::Learner& learner, const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return {};  // nothing learned yet
  if (size > (16u << 20))
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "--learn-state: " + path + " is over 16 MB", "--learn-state");
  std::ifstream in(path, std::ios::binary);
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  return learner.Restore(text);
}

bool WriteLearnState(const policy::Learner& learner, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << learner.Snapshot();
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace hr::route
