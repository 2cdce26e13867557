#include "codec/predict_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../test_util.h"
#include "codec/predict_codec_ondemand.h"
#include "features/seed_v1.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace hr::codec {
namespace {

using core::ErrorCode;

const core::CivilTime kNow{2025, 11, 24, 14, 21, 2, 123456000, 0, true};

core::Result<features::Request> Parse(std::string_view text, const ParseOptions& options = {},
                                      RequestNotes* notes = nullptr) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  return ParseRequest(parser, padded, kNow, options, notes);
}

// Both request readers (simdjson on-demand for serve, RapidJSON for the static Lambda bootstrap)
// must accept and refuse the same bodies with the same error code and field.
enum class Reader { kOnDemand, kRapidJson };

class BothReaders : public ::testing::TestWithParam<Reader> {
 protected:
  core::Result<features::Request> Read(std::string_view text, const ParseOptions& options = {},
                                       RequestNotes* notes = nullptr) const {
    return GetParam() == Reader::kOnDemand ? Parse(text, options, notes)
                                           : ParseRequestText(text, kNow, options, notes);
  }
};

INSTANTIATE_TEST_SUITE_P(ParseRequest, BothReaders,
                         ::testing::Values(Reader::kOnDemand, Reader::kRapidJson),
                         [](const ::testing::TestParamInfo<Reader>& p) {
                           return p.param == Reader::kOnDemand ? "OnDemand" : "RapidJson";
                         });

TEST_P(BothReaders, ReadsThePrototypesRequest) {
  auto r = Read(R"({"workload_type": "heavy_processing", "payload_size_kb": 5120.0,
                     "time_window": "evening", "load_pattern": "burst_load",
                     "timestamp": "2025-11-22T19:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->workload, features::Workload::kHeavyProcessing);
  EXPECT_EQ(r->payload_kb, 5120.0);
  EXPECT_EQ(r->hour_of_day, 19);
  EXPECT_TRUE(r->is_weekend);
}

TEST_P(BothReaders, IntegerPayloadAndNullOptionalsAreFine) {
  auto r = Read(R"({"workload_type":"lightweight_api","payload_size_kb":5,"time_window":null,
                     "load_pattern":null,"timestamp":null})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->payload_kb, 5.0);
  EXPECT_TRUE(r->time_window_derived);
  EXPECT_EQ(r->time_window, features::TimeWindow::kMidday);  // 14:21 from kNow
  EXPECT_TRUE(r->load_pattern_defaulted);
}

struct Bad {
  const char* body;
  ErrorCode code;
  const char* field;
};

TEST_P(BothReaders, EveryKindOfBadInputIsAClearError) {
  const Bad cases[] = {
      {"", ErrorCode::kInvalidJson, ""},
      {"{", ErrorCode::kInvalidJson, ""},
      {R"({"workload_type":"lightweight_api",)", ErrorCode::kInvalidJson, ""},
      {R"({"workload_type":"lightweight_api" "payload_size_kb":5})", ErrorCode::kInvalidJson, ""},
      {"not json", ErrorCode::kInvalidJson, ""},
      {"{\"workload_type\":\"lightweight_api\xff\",\"payload_size_kb\":5}", ErrorCode::kInvalidJson,
       ""},
      {"{\"w\xc3\x28\":1}", ErrorCode::kInvalidJson, ""},
      {"[1,2]", ErrorCode::kWrongType, ""},
      {"\"lightweight_api\"", ErrorCode::kWrongType, ""},
      {"42", ErrorCode::kWrongType, ""},
      {"1e999", ErrorCode::kWrongType, ""},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5} {})", ErrorCode::kInvalidJson,
       ""},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5}])", ErrorCode::kInvalidJson, ""},
      {R"({"payload_size_kb":5})", ErrorCode::kMissingField, "workload_type"},
      {R"({"workload_type":"lightweight_api"})", ErrorCode::kMissingField, "payload_size_kb"},
      {R"({"workload_type":3,"payload_size_kb":5})", ErrorCode::kWrongType, "workload_type"},
      {R"({"workload_type":null,"payload_size_kb":5})", ErrorCode::kWrongType, "workload_type"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":"5.0"})", ErrorCode::kWrongType,
       "payload_size_kb"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":true})", ErrorCode::kWrongType,
       "payload_size_kb"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":[5]})", ErrorCode::kWrongType,
       "payload_size_kb"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"time_window":2})",
       ErrorCode::kWrongType, "time_window"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"load_pattern":{}})",
       ErrorCode::kWrongType, "load_pattern"},
      {R"({"workload_type":"Lightweight_API","payload_size_kb":5})", ErrorCode::kUnknownValue,
       "workload_type"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"time_window":"noon"})",
       ErrorCode::kUnknownValue, "time_window"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"load_pattern":"high_load"})",
       ErrorCode::kUnknownValue, "load_pattern"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"payload_size":5})",
       ErrorCode::kUnknownField, "payload_size"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"workload_type":"x"})",
       ErrorCode::kInvalidJson, "workload_type"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":-5})", ErrorCode::kOutOfRange,
       "payload_size_kb"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":1e400})", ErrorCode::kOutOfRange,
       "payload_size_kb"},
      {R"({"workload_type":"lightweight_api","payload_size_kb" : -1e400, "time_window":"midday"})",
       ErrorCode::kOutOfRange, "payload_size_kb"},
      {R"({"workload_type":1e999,"payload_size_kb":5})", ErrorCode::kWrongType, "workload_type"},
      {R"({"size":1e999,"payload_size_kb":5})", ErrorCode::kUnknownField, "size"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":99999999999})",
       ErrorCode::kOutOfRange, "payload_size_kb"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":NaN})", ErrorCode::kInvalidJson, ""},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"timestamp":"2025-11-24"})",
       ErrorCode::kInvalidTimestamp, "timestamp"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"timestamp":1763882029})",
       ErrorCode::kWrongType, "timestamp"},
  };
  for (const auto& c : cases) {
    auto r = Read(c.body, ParseOptions{true});
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(core::CodeName(r.error().code), core::CodeName(c.code))
        << c.body << " -> " << r.error().message;
    if (*c.field) {
      EXPECT_EQ(r.error().field, c.field) << c.body;
    }
    EXPECT_FALSE(r.error().message.empty());
    EXPECT_EQ(core::HttpStatus(r.error().code), 400);
  }
}

