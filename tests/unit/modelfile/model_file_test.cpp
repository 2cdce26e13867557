#include "modelfile/model_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <tuple>

#include "../test_util.h"

namespace hr::modelfile {
namespace {

using core::ErrorCode;

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

uint64_t Bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

TEST(ModelFile, LoadsTheFixture) {
  auto m = Parse(testing::ReadFixture("tiny_seed_v1.json"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ((*m)->InputSize(), 15u);
  EXPECT_EQ((*m)->spec().metadata.model_type, "test fixture");
  EXPECT_EQ((*m)->spec().metadata.training_date, "2025-11-23T15:06:49.593301");
  ASSERT_TRUE((*m)->spec().metadata.test_accuracy.has_value());
  EXPECT_EQ(*(*m)->spec().metadata.test_accuracy, 0.5);
  EXPECT_TRUE((*m)->spec().scaler.has_value());
}

TEST(ModelFile, RoundTripsBitExactly) {
  model::ModelSpec spec = testing::SeedSpec(8);
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int> exponent(-300, 300);
  std::uniform_real_distribution<double> mantissa(-1, 1);
  for (auto& w : spec.layers[0].weights) w = std::ldexp(mantissa(rng), exponent(rng) / 10);
  const double specials[] = {0.0,
                             -0.0,
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::max(),
                             -std::numeric_limits<double>::max(),
                             0.1,
                             1.0 / 3.0,
                             5e-324 * 3};
  for (size_t i = 0; i < std::size(specials); ++i) spec.layers[0].weights[i] = specials[i];
  spec.scaler = model::Scaler{std::vector<double>(15, 1.0 / 7.0), std::vector<double>(15, 3e-5)};
  spec.metadata.json =
      R"({"model_type":"MLP \"quoted\" \u00e9","n":-3,"u":18446744073709551615,"x":[1.5,true,null,{"a":{}}],"metrics":{"test":{"accuracy":0.6958543639766347}}})";
  auto m = model::Model::Create(spec);
  ASSERT_TRUE(m.ok());
  const std::string once = Serialize(**m);
  auto back = Parse(once);
  ASSERT_TRUE(back.ok()) << back.error().message;
  const auto& a = (*m)->spec();
  const auto& b = (*back)->spec();
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t k = 0; k < a.layers.size(); ++k) {
    ASSERT_EQ(a.layers[k].weights.size(), b.layers[k].weights.size());
    for (size_t i = 0; i < a.layers[k].weights.size(); ++i) {
      ASSERT_EQ(Bits(a.layers[k].weights[i]), Bits(b.layers[k].weights[i])) << k << "/" << i;
    }
    for (size_t i = 0; i < a.layers[k].bias.size(); ++i) {
      ASSERT_EQ(Bits(a.layers[k].bias[i]), Bits(b.layers[k].bias[i]));
    }
  }
  for (size_t i = 0; i < 15; ++i) ASSERT_EQ(Bits(a.scaler->scale[i]), Bits(b.scaler->scale[i]));
  EXPECT_EQ(*b.metadata.test_accuracy, 0.6958543639766347);
  EXPECT_EQ(Serialize(**back), once);  // and byte for byte
}

TEST(ModelFile, VersionTwoCarriesOutcomeTablesAndRoundTrips) {
  const std::string text = testing::ReadFile(std::string(HR_SOURCE_DIR) + "/models/default.json");
  auto m = Parse(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_NE((*m)->spec().outcomes, nullptr);
  EXPECT_EQ(FormatVersionOf(**m), 2);
  EXPECT_GT((*m)->spec().outcomes->spec().cells.size(), 20u);
  EXPECT_GT((*m)->spec().outcomes->spec().default_slo_ms, 5000);
  EXPECT_EQ(Serialize(**m), text);  // byte for byte
  // The small version 2 fixture (also a fuzz seed) loads with its six rows.
  auto tiny = Parse(testing::ReadFixture("tiny_seed_v2.json"));
  ASSERT_TRUE(tiny.ok()) << tiny.error().message;
  EXPECT_EQ((*tiny)->spec().outcomes->spec().cells.size(), 6u);
  // A version 1 file (no tables) still loads and is written back as version 1.
  auto v1 = Parse(testing::ReadFixture("tiny_seed_v1.json"));
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ((*v1)->spec().outcomes, nullptr);
  EXPECT_NE(Serialize(**v1).find("\"format_version\": 1"), std::string::npos);
  // Outcome tables in a version 1 file are a misspelling there, and bad tables name the key.
  const std::string tables = text.substr(text.find("\"outcomes\""));
  const std::string v1_with = Replace(text, "\"format_version\": 2", "\"format_version\": 1");
  auto refused = Parse(v1_with);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "outcomes");
  for (const auto& [from, to, field] :
       {std::tuple<std::string, std::string, std::string>{"\"cost_models\": [\"seed-prorated\"",
                                                          "\"cost_models\": [\"seed\"",
                                                          "outcomes.cost_models"},
        {"\"quantile_levels\": [0.0,", "\"quantile_levels\": [0.5,", "outcomes.quantile_levels"},
        {"\"learner\":", "\"lerner\":", "outcomes.lerner"},
        {"\"cold_start_share\":", "\"cold_start_share\":7,\"x\":", "outcomes.cells[0].lambda.x"},
        {"\"workload_type\":\"lightweight_api\"", "\"workload_type\":\"tiny_api\"",
         "outcomes.cells[0].workload_type"},
        {"\"default_slo_ms\": ", "\"default_slo_ms\": -", "outcomes"}}) {
    auto bad = Parse(Replace(text, from, to));
    ASSERT_FALSE(bad.ok()) << to;
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidModel) << to << ": " << bad.error().message;
    EXPECT_EQ(bad.error().field, field) << to << ": " << bad.error().message;
  }
}

