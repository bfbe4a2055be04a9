#pragma once
// Random (version 4) UUIDs for response identifiers: unique across every kiosk of a trust
// without any coordination, and carrying no information about the patient or the time.

#include <random>
#include <string>

namespace kiosk::model {

class UuidGenerator {
public:
    // "urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
    std::string next_urn();

private:
    std::random_device entropy_; // the kernel's random source, not a seeded pseudo-random one
};

} // namespace kiosk::model
