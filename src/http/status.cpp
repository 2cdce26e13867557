// Reason phrases from Beast's status table, apart from the server so that code which only formats
// statuses (the Lambda event responses) does not link the server.
#include <boost/beast/http/status.hpp>

#include "http/server.h"

namespace hr::http {

std::string_view ReasonPhrase(int status) {
  const auto phrase = boost::beast::http::obsolete_reason(
      boost::beast::http::int_to_status(static_cast<unsigned>(status)));
  return {phrase.data(), phrase.size()};
}

}  // namespace hr::http
