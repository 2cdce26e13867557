// One measurement log line: a record with sane values, or a rejection with a reason that groups.
// The same bytes as an outcome line for evaluate --off-policy: usable with a propensity in (0, 1],
// or skipped with a reason. And as audit's load-schedules file: refused, or schedules that are
// well ordered and send a finite, non-negative number of requests.
#include <cmath>

#include "data/ingest.h"
#include "data/schedules.h"
#include "eval/off_policy.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  int status = 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const eval::LineRead line = eval::ReadOutcomeLine(text);
  if (line.used ? !(line.used->propensity > 0 && line.used->propensity <= 1) : line.skip.empty())
    fuzz::Fail("an outcome line used without a propensity in (0, 1], or skipped without a reason");
  if (auto s = data::ParseSchedules(text, "fuzz")) {
    for (const data::LoadSchedule& one : s->by_pattern) {
      const double sent = one.SentBy(one.Seconds());
      if (!std::isfinite(sent) || sent < 0 || (one.known() && one.points.front().first != 0))
        fuzz::Fail("a load schedule accepted that sends an impossible number of requests", text);
    }
  } else if (s.error().field.empty()) {
    fuzz::Fail("a refused load schedule without the field", text);
  }
  auto r = data::ParseRecordLine(text, &status);
  if (!r) {
    if (r.error().message.empty() || data::ReasonKind(r.error().message).empty()) {
      fuzz::Fail("a rejection without a reason");
    }
    return 0;
  }
  for (double v :
       {r->response_time_ms, r->target_payload_kb, r->execution_time_ms, r->memory_used_mb}) {
    if (!std::isfinite(v) || v < 0) fuzz::Fail("an accepted record with a bad measurement");
  }
  if (r->hour < 0 || r->hour > 23 || r->weekday < 0 || r->weekday > 6)
    fuzz::Fail("bad time fields");
  return 0;
}
