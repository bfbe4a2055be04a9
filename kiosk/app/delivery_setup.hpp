#pragma once
// Turns the device settings into delivery settings, reading the bearer token from its file.

#include "delivery/delivery.hpp"
#include "settings/settings.hpp"

#include <string>
#include <variant>

namespace kiosk::app {

// The delivery settings, or a problem in plain words (a token file others can read, say).
std::variant<delivery::DeliverySettings, std::string>
delivery_settings_from(const settings::Settings& settings);

} // namespace kiosk::app
