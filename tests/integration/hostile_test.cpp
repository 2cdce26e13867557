// The bad-input corpus, black-box: every kind of hostile input the campaign tried against the
// real binary (HTTP requests and framing, batches, model files, measurement files) gets a clear
// answer: a 4xx JSON body naming the field where there is one, or a message and a non-zero exit;
// never a crash, never unbounded memory. Lambda events: lambda_runtime_test.cpp; pickles:
// tests/python/test_importer.py. CI also runs this under the asan preset.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "http_client.h"
#include "run_binary.h"

namespace hr::testing {
namespace {

const std::string kJson = "Content-Type: application/json";
const std::string kOk = R"("workload_type":"lightweight_api","payload_size_kb":5)";

std::string Nest(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string WithPayload(const std::string& number) {
  return R"({"workload_type":"lightweight_api","payload_size_kb":)" + number + "}";
}

struct HttpCase {
  std::string name;
  std::string raw;  // a whole request as sent on the socket
  int status;       // 200: hostile but valid, must be answered
  std::string code, field;
};

HttpCase Post(std::string name, const std::string& path, const std::string& body, int status,
              std::string code = "", std::string field = "",
              std::vector<std::string> headers = {kJson}) {
  return {std::move(name), BuildRequest("POST", path, body, headers), status, std::move(code),
          std::move(field)};
}

std::vector<HttpCase> HttpCorpus() {
  std::string many_keys = "{" + kOk;
  for (int i = 0; i < 20000; ++i)
    many_keys += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  many_keys += "}";
  std::string thousand_and_one = "[";
  for (int i = 0; i < 1001; ++i) thousand_and_one += (i ? ",{" : "{") + kOk + "}";
  thousand_and_one += "]";
  std::string numbers = "[";
  for (int i = 0; i < 100000; ++i) numbers += (i ? ",1" : "1");
  numbers += "]";
  return {
      Post("deep unknown field", "/predict", "{" + kOk + ",\"x\":" + Nest(100000) + "}", 400,
           "invalid_json"),
      Post("65 levels", "/predict", "{" + kOk + ",\"x\":" + Nest(64) + "}", 400, "invalid_json"),
      Post("open brackets", "/predict", std::string(500000, '['), 400, "invalid_json"),
      Post("long mantissa", "/predict", WithPayload("0." + std::string(540, '0') + "3347797894"),
           200),
      Post("1e400", "/predict", WithPayload("1e400"), 400, "out_of_range", "payload_size_kb"),
      Post("-1e400", "/predict", WithPayload("-1e400"), 400, "out_of_range", "payload_size_kb"),
      Post("0e40", "/predict", WithPayload("0e40"), 200),
      Post("1e-400", "/predict", WithPayload("1e-400"), 200),
      Post("400-digit integer", "/predict", WithPayload(std::string(400, '9')), 400, "out_of_range",
           "payload_size_kb"),
      Post("-0", "/predict", WithPayload("-0"), 200),
      Post("NaN", "/predict", WithPayload("NaN"), 400, "invalid_json"),
      Post("Infinity", "/predict", WithPayload("Infinity"), 400, "invalid_json"),
      Post("hex", "/predict", WithPayload("0x10"), 400, "invalid_json"),
      Post("leading zeros", "/predict", WithPayload("007"), 400, "invalid_json"),
      Post("plus sign", "/predict", WithPayload("+5"), 400, "invalid_json"),
      Post("bare fraction", "/predict", WithPayload(".5"), 400, "invalid_json"),
      Post("bare point", "/predict", WithPayload("5."), 400, "invalid_json"),
      Post("bad UTF-8 value", "/predict", "{\"workload_type\":\"light\xff\",\"payload_size_kb\":5}",
           400, "invalid_json"),
      Post("bad UTF-8 key", "/predict", "{" + kOk + ",\"k\xc3\x28\":1}", 400, "invalid_json"),
      Post("overlong UTF-8", "/predict", "{" + kOk + ",\"k\":\"\xc0\xaf\"}", 400, "invalid_json"),
      Post("lone surrogate", "/predict", R"({"workload_type":"\ud800","payload_size_kb":5})", 400,
           "invalid_json"),
      Post("raw NUL", "/predict",
           std::string("{\"workload_type\":\"a\0b\",\"payload_size_kb\":5}", 43), 400,
           "invalid_json"),
      Post("escaped NUL", "/predict",
           R"({"workload_type":"lightweight_api\u0000","payload_size_kb":5})", 400, "unknown_value",
           "workload_type"),
      Post("control character", "/predict", "{\"workload_type\":\"a\x01\",\"payload_size_kb\":5}",
           400, "invalid_json"),
      Post("trailing garbage", "/predict", "{" + kOk + "} x", 400, "invalid_json"),
      Post("second document", "/predict", "{" + kOk + "}{}", 400, "invalid_json"),
      Post("empty body", "/predict", "", 400, "invalid_json"),
      Post("whitespace body", "/predict", " \n\t ", 400, "invalid_json"),
      Post("900 KB value", "/predict",
           R"({"payload_size_kb":5,"workload_type":")" + std::string(900000, 'a') + "\"}", 400,
           "unknown_value", "workload_type"),
      Post("20,000 unknown keys", "/predict", many_keys, 200),
      Post("duplicate key", "/predict", "{" + kOk + ",\"payload_size_kb\":6}", 400, "invalid_json",
           "payload_size_kb"),
      Post("array body", "/predict", "[1,2]", 400, "wrong_type"),
      Post("number body", "/predict", "42", 400, "wrong_type"),
      Post("string body", "/predict", "\"lightweight_api\"", 400, "wrong_type"),
      Post("null body", "/predict", "null", 400, "wrong_type"),
      Post("comment", "/predict", "{" + kOk + " /* c */}", 400, "invalid_json"),
      Post("single quotes", "/predict", "{'workload_type':'lightweight_api','payload_size_kb':5}",
           400, "invalid_json"),
      Post("text/plain", "/predict", "{" + kOk + "}", 415, "unsupported_media_type", "",
           {"Content-Type: text/plain"}),
      Post("10 KB request_id", "/predict",
           "{" + kOk + ",\"request_id\":\"" + std::string(10240, 'r') + "\"}", 200),
      Post("request_id with CRLF", "/predict", "{" + kOk + R"(,"request_id":"a\r\nX-Evil: 1"})",
           200),
      Post("impossible timestamp", "/predict",
           "{" + kOk + R"(,"timestamp":"9999-99-99T99:99:99Z"})", 400, "invalid_timestamp",
           "timestamp"),
      Post("10 KB timestamp", "/predict",
           "{" + kOk + ",\"timestamp\":\"" + std::string(10240, '2') + "\"}", 400,
           "invalid_timestamp", "timestamp"),
      Post("payload above 10 GB", "/predict", WithPayload("1e12"), 400, "out_of_range",
           "payload_size_kb"),
      Post("bool payload", "/predict", WithPayload("true"), 400, "wrong_type", "payload_size_kb"),
      {"body over the limit",
       "POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n{", 413,
       "payload_too_large", ""},
      {"chunk larger than the limit",
       "POST /predict HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
       "fffffffffff\r\n{",
       413, "payload_too_large", ""},
      {"bad chunk size",
       "POST /predict HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
       "chunked\r\n\r\nzz\r\n{\r\n0\r\n\r\n",
       400, "invalid_http", ""},
      {"bad UTF-8 path",
       BuildRequest("GET",
                    "/n\xff\xfe"
                    "owhere",
                    "", {}),
       404, "not_found", ""},
      {"8 KB path", BuildRequest("GET", "/" + std::string(8192, 'p'), "", {}), 404, "not_found",
       ""},
      {"unknown method", BuildRequest("BREW", "/predict", "", {}), 405, "method_not_allowed", ""},
      {"headers over 16 KB",
       "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'h') + "\r\n\r\n", 431,
       "headers_too_large", ""},
      {"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, "invalid_http", ""},
      {"garbage request line", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400,
       "invalid_http", ""},
      {"absolute-form target", BuildRequest("GET", "http://evil.example/predict", "", {}), 404,
       "not_found", ""},
      Post("batch: 1,001 requests", "/predict/batch", thousand_and_one, 413, "payload_too_large",
           "requests"),
      Post("batch: 100,000 numbers", "/predict/batch", numbers, 413, "payload_too_large",
           "requests"),
      Post("batch: long mantissa item", "/predict/batch",
           "[" + WithPayload("0." + std::string(540, '0') + "3347797894") + "]", 200),
      Post("batch: requests not an array", "/predict/batch", R"({"requests":5})", 400, "wrong_type",
           "requests"),
      Post("batch: requests twice", "/predict/batch", R"({"requests":[],"requests":[]})", 400,
           "invalid_json", "requests"),
      Post("batch: no requests", "/predict/batch", "{}", 400, "missing_field", "requests"),
      Post("batch: item nested 65 deep", "/predict/batch", "[{" + kOk + ",\"x\":" + Nest(63) + "}]",
           400, "invalid_json"),
      Post("batch: string body", "/predict/batch", "\"x\"", 400, "wrong_type"),
  };
}

simdjson::dom::element Parse(simdjson::dom::parser& p, const std::string& text, bool& ok) {
  simdjson::dom::element e;
  ok = p.parse(text).get(e) == simdjson::SUCCESS;
  return e;
}

// Each case on its own connection: the answer's status, code and field as expected, the body valid
// JSON; and the server still serving afterwards.
TEST(Hostile, HttpRequestsAreAnsweredWithClearErrors) {
  ServerProcess s({"--threads", "2"});
  ASSERT_GT(s.port(), 0) << s.Stderr();
  const auto corpus = HttpCorpus();
  size_t kinds = 0;
  simdjson::dom::parser p;
  for (const auto& c : corpus) {
    Connection conn(s.port());
    ASSERT_TRUE(conn.ok());
    conn.Send(c.raw);
    const HttpResponse r = conn.Read(10000);
    ASSERT_EQ(r.status, c.status) << c.name << "\n" << r.body.substr(0, 300);
    bool ok = false;
    auto doc = Parse(p, r.body, ok);
    ASSERT_TRUE(ok) << c.name << ": the answer is not JSON: " << r.body.substr(0, 300);
    if (c.status == 200) {
      EXPECT_TRUE(doc["prediction"].is_object() || doc["results"].is_array()) << c.name;
    } else {
      EXPECT_EQ(doc["error"]["code"].get_string().value(), c.code)
          << c.name << ": " << r.body.substr(0, 300);
      EXPECT_FALSE(doc["error"]["message"].get_string().value().empty()) << c.name;
      if (!c.field.empty()) {
        EXPECT_EQ(doc["error"]["field"].get_string().value(), c.field) << c.name;
      }
    }
    EXPECT_EQ(r.headers.count("x-evil"), 0u) << c.name;
    ++kinds;
  }
  EXPECT_GE(kinds, 60u);
  EXPECT_EQ(Call(s.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(s.Stop(), 0) << "the server must survive the corpus and stop cleanly";
  EXPECT_EQ(s.Stderr().find("\"level\":\"error\""), std::string::npos) << s.Stderr();
}

// Found by the campaign: `[` x 1,000,000 in a batch body (with --max-body-kb 4096) crashed serve.
TEST(Hostile, AMillionOpenBracketsInABatch) {
  ServerProcess s({"--threads", "1", "--max-body-kb", "4096"});
  ASSERT_GT(s.port(), 0) << s.Stderr();
  auto r = Call(s.port(), "POST", "/predict/batch", std::string(1'000'000, '['));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("nested deeper than 64"), std::string::npos) << r.body;
  EXPECT_EQ(Call(s.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(s.Stop(), 0);
}

struct FileCase {
  std::string name;
  std::string path;
  std::string message;  // part of what the user is told
};

std::string TempPath(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/hr_hostile";
  std::filesystem::create_directories(dir);
  return dir + "/" + name;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::vector<FileCase> ModelCorpus() {
  const std::string good = Slurp(std::string(HR_SOURCE_DIR) + "/models/default.json");
  std::string with_big_weight = good;
  const size_t at = with_big_weight.find("\"weights\"");
  const size_t num = with_big_weight.find_first_of("-0123456789", at);
  with_big_weight.replace(num, with_big_weight.find_first_of(",]", num) - num, "1e999");
  std::string wrong_format = good;
  wrong_format.replace(wrong_format.find("hybrid-router-model"), 19, "other-router-modelx");
  std::string version = good;
  const size_t v = version.find("\"format_version\"");
  version.replace(version.find_first_of("0123456789", v), 1, "99");
  std::mt19937 rng(7);
  std::string random_bytes(4096, '\0');
  for (auto& c : random_bytes) c = static_cast<char>(rng());
  std::string deep_metadata = good;
  deep_metadata.replace(deep_metadata.find("\"metadata\"") + 11, 0,
                        "{\"deep\":" + Nest(300) + ",\"m\":");
  deep_metadata.replace(deep_metadata.rfind('}'), 0, "}");
  const std::string sparse = TempPath("model_300mb.json");
  { std::ofstream(sparse) << "{"; }
  std::filesystem::resize_file(sparse, 300u << 20);
  return {
      {"281 KB of nested brackets",
       WriteFile("nested.json", std::string(140000, '[') + std::string(141000, ']')),
       "nested deeper than 256"},
      {"not JSON", WriteFile("text.json", "this is not a model"), "not valid JSON"},
      {"empty", WriteFile("empty.json", ""), "not valid JSON"},
      {"truncated", WriteFile("half.json", good.substr(0, good.size() / 2)), "not valid JSON"},
      {"weight beyond a double", WriteFile("big_weight.json", with_big_weight),
       "beyond the range of a double"},
      {"another format", WriteFile("format.json", wrong_format), "format"},
      {"format version 99", WriteFile("version.json", version), "version"},
      {"random bytes", WriteFile("random.json", random_bytes), "model file"},
      {"metadata nested 300 deep", WriteFile("deep_meta.json", deep_metadata),
       "nested deeper than 256"},
      {"300 MB file", sparse, "larger than the limit of 64 MB"},
      {"a directory", TempPath(""), "model"},
      {"/dev/zero", "/dev/zero", "larger than the limit of 64 MB"},
      {"no such file", TempPath("missing.json"), "cannot open"},
  };
}

TEST(Hostile, ModelFilesAreRefusedWithTheReason) {
  size_t kinds = 0;
  for (const auto& c : ModelCorpus()) {
    auto r = RunCli("predict --model " + Quote(c.path) + " '{" + kOk + "}'");
    EXPECT_GT(r.exit_code, 0) << c.name;
    EXPECT_LT(r.exit_code, 64) << c.name << ": a crash, not an error exit\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.name << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.name;
    ++kinds;
  }
  EXPECT_GE(kinds, 13u);
}

// Reload of a hostile file while serving: refused with its reason, the old model keeps serving.
TEST(Hostile, ReloadingAHostileModelKeepsTheOldOne) {
  const std::string model = TempPath("served.json");
  std::filesystem::copy_file(std::string(HR_SOURCE_DIR) + "/models/default.json", model,
                             std::filesystem::copy_options::overwrite_existing);
  const std::string key = "hostile-key-0123456789";
  ServerProcess s({"--threads", "2", "--model", model}, {"HYBRID_ROUTER_API_KEYS=" + key});
  ASSERT_GT(s.port(), 0) << s.Stderr();
  const std::vector<std::string> auth = {"x-api-key: " + key};
  for (const auto& c : ModelCorpus()) {
    if (c.path == "/dev/zero" || c.name == "a directory" || c.name == "no such file") continue;
    std::filesystem::copy_file(c.path, model, std::filesystem::copy_options::overwrite_existing);
    auto r = Call(s.port(), "POST", "/admin/reload", "", auth);
    EXPECT_EQ(r.status, 500) << c.name << ": " << r.body;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << c.name << ": " << r.body;
    auto ok = Call(s.port(), "POST", "/predict", "{" + kOk + "}", {kJson, auth[0]});
    EXPECT_EQ(ok.status, 200) << c.name << ": " << ok.body;
    EXPECT_NE(ok.body.find("hybrid-router MLP"), std::string::npos) << c.name;
  }
  EXPECT_EQ(s.Stop(), 0);
}

// Writes `copies` gzip members each holding `block`: a few KB that decompress to copies x block.
std::string GzipBomb(const std::string& name, const std::string& block, int copies) {
  const std::string member_path = TempPath(name + ".member");
  gzFile gz = gzopen(member_path.c_str(), "wb9");
  gzwrite(gz, block.data(), static_cast<unsigned>(block.size()));
  gzclose(gz);
  const std::string member = Slurp(member_path);
  std::filesystem::remove(member_path);
  const std::string path = TempPath(name);
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < copies; ++i) out << member;
  return path;
}

long MaxChildRssMb() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return u.ru_maxrss / 1024;
}

// Found by the campaign: a 19 KB gzip of newlines took 2.17 GB resident in audit, a 4.3 MB gzip
// bomb 1.6 GB. Both now stay under 200 MB peak (this test runs in its own process, so the peak of
// its children is these audits').
TEST(Hostile, GzipBombsStayUnder200MbInAudit) {
  const std::string newlines = GzipBomb("newlines.jsonl.gz", std::string(1 << 20, '\n'), 20);
  const std::string zeros =
      GzipBomb("zeros.jsonl.gz", std::string(16 << 20, '\0'), 64);  // 1 GB, one line
  ASSERT_LT(std::filesystem::file_size(newlines), 64u << 10);
  ASSERT_LT(std::filesystem::file_size(zeros), 2u << 20);
  // Neither has a readable record: the report, then exit 2 (CliAudit.DataWithoutOneReadable...).
  auto a = RunCli("audit --json " + Quote(newlines));
  ASSERT_EQ(a.exit_code, 2) << a.err;
  EXPECT_NE(a.out.find(R"("empty line":20971520)"), std::string::npos) << a.out.substr(0, 400);
  auto b = RunCli("audit --json " + Quote(zeros));
  ASSERT_EQ(b.exit_code, 2) << b.err;
  EXPECT_NE(b.out.find("line longer than 1048576 bytes"), std::string::npos)
      << b.out.substr(0, 400);
  EXPECT_LT(MaxChildRssMb(), 200);
  auto strict = RunCli("audit --strict " + Quote(newlines));
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_NE(strict.err.find("newlines.jsonl.gz:1: empty line (--strict)"), std::string::npos)
      << strict.err;
}

TEST(Hostile, DamagedMeasurementFilesAreAccountedFor) {
  const std::string dir = TempPath("data");
  std::filesystem::create_directories(dir);
  const std::string good =
      R"({"platform":"ecs","workload_type":"heavy_processing","timestamp":"2025-11-22T19:35:41","http_status":200,)"
      R"("response_time_ms":871,"target_payload_size_kb":1,"metrics":{"execution_time_ms":123.1,"memory_used_mb":70}})";
  std::mt19937 rng(11);
  std::string random_bytes(8192, '\0');
  for (auto& c : random_bytes) c = static_cast<char>(rng());
  const std::pair<std::string, std::string> files[] = {
      {"binary.jsonl", random_bytes},
      {"deep.jsonl", Nest(100000) + "\n" + good},
      {"utf8.jsonl", "{\"platform\":\"ecs\xff\"}\n" + good},
      {"nul.jsonl", std::string("{\"platform\":\0}\n", 15) + good},
      {"numbers.jsonl",
       R"({"platform":"ecs","workload_type":"heavy_processing","timestamp":"2025-11-22T19:35:41",)"
       R"("http_status":200,"response_time_ms":1e999,"target_payload_size_kb":-1,)"
       R"("metrics":{"execution_time_ms":-5,"memory_used_mb":70}})"
       "\n" +
           good},
      {"crlf.jsonl", good + "\r\n" + good + "\r\n"},
      {"huge_status.jsonl", R"({"http_status":99999999999999999999999})"
                            "\n" +
                                good},
  };
  for (const auto& [name, bytes] : files) WriteFile("data/" + name, bytes);
  {
    const std::string cut = dir + "/cut.jsonl.gz";
    gzFile gz = gzopen(cut.c_str(), "wb");
    for (int i = 0; i < 200; ++i)
      gzwrite(gz, (good + "\n").data(), static_cast<unsigned>(good.size() + 1));
    gzclose(gz);
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) / 2);
  }
  auto r = RunCli("audit --json " + Quote(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser p;
  bool ok = false;
  auto doc = Parse(p, r.out, ok);
  ASSERT_TRUE(ok) << r.out.substr(0, 300);
  auto input = doc["summary"];
  EXPECT_EQ(input["files"].get_uint64().value(), 8u);
  EXPECT_GE(input["accepted"].get_uint64().value(), 7u);
  const std::string reasons = simdjson::to_string(doc["rejections_by_reason"]);
  for (const char* kind :
       {"malformed JSON", "gzip stream damaged", "not a JSON object",
        "'http_status' has the wrong type", "'response_time_ms' has the wrong type"}) {
    EXPECT_NE(reasons.find(kind), std::string::npos) << kind << " in " << reasons;
  }
}

}  // namespace
}  // namespace hr::testing
