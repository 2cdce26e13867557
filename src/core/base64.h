// Standard base64 (RFC 4648, as Lambda events and log tails carry bytes), padded when encoded and
// decoded strictly: only the standard alphabet, '=' padding only at the end, unpadded final groups
// of 2 or 3 characters allowed. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hr::core {

// The decoded bytes, or nullopt when `text` is not valid base64.
std::optional<std::string> Base64Decode(std::string_view text);
// Padded standard base64 of `bytes`.
std::string Base64Encode(std::string_view bytes);

}  // namespace hr::core
