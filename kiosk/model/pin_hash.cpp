#include "model/pin_hash.hpp"

#include <sodium.h>

namespace kiosk::model {

namespace {

// sodium_init is idempotent and thread-safe; calling it here rather than once at start-up keeps
// these functions usable from any program (tests, `kiosk --hash-pin`) without a global.
bool sodium_ready() {
    return sodium_init() >= 0;
}

// The libsodium functions take C strings and read them up to their terminator (verify) or up
// to crypto_pwhash_STRBYTES (needs_rehash); a longer text or one with a NUL inside is not a
// hash, and refusing it here keeps libsodium from ever seeing it.
bool fits_hash_buffer(const std::string& text) {
    return text.size() < crypto_pwhash_argon2id_STRBYTES && text.find('\0') == std::string::npos;
}

} // namespace

std::optional<std::string> pin_problem(std::string_view pin) {
    bool digits_only = pin.find_first_not_of("0123456789") == std::string_view::npos;
    if (pin.size() < 4 || pin.size() > 8 || !digits_only) {
        return "a PIN is 4 to 8 digits (0-9)";
    }
    return std::nullopt;
}

std::optional<std::string> hash_pin(std::string_view pin) {
    if (pin_problem(pin) || !sodium_ready()) {
        return std::nullopt;
    }
    // The Argon2id function by name, not crypto_pwhash_str's default algorithm: is_pin_hash
    // accepts only Argon2id, and a libsodium whose default changed must not make hashes the
    // settings then refuse. The limits are those crypto_pwhash_str uses by default.
    char hash[crypto_pwhash_argon2id_STRBYTES];
    if (crypto_pwhash_argon2id_str(hash, pin.data(), pin.size(),
                                   crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != 0) {
        return std::nullopt;
    }
    return std::string(hash);
}

bool pin_matches(const std::string& hash, std::string_view pin) {
    if (pin_problem(pin) || !is_pin_hash(hash)) {
        return false;
    }
    return crypto_pwhash_argon2id_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

bool is_pin_hash(const std::string& text) {
    if (!fits_hash_buffer(text) || text.rfind(crypto_pwhash_argon2id_STRPREFIX, 0) != 0 ||
        !sodium_ready()) {
        return false;
    }
    // needs_rehash parses the whole string (version, limits, salt, hash) and answers -1 when it
    // is not a well-formed Argon2id hash; 0 or 1 only say whether its limits are today's.
    return crypto_pwhash_argon2id_str_needs_rehash(
               text.c_str(), crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
               crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) != -1;
}

} // namespace kiosk::model