// The prototype's handler ignored fields it did not know; its own request generator sends
// request_id and lambda_memory_mb, and a naive local timestamp.
TEST_P(BothReaders, UnknownFieldsAreIgnoredAndNamedUnlessStrict) {
  const std::string body =
      R"({"request_id":"req_000042","workload_type":"medium_processing","payload_size_kb":512.3,)"
      R"("time_window":"evening","load_pattern":"burst_load","lambda_memory_mb":1024,)"
      R"("timestamp":"2025-11-22T19:04:05.123456","extra":{"nested":[1,2,{"x":null}]},"flag":true})";
  RequestNotes notes;
  auto r = Read(body, {}, &notes);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->workload, features::Workload::kMediumProcessing);
  EXPECT_EQ(r->hour_of_day, 19);
  EXPECT_EQ(notes.request_id, "req_000042");
  EXPECT_EQ(notes.ignored_fields, (std::vector<std::string>{"lambda_memory_mb", "extra", "flag"}));
  EXPECT_EQ(notes.ignored_count, 3u);

  auto strict = Read(body, ParseOptions{true}, &notes);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, ErrorCode::kUnknownField);
  EXPECT_EQ(strict.error().field, "lambda_memory_mb");
}

TEST_P(BothReaders, AMisspeltKnownValueIsStillAnErrorAndUnknownFieldsAreStillJson) {
  const Bad cases[] = {
      {R"({"workload_type":"lightweight","payload_size_kb":5,"x":1})", ErrorCode::kUnknownValue,
       "workload_type"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"request_id":7})",
       ErrorCode::kWrongType, "request_id"},
      {R"({"size":1e999,"payload_size_kb":5})", ErrorCode::kMissingField, "workload_type"},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"x":[nul]})",
       ErrorCode::kInvalidJson, ""},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"x":tru})",
       ErrorCode::kInvalidJson, ""},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"x":"\q"})",
       ErrorCode::kInvalidJson, ""},
      {R"({"workload_type":"lightweight_api","payload_size_kb":5,"time_window":nul})",
       ErrorCode::kInvalidJson, ""},
  };
  for (const auto& c : cases) {
    auto r = Read(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(core::CodeName(r.error().code), core::CodeName(c.code))
        << c.body << " -> " << r.error().message;
    if (*c.field) {
      EXPECT_EQ(r.error().field, c.field) << c.body;
    }
  }
}

