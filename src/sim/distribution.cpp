#include "sim/distribution.h"

#include <charconv>
#include <cmath>

namespace hr::sim {

namespace {

constexpr double kMaxMs = 3'600'000;

bool ParseMs(std::string_view text, double& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && p == end && std::isfinite(out) && out > 0 && out <= kMaxMs;
}

}  // namespace

double Distribution::MeanMs() const { return kind == Kind::kUniform ? (a_ms + b_ms) / 2 : a_ms; }

double Distribution::SampleMs(core::Rng& rng) const {
  switch (kind) {
    case Kind::kExponential:
      // 1 - U is in (0, 1]: the logarithm is finite.
      return -a_ms * std::log(1.0 - rng.Uniform());
    case Kind::kDeterministic:
      return a_ms;
    case Kind::kUniform:
      return rng.Uniform(a_ms, b_ms);
  }
  return a_ms;
}

std::string Distribution::Text() const {
  auto num = [](double v) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ec == std::errc() ? p : buf);
  };
  switch (kind) {
    case Kind::kExponential:
      return "exp:" + num(a_ms);
    case Kind::kDeterministic:
      return "det:" + num(a_ms);
    case Kind::kUniform:
      return "uniform:" + num(a_ms) + "-" + num(b_ms);
  }
  return "";
}

core::Result<Distribution> ParseDistribution(std::string_view text, std::string_view field) {
  auto bad = [&](std::string_view why) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           std::string(field) + ": '" + std::string(text.substr(0, 64)) +
                               "' is not a distribution (" + std::string(why) + ")",
                           std::string(field));
  };
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return bad("exp:MS, det:MS or uniform:A-B");
  const std::string_view kind = text.substr(0, colon), rest = text.substr(colon + 1);
  Distribution d;
  if (kind == "exp" || kind == "det") {
    d.kind = kind == "exp" ? Distribution::Kind::kExponential : Distribution::Kind::kDeterministic;
    if (!ParseMs(rest, d.a_ms)) return bad("MS must be a number in (0, 3600000]");
    return d;
  }
  if (kind == "uniform") {
    const size_t dash = rest.find('-');
    if (dash == std::string_view::npos || !ParseMs(rest.substr(0, dash), d.a_ms) ||
        !ParseMs(rest.substr(dash + 1), d.b_ms) || d.b_ms < d.a_ms)
      return bad("uniform:A-B with 0 < A <= B <= 3600000");
    d.kind = Distribution::Kind::kUniform;
    return d;
  }
  return bad("the kind is exp, det or uniform");
}

}  // namespace hr::sim
