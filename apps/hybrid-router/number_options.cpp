#include "number_options.h"

#include <optional>
#include <string>

#include "core/number_text.h"

namespace hr::app {

namespace {

std::optional<core::NumberKind> KindOf(const CLI::Option& o) {
  std::string type = o.get_type_name();
  type = type.substr(0, type.find(':'));  // validators' descriptions follow a ':'
  if (type == "FLOAT") return core::NumberKind::kFloat;
  if (type == "INT") return core::NumberKind::kSigned;
  if (type == "UINT") return core::NumberKind::kUnsigned;
  return std::nullopt;
}

}  // namespace

void CheckNumberOptions(CLI::App& app) {
  for (CLI::Option* o : app.get_options()) {
    const auto kind = KindOf(*o);
    if (!kind) continue;
    const std::string env = o->get_envname();
    o->check(CLI::Validator(
        [kind = *kind, env](std::string& text) {
          std::string why = core::NumberTextProblem(text, kind);
          if (!why.empty() && !env.empty()) why += " (the option or " + env + ")";
          return why;
        },
        ""));
  }
  for (CLI::App* sub : app.get_subcommands({})) CheckNumberOptions(*sub);
}

}  // namespace hr::app
