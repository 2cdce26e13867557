#include "upstream/failure.h"

namespace hr::upstream {

std::string_view Name(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "ok";
    case Failure::kConnect:
      return "connect_failed";
    case Failure::kResolve:
      return "dns_failed";
    case Failure::kTls:
      return "tls_failed";
    case Failure::kTimeout:
      return "timeout";
    case Failure::kBroken:
      return "connection_broken";
    case Failure::kStray:
      return "stray_answer";
    case Failure::kTooLarge:
      return "answer_too_large";
    case Failure::kOverBudget:
      return "buffer_budget";
    case Failure::kMalformed:
      return "malformed_answer";
    case Failure::kShutdown:
      return "shutdown";
    case Failure::kOther:
      return "transport_error";
  }
  return "transport_error";
}

}  // namespace hr::upstream
