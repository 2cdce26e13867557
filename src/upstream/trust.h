// Which certificate authorities the router's TLS calls trust: the system's store, or a PEM bundle
// named by --ca-file or, as the AWS SDKs and CLI read it, AWS_CA_BUNDLE (a corporate TLS proxy's
// CA, a test's). The bundle is read whole at start, so a missing or unreadable file, or one
// without a certificate, stops the router there rather than failing every call later.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"

namespace hr::upstream {

// The largest bundle accepted (Debian's whole system store is about 220 KB).
inline constexpr size_t kMaxCaBundleBytes = size_t{4} << 20;

// `flag` (--ca-file), else the environment's AWS_CA_BUNDLE, else "" (the system store). `env`
// reads the environment (default: getenv). The error names the option or variable it came from.
core::Result<std::string> ResolveCaFile(const std::string& flag,
                                        const std::function<std::string(const char*)>& env = {});

}  // namespace hr::upstream
