// Pieces every HTML report shares: escaping, number cells, the stylesheet, writing a file, and a
// chart drawn by gnuplot as inline SVG. Adapter: runs gnuplot, writes files.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hr::report {

std::string Escape(std::string_view s);
// One number printed with a printf format (a table cell, a chart label).
std::string F(const char* fmt, double v);
core::Status Write(const std::filesystem::path& path, const std::string& text);
// Writes `text` to a temporary file beside `path` and renames it: a reader never sees half a file.
core::Status WriteAtomically(const std::string& path, const std::string& text);
// A temporary folder for gnuplot's files, removed with everything in it when this goes.
class ScratchDir {
 public:
  static core::Result<std::shared_ptr<ScratchDir>> Create(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

// Runs gnuplot on `script` in `dir` (SVG terminal set here); returns the SVG without its prologue.
core::Result<std::string> Plot(const std::filesystem::path& dir, const std::string& name,
                               const std::string& script);
const char* Stylesheet();

}  // namespace hr::report