// Found by the bad-input campaign: RapidJSON's full-precision number path crashed on a long
// mantissa; 0e40 was refused by one reader and accepted by the other; deep nesting overflowed
// the recursive parser.
TEST_P(BothReaders, NumbersAndNestingThatCrashedOrDisagreed) {
  const std::string long_zeros = "0." + std::string(540, '0') + "3347797894";
  auto tiny = Read(R"({"workload_type":"lightweight_api","payload_size_kb":)" + long_zeros + "}");
  ASSERT_TRUE(tiny.ok()) << tiny.error().message;
  EXPECT_EQ(tiny->payload_kb, 0.0);

  auto zero = Read(R"({"workload_type":"lightweight_api","payload_size_kb":0e40})");
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(zero->payload_kb, 0.0);

  auto sub = Read(R"({"workload_type":"lightweight_api","payload_size_kb":1e-400,"x":2.5e-320})");
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_EQ(sub->payload_kb, 0.0);

  // Found by fuzz_request: simdjson 3.0.1 reads this as 1.58e-14; both readers now agree on the
  // correctly rounded value.
  auto misread = Read(
      R"({"workload_type":"lightweight_api","payload_size_kb":0.000200000000000000200000047797894})");
  ASSERT_TRUE(misread.ok());
  EXPECT_EQ(misread->payload_kb, 0.0002000000000000002);

  // Found by fuzz_request: "-0" was +0 in one reader and -0 in the other.
  auto negative_zero = Read(R"({"workload_type":"lightweight_api","payload_size_kb":-0})");
  ASSERT_TRUE(negative_zero.ok());
  EXPECT_TRUE(std::signbit(negative_zero->payload_kb));

  auto exact = Read(
      R"({"workload_type":"lightweight_api","payload_size_kb":5120.000000000000000000000000001})");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->payload_kb, 5120.0);

  for (const size_t depth : {63u, 64u, 1000u, 100000u}) {
    const std::string nested = std::string(depth, '[') + std::string(depth, ']');
    auto r = Read(R"({"workload_type":"lightweight_api","payload_size_kb":5,"x":)" + nested + "}");
    if (depth < 64) {
      EXPECT_TRUE(r.ok()) << depth;  // with the request object: 64 levels
    } else {
      ASSERT_FALSE(r.ok()) << depth;
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidJson) << depth;
      EXPECT_NE(r.error().message.find("nested deeper than 64"), std::string::npos)
          << r.error().message;
    }
  }
  auto opened = Read(std::string(1'000'000, '['));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidJson);
}

TEST(WriteResponse, EchoesTheRequestIdAndNamesIgnoredFields) {
  RequestNotes notes;
  auto r = Parse(
      R"({"workload_type":"lightweight_api","payload_size_kb":5,"request_id":"abc","lambda_memory_mb":128})",
      {}, &notes);
  ASSERT_TRUE(r.ok());
  ResponseExtras extras;
  extras.now = kNow;
  extras.notes = &notes;
  json::Buffer buf;
  json::Writer w(buf);
  WriteResponse(w, *r, policy::FallbackHeuristic(r->workload, r->payload_kb), nullptr, extras);
  const std::string body = buf.GetString();
  EXPECT_NE(
      body.find(
          R"("model_info":{"model_type":"fallback-heuristic","test_accuracy":null,"training_date":null},)"
          R"("request_id":"abc","warnings":[{"code":"unknown_field","field":"lambda_memory_mb",)"
          R"("message":"unknown field 'lambda_memory_mb' was ignored"}]})"),
      std::string::npos)
      << body;
}

// The fuzz corpus of the request readers (seeds and every input a fuzzer found) through both
// readers here too, in the gcc builds: the same answer, code, field and values for each.
TEST(BothReadersAgree, OnTheWholeFuzzCorpus) {
  const std::string dir = std::string(HR_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_request";
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    for (const bool strict : {false, true}) {
      RequestNotes a_notes, b_notes;
      auto a = Parse(text, ParseOptions{strict}, &a_notes);
      auto b = ParseRequestText(text, kNow, ParseOptions{strict}, &b_notes);
      ASSERT_EQ(a.ok(), b.ok()) << entry.path();
      if (!a.ok()) {
        EXPECT_EQ(a.error().code, b.error().code) << entry.path();
        EXPECT_EQ(a.error().field, b.error().field) << entry.path();
        continue;
      }
      EXPECT_EQ(std::signbit(a->payload_kb), std::signbit(b->payload_kb)) << entry.path();
      EXPECT_EQ(a->payload_kb, b->payload_kb) << entry.path();
      EXPECT_EQ(a->workload, b->workload) << entry.path();
      EXPECT_EQ(a_notes.ignored_fields, b_notes.ignored_fields) << entry.path();
      EXPECT_EQ(a_notes.request_id, b_notes.request_id) << entry.path();
    }
    ++files;
  }
  EXPECT_GE(files, 16u);
}

// The classifier's decision: the platform and its probabilities.
policy::Decision ModelDecision(policy::Platform platform, double lambda, double ecs) {
  policy::Decision d;
  d.platform = platform;
  d.lambda_probability = lambda;
  d.ecs_probability = ecs;
  d.confidence = std::max(lambda, ecs);
  d.from_model = true;
  return d;
}

