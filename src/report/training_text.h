// What `train` prints once a model is written: the metrics of each part of the split, the test
// confusion matrix, the outcome tables (or why there are none) and how long it took.
#pragma once

#include <string>

#include "train/train_model.h"

namespace hr::report {

// The summary for standard output; `warning` gets what belongs on standard error (empty: none).
std::string TrainingText(const train::TrainedModel& t, double seconds, const std::string& out,
                         std::string& warning);

}  // namespace hr::report
