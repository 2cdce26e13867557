// Whether the text of a command-line number is one a reader converts to exactly what it says: a
// finite number for a floating-point option ('nan', 'inf' and '1e999' are not), a whole decimal
// number that fits for an integer option ('-1' is no unsigned number: strtoull would wrap it to
// 2^64 - 1; digits past 2^64 - 1 would saturate; a leading zero would be read as octal). Pure.
#pragma once

#include <string>
#include <string_view>

namespace hr::core {

enum class NumberKind { kFloat, kSigned, kUnsigned };

// Empty when `text` is a number of `kind` a conversion reads exactly; otherwise why not, e.g.
// "'nan' is not a finite number".
std::string NumberTextProblem(std::string_view text, NumberKind kind);

}  // namespace hr::core
