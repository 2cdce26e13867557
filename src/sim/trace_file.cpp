#include "sim/trace_file.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "data/ingest.h"

namespace hr::sim {

namespace {

constexpr size_t kMaxTextLine = 4096;
constexpr size_t kMaxAnyLine = 1 << 20;  // JSON lines; a text line is refused above 4096 anyway
constexpr uint64_t kMaxTextBytes = 4ull << 30;

core::Error At(const std::string& source, size_t line, const std::string& why) {
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         source + ":" + std::to_string(line) + ": " + why, source);
}

// Splits a line into up to `max` whitespace-separated fields; false when there are more.
bool Fields(std::string_view line, std::vector<std::string_view>& out, size_t max) {
  out.clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (out.size() == max) return false;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return true;
}

bool Number(std::string_view s, double& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(v);
}

// Calls `fn(line_number, line)` per line; stops at the first error.
template <typename Fn>
core::Status ForEachLine(std::string_view text, const std::string& source, Fn fn) {
  size_t number = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (line.size() > kMaxTextLine) return At(source, number, "line longer than 4096 bytes");
    line = core::TrimSpace(line);
    if (line.empty() || line.front() == '#') continue;
    if (auto s = fn(number, line); !s) return s;
  }
  return {};
}

core::Result<std::string> ReadText(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (!f) return core::MakeError(core::ErrorCode::kIo, "cannot read '" + path + "'", path);
  std::string text;
  char buf[1 << 16];
  size_t line = 1, line_start = 0;  // the line being read and where it starts in `text`
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      gzclose(f);
      return core::MakeError(core::ErrorCode::kIo, path + ": damaged (gzip)", path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    // At once, not at the end of a file without newlines (/dev/zero has no end).
    bool too_long = false;
    for (size_t nl = text.find('\n', text.size() - static_cast<size_t>(n));
         nl != std::string::npos && !too_long; nl = text.find('\n', nl + 1)) {
      too_long = nl - line_start > kMaxAnyLine;
      if (!too_long) {
        ++line;
        line_start = nl + 1;
      }
    }
    if (too_long || text.size() - line_start > kMaxAnyLine) {
      gzclose(f);
      return At(path, line, "a line longer than 1 MB");
    }
    if (text.size() > kMaxTextBytes) {
      gzclose(f);
      return core::MakeError(core::ErrorCode::kInvalidArgument, path + ": larger than 4 GB", path);
    }
  }
  gzclose(f);
  return text;
}

// In arrival order (equal times keep their order), the first at 0. Not empty.
void SortFromZero(std::vector<TraceEntry>& trace) {
  std::stable_sort(trace.begin(), trace.end(),
                   [](const TraceEntry& a, const TraceEntry& b) { return a.t_s < b.t_s; });
  const double first = trace.front().t_s;
  for (TraceEntry& e : trace) e.t_s -= first;
}

}  // namespace

core::Result<std::vector<ProfilePoint>> ParseProfile(std::string_view text,
                                                     const std::string& source) {
  std::vector<ProfilePoint> points;
  std::vector<std::string_view> f;
  auto s = ForEachLine(text, source, [&](size_t n, std::string_view line) -> core::Status {
    if (!Fields(line, f, 2) || f.size() != 2) return At(source, n, "expected 'SECONDS RATE'");
    ProfilePoint p;
    if (!Number(f[0], p.t_s) || p.t_s < 0 || p.t_s > 1e8)
      return At(source, n, "SECONDS must be a number in [0, 1e8]");
    if (!Number(f[1], p.rate) || p.rate < 0 || p.rate > 1e5)
      return At(source, n, "RATE must be a number of requests per second in [0, 100000]");
    if (!points.empty() && p.t_s < points.back().t_s)
      return At(source, n, "times must not decrease");
    if (points.size() == kMaxProfilePoints) return At(source, n, "more than 100000 points");
    points.push_back(p);
    return {};
  });
  if (!s) return s.error();
  if (points.empty()) return At(source, 0, "no 'SECONDS RATE' line");
  if (std::all_of(points.begin(), points.end(), [](const ProfilePoint& p) { return p.rate == 0; }))
    return At(source, 0, "every rate is zero");
  return points;
}

core::Result<std::vector<TraceEntry>> ParseTraceText(std::string_view text,
                                                     const std::string& source) {
  std::vector<TraceEntry> trace;
  std::vector<std::string_view> f;
  auto s = ForEachLine(text, source, [&](size_t n, std::string_view line) -> core::Status {
    if (!Fields(line, f, 3) || f.size() < 2)
      return At(source, n, "expected 'SECONDS WORKLOAD [PAYLOAD_KB]'");
    TraceEntry e;
    if (!Number(f[0], e.t_s) || std::abs(e.t_s) > 1e11)
      return At(source, n, "SECONDS must be a number");
    auto w = features::ParseWorkload(f[1]);
    if (!w) return At(source, n, w.error().message);
    e.workload = *w;
    if (f.size() == 3) {
      double kb;
      if (!Number(f[2], kb) || kb < 0 || kb > 1e6)
        return At(source, n, "PAYLOAD_KB must be a number in [0, 1000000]");
      e.payload_kb = static_cast<float>(kb);
    }
    if (trace.size() == kMaxTraceLines) return At(source, n, "more than 100 million arrivals");
    trace.push_back(e);
    return {};
  });
  if (!s) return s.error();
  if (trace.empty()) return At(source, 0, "no arrival");
  SortFromZero(trace);
  return trace;
}

core::Result<std::vector<ProfilePoint>> ReadProfile(const std::string& path) {
  auto text = ReadText(path);
  if (!text) return text.error();
  return ParseProfile(*text, path);
}

core::Result<std::vector<TraceEntry>> ReadTrace(const std::string& path) {
  auto text = ReadText(path);
  if (!text) return text.error();
  const std::string_view body = core::TrimSpace(*text);
  if (body.empty() || body.front() != '{') return ParseTraceText(*text, path);
  text->clear();
  text->shrink_to_fit();
  // JSON lines: the measurement schema, read as `audit` reads it.
  auto ds = data::Ingest({path});
  if (!ds) return ds.error();
  if (ds->records.empty())
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           path + ": no line of the measurement schema (" +
                               std::to_string(ds->rejected) + " rejected)",
                           path);
  if (ds->records.size() > kMaxTraceLines)
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           path + ": more than 100 million arrivals", path);
  std::vector<TraceEntry> trace;
  trace.reserve(ds->records.size());
  for (const data::Record& r : ds->records)
    trace.push_back({static_cast<double>(r.timestamp_us) / 1e6, r.workload,
                     static_cast<float>(r.target_payload_kb)});
  SortFromZero(trace);
  return trace;
}

}  // namespace hr::sim