TEST(ModelFile, ReadsFromAStream) {
  std::istringstream in(testing::ReadFixture("tiny_seed_v1.json"));
  EXPECT_TRUE(Read(in).ok());
}

TEST(ModelFile, EveryTruncationIsACleanError) {
  const std::string text = testing::ReadFixture("tiny_seed_v1.json");
  ASSERT_GT(text.size(), 100u);
  for (size_t n = 0; n + 2 < text.size(); n += 3) {  // the last bytes are only "}\n"
    auto m = Parse(std::string_view(text).substr(0, n));
    ASSERT_FALSE(m.ok()) << n;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidModel);
  }
}

TEST(ModelFile, CorruptBytesNeverCrash) {
  const std::string text = testing::ReadFixture("tiny_seed_v1.json");
  std::mt19937 rng(7);
  int failures = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bad = text;
    for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<char>(rng() % 256);
    auto m = Parse(bad);
    if (!m.ok()) {
      ++failures;
      EXPECT_FALSE(m.error().message.empty());
    }
  }
  EXPECT_GT(failures, 1000);  // most corruptions must be caught, the rest stay valid models
  EXPECT_FALSE(Parse(std::string("\x1f\x8b\x08\x00\xff\xfe", 6)).ok());
  EXPECT_FALSE(Parse("").ok());
}

struct BadCase {
  const char* from;
  const char* to;
  ErrorCode code;
  const char* field;
  const char* says;
};

TEST(ModelFile, NamesWhatIsWrong) {
  const std::string text = testing::ReadFixture("tiny_seed_v1.json");
  const BadCase cases[] = {
      {R"("format": "hybrid-router-model")", R"("format": "onnx")", ErrorCode::kInvalidModel,
       "format", "is this a model file"},
      {R"("format_version": 1)", R"("format_version": 3)", ErrorCode::kInvalidModel,
       "format_version", "upgrade"},
      {R"("format_version": 1)", R"("format_version": "1")", ErrorCode::kInvalidModel,
       "format_version", "whole number"},
      {R"("feature_schema": "seed-v1")", R"("feature_schema": "seed-v9")",
       ErrorCode::kSchemaMismatch, "feature_schema", "unknown to this build"},
      {R"("workload_type_encoded")", R"("workload_type")", ErrorCode::kSchemaMismatch,
       "feature_names", "do not match"},
      {R"("hidden_activation": "relu")", R"("hidden_activation": "gelu")", ErrorCode::kInvalidModel,
       "activation", "gelu"},
      {R"("decision_threshold": 0.5)", R"("decision_threshold": 0.5, "decision_treshold": 0.4)",
       ErrorCode::kInvalidModel, "decision_treshold", "not a known key"},
      {R"("decision_threshold": 0.5,)", "", ErrorCode::kInvalidModel, "decision_threshold",
       "missing"},
      {R"("inputs": 15)", R"("inputs": 14)", ErrorCode::kInvalidModel, "layers[0]",
       "expected 14 x 3"},
      {R"("outputs": 1)", R"("outputs": -1)", ErrorCode::kInvalidModel, "layers[1].outputs",
       "whole number"},
      {R"("classes": [)", R"("classes": [ "x", )", ErrorCode::kInvalidModel, "classes",
       "class 1 = Lambda"},
      {R"("scaler": {)", R"("scaler": {"center": 1, )", ErrorCode::kInvalidModel, "scaler.center",
       "not a known key"},
      {R"("metadata": {)", R"("metadata": 5, "x": {)", ErrorCode::kInvalidModel, "x",
       "not a known key"},
      {R"("bias": [)", R"("bias": [NaN, )", ErrorCode::kInvalidModel, "document", "not valid JSON"},
      {R"("bias": [)", R"("bias": [1e999, )", ErrorCode::kInvalidModel, "document",
       "not valid JSON"},
      {R"("bias": [)", R"("bias": ["0.5", )", ErrorCode::kInvalidModel, "layers[0].bias[0]",
       "must be a number"},
  };
  for (const auto& c : cases) {
    auto m = Parse(Replace(text, c.from, c.to));
    ASSERT_FALSE(m.ok()) << c.to;
    EXPECT_EQ(m.error().code, c.code) << c.to << ": " << m.error().message;
    EXPECT_EQ(m.error().field, c.field) << c.to << ": " << m.error().message;
    EXPECT_NE(m.error().message.find(c.says), std::string::npos) << m.error().message;
  }
}

TEST(ModelFile, FileHelpersNameThePathAndWriteAtomically) {
  auto missing = ReadFile("/nonexistent/model.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_NE(missing.error().message.find("/nonexistent/model.json"), std::string::npos);

  auto m = Parse(testing::ReadFixture("tiny_seed_v1.json"));
  ASSERT_TRUE(m.ok());
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/hr_model_roundtrip.json";
  ASSERT_TRUE(WriteFileAtomic(**m, path).ok());
  auto again = ReadFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Serialize(**again), Serialize(**m));
  auto denied = WriteFileAtomic(**m, "/nonexistent/dir/model.json");
  EXPECT_FALSE(denied.ok());
}

}  // namespace
}  // namespace hr::modelfile
