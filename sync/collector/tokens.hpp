#pragma once

// Device tokens and server-assigned ids. Tokens are shown once and stored only as SHA-256 hashes,
// so a copy of the database does not let anyone send as a kiosk.

#include "collector/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace kiosk::collector {

// `bytes` bytes from OpenSSL's CSPRNG, as lower-case hex.
Result<std::string> random_hex(std::size_t bytes);

// A new device token: 32 random bytes, 64 hex characters.
Result<std::string> new_device_token();

// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

} // namespace kiosk::collector
