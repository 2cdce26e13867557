#include "data/ingest.h"

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <thread>

#include "core/mix.h"
#include "data/derive.h"
#include "json/json_reader.h"

namespace hr::data {

namespace {

namespace fs = std::filesystem;
namespace od = simdjson::ondemand;
using core::ErrorCode;
using core::MakeError;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

core::Error Reject(std::string reason) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(reason));
}

bool IsLogFile(const fs::path& p) {
  const std::string name = p.filename().string();
  auto ends = [&](std::string_view s) {
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".jsonl") || ends(".jsonl.gz");
}

// A number's value from its text: Debian's simdjson 3.0.1 misreads some long mantissas
// (0.000200000000000000200000047797894 as 1.58e-14); std::from_chars rounds correctly.
simdjson::error_code ExactDouble(od::value v, double& out) {
  if (auto err = v.get_double().get(out)) return err;
  return json::ParseJsonDouble(v.raw_json_token(), out) ? simdjson::SUCCESS
                                                        : simdjson::NUMBER_ERROR;
}

// A number, or a string holding one ("512", as Lambda logs memory).
simdjson::error_code NumberOrNumericString(od::value v, double& out) {
  od::json_type t;
  if (auto err = v.type().get(t)) return err;
  if (t == od::json_type::number) return ExactDouble(v, out);
  if (t != od::json_type::string) return simdjson::INCORRECT_TYPE;
  std::string_view s;
  if (auto err = v.get_string().get(s)) return err;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
}

struct Fields {
  std::optional<std::string_view> platform, workload, timestamp, time_window, load_pattern;
  std::optional<int64_t> http_status;
  std::optional<double> response_ms, target_kb, exec_ms, mem_used, mem_limit, metrics_kb;
  double actual_kb = kNaN;
  int8_t cold_start = -1;
  bool has_metrics = false;
  RouteCounts route;  // from a `route{}` object: one attempt, its fallback flag and verdict
};

// The `route{}` object `route` writes: only the fallback flag and the outcome are counted; the
// rest is for the reader.
core::Status ReadRoute(od::object obj, RouteCounts& c) {
  c.attempts = 1;
  for (auto fr : obj) {
    od::field field;
    if (auto err = std::move(fr).get(field))
      return Reject(std::string("malformed JSON: ") + simdjson::error_message(err));
    std::string_view key;
    if (field.unescaped_key().get(key)) return Reject("malformed JSON key");
    if (key == "fallback") {
      bool b = false;
      if (field.value().get_bool().get(b))
        return Reject("field 'route.fallback' must be true or false");
      c.fallbacks = b ? 1 : 0;
    } else if (key == "outcome") {
      std::string_view o;
      if (field.value().get_string().get(o))
        return Reject("field 'route.outcome' must be a string");
      c.answered = o == "answered";
      c.not_run = o == "not_run";
      c.failed = o == "failed";
      c.config_errors = o == "config_error";
    }
  }
  return {};
}

core::Error WrongType(std::string_view field, const char* want) {
  return Reject("field '" + std::string(field) + "' must be " + want);
}

core::Status ReadMetrics(od::object metrics, Fields& f) {
  for (auto fr : metrics) {
    od::field field;
    if (auto err = std::move(fr).get(field))
      return Reject(std::string("malformed JSON: ") + simdjson::error_message(err));
    std::string_view key;
    if (field.unescaped_key().get(key)) return Reject("malformed JSON key");
    double d = 0;
    if (key == "execution_time_ms") {
      if (ExactDouble(field.value(), d)) return WrongType("metrics.execution_time_ms", "a number");
      f.exec_ms = d;
    } else if (key == "memory_used_mb") {
      if (NumberOrNumericString(field.value(), d))
        return WrongType("metrics.memory_used_mb", "a number");
      f.mem_used = d;
    } else if (key == "memory_limit_mb") {
      if (NumberOrNumericString(field.value(), d))
        return WrongType("metrics.memory_limit_mb", "a number");
      f.mem_limit = d;
    } else if (key == "payload_size_kb") {
      od::json_type t;
      if (field.value().type().get(t)) return Reject("malformed JSON");
      if (t != od::json_type::null) {
        if (ExactDouble(field.value(), d)) return WrongType("metrics.payload_size_kb", "a number");
        f.metrics_kb = d;
      }
    } else if (key == "cold_start") {
      bool b = false;
      if (field.value().get_bool().get(b)) return WrongType("metrics.cold_start", "true or false");
      f.cold_start = b ? 1 : 0;
    }
  }
  return {};
}

