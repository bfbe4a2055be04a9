#pragma once

// Failures as values. Every message names where it happened (a file, a key, an element) and why,
// in words an IT person can act on.

#include <string>
#include <variant>

namespace kiosk::collector {

struct Error {
    std::string message;
    // The failure is temporary (the database is busy): the client should try again later.
    bool temporary = false;
};

// Either a value or the reason there is none.
template <class T> using Result = std::variant<T, Error>;

template <class T> bool failed(const Result<T>& result) {
    return std::holds_alternative<Error>(result);
}

} // namespace kiosk::collector
