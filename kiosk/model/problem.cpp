#include "model/problem.hpp"

namespace kiosk::model {

std::string Problem::to_string() const {
    std::string out = file;
    if (!place.empty()) {
        out += " at " + place;
    }
    out += ": " + what;
    return out;
}

} // namespace kiosk::model
