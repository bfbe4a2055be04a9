#include "model/questionnaire.hpp"

#include <algorithm>
#include <cctype>

namespace kiosk::model {

namespace {

// Language tags are case-insensitive (BCP 47): "en-GB" and "en-gb" name the same language.
bool same_language(const std::string& a, const std::string& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string primary_subtag(const std::string& language) {
    return language.substr(0, language.find('-'));
}

} // namespace

const std::string& LocalText::in(const std::string& language) const {
    for (const auto& [tag, translated] : translations) {
        if (same_language(tag, language)) {
            return translated;
        }
    }
    // A kiosk set to "cy-GB" should still find a translation written for plain "cy".
    const std::string primary = primary_subtag(language);
    if (primary != language) {
        for (const auto& [tag, translated] : translations) {
            if (same_language(tag, primary)) {
                return translated;
            }
        }
    }
    return text;
}

std::string Questionnaire::canonical() const {
    if (version.empty()) {
        return url;
    }
    return url + "|" + version;
}

} // namespace kiosk::model
