// Shared by the libFuzzer targets: an http::Request built from bytes, a JSON validity check of
// what we write, and a loud failure that libFuzzer records as a crash.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/server.h"
#include "json/json_reader.h"

namespace hr::fuzz {

[[noreturn]] inline void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "FUZZ FAILURE: %s %.*s\n", what,
               static_cast<int>(std::min<size_t>(detail.size(), 400)), detail.data());
  std::abort();
}

class FakeRequest final : public http::Request {
 public:
  FakeRequest(std::string_view method, std::string_view target, std::string_view body)
      : method_(method), target_(target), body_(body) {}
  std::string_view method() const override { return method_; }
  std::string_view target() const override { return target_; }
  std::string_view body() const override { return body_; }
  std::string_view header(std::string_view name) const override {
    return name == "content-type" ? std::string_view("application/json") : std::string_view();
  }

 private:
  std::string_view method_, target_, body_;
};

// Everything we answer must be JSON a client can read.
inline void RequireJson(std::string_view text, const char* what) {
  json::Document doc;
  std::string why;
  if (!json::ParseDocument(doc, text, json::kModelFileLimits, why))
    Fail(what, why + ": " + std::string(text));
}

}  // namespace hr::fuzz
