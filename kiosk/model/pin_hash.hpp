#pragma once
// Staff PINs. A PIN is 4 to 8 digits, typed on the kiosk's keypad by a volunteer or by IT staff.
// It is stored only as an Argon2id hash (libsodium's crypto_pwhash_str format, with its
// "interactive" limits: about 64 MiB and a fraction of a second per try), so a settings file
// that is copied or left in a backup does not give the PIN away, and guessing all 10^8 PINs
// offline costs years rather than seconds.

#include <optional>
#include <string>
#include <string_view>

namespace kiosk::model {

// "a PIN is 4 to 8 digits (0-9)" when `pin` is not one; nullopt when it is fine.
std::optional<std::string> pin_problem(std::string_view pin);

// The Argon2id hash of `pin` ("$argon2id$v=19$m=65536,t=2,p=1$…"), with a fresh random salt
// each time. nullopt when the PIN has a pin_problem or libsodium fails (out of memory).
std::optional<std::string> hash_pin(std::string_view pin);

// Whether `pin` is the PIN `hash` was made from. False for a malformed hash and for a PIN that
// could never have been hashed (pin_problem), without spending the hashing time on those.
bool pin_matches(const std::string& hash, std::string_view pin);

// Whether `text` is a well-formed Argon2id hash as hash_pin makes them. Settings use it to
// refuse a PIN typed in plain text where its hash belongs.
bool is_pin_hash(const std::string& text);

} // namespace kiosk::model
