// One header policy for every answer the router relays, whatever carried it (the loop's own
// client, libcurl, a Lambda proxy result): names are tokens (RFC 9110 5.1), values hold no
// control byte but the tab (RFC 9110 5.5: no NUL, CR, LF, 0x0b, DEL, ESC...). Headers that
// concern one hop (and those an answer names in its Connection header) are the router's own
// business and are not relayed, nor are CORS headers (the router answers CORS itself). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hr::http {

bool IsToken(std::string_view s);
// Why a header breaks the policy ("the value of X-Foo holds the control byte 0x1b"); nothing when
// it is fine. `name` as received (any case).
std::optional<std::string> HeaderProblem(std::string_view name, std::string_view value);
// Whether a header (lower-case name) is relayed to the client: not hop-by-hop, not named in the
// answer's own Connection header (`connection`: its value, lower case), not CORS, not one the
// server writes itself.
bool Relayable(std::string_view lower_name, std::string_view connection);

}  // namespace hr::http
