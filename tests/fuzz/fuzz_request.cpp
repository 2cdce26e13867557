// Differential target: the two request readers (simdjson on demand, RapidJSON) must accept and
// refuse every body alike, with the same code and field, the same values and the same notes; an
// accepted request's answer must be valid JSON.
#include <simdjson.h>

#include <cstring>

#include "codec/predict_codec.h"
#include "codec/predict_codec_ondemand.h"
#include "fuzz_util.h"

namespace hr::fuzz {
namespace {

const core::CivilTime kNow{2025, 11, 24, 14, 21, 2, 123456000, 0, true};

bool Same(const features::Request& a, const features::Request& b) {
  return a.workload == b.workload &&
         std::memcmp(&a.payload_kb, &b.payload_kb, sizeof(double)) == 0 &&
         a.time_window == b.time_window && a.load_pattern == b.load_pattern &&
         a.hour_of_day == b.hour_of_day && a.is_weekend == b.is_weekend &&
         a.time_window_derived == b.time_window_derived &&
         a.load_pattern_defaulted == b.load_pattern_defaulted;
}

}  // namespace
}  // namespace hr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hr;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(text);
  for (const bool strict : {false, true}) {
    const codec::ParseOptions options{strict};
    codec::RequestNotes on_demand_notes, dom_notes;
    auto a = codec::ParseRequest(parser, padded, fuzz::kNow, options, &on_demand_notes);
    auto b = codec::ParseRequestText(text, fuzz::kNow, options, &dom_notes);
    if (a.ok() != b.ok()) {
      fuzz::Fail(a.ok() ? "only the on-demand reader accepted" : "only RapidJSON accepted",
                 (a.ok() ? b.error().message : a.error().message) + " | " + std::string(text));
    }
    if (!a.ok()) {
      if (a.error().code != b.error().code || a.error().field != b.error().field) {
        fuzz::Fail("the readers refuse differently", a.error().message + " | " + b.error().message);
      }
      continue;
    }
    if (!fuzz::Same(*a, *b)) fuzz::Fail("the readers read different values", text);
    if (on_demand_notes.request_id != dom_notes.request_id ||
        on_demand_notes.ignored_fields != dom_notes.ignored_fields ||
        on_demand_notes.ignored_count != dom_notes.ignored_count) {
      fuzz::Fail("the readers note different fields", text);
    }
    json::Buffer buf;
    json::Writer w(buf);
    codec::ResponseExtras extras;
    extras.now = fuzz::kNow;
    extras.notes = &on_demand_notes;
    codec::WriteResponse(w, *a, policy::FallbackHeuristic(a->workload, a->payload_kb), nullptr,
                         extras);
    fuzz::RequireJson(std::string_view(buf.GetString(), buf.GetSize()), "the answer is not JSON");
  }
  return 0;
}
