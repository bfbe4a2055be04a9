#include "ui/strings.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace kiosk::ui {

Strings::Strings()
    : text_{
          {"welcome.title", "Tell us about your visit"},
          {"welcome.body", "Your answers help the team improve care for everyone. "
                           "It takes about two minutes."},
          {"welcome.anonymous", "You do not give your name. Your answers are anonymous."},
          {"welcome.start", "Start"},
          {"welcome.languages", "Other languages"},
          {"language.name", "English"},
          {"languages.title", "Choose your language"},
          {"tools.large_text", "Larger text"},
          {"tools.high_contrast", "High contrast"},
          {"tools.read_aloud", "Read aloud"},
          {"question.progress", "Question {n} of {total}"},
          {"question.back", "Back"},
          {"question.next", "Next"},
          {"question.submit", "Submit"},
          {"question.start_over", "Start again"},
          {"question.required_hint", "Please choose an answer to go on."},
          {"question.type_hint", "Please type an answer to go on."},
          {"question.optional", "You can leave this blank."},
          {"question.tap_to_type", "Tap here to type your answer"},
          {"question.choose_any", "Choose all that apply."},
          {"answer.yes", "Yes"},
          {"answer.no", "No"},
          {"keyboard.space", "Space"},
          {"keyboard.delete", "Delete"},
          {"keyboard.shift", "Shift"},
          {"keyboard.numbers", "123"},
          {"keyboard.letters", "ABC"},
          {"start_over.title", "Start again?"},
          {"start_over.body", "Your answers so far will be cleared."},
          {"start_over.confirm", "Yes, start again"},
          {"start_over.cancel", "No, go back"},
          {"still_there.title", "Are you still there?"},
          {"still_there.body", "If nobody touches the screen, your answers will be cleared so "
                               "that nobody else sees them."},
          {"still_there.countdown", "{seconds} seconds left"},
          {"still_there.continue", "Continue"},
          {"saving.title", "Saving your answers..."},
          {"could_not_save.title", "Sorry, your answers could not be saved"},
          {"could_not_save.body", "Please try again. If it still does not work, please tell a "
                                  "member of staff."},
          {"could_not_save.try_again", "Try again"},
          {"thank_you.title", "Thank you"},
          {"thank_you.body", "Your answers have been saved. They will help us improve our "
                             "service."},
          {"out_of_service.title", "This kiosk is not available at the moment"},
          {"out_of_service.body", "Sorry. Please ask a member of staff if you would like to "
                                  "give feedback."},
          {"out_of_service.reason", "For staff: {reason}"},
          {"paused.title", "This kiosk is not in use right now"},
          {"paused.body", "Please ask a member of staff if you would like to give feedback."},
      } {}

std::optional<std::string> Strings::load(const std::filesystem::path& assets_dir,
                                         const std::string& language) {
    auto file = assets_dir / "strings" / (language + ".json");
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (language == "en") {
            return std::nullopt;
        }
        return "cannot open " + file.string();
    }
    std::ostringstream text;
    text << in.rdbuf();
    nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return file.string() + ": not a JSON object of \"key\": \"text\" pairs";
    }
    for (const auto& [key, value] : json.items()) {
        if (key.rfind("_", 0) == 0) {
            continue; // "_comment", "_status": notes for translators
        }
        if (!value.is_string()) {
            return file.string() + " at /" + key + ": must be text";
        }
        if (text_.count(key) == 0) {
            return file.string() + " at /" + key + ": not a key the kiosk uses";
        }
        text_[key] = value.get<std::string>();
    }
    return std::nullopt;
}

std::string Strings::get(const std::string& key) const {
    auto found = text_.find(key);
    if (found == text_.end()) {
        return key; // never reached for keys the screens use: they are all built in
    }
    return found->second;
}

std::string Strings::format(const std::string& key,
                            const std::map<std::string, std::string>& values) const {
    std::string out = get(key);
    for (const auto& [name, value] : values) {
        std::string marker = "{" + name + "}";
        for (auto at = out.find(marker); at != std::string::npos;
             at = out.find(marker, at + value.size())) {
            out.replace(at, marker.size(), value);
        }
    }
    return out;
}

std::vector<std::string> Strings::keys() const {
    std::vector<std::string> keys;
    for (const auto& [key, text] : text_) {
        keys.push_back(key);
    }
    return keys;
}

} // namespace kiosk::ui
