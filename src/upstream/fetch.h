// A blocking HTTP call by libcurl, for what does not run on an event loop: AWS credentials from
// the container endpoint, ECS DescribeServices. Bounded in time and in the answer's size (one
// collector with the router's transfers: curl_collect.h), stoppable from another thread, optionally
// signed (SigV4), and its failure is the same upstream::Failure the router's calls end with.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "upstream/failure.h"

namespace hr::upstream {

struct FetchRequest {
  std::string url;        // http:// or https:// only
  std::string post_body;  // POSTed when `post`; otherwise a GET
  bool post = false;
  std::vector<std::string> headers;  // "Name: value"
  int timeout_ms = 3'000;
  size_t max_answer_bytes = size_t{64} << 10;
  // SigV4 by libcurl (CURLOPT_AWS_SIGV4 "aws:amz:{region}:{service}"); empty: none.
  std::string aws_sigv4, aws_access_key, aws_secret_key;
  std::string ca_file;  // the PEM bundle TLS trusts (ResolveCaFile); empty: the system's store
  const std::atomic<bool>* stop = nullptr;  // set: the call ends at once (kShutdown)
};

struct FetchResult {
  Failure failure = Failure::kNone;
  std::string message;  // what failed, for a person (libcurl's words, or the limit)
  int status = 0;       // when failure == kNone
  std::string body;
};

FetchResult Fetch(const FetchRequest& request);

}  // namespace hr::upstream
