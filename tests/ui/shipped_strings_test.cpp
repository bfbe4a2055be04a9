// The kiosk's own words in every shipped language: each file loads, covers every key the
// built-in English has, and keeps each key's placeholders, so no screen shows "{seconds}" or
// falls back to English by accident.

#include "ui/strings.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

namespace {

std::set<std::string> placeholders(const std::string& text) {
    std::set<std::string> found;
    for (std::size_t open = text.find('{'); open != std::string::npos;
         open = text.find('{', open + 1)) {
        auto close = text.find('}', open);
        if (close != std::string::npos) {
            found.insert(text.substr(open, close - open + 1));
        }
    }
    return found;
}

} // namespace

TEST_CASE("every shipped language has all the kiosk's words, with their placeholders") {
    const std::filesystem::path assets = std::string(KIOSK_SOURCE_DIR) + "/assets";
    const kiosk::ui::Strings english;
    std::set<std::string> languages;
    for (const auto& entry : std::filesystem::directory_iterator(assets / "strings")) {
        if (entry.path().extension() == ".json") {
            languages.insert(entry.path().stem().string());
        }
    }
    // The languages issue 6 names; more may be added, none may go missing.
    for (const char* wanted : {"cy", "pl", "pt", "es", "ar", "ur", "bn", "gu", "pa-Guru", "ta",
                               "so", "ro", "tr", "zh-Hans"}) {
        CHECK(languages.count(wanted) == 1);
    }
    for (const auto& language : languages) {
        INFO("assets/strings/" << language << ".json");
        std::ifstream in(assets / "strings" / (language + ".json"));
        auto file = nlohmann::json::parse(in);
        kiosk::ui::Strings strings;
        auto problem = strings.load(assets, language);
        CHECK_FALSE(problem);
        for (const auto& key : english.keys()) {
            INFO("key " << key);
            REQUIRE(file.contains(key));
            CHECK(strings.get(key) == file[key].get<std::string>());
            CHECK(placeholders(strings.get(key)) == placeholders(english.get(key)));
            CHECK_FALSE(strings.get(key).empty());
        }
        for (const auto& [key, value] : file.items()) {
            if (key.front() != '_') {
                INFO("key " << key << " is not one the kiosk uses");
                CHECK(strings.get(key) == value.get<std::string>());
                CHECK(english.get(key) != key); // known to the built-in English
            }
        }
        CHECK(file.value("_status", "").find("draft") != std::string::npos);
    }
}
