#include "service/predict_stream.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "builtin/default_model.h"

namespace hr::service {
namespace {

// Runs PredictStream over `input` through a pipe (as stdin would be) and returns what it wrote.
std::string Stream(const std::string& input, const PredictOptions& options, StreamSummary& sum) {
  auto m = modelfile::Parse(builtin::DefaultModelText());
  EXPECT_TRUE(m);
  Predictor p(*m, options);
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::thread writer([&] {
    size_t at = 0;
    while (at < input.size()) {
      const ssize_t n = write(fds[1], input.data() + at, std::min<size_t>(input.size() - at, 4096));
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    close(fds[1]);
  });
  std::FILE* out = std::tmpfile();
  auto r = PredictStream(fds[0], out, p, options);
  writer.join();
  close(fds[0]);
  EXPECT_TRUE(r);
  if (r) sum = *r;
  std::string text(static_cast<size_t>(std::ftell(out)), '\0');
  std::rewind(out);
  EXPECT_EQ(std::fread(text.data(), 1, text.size(), out), text.size());
  std::fclose(out);
  return text;
}

size_t Lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(PredictStream, OneAnswerPerLineAcrossChunkBoundaries) {
  const std::string req = R"({"workload_type":"lightweight_api","payload_size_kb":5})";
  std::string input;
  for (int i = 0; i < 30000; ++i) input += req + (i % 7 == 0 ? "\r\n" : "\n");  // > 1 MB
  input += "\n   \n" + req;  // blank lines are skipped; the last line has no newline
  StreamSummary sum;
  const std::string out = Stream(input, {}, sum);
  EXPECT_EQ(Lines(out), 30001u);
  EXPECT_EQ(sum.lines, 30003u);
  EXPECT_EQ(sum.failed, 0u);
  EXPECT_EQ(out.find("\"error\""), std::string::npos);
}

TEST(PredictStream, AnOverlongLineIsOneErrorAndTheRestIsAnswered) {
  PredictOptions options;
  options.max_line_bytes = 1000;
  const std::string req = R"({"workload_type":"heavy_processing","payload_size_kb":5120})";
  const std::string input = req + "\n" + std::string(3'000'000, ' ') + "x\n" + req + "\nnot json\n";
  StreamSummary sum;
  const std::string out = Stream(input, options, sum);
  EXPECT_EQ(sum.lines, 4u);
  EXPECT_EQ(sum.failed, 2u);
  EXPECT_EQ(Lines(out), 4u);
  EXPECT_NE(out.find(R"({"line":2,"error":{"code":"out_of_range")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"({"line":4,"error":{"code":"invalid_json")"), std::string::npos) << out;
}

}  // namespace
}  // namespace hr::service
