#include "upstream/fetch.h"

#include <curl/curl.h>

#include <mutex>

#include "upstream/curl_common.h"

namespace hr::upstream {

namespace {

// Ends a transfer early (libcurl's progress callback) once `stop` is set.
int Abort(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* s = static_cast<const std::atomic<bool>*>(stop);
  return s && s->load() ? 1 : 0;
}

}  // namespace

FetchResult Fetch(const FetchRequest& request) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  FetchResult r;
  CURL* curl = curl_easy_init();
  if (!curl) {
    r.failure = Failure::kOther;
    r.message = "libcurl cannot start a transfer";
    return r;
  }
  detail::Collected collected{&r.body, request.max_answer_bytes, false};
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (request.post) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.post_body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.post_body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "hybrid-router");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, detail::Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  if (!request.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
  if (!request.aws_sigv4.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_AWS_SIGV4);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.aws_access_key.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.aws_secret_key.c_str());
  }
  if (request.stop) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Abort);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, request.stop);
  }
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (collected.too_large) {
    r.failure = Failure::kTooLarge;
    r.message = "the answer is larger than " + std::to_string(request.max_answer_bytes) + " bytes";
  } else if (rc != CURLE_OK) {
    r.failure = rc == CURLE_ABORTED_BY_CALLBACK ? Failure::kShutdown
                                                : detail::Classify(rc, false, pretransfer_us);
    r.message = error[0] ? std::string(error) : std::string(curl_easy_strerror(rc));
  } else {
    r.status = static_cast<int>(status);
    return r;
  }
  r.body.clear();
  return r;
}

}  // namespace hr::upstream
