// `predict` as a library call: requests to answers in the shape of /predict, one request (the CLI
// argument) or JSON lines read from a file descriptor in large chunks. The fixed parts of every
// answer (model_info) are rendered once. Memory is bounded by one chunk and the longest line
// allowed; a longer line is one error line, never held whole. Units: ms, MB, USD.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "codec/predict_codec.h"
#include "core/result.h"
#include "model/mlp.h"
#include "modelfile/model_file.h"

namespace hr::service {

struct PredictOptions {
  bool strict = false;               // unknown request fields are errors, not warnings
  double memory_mb = 512;            // Lambda memory priced into metrics.inference_cost_usd
  policy::Objective objective;       // the default; a request's objective fields override it
  size_t max_line_bytes = 1u << 20;  // as serve's default largest body
};

class Predictor {
 public:
  Predictor(modelfile::ModelPtr model, const PredictOptions& options);
  // Appends one answer line (or {"line":N,"error":{...}} when line_no > 0, {"error":...} when
  // not) to `out`; returns whether the request was good.
  bool Answer(std::string_view request, uint64_t line_no, std::string& out);

 private:
  modelfile::ModelPtr model_;
  PredictOptions options_;
  std::string model_info_json_;
  codec::RequestParser requests_;
  codec::RequestNotes notes_;
  model::Scratch scratch_;
};

struct StreamSummary {
  uint64_t lines = 0;   // read, blank ones included
  uint64_t failed = 0;  // answered with an error line
};

// Reads JSON lines from `in_fd` until end of input, writes one answer line per non-blank line to
// `out`. An error only when reading or writing fails.
core::Result<StreamSummary> PredictStream(int in_fd, std::FILE* out, Predictor& predictor,
                                          const PredictOptions& options);

}  // namespace hr::service
