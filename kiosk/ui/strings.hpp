#pragma once
// The kiosk's own words (Start, Back, Next, ...) in one language, from assets/strings/<lang>.json.
// English is built in, so every screen has words even when an asset file is missing or
// incomplete; a missing key falls back to English for that text only.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::ui {

class Strings {
public:
    Strings(); // English, built in

    // Reads `<assets>/strings/<language>.json` over the built-in English. Returns a problem
    // naming the file and place when the file exists but is wrong; a missing file is not an
    // error for English (the built-in words are complete).
    std::optional<std::string> load(const std::filesystem::path& assets_dir,
                                    const std::string& language);

    std::string get(const std::string& key) const;

    // Every key there are words for, in order: what a translation must cover.
    std::vector<std::string> keys() const;

    // get(key) with "{name}" replaced by value for each pair.
    std::string format(const std::string& key,
                       const std::map<std::string, std::string>& values) const;

private:
    std::map<std::string, std::string> text_;
};

} // namespace kiosk::ui