TEST(WriteResponse, HasThePrototypesShape) {
  auto r = Parse(R"({"workload_type":"lightweight_api","payload_size_kb":5.0,
                     "time_window":"midday","load_pattern":"medium_load"})");
  ASSERT_TRUE(r.ok());
  const policy::Decision d = ModelDecision(policy::Platform::kEcs, 0.424, 0.576);
  model::Metadata md;
  md.model_type = "Neural Network";
  md.training_date = "2025-11-23T15:06:49.593301";
  md.test_accuracy = 0.6958543639766347;
  ResponseExtras extras;
  extras.inference_time_ms = 0.0012;
  extras.inference_cost_usd = 1.0000001e-7;
  extras.now = kNow;
  json::Buffer buf;
  json::Writer w(buf);
  WriteResponse(w, *r, d, &md, extras);
  EXPECT_STREQ(
      buf.GetString(),
      R"({"prediction":{"platform":"ecs","confidence":0.576,"lambda_probability":0.424,)"
      R"("ecs_probability":0.576,"objective":"classifier"},"metrics":{"inference_time_ms":0.0012,)"
      R"("inference_cost_usd":1.0000001e-07,"timestamp":"2025-11-24T14:21:02.123456Z"},)"
      R"("request_context":{"workload_type":"lightweight_api","payload_size_kb":5.0,)"
      R"("time_window":"midday","load_pattern":"medium_load"},)"
      R"("model_info":{"model_type":"Neural Network","test_accuracy":0.6958543639766347,)"
      R"("training_date":"2025-11-23T15:06:49.593301"}})");
}

TEST(WriteResponse, APreRenderedModelInfoGivesTheSameBytes) {
  auto r = Parse(R"({"workload_type":"medium_processing","payload_size_kb":2048})");
  ASSERT_TRUE(r.ok());
  model::Metadata md;
  md.model_type = "m \"q\"";
  md.training_date = "2025-11-25T00:00:00Z";
  md.test_accuracy = 0.7;
  const policy::Decision d = ModelDecision(policy::Platform::kLambda, 0.8, 0.2);
  ResponseExtras plain;
  plain.now = kNow;
  ResponseExtras cached = plain;
  const std::string info = ModelInfoJson(&md);
  cached.model_info_json = info;
  json::Buffer a, b;
  json::Writer wa(a), wb(b);
  WriteResponse(wa, *r, d, &md, plain);
  WriteResponse(wb, *r, d, &md, cached);
  EXPECT_STREQ(a.GetString(), b.GetString());
}

TEST(WriteResponse, ReportsDerivedValues) {
  auto r = Parse(R"({"workload_type":"lightweight_api","payload_size_kb":1})");
  ASSERT_TRUE(r.ok());
  json::Buffer buf;
  json::Writer w(buf);
  WriteResponse(w, *r, policy::FallbackHeuristic(r->workload, r->payload_kb), nullptr, {});
  const std::string body = buf.GetString();
  EXPECT_NE(
      body.find(
          R"("time_window":"midday","load_pattern":"low_load","derived":["time_window","load_pattern"])"),
      std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("model_type":"fallback-heuristic")"), std::string::npos);
}

// Found by fuzz_request: "\ude00" (an unpaired surrogate escape) is valid JSON that both readers
// decode to bytes that are not UTF-8; echoed in request_id, a warning or an error message it made
// the answer invalid JSON. So did a value cut to 64 bytes inside a character.
TEST(WriteResponse, EchoedTextIsAlwaysValidUtf8) {
  RequestNotes notes;
  auto r = Parse(
      R"({"workload_type":"lightweight_api","payload_size_kb":5,"request_id":"a\ude00b","\udc00k":1})",
      {}, &notes);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ResponseExtras extras;
  extras.notes = &notes;
  json::Buffer buf;
  json::Writer w(buf);
  WriteResponse(w, *r, policy::FallbackHeuristic(r->workload, r->payload_kb), nullptr, extras);
  const std::string body = buf.GetString();
  EXPECT_TRUE(json::IsValidUtf8(body));
  EXPECT_NE(body.find("\"request_id\":\"a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                      "b\""),
            std::string::npos)
      << body;

  const std::string cut =
      R"({"payload_size_kb":5,"workload_type":")" + std::string(63, 'a') + "\xC3\xA9\"}";
  auto e = Parse(cut);
  ASSERT_FALSE(e.ok());
  const std::string error = json::ErrorBody(e.error());
  EXPECT_TRUE(json::IsValidUtf8(error)) << error;
  json::Document doc;
  std::string why;
  EXPECT_TRUE(json::ParseDocument(doc, error, json::kRequestLimits, why)) << why;
}

TEST(ErrorBody, NamesCodeMessageAndField) {
  EXPECT_EQ(json::ErrorBody(core::MakeError(ErrorCode::kUnknownValue, "bad \"x\"", "time_window")),
            R"({"error":{"code":"unknown_value","message":"bad \"x\"","field":"time_window"}})");
  EXPECT_EQ(json::ErrorBody(core::MakeError(ErrorCode::kInvalidJson, "nope")),
            R"({"error":{"code":"invalid_json","message":"nope"}})");
}

}  // namespace
}  // namespace hr::codec