core::Status ReadFields(od::object obj, Fields& f) {
  for (auto fr : obj) {
    od::field field;
    if (auto err = std::move(fr).get(field))
      return Reject(std::string("malformed JSON: ") + simdjson::error_message(err));
    std::string_view key;
    if (field.unescaped_key().get(key)) return Reject("malformed JSON key");
    od::value v = field.value();
    std::string_view s;
    double d = 0;
    auto str = [&](std::optional<std::string_view>& out, bool nullable) -> core::Status {
      od::json_type t;
      if (auto err = v.type().get(t))
        return Reject(std::string("malformed JSON: ") + simdjson::error_message(err));
      if (nullable && t == od::json_type::null) return {};
      if (t != od::json_type::string || v.get_string().get(s)) return WrongType(key, "a string");
      out = s;
      return {};
    };
    core::Status st;
    if (key == "platform") {
      st = str(f.platform, false);
    } else if (key == "workload_type") {
      st = str(f.workload, false);
    } else if (key == "timestamp") {
      st = str(f.timestamp, false);
    } else if (key == "time_window") {
      st = str(f.time_window, true);
    } else if (key == "load_pattern") {
      st = str(f.load_pattern, true);
    } else if (key == "http_status") {
      int64_t i = 0;
      if (v.get_int64().get(i)) return WrongType(key, "a whole number");
      f.http_status = i;
    } else if (key == "response_time_ms") {
      if (ExactDouble(v, d)) return WrongType(key, "a number");
      f.response_ms = d;
    } else if (key == "target_payload_size_kb") {
      if (ExactDouble(v, d)) return WrongType(key, "a number");
      f.target_kb = d;
    } else if (key == "actual_payload_size_kb") {
      bool is_null = false;
      if (v.is_null().get(is_null)) return Reject("malformed JSON");
      if (!is_null) {
        if (ExactDouble(v, d)) return WrongType(key, "a number or null");
        f.actual_kb = d;
      }
    } else if (key == "metrics") {
      od::object m;
      if (v.get_object().get(m)) return WrongType(key, "an object");
      f.has_metrics = true;
      st = ReadMetrics(m, f);
    } else if (key == "route") {
      od::object m;
      if (v.get_object().get(m)) return WrongType(key, "an object");
      st = ReadRoute(m, f.route);
    }
    if (!st) return st;
  }
  return {};
}

// "missing field 'a'" or "missing fields 'a', 'b'": every required field a line lacks.
std::string MissingReason(const std::vector<std::string_view>& missing) {
  std::string out = missing.size() == 1 ? "missing field " : "missing fields ";
  for (size_t i = 0; i < missing.size(); ++i) {
    if (i) out += ", ";
    out += missing[i];
  }
  return out;
}

