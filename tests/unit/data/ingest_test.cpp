// Ingest of damaged logs: every line is accounted for, with file, line and a reason naming the
// problem; nothing crashes (these tests also run under the asan preset).
#include "data/ingest.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>

#include "data/audit.h"
#include "data/derive.h"

namespace hr::data {
namespace {

const std::string kCorrupt = std::string(HR_TEST_DATA_DIR) + "/corrupt";

struct ByFile {
  FileSummary summary;
  std::vector<Rejection> rejections;
  std::vector<Record> records;
};

std::map<std::string, ByFile> Split(const Dataset& ds) {
  std::map<std::string, ByFile> out;
  for (size_t i = 0; i < ds.files.size(); ++i) {
    const std::string name = ds.files[i].path.substr(ds.files[i].path.rfind('/') + 1);
    out[name].summary = ds.files[i];
    for (const auto& r : ds.rejections) {
      if (r.file == i) out[name].rejections.push_back(r);
    }
    for (const auto& r : ds.records) {
      if (r.file == i) out[name].records.push_back(r);
    }
  }
  return out;
}

bool HasReason(const ByFile& f, uint32_t line, const std::string& text) {
  for (const auto& r : f.rejections) {
    if (r.line == line && r.reason.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Ingest, AccountsForEveryLineOfDamagedFiles) {
  auto ds = Ingest({kCorrupt});
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  auto files = Split(*ds);
  ASSERT_EQ(files.size(), 7u);
  for (const auto& [name, f] : files) {
    EXPECT_EQ(f.summary.accepted, f.records.size()) << name;
    EXPECT_EQ(f.summary.rejected, f.rejections.size()) << name;
    uint32_t file_level = 0;
    for (const auto& r : f.rejections) file_level += r.line == 0;
    EXPECT_EQ(f.summary.lines + file_level, f.summary.accepted + f.summary.rejected) << name;
  }

  const auto& truncated = files["truncated.jsonl"];
  EXPECT_EQ(truncated.records.size(), 2u);
  EXPECT_TRUE(HasReason(truncated, 2, "malformed JSON"));
  EXPECT_TRUE(HasReason(truncated, 4, "malformed JSON"));

  const auto& garbage = files["garbage.jsonl"];
  EXPECT_EQ(garbage.records.size(), 1u);  // the one real line among the noise
  EXPECT_EQ(garbage.rejections.size(), garbage.summary.lines - 1);

  const auto& wrong = files["wrong_types.jsonl"];
  ASSERT_EQ(wrong.records.size(), 1u);
  EXPECT_EQ(wrong.records[0].line, 13u);
  const std::pair<uint32_t, const char*> expected[] = {
      {1, "'http_status' must be a whole number"},
      {2, "'response_time_ms' must be a number"},
      {3, "'metrics' must be an object"},
      {4, "'platform' must be a string"},
      {5, "unknown platform 'fargate'"},
      {6, "workload_type 'video' is not one of"},
      {7, "timestamp 'yesterday'"},
      {8, "'metrics.execution_time_ms' must be a number"},
      {9, "time_window 'noon' is not one of"},
      {10, "negative or non-finite"},
      {11, "not a JSON object"},
      {12, "not a JSON object"},
      {14, "malformed JSON"},
      {15, "'metrics.cold_start' must be true or false"},
      {16, "'metrics.memory_used_mb' must be a number"},
      {17, "missing field 'http_status'"},
  };
  for (const auto& [line, text] : expected)
    EXPECT_TRUE(HasReason(wrong, line, text)) << line << ": " << text;

  EXPECT_TRUE(HasReason(files["empty.jsonl"], 0, "empty file"));
  EXPECT_TRUE(HasReason(files["blank_lines.jsonl"], 1, "empty line"));
  EXPECT_TRUE(HasReason(files["blank_lines.jsonl"], 2, "empty line"));

  const auto& cut = files["cut.jsonl.gz"];
  EXPECT_TRUE(HasReason(cut, 0, "gzip stream damaged or cut short"));
  EXPECT_GE(cut.records.size(), 1u);  // what was complete before the cut is still read

  const auto& older = files["older_log.jsonl"];
  ASSERT_EQ(older.records.size(), 2u);
  // Derived as route derives them: 19:35 is in the evening (18-20); two arrivals are low load.
  EXPECT_EQ(older.records[0].time_window, features::TimeWindow::kEvening);
  EXPECT_EQ(older.records[0].load_pattern, features::LoadPattern::kLowLoad);
  EXPECT_EQ(older.records[0].derived, kDerivedTimeWindow | kDerivedLoadPattern);
}

// An earlier campaign's log (tests/data/earlier_campaign: shipped records stripped of
// target_payload_size_kb, time_window and load_pattern, half of them also of
// actual_payload_size_kb): every record kept, each field derived and counted, and a line lacking
// several required fields names them all.
TEST(Ingest, AnEarlierCampaignsLogIsReadWithItsMissingFieldsDerived) {
  auto ds = Ingest({std::string(HR_TEST_DATA_DIR) + "/earlier_campaign"});
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  const uint64_t n = ds->records.size();
  ASSERT_EQ(n, 340u);
  EXPECT_EQ(ds->derived.time_window, n);
  EXPECT_EQ(ds->derived.load_pattern, n);
  EXPECT_EQ(ds->derived.payload(), n);
  EXPECT_GT(ds->derived.payload_actual, 0u);
  EXPECT_GT(ds->derived.payload_metrics, 0u);
  for (const Record& r : ds->records) {
    ASSERT_TRUE(r.time_window && r.load_pattern);
    EXPECT_EQ(*r.time_window, features::TimeWindowOfHour(r.hour));
    EXPECT_GT(r.target_payload_kb, 0);
  }
  ASSERT_EQ(ds->rejected, 2u);
  EXPECT_EQ(ds->rejections[0].reason,
            "missing fields 'timestamp', 'response_time_ms', 'metrics.execution_time_ms'");
  EXPECT_EQ(ds->rejections[1].reason, "missing fields 'platform', 'target_payload_size_kb'");
  EXPECT_EQ(DerivedSummary(ds->derived).substr(0, 43),
            "340 time_window from the timestamp's hour, ");
}

const std::string kGoodLine =
    R"({"platform":"lambda","workload_type":"lightweight_api","timestamp":"2025-11-22T19:35:41.196206",)"
    R"("http_status":200,"response_time_ms":871,"target_payload_size_kb":1,"actual_payload_size_kb":1.05,)"
    R"("time_window":"early_morning","load_pattern":"low_load","metrics":{"execution_time_ms":123.1,)"
    R"("memory_used_mb":"128","memory_limit_mb":"128","cold_start":true}})";

// Writes `copies` gzip members each holding `block` (zlib reads concatenated members as one
// stream), so a file of a few KB decompresses to `copies * block.size()` bytes.
std::string WriteGzipBomb(const std::string& name, const std::string& block, int copies,
                          const std::string& tail = "") {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::string member;
  {
    const std::string one = ::testing::TempDir() + "/" + name + ".member";
    gzFile gz = gzopen(one.c_str(), "wb9");
    gzwrite(gz, block.data(), static_cast<unsigned>(block.size()));
    gzclose(gz);
    std::ifstream in(one, std::ios::binary);
    member.assign(std::istreambuf_iterator<char>(in), {});
    std::remove(one.c_str());
  }
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < copies; ++i) out << member;
  if (!tail.empty()) {
    const std::string t = path + ".tail";
    gzFile gz = gzopen(t.c_str(), "wb");
    gzwrite(gz, tail.data(), static_cast<unsigned>(tail.size()));
    gzclose(gz);
    std::ifstream in(t, std::ios::binary);
    out << std::string(std::istreambuf_iterator<char>(in), {});
    std::remove(t.c_str());
  }
  return path;
}

// Found by the bad-input campaign: a 19 KB gzip of newlines took 2.17 GB resident (every empty
// line kept as a rejection). Now every line is counted, the first 100 kept.
TEST(Ingest, AGzipOfNewlinesIsCountedNotKept) {
  const std::string path =
      WriteGzipBomb("newlines.jsonl.gz", std::string(1 << 20, '\n'), 4, kGoodLine + "\n");
  auto ds = Ingest({path});
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  EXPECT_EQ(ds->files[0].lines, (4u << 20) + 1);
  EXPECT_EQ(ds->records.size(), 1u);
  EXPECT_EQ(ds->records[0].line, (4u << 20) + 1);
  EXPECT_EQ(ds->rejected, 4u << 20);
  EXPECT_EQ(ds->rejections.size(), 100u);
  EXPECT_EQ(ds->rejections.back().line, 100u);
  ASSERT_EQ(ds->rejection_kinds.size(), 1u);
  EXPECT_EQ(ds->rejection_kinds[0], (std::pair<std::string, uint64_t>{"empty line", 4u << 20}));
  const AuditReport a = Audit(*ds);
  EXPECT_EQ(a.rejected, 4u << 20);
}

// Found by fuzz_request (the same simdjson 3.0.1 misreading): numbers come from their text.
TEST(Ingest, LongMantissasAreReadCorrectly) {
  std::string line = kGoodLine;
  line.replace(line.find("123.1"), 5, "0.000200000000000000200000047797894");
  auto r = ParseRecordLine(line);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->execution_time_ms, 0.0002000000000000002);
}

// A line longer than the limit is one rejection and is never held whole; a file beyond the
// decompressed limit is read up to it and reported.
TEST(Ingest, LongLinesAndHugeFilesAreBounded) {
  const std::string path = WriteGzipBomb("long_line.jsonl.gz", std::string(1 << 20, 'x'), 3,
                                         "\n" + kGoodLine + "\n" + kGoodLine);
  auto ds = Ingest({path});
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  EXPECT_EQ(ds->files[0].lines, 3u);
  EXPECT_EQ(ds->records.size(), 2u);
  ASSERT_EQ(ds->rejections.size(), 1u);
  EXPECT_EQ(ds->rejections[0].line, 1u);
  EXPECT_NE(ds->rejections[0].reason.find("line longer than 1048576 bytes"), std::string::npos);

  IngestOptions small;
  small.max_file_bytes = 1 << 20;
  auto cut = Ingest({WriteGzipBomb("big.jsonl.gz", kGoodLine + "\n", 10000)}, small);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->files[0].accepted, (1u << 20) / (kGoodLine.size() + 1));
  ASSERT_EQ(cut->rejected, 2u);  // the line cut at the limit, and the file
  EXPECT_NE(cut->rejections.back().reason.find("larger than 1048576 bytes decompressed"),
            std::string::npos);
}

TEST(Ingest, RequireRecordsRefusesADataSetWithoutOneWithTheCounts) {
  auto ds = Ingest({kCorrupt + "/blank_lines.jsonl"});
  ASSERT_TRUE(ds.ok());
  ASSERT_TRUE(ds->records.empty());
  auto s = RequireRecords(*ds);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, core::ErrorCode::kInvalidArgument);  // exit 2
  EXPECT_NE(s.error().message.find("no readable measurement: 0 of " +
                                   std::to_string(ds->files[0].lines) + " lines"),
            std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find("blank_lines.jsonl:1: "), std::string::npos)
      << s.error().message;
  EXPECT_TRUE(RequireRecords(*Ingest({kCorrupt})).ok());
}

