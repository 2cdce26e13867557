// printf-style appending to a string, for the text reports.
#pragma once

#include <string>

namespace hr::report {

void Appendf(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace hr::report
