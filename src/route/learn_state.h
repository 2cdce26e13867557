// The adaptive policy's learner on disk (--learn-state): read at start when the file exists,
// written whole (a temporary file renamed over it) while routing and at stop, so a restart keeps
// what the router learned.
#pragma once

#include <string>

#include "core/result.h"
#include "policy/learner.h"

namespace hr::route {

// Restores `learner` from `path` if it exists; a file over 16 MB or not a snapshot of this build's
// layout is an error naming --learn-state (the learner is then unchanged).
core::Status ReadLearnState(policy::Learner& learner, const std::string& path);
// False when the file could not be written (the previous one is then still there).
bool WriteLearnState(const policy::Learner& learner, const std::string& path);

}  // namespace hr::route
