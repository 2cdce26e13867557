// What `route` reads from a plain-HTTP platform (an ALB, a task): the answer's bytes, in pieces of
// any size, through the event loop client's parser. None may crash it or grow memory past its
// limits; a finished answer has a status and no more than the limit's body.
#include "fuzz_util.h"
#include "upstream/loop_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  if (size < 2) return 0;
  upstream::LoopClientOptions o;
  o.max_answer_bytes = 1024;
  o.max_header_bytes = 512;
  const size_t step = 1 + data[0] % 64;  // how the bytes arrive
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  upstream::AnswerReader reader(o);
  std::string pending;
  auto state = upstream::AnswerReader::State::kMore;
  for (size_t i = 0; i < bytes.size() && state == upstream::AnswerReader::State::kMore; i += step) {
    pending += bytes.substr(i, step);
    size_t used = 0;
    state = reader.Feed(pending, used);
    if (used > pending.size()) fuzz::Fail("the reader used more than it was given");
    pending.erase(0, used);
    if (state == upstream::AnswerReader::State::kMore && pending.size() > o.max_header_bytes)
      fuzz::Fail("unparsed bytes pile up", pending);
  }
  if (state == upstream::AnswerReader::State::kMore) state = reader.End();
  const upstream::CallAnswer& a = reader.answer();
  if (state == upstream::AnswerReader::State::kDone) {
    if (a.status < 100 || a.status > 599) fuzz::Fail("an answer without an HTTP status");
    if (a.status < 200 && a.status != 101) fuzz::Fail("an interim answer taken as final");
    if (a.body.size() > o.max_answer_bytes) fuzz::Fail("an answer over the size limit");
    if (a.headers.size() > 200) fuzz::Fail("more headers than the limit");
    for (const auto& [name, value] : a.headers) {
      for (char c : name) {
        if (c >= 'A' && c <= 'Z') fuzz::Fail("a header name not in lower case", name);
      }
    }
  } else if (a.failure == upstream::Failure::kNone || a.message.empty()) {
    fuzz::Fail("a failure without a kind or a message");
  }
  return 0;
}
