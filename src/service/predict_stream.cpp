#include "service/predict_stream.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "json/json_writer.h"
#include "service/handlers.h"

namespace hr::service {

namespace {

using Clock = std::chrono::steady_clock;

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void ErrorLine(uint64_t line_no, const core::Error& e, std::string& out) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  if (line_no > 0) {
    json::Key(w, "line");
    w.Uint64(line_no);
  }
  json::Key(w, "error");
  json::WriteErrorObject(w, e);
  w.EndObject();
  out.append(buf.GetString(), buf.GetSize());
  out += '\n';
}

}  // namespace

Predictor::Predictor(modelfile::ModelPtr model, const PredictOptions& options)
    : model_(std::move(model)),
      options_(options),
      model_info_json_(codec::ModelInfoJson(&model_->spec().metadata)) {}

bool Predictor::Answer(std::string_view text, uint64_t line_no, std::string& out) {
  const auto start = Clock::now();
  const core::CivilTime now = core::NowUtc();
  auto req = requests_.Parse(text, now, codec::ParseOptions{options_.strict}, &notes_);
  if (!req) {
    ErrorLine(line_no, req.error(), out);
    return false;
  }
  detail::AppendAnswer(model_.get(), model_info_json_, options_.memory_mb, options_.objective, *req,
                       notes_, now, start, scratch_, out);
  out += '\n';
  return true;
}

core::Result<StreamSummary> PredictStream(int in_fd, std::FILE* out, Predictor& predictor,
                                          const PredictOptions& options) {
  constexpr size_t kChunk = 1u << 20;
  StreamSummary summary;
  std::vector<char> buf(kChunk + options.max_line_bytes + 1);
  size_t have = 0;        // bytes of the current (incomplete) line kept at buf[0..have)
  bool skipping = false;  // inside a line longer than max_line_bytes: drop until its newline
  std::string answers;
  answers.reserve(1u << 17);
  auto flush = [&]() -> core::Status {
    if (!answers.empty() && std::fwrite(answers.data(), 1, answers.size(), out) != answers.size())
      return core::MakeError(core::ErrorCode::kIo, "writing the answers failed", "stdout");
    answers.clear();
    return {};
  };
  auto line = [&](std::string_view text) {
    ++summary.lines;
    if (!IsBlank(text) && !predictor.Answer(text, summary.lines, answers)) ++summary.failed;
  };
  auto too_long = [&] {
    ++summary.lines;
    ++summary.failed;
    ErrorLine(
        summary.lines,
        core::MakeError(core::ErrorCode::kOutOfRange,
                        "line is longer than " + std::to_string(options.max_line_bytes) + " bytes",
                        "line"),
        answers);
  };
  for (;;) {
    const ssize_t n = ::read(in_fd, buf.data() + have, kChunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::MakeError(core::ErrorCode::kIo,
                             std::string("reading the requests failed: ") + std::strerror(errno),
                             "stdin");
    }
    if (n == 0) break;
    const size_t end = have + static_cast<size_t>(n);
    size_t begin = 0;
    for (;;) {
      const void* nl = std::memchr(buf.data() + have, '\n', end - have);
      if (!nl) break;
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
      if (skipping) {
        skipping = false;
      } else {
        line(std::string_view(buf.data() + begin, at - begin));
      }
      begin = at + 1;
      have = begin;
    }
    // Keep the unfinished line at the front; drop it if it has grown too long.
    const size_t rest = end - begin;
    if (skipping) {
      have = 0;
    } else if (rest > options.max_line_bytes) {
      too_long();
      skipping = true;
      have = 0;
    } else {
      std::memmove(buf.data(), buf.data() + begin, rest);
      have = rest;
    }
    if (answers.size() >= (1u << 16)) {
      if (auto s = flush(); !s) return s.error();
    }
  }
  if (have > 0 && !skipping) line(std::string_view(buf.data(), have));
  if (auto s = flush(); !s) return s.error();
  if (std::fflush(out) != 0)
    return core::MakeError(core::ErrorCode::kIo, "writing the answers failed", "stdout");
  return summary;
}

}  // namespace hr::service
