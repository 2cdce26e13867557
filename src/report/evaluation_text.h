// The evaluation as text: a table, CSV, or JSON (`evaluate --format`). Formatting only: the numbers
// come from eval::Evaluate.
#pragma once

#include <string>

#include "eval/evaluate.h"

namespace hr::report {

std::string EvaluationJson(const eval::Evaluation& e, const eval::ReplayConfig& replay);
std::string EvaluationTable(const eval::Evaluation& e, const eval::ReplayConfig& replay, bool csv);

}  // namespace hr::report