core::Result<Record> Build(const Fields& f, int* http_status) {
  if (f.http_status) {
    if (http_status) *http_status = static_cast<int>(*f.http_status);
    if (*f.http_status != 200) {
      return Reject("http_status " + std::to_string(*f.http_status) +
                    " (failed request, no measurement)");
    }
  }
  // Every required field that is missing, named at once (a payload is derived when what was sent
  // is logged: data/derive.h).
  const bool lambda = f.platform && *f.platform == "lambda";
  const bool payload_known = f.target_kb || std::isfinite(f.actual_kb) || f.metrics_kb;
  std::vector<std::string_view> missing;
  for (auto [present, name] :
       {std::pair{f.http_status.has_value(), "'http_status'"},
        {f.platform.has_value(), "'platform'"},
        {f.workload.has_value(), "'workload_type'"},
        {f.timestamp.has_value(), "'timestamp'"},
        {f.response_ms.has_value(), "'response_time_ms'"},
        {payload_known, "'target_payload_size_kb'"},
        {f.has_metrics, "'metrics'"},
        {!f.has_metrics || f.exec_ms, "'metrics.execution_time_ms'"},
        {!f.has_metrics || f.mem_used, "'metrics.memory_used_mb'"},
        {!f.has_metrics || !lambda || f.mem_limit, "'metrics.memory_limit_mb' (Lambda)"},
        {!f.has_metrics || !lambda || f.cold_start >= 0, "'metrics.cold_start' (Lambda)"}})
    if (!present) missing.push_back(name);
  if (!missing.empty()) return Reject(MissingReason(missing));
  Record r;
  if (*f.platform == "lambda") {
    r.platform = features::Platform::kLambda;
  } else if (*f.platform == "ecs") {
    r.platform = features::Platform::kEcs;
  } else {
    return Reject("unknown platform '" + std::string(f.platform->substr(0, 32)) +
                  "' (lambda, ecs)");
  }
  auto w = features::ParseWorkload(*f.workload);
  if (!w) return Reject(w.error().message);
  r.workload = *w;
  auto ts = core::ParseIso8601(*f.timestamp);
  if (!ts) return Reject(ts.error().message);
  r.timestamp_us = core::WallClockMicros(*ts);
  r.hour = static_cast<int8_t>(ts->hour);
  r.weekday = static_cast<int8_t>(core::Weekday(ts->year, ts->month, ts->day));
  if (f.time_window) {
    auto tw = features::ParseTimeWindow(*f.time_window);
    if (!tw) return Reject(tw.error().message);
    r.time_window = *tw;
  }
  if (f.load_pattern) {
    auto lp = features::ParseLoadPattern(*f.load_pattern);
    if (!lp) return Reject(lp.error().message);
    r.load_pattern = *lp;
  }
  r.response_time_ms = *f.response_ms;
  if (f.target_kb) {
    r.target_payload_kb = *f.target_kb;
  } else {  // an earlier campaign's line: what was sent
    r.target_payload_kb = std::isfinite(f.actual_kb) ? f.actual_kb : *f.metrics_kb;
    r.derived |= kDerivedPayload;
  }
  r.actual_payload_kb = f.actual_kb;
  r.execution_time_ms = *f.exec_ms;
  r.memory_used_mb = *f.mem_used;
  r.memory_limit_mb = f.mem_limit.value_or(kNaN);
  r.cold_start = f.cold_start;
  for (double v :
       {r.response_time_ms, r.target_payload_kb, r.execution_time_ms, r.memory_used_mb}) {
    if (!std::isfinite(v) || v < 0) return Reject("negative or non-finite measurement");
  }
  return r;
}

core::Result<Record> ParsePadded(od::parser& parser, simdjson::padded_string_view line,
                                 int* http_status, RouteCounts* route = nullptr) {
  od::document doc;
  if (auto err = parser.iterate(line).get(doc)) {
    return Reject(std::string("malformed JSON: ") + simdjson::error_message(err));
  }
  od::object obj;
  if (auto err = doc.get_object().get(obj)) {
    return Reject(err == simdjson::INCORRECT_TYPE
                      ? "not a JSON object"
                      : std::string("malformed JSON: ") + simdjson::error_message(err));
  }
  Fields f;
  const core::Status read = ReadFields(obj, f);
  if (route) *route = f.route;
  if (!read) return read.error();
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) return Reject("malformed JSON: content after the object");
  return Build(f, http_status);
}

