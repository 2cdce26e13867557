// ISO-8601 timestamps as clients write them: parsed to a possible date and time, or refused.
#include "core/base64.h"
#include "core/civil_time.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = core::ParseIso8601(text);
  if (t) {
    if (t->month < 1 || t->month > 12 || t->day < 1 || t->day > 31 || t->hour < 0 || t->hour > 23 ||
        t->minute < 0 || t->minute > 59 || t->second < 0 || t->second > 60 || t->nanos < 0 ||
        t->nanos > 999'999'999) {
      fuzz::Fail("an impossible time accepted", text);
    }
    (void)core::Weekday(t->year, t->month, t->day);
    (void)core::WallClockMicros(*t);
    if (core::FormatUtcMicros(*t).size() != 27)
      fuzz::Fail("a formatted time of the wrong length", text);
  }
  // Lambda bodies marked isBase64Encoded: decoded, or refused.
  if (auto decoded = core::Base64Decode(text); decoded && decoded->size() > text.size()) {
    fuzz::Fail("base64 decoded to more bytes than it had");
  }
  return 0;
}