TEST(Ingest, StrictFailsOnTheFirstRejection) {
  auto ds = Ingest({kCorrupt + "/truncated.jsonl"}, {true});
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("truncated.jsonl:2"), std::string::npos) << ds.error().message;
  EXPECT_TRUE(Ingest({kCorrupt + "/older_log.jsonl"}, {true}).ok());
}

TEST(Ingest, MissingPathsAndEmptyDirectoriesAreErrors) {
  EXPECT_EQ(Ingest({"/nonexistent/logs"}).error().code, core::ErrorCode::kIo);
  EXPECT_NE(Ingest({std::string(HR_TEST_DATA_DIR) + "/../unit"}).error().message.find("no *.jsonl"),
            std::string::npos);
}

TEST(Audit, SurvivesDamagedInput) {
  auto ds = Ingest({kCorrupt});
  ASSERT_TRUE(ds.ok());
  const AuditReport a = Audit(*ds);
  EXPECT_EQ(a.accepted, ds->records.size());
  EXPECT_EQ(a.rejected, ds->rejections.size());
  uint64_t by_reason = 0;
  for (const auto& [reason, n] : a.rejection_reasons) by_reason += n;
  EXPECT_EQ(by_reason, a.rejected);
}

TEST(Audit, NamesEveryKnownFlawOfTheShippedData) {
  auto ds = Ingest({std::string(HR_SOURCE_DIR) + "/data/aws-measurements"});
  ASSERT_TRUE(ds.ok());
  const AuditReport a = Audit(*ds);
  std::map<std::string, std::string> found;
  for (const auto& f : a.findings) found[f.id] += f.evidence;
  for (const char* id : {"censoring", "response_time_ceiling", "label_ceiling", "time_window_clock",
                         "weekend_only", "ecs_cost_prorated", "lambda_memory_mismatch"}) {
    EXPECT_TRUE(found.count(id)) << id;
  }
  // The numbers behind them, as docs/design.md states them for this data.
  // From the load schedules (low 1 h at 5/s twice, medium 1 h at 15/s, burst 20 min, one 1 h ramp
  // 5 -> 25/s logged in two folders): 157,500 sent, 88,161 logged; heavy on ECS about 3 %.
  EXPECT_NEAR(a.expected_sent, 157500, 1);
  EXPECT_EQ(a.logged, 88161);
  EXPECT_NEAR(a.logged_share, 0.56, 0.005);
  for (const auto& f : a.findings) {
    if (f.id == "censoring") {
      EXPECT_EQ(f.title.rfind("44% of the requests sent", 0), 0u) << f.title;
    }
  }
  EXPECT_NE(found["censoring"].find("heavy_processing on ECS: 3.2% logged"), std::string::npos)
      << found["censoring"];
  EXPECT_NEAR(a.ceiling[1].max_ms, 10200, 50);
  EXPECT_GT(a.label_ceiling_accuracy, 0.69);
  EXPECT_LT(a.label_ceiling_accuracy, 0.70);
  EXPECT_NE(found["censoring"].find("heavy_processing on ECS"), std::string::npos);
  EXPECT_NE(found["lambda_memory_mismatch"].find("heavy_processing 512 vs 2048"),
            std::string::npos);
  ASSERT_EQ(a.constant_features.size(), 1u);
  EXPECT_EQ(a.constant_features[0].name, "is_weekend");
}

}  // namespace
}  // namespace hr::data