// What one file gives: counts, the first rejections, records, and its bytes' hash.
struct FileResult {
  FileSummary summary;
  std::vector<Record> records;
  std::vector<Rejection> rejections;  // the first keep_rejections of this file
  std::map<std::string, uint64_t> kinds;
  uint64_t failed_requests = 0;
  RouteCounts routed;
  DerivedCounts derived;  // payloads (the context is derived over the whole data set)
  uint64_t hash = core::kFnv1aOffset;
  core::Status status;

  void Reject(const IngestOptions& o, uint16_t file, uint64_t line, std::string reason,
              int http_status) {
    ++summary.rejected;
    failed_requests += http_status != 0 && http_status != 200;
    ++kinds[ReasonKind(reason)];
    if (rejections.size() < o.keep_rejections) {
      rejections.push_back({file, static_cast<uint32_t>(std::min<uint64_t>(line, UINT32_MAX)),
                            std::move(reason), http_status});
    }
  }
};

std::string GzipDamage(gzFile gz, uint64_t used) {
  int errnum = 0;
  const char* msg = gzerror(gz, &errnum);
  return std::string("gzip stream damaged or cut short (") + (msg ? msg : "?") + ") after " +
         std::to_string(used) + " bytes";
}

// Streams a plain or gzip file line by line: memory is one read buffer plus at most one line of
// max_line_bytes, however large the (decompressed) file.
void ParseFile(od::parser& parser, const std::string& path, uint16_t file, const IngestOptions& o,
               FileResult& out) {
  out.summary.path = path;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) {
    out.status = MakeError(ErrorCode::kIo, "cannot open '" + path + "'");
    return;
  }
  gzbuffer(gz, 1 << 17);
  constexpr size_t kChunk = 1 << 18;
  const size_t max_line = std::max<size_t>(o.max_line_bytes, 16);
  // Room for a whole line, one read, and simdjson's padding after any line in it.
  std::string buf(max_line + kChunk + simdjson::SIMDJSON_PADDING, '\0');
  const size_t data_room = max_line + kChunk;
  size_t have = 0;   // bytes of data in buf
  size_t start = 0;  // where the current (incomplete) line starts
  uint64_t used = 0;
  uint64_t line_no = 0;
  bool skipping = false;  // inside a line longer than max_line: its bytes are dropped
  std::string damage;

  auto line_done = [&](std::string_view line) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      out.Reject(o, file, line_no, "empty line", 0);
      return;
    }
    int status = 0;
    RouteCounts route;
    const size_t capacity = static_cast<size_t>(buf.data() + buf.size() - line.data());
    auto rec = ParsePadded(parser, simdjson::padded_string_view(line.data(), line.size(), capacity),
                           &status, &route);
    out.routed.Add(route);
    if (rec) {
      rec->file = file;
      rec->line = static_cast<uint32_t>(std::min<uint64_t>(line_no, UINT32_MAX));
      if (rec->derived & kDerivedPayload)
        ++(std::isfinite(rec->actual_payload_kb) ? out.derived.payload_actual
                                                 : out.derived.payload_metrics);
      out.records.push_back(*rec);
      ++out.summary.accepted;
    } else {
      out.Reject(o, file, line_no, rec.error().message, status);
    }
  };
  auto long_line_done = [&] {
    ++line_no;
    out.Reject(o, file, line_no,
               "line longer than " + std::to_string(max_line) + " bytes (not read)", 0);
  };

  for (;;) {
    if (start > 0) {  // keep only the incomplete line, at the front
      std::memmove(buf.data(), buf.data() + start, have - start);
      have -= start;
      start = 0;
    }
    if (used >= o.max_file_bytes) {
      damage = "larger than " + std::to_string(o.max_file_bytes) +
               " bytes decompressed; the rest was not read";
      break;
    }
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(data_room - have, o.max_file_bytes - used));
    const int n =
        gzread(gz, buf.data() + have, static_cast<unsigned>(std::min<size_t>(want, kChunk)));
    if (n < 0) {
      damage = GzipDamage(gz, used);
      break;
    }
    if (n == 0) {
      // zlib reports a stream that ends early as an error state after the last read.
      int errnum = Z_OK;
      gzerror(gz, &errnum);
      if (errnum != Z_OK) damage = GzipDamage(gz, used);
      break;
    }
    core::Fnv1a(out.hash, std::string_view(buf.data() + have, static_cast<size_t>(n)));
    const size_t scan_from = have;
    have += static_cast<size_t>(n);
    used += static_cast<uint64_t>(n);
    for (size_t at = scan_from; at < have;) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + at, '\n', have - at));
      if (!nl) break;
      const size_t end = static_cast<size_t>(nl - buf.data());
      if (skipping) {
        skipping = false;
        long_line_done();
      } else {
        line_done(std::string_view(buf.data() + start, end - start));
      }
      start = end + 1;
      at = start;
    }
    if (skipping || have - start > max_line) {
      skipping = true;
      start = have;  // drop what there is of the long line
    }
  }
  gzclose(gz);
  if (skipping) {
    long_line_done();
  } else if (have > start) {
    line_done(std::string_view(buf.data() + start, have - start));  // a last line without '\n'
  }
  out.summary.lines = line_no;
  if (used == 0 && damage.empty()) {
    out.Reject(o, file, 0, "empty file (no lines)", 0);
    return;
  }
  if (!damage.empty()) out.Reject(o, file, 0, damage, 0);
}

}  // namespace

