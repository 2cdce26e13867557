#include "report/html_kit.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hr::report {

namespace fs = std::filesystem;

std::string F(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

core::Status Write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out)
    return core::MakeError(core::ErrorCode::kIo, "cannot write '" + path.string() + "'", "html");
  return {};
}

core::Status WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  if (auto s = Write(tmp, text); !s) return s.error();
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return core::MakeError(core::ErrorCode::kIo, "cannot write '" + path + "'", "html");
  }
  return {};
}

core::Result<std::shared_ptr<ScratchDir>> ScratchDir::Create(const std::string& prefix) {
  std::error_code ec;
  const fs::path dir = fs::temp_directory_path(ec) / (prefix + std::to_string(::getpid()));
  fs::create_directories(dir, ec);
  if (ec)
    return core::MakeError(core::ErrorCode::kIo,
                           "cannot create a temporary folder: " + ec.message(), "html");
  return std::shared_ptr<ScratchDir>(new ScratchDir(dir));
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

// Runs gnuplot on `script` in `dir`; returns the SVG it wrote, without its XML prologue.
core::Result<std::string> Plot(const fs::path& dir, const std::string& name,
                               const std::string& script) {
  const fs::path gp = dir / (name + ".gp"), svg = dir / (name + ".svg"),
                 err = dir / (name + ".err");
  if (auto s = Write(gp,
                     "set terminal svg size 960,420 dynamic noenhanced font 'sans,12' background "
                     "rgb 'white'\nset output '" +
                         svg.string() + "'\n" + script);
      !s) {
    return s.error();
  }
  const std::string cmd = "gnuplot '" + gp.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  if (status != 0) {
    std::ifstream e(err);
    std::stringstream ss;
    ss << e.rdbuf();
    return core::MakeError(
        core::ErrorCode::kIo,
        "gnuplot failed (" + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
            "); is it installed? (tools/setup.sh gnuplot-nox) " + ss.str().substr(0, 300),
        "html");
  }
  std::ifstream in(svg);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const size_t start = text.find("<svg");
  if (start == std::string::npos)
    return core::MakeError(core::ErrorCode::kIo, "gnuplot wrote no SVG", "html");
  return text.substr(start);
}

const char* Stylesheet() {
  return
      R"(body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.caveat{background:#fff8e5;border-left:4px solid #e0a800;padding:.4em .8em;margin:.5em 0}
.conclusion{background:#eef6ee;border-left:4px solid #3a3;padding:.6em 1em}figure{margin:1.5em 0}figcaption{color:#555;font-size:.9em})";
}

}  // namespace hr::report
