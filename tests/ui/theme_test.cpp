// The theme's promises: readable contrast and targets a finger can hit.

#include "ui/theme.hpp"

#include <catch2/catch.hpp>

using namespace kiosk::ui;

TEST_CASE("every text colour has at least 4.5:1 contrast on its background") {
    Theme theme;
    for (const auto& pair : theme.text_contrast_pairs()) {
        INFO(pair.name);
        CHECK(contrast_ratio(pair.foreground, pair.background) >= 4.5);
    }
}

TEST_CASE("the high-contrast mode has at least 7:1 for every text colour") {
    const Theme theme = Theme::high_contrast();
    const Theme usual;
    for (const auto& pair : theme.text_contrast_pairs()) {
        INFO(pair.name);
        CHECK(contrast_ratio(pair.foreground, pair.background) >= 7.0);
    }
    // And it is a different look, not the usual colours again.
    CHECK(contrast_ratio(theme.background, usual.background) > 10.0);
}

TEST_CASE("the contrast ratio follows WCAG 2") {
    CHECK(contrast_ratio({0, 0, 0}, {255, 255, 255}) == Approx(21.0));
    CHECK(contrast_ratio({255, 255, 255}, {255, 255, 255}) == Approx(1.0));
    CHECK(contrast_ratio({0x76, 0x76, 0x76}, {255, 255, 255}) == Approx(4.54).epsilon(0.01));
}

TEST_CASE("targets are at least 15 mm on every panel density") {
    for (double dpi : {96.0, 102.0, 141.0, 150.0, 216.0}) {
        INFO("dpi " << dpi);
        auto metrics = Metrics::for_dpi(dpi);
        CHECK(metrics.target / metrics.px_per_mm >= 15.0f);
        CHECK(metrics.body_size / metrics.px_per_mm >= 4.9f);
    }
}