std::string ReasonKind(const std::string& reason) {
  if (reason.rfind("http_status", 0) == 0) return reason.substr(0, reason.find(' ', 12));
  if (reason.rfind("malformed JSON", 0) == 0) return "malformed JSON";
  if (reason.rfind("gzip stream", 0) == 0) return "gzip stream damaged or cut short";
  if (reason.rfind("timestamp", 0) == 0) return "bad timestamp";
  if (reason.rfind("unknown platform", 0) == 0) return "unknown platform";
  if (const size_t at = reason.find(" is not one of"); at != std::string::npos) {
    return "unknown " + reason.substr(0, reason.find(' ')) + " value";
  }
  if (reason.rfind("missing field", 0) == 0) return reason.substr(0, 256);  // every name
  const size_t quote = reason.find('\'');
  if (reason.rfind("field", 0) == 0) {
    const size_t end = reason.find('\'', quote + 1);
    return reason.substr(0, end == std::string::npos ? reason.size() : end + 1) +
           (reason.rfind("field", 0) == 0 ? " has the wrong type" : "");
  }
  return reason.substr(0,
                       std::min(reason.size(), quote == std::string::npos ? reason.size() : quote));
}

core::Result<Record> ParseRecordLine(std::string_view line, int* http_status) {
  od::parser parser;
  simdjson::padded_string padded(line);
  return ParsePadded(parser, padded, http_status);
}

