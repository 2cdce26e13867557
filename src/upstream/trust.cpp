#include "upstream/trust.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace hr::upstream {

using core::ErrorCode;
using core::MakeError;

core::Result<std::string> ResolveCaFile(const std::string& flag,
                                        const std::function<std::string(const char*)>& env) {
  std::string path = flag;
  std::string field = "ca_file";
  if (path.empty()) {
    if (env) {
      path = env("AWS_CA_BUNDLE");
    } else if (const char* v = std::getenv("AWS_CA_BUNDLE")) {
      path = v;
    }
    field = "AWS_CA_BUNDLE";
  }
  if (path.empty()) return std::string();
  const std::string who = (field == "ca_file" ? "--ca-file " : "AWS_CA_BUNDLE ") + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, who + " cannot be read", field);
  std::string text;
  text.resize(kMaxCaBundleBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxCaBundleBytes)
    return MakeError(
        ErrorCode::kInvalidArgument,
        who + " is larger than " + std::to_string(kMaxCaBundleBytes >> 20) + " MB: not a CA bundle",
        field);
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return MakeError(ErrorCode::kInvalidArgument,
                     who + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)", field);
  return path;
}

}  // namespace hr::upstream
