#pragma once
// Shared by the outbox tests: a directory per test case and an outbox opened in it.

#include "outbox/outbox.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

namespace kiosk::testing {

inline outbox::Outbox open_outbox(const std::filesystem::path& file,
                                  const outbox::OutboxOptions& options = {}) {
    auto opened = outbox::Outbox::open(file, options);
    if (opened.error) {
        FAIL("opening the outbox failed: " << opened.error->describe());
    }
    REQUIRE(opened.outbox);
    return std::move(*opened.outbox);
}

} // namespace kiosk::testing