core::Result<Dataset> Ingest(const std::vector<std::string>& paths, const IngestOptions& options) {
  struct Input {
    std::string path;
    std::string name;  // relative to the argument it came from, for the fingerprint
  };
  std::vector<Input> inputs;
  for (const auto& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      std::string why = "no such file or directory: '" + p + "'";
      if (p == DefaultDataDir())  // nobody named it: say where it came from and how to change it
        why += std::string(" (the default measurement folder, ") +
               (std::getenv("HYBRID_ROUTER_DATA") ? "from HYBRID_ROUTER_DATA"
                                                  : "beside the source tree; HYBRID_ROUTER_DATA "
                                                    "is not set") +
               ": set HYBRID_ROUTER_DATA to the folder of the measurements, or name the data)";
      return MakeError(ErrorCode::kIo, why, "data");
    }
    if (fs::is_directory(st)) {
      std::vector<Input> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && IsLogFile(it->path())) {
          found.push_back({it->path().string(), fs::relative(it->path(), p).string()});
        }
      }
      if (ec)
        return MakeError(ErrorCode::kIo, "cannot read directory '" + p + "': " + ec.message(),
                         "data");
      std::sort(found.begin(), found.end(),
                [](const Input& a, const Input& b) { return a.name < b.name; });
      inputs.insert(inputs.end(), found.begin(), found.end());
    } else {
      inputs.push_back({p, fs::path(p).filename().string()});
    }
  }
  if (inputs.empty()) {
    return MakeError(ErrorCode::kIo, "no *.jsonl or *.jsonl.gz files found", "data");
  }
  if (inputs.size() > std::numeric_limits<uint16_t>::max()) {
    return MakeError(ErrorCode::kInvalidArgument, "too many files (at most 65535)", "data");
  }

  // Files are read and parsed in parallel, then merged in sorted order: the result is the same
  // as a sequential read.
  std::vector<FileResult> results(inputs.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    od::parser parser;
    for (size_t fi = next++; fi < inputs.size(); fi = next++) {
      ParseFile(parser, inputs[fi].path, static_cast<uint16_t>(fi), options, results[fi]);
    }
  };
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(threads, inputs.size()); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  Dataset ds;
  ds.fingerprint = core::kFnv1aOffset;
  std::map<std::string, uint64_t> kinds;
  for (size_t fi = 0; fi < inputs.size(); ++fi) {
    FileResult& r = results[fi];
    if (!r.status) return r.status.error();
    core::Fnv1a(ds.fingerprint, inputs[fi].name);
    const uint64_t h = r.hash;
    core::Fnv1a(ds.fingerprint, std::string_view(reinterpret_cast<const char*>(&h), sizeof h));
    ds.records.insert(ds.records.end(), r.records.begin(), r.records.end());
    for (auto& rej : r.rejections) {
      if (ds.rejections.size() < options.keep_rejections) ds.rejections.push_back(std::move(rej));
    }
    ds.rejected += r.summary.rejected;
    ds.failed_requests += r.failed_requests;
    ds.routed.Add(r.routed);
    ds.derived.payload_actual += r.derived.payload_actual;
    ds.derived.payload_metrics += r.derived.payload_metrics;
    for (const auto& [kind, n] : r.kinds) kinds[kind] += n;
    r.summary.content_hash = h;
    ds.files.push_back(std::move(r.summary));
    std::vector<Record>().swap(r.records);
    if (options.strict && ds.rejected > 0) {
      if (ds.rejections.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         ds.files.back().path + ": a line was rejected (--strict)", "data");
      }
      const Rejection& rej = ds.rejections.front();
      return MakeError(ErrorCode::kInvalidArgument,
                       ds.files[rej.file].path + ":" + std::to_string(rej.line) + ": " +
                           rej.reason + " (--strict)",
                       "data");
    }
  }
  DeriveMissingContext(ds);
  ds.rejection_kinds.assign(kinds.begin(), kinds.end());
  std::stable_sort(ds.rejection_kinds.begin(), ds.rejection_kinds.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  return ds;
}

core::Status RequireRecords(const Dataset& ds) {
  if (!ds.records.empty()) return {};
  uint64_t lines = 0;
  for (const auto& f : ds.files) lines += f.lines;
  std::string why = "no readable measurement: 0 of " + std::to_string(lines) + " lines in " +
                    std::to_string(ds.files.size()) + " file(s) accepted (" +
                    std::to_string(ds.rejected) + " rejected";
  if (!ds.rejection_kinds.empty())
    why += ", most often: " + ds.rejection_kinds.front().first + " (" +
           std::to_string(ds.rejection_kinds.front().second) + ")";
  if (!ds.rejections.empty()) {
    const Rejection& r = ds.rejections.front();
    why += "; the first: " + ds.files[r.file].path + ":" + std::to_string(r.line) + ": " + r.reason;
  }
  return MakeError(ErrorCode::kInvalidArgument, why + ")", "data");
}

std::string DefaultDataDir() {
  if (const char* env = std::getenv("HYBRID_ROUTER_DATA")) return env;
#ifdef HR_SOURCE_DIR
  return std::string(HR_SOURCE_DIR) + "/data/aws-measurements";
#else
  return "data/aws-measurements";
#endif
}

}  // namespace hr::data
