// Staff PINs are kept only as Argon2id hashes: a hash matches its PIN and nothing else, each
// hash has its own salt, and anything that is not a well-formed Argon2id hash (a PIN typed in
// plain text, a truncated paste, another algorithm) is refused before libsodium reads it.

#include "model/pin_hash.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace kiosk::model;

namespace {

const std::string kPrefix = "$argon2id$v=19$m=65536,t=2,p=1$";

// One hash for the whole program: each takes a noticeable fraction of a second and 64 MiB.
const std::string& hash_of_2468() {
    static const std::string hash = [] {
        auto made = hash_pin("2468");
        REQUIRE(made.has_value());
        return *made;
    }();
    return hash;
}

} // namespace

TEST_CASE("a PIN is 4 to 8 digits", "[pin]") {
    for (const char* good : {"1234", "0000", "12345678", "2468", "00000000"}) {
        INFO("PIN \"" << good << "\"");
        CHECK_FALSE(pin_problem(good).has_value());
    }
    for (const char* bad : {"", "1", "123", "123456789", "12a4", "abcd", " 1234", "1234 ", "1234\n",
                            "12.4", "-123", "+1234", "\xef\xbc\x91\xef\xbc\x92"}) {
        INFO("PIN \"" << bad << "\"");
        auto problem = pin_problem(bad);
        REQUIRE(problem.has_value());
        CHECK(*problem == "a PIN is 4 to 8 digits (0-9)");
    }
    SECTION("a NUL inside is not a digit") {
        CHECK(pin_problem(std::string("12\0"
                                      "4",
                                      4))
                  .has_value());
    }
}

TEST_CASE("a hashed PIN matches itself and no other PIN", "[pin]") {
    const std::string& hash = hash_of_2468();
    CHECK(hash.rfind(kPrefix, 0) == 0);
    CHECK(hash.find("2468") == std::string::npos);
    CHECK(is_pin_hash(hash));
    CHECK(pin_matches(hash, "2468"));
    for (const char* other : {"2469", "24680", "1357", "8642", "02468"}) {
        INFO("PIN " << other);
        CHECK_FALSE(pin_matches(hash, other));
    }
    SECTION("a PIN that could never have been hashed is refused without hashing") {
        CHECK_FALSE(pin_matches(hash, ""));
        CHECK_FALSE(pin_matches(hash, "2468 "));
        CHECK_FALSE(pin_matches(hash, std::string("2468\0", 5)));
    }
}

TEST_CASE("two hashes of the same PIN differ (each has its own salt) and both match", "[pin]") {
    auto again = hash_pin("2468");
    REQUIRE(again.has_value());
    CHECK(*again != hash_of_2468());
    CHECK(pin_matches(*again, "2468"));
    CHECK(pin_matches(hash_of_2468(), "2468"));
    // The salt is the part between the limits and the hash.
    auto salt = [](const std::string& hash) {
        auto begin = kPrefix.size();
        return hash.substr(begin, hash.find('$', begin) - begin);
    };
    CHECK(salt(*again) != salt(hash_of_2468()));
}

TEST_CASE("a PIN that is not 4 to 8 digits is not hashed", "[pin]") {
    CHECK_FALSE(hash_pin("12").has_value());
    CHECK_FALSE(hash_pin("abcd").has_value());
    CHECK_FALSE(hash_pin("123456789").has_value());
}

TEST_CASE("anything but a well-formed Argon2id hash is refused", "[pin]") {
    const std::string& hash = hash_of_2468();
    const std::string salt_and_hash = hash.substr(kPrefix.size());
    const std::vector<std::string> malformed = {
        "",
        "2468", // the PIN itself, typed where its hash belongs
        "$argon2id$",
        kPrefix,
        hash.substr(0, hash.rfind('$')),                                // the hash cut off
        hash.substr(0, hash.rfind('$') + 1),                            // an empty hash part
        "$argon2i$v=19$m=65536,t=2,p=1$" + salt_and_hash,               // Argon2i, not Argon2id
        "$2y$10$abcdefghijklmnopqrstuuH5xP1ZtLqzCgEQLCk2sIUtNUhBzs8Hi", // bcrypt
        "$argon2id$v=19$m=65536,t=x,p=1$" + salt_and_hash,
        "$argon2id$v=16$m=65536,t=2,p=1$" + salt_and_hash,
        hash + "$extra",
        " " + hash,
        hash + std::string(1, '\0') + "x",
        hash + std::string(200, 'A'), // longer than libsodium's buffer for a hash
    };
    for (const std::string& text : malformed) {
        INFO("text \"" << text << "\"");
        CHECK_FALSE(is_pin_hash(text));
        CHECK_FALSE(pin_matches(text, "2468"));
    }
}

TEST_CASE("a hash with one character changed no longer matches", "[pin]") {
    std::string tampered = hash_of_2468();
    char& last = tampered[tampered.size() - 2]; // inside the hash, not its final padding bits
    last = last == 'A' ? 'B' : 'A';
    CHECK_FALSE(pin_matches(tampered, "2468"));
}
