#include "model/session.hpp"

#include <algorithm>
#include <type_traits>

namespace kiosk::model {

namespace {

template <class... Ts> struct Overloaded : Ts... { using Ts::operator()...; };
template <class... Ts> Overloaded(Ts...) -> Overloaded<Ts...>;

// Removes the last UTF-8 code point, so one tap on Delete removes one letter whatever its script.
void remove_last_character(std::string& text) {
    if (text.empty()) {
        return;
    }
    std::size_t end = text.size() - 1;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        --end;
    }
    text.erase(end);
}

std::size_t count_characters(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

} // namespace

const char* screen_name(Screen screen) {
    switch (screen) {
    case Screen::welcome:
        return "welcome";
    case Screen::question:
        return "question";
    case Screen::start_over:
        return "start-over";
    case Screen::still_there:
        return "still-there";
    case Screen::saving:
        return "saving";
    case Screen::could_not_save:
        return "could-not-save";
    case Screen::thank_you:
        return "thank-you";
    case Screen::choose_language:
        return "choose-language";
    }
    return "unknown";
}

Session::Session(const Questionnaire& questionnaire, SessionTimings timings, std::string language)
    : questionnaire_(questionnaire), timings_(timings), device_language_(language),
      language_(std::move(language)), rules_(questionnaire), flat_(flatten(questionnaire)) {
    for (std::size_t i = 0; i < flat_.size(); ++i) {
        if (flat_[i].item->type != ItemType::group) {
            pages_.push_back(i);
        }
    }
}

bool Session::is_enabled(std::size_t page) const {
    return rules_.is_enabled(flat_[pages_[page]].item->link_id, answers_);
}

std::optional<std::size_t> Session::next_enabled(std::size_t from) const {
    for (std::size_t page = from + 1; page < pages_.size(); ++page) {
        if (is_enabled(page)) {
            return page;
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> Session::previous_enabled(std::size_t from) const {
    for (std::size_t page = from; page-- > 0;) {
        if (is_enabled(page)) {
            return page;
        }
    }
    return std::nullopt;
}

const Item* Session::current_item() const {
    if (pages_.empty()) {
        return nullptr;
    }
    return flat_[pages_[page_]].item;
}

const std::vector<const Item*>& Session::current_groups() const {
    static const std::vector<const Item*> none; // immutable, so sharing it is safe
    if (pages_.empty()) {
        return none;
    }
    return flat_[pages_[page_]].ancestors;
}

std::vector<AnswerValue> Session::current_answers() const {
    const Item* item = current_item();
    if (item == nullptr) {
        return {};
    }
    auto found = answers_.find(item->link_id);
    return found == answers_.end() ? std::vector<AnswerValue>{} : found->second;
}

std::size_t Session::position() const {
    std::size_t place = 0;
    for (std::size_t page = 0; page <= page_ && page < pages_.size(); ++page) {
        if (is_enabled(page)) {
            ++place;
        }
    }
    return place;
}

std::size_t Session::total() const {
    std::size_t count = 0;
    for (std::size_t page = 0; page < pages_.size(); ++page) {
        if (is_enabled(page)) {
            ++count;
        }
    }
    return count;
}

bool Session::is_last() const {
    return !next_enabled(page_).has_value();
}

bool Session::can_go_back() const {
    return true;
} // from the first question, Back is Welcome

bool Session::current_answered() const {
    const Item* item = current_item();
    if (item == nullptr || !item->is_question()) {
        return true;
    }
    auto found = answers_.find(item->link_id);
    return found != answers_.end() && !found->second.empty();
}

bool Session::all_required_answered() const {
    for (std::size_t page = 0; page < pages_.size(); ++page) {
        const Item* item = flat_[pages_[page]].item;
        if (item->required && is_enabled(page)) {
            auto found = answers_.find(item->link_id);
            if (found == answers_.end() || found->second.empty()) {
                return false;
            }
        }
    }
    return true;
}

Answers Session::submitted_answers() const {
    Answers submitted;
    for (const auto& [link_id, values] : answers_) {
        if (!values.empty() && rules_.is_enabled(link_id, answers_)) {
            submitted.emplace(link_id, values);
        }
    }
    return submitted;
}

void Session::clear_answers() {
    answers_.clear();
    page_ = 0;
    needs_answer_hint_ = false;
    save_problem_.clear();
    seconds_left_ = 0;
}

void Session::reset() {
    clear_answers();
    forget_patient_choices();
    screen_ = Screen::welcome;
}

bool Session::is_welcome_screen() const {
    return screen_ == Screen::welcome || screen_ == Screen::choose_language;
}

bool Session::has_patient_choices() const {
    return language_ != device_language_ || large_text_ || high_contrast_;
}

void Session::forget_patient_choices() {
    language_ = device_language_;
    large_text_ = false;
    high_contrast_ = false;
}

bool Session::is_patient_screen() const {
    return screen_ == Screen::question || screen_ == Screen::start_over ||
           screen_ == Screen::could_not_save;
}

void Session::go_next(MonotonicTime now) {
    (void)now;
    if (!current_answered() && current_item()->required) {
        needs_answer_hint_ = true;
        return;
    }
    if (auto next = next_enabled(page_)) {
        page_ = *next;
        needs_answer_hint_ = false;
    }
}

Effect Session::try_submit(MonotonicTime now) {
    if (!is_last()) {
        go_next(now);
        return Effect::none;
    }
    if (!current_answered() && current_item()->required) {
        needs_answer_hint_ = true;
        return Effect::none;
    }
    if (!all_required_answered()) {
        // Only reachable if answers changed what is enabled behind the patient; take them there.
        for (std::size_t page = 0; page < pages_.size(); ++page) {
            const Item* item = flat_[pages_[page]].item;
            if (item->required && is_enabled(page) &&
                (answers_.count(item->link_id) == 0 || answers_.at(item->link_id).empty())) {
                page_ = page;
                needs_answer_hint_ = true;
                return Effect::none;
            }
        }
    }
    screen_ = Screen::saving;
    return Effect::save_response;
}

Effect Session::apply(const Action& action, MonotonicTime now) {
    if (pages_.empty()) {
        return Effect::none;
    }
    // Any action on a patient screen shows someone is there.
    if (is_patient_screen() || is_welcome_screen()) {
        last_activity_ = now;
    }
    const Item* item = current_item();

    return std::visit(
        Overloaded{
            [&](const action::Start&) {
                if (screen_ == Screen::welcome) {
                    clear_answers();
                    auto first = is_enabled(0) ? std::optional<std::size_t>(0) : next_enabled(0);
                    page_ = first.value_or(0);
                    screen_ = Screen::question;
                }
                return Effect::none;
            },
            [&](const action::ChooseOption& choose) {
                if (screen_ != Screen::question || item->type != ItemType::choice ||
                    choose.index >= item->options.size()) {
                    return Effect::none;
                }
                auto& values = answers_[item->link_id];
                const Coding& coding = item->options[choose.index].coding;
                needs_answer_hint_ = false;
                if (item->repeats) {
                    auto same = std::find_if(values.begin(), values.end(), [&](const auto& v) {
                        return std::holds_alternative<Coding>(v) &&
                               std::get<Coding>(v).same_concept(coding);
                    });
                    if (same != values.end()) {
                        values.erase(same);
                    } else {
                        values.emplace_back(coding);
                    }
                    return Effect::none;
                }
                values = {coding};
                if (!is_last()) {
                    go_next(now); // a single choice moves on by itself
                }
                return Effect::none;
            },
            [&](const action::ChooseBoolean& choose) {
                if (screen_ != Screen::question || item->type != ItemType::boolean) {
                    return Effect::none;
                }
                answers_[item->link_id] = {choose.value};
                needs_answer_hint_ = false;
                if (!is_last()) {
                    go_next(now);
                }
                return Effect::none;
            },
            [&](const action::ChooseInteger& choose) {
                if (screen_ != Screen::question || item->type != ItemType::integer ||
                    choose.value < item->min_value.value_or(choose.value) ||
                    choose.value > item->max_value.value_or(choose.value)) {
                    return Effect::none;
                }
                answers_[item->link_id] = {choose.value};
                needs_answer_hint_ = false;
                if (!is_last()) {
                    go_next(now);
                }
                return Effect::none;
            },
            [&](const action::TypeText& typed) {
                if (screen_ != Screen::question ||
                    (item->type != ItemType::string && item->type != ItemType::text)) {
                    return Effect::none;
                }
                std::string text;
                if (auto found = answers_.find(item->link_id);
                    found != answers_.end() && !found->second.empty()) {
                    text = std::get<std::string>(found->second.front());
                }
                std::size_t limit = static_cast<std::size_t>(item->max_length.value_or(2000));
                if (count_characters(text) + count_characters(typed.text) > limit) {
                    return Effect::none;
                }
                text += typed.text;
                answers_[item->link_id] = {text};
                needs_answer_hint_ = false;
                return Effect::none;
            },
            [&](const action::DeleteCharacter&) {
                if (screen_ != Screen::question) {
                    return Effect::none;
                }
                auto found = answers_.find(item->link_id);
                if (found == answers_.end() || found->second.empty() ||
                    !std::holds_alternative<std::string>(found->second.front())) {
                    return Effect::none;
                }
                std::string text = std::get<std::string>(found->second.front());
                remove_last_character(text);
                if (text.empty()) {
                    answers_.erase(found); // an emptied box is no answer at all
                } else {
                    found->second = {text};
                }
                return Effect::none;
            },
            [&](const action::Next&) {
                if (screen_ == Screen::question) {
                    if (is_last()) {
                        return try_submit(now);
                    }
                    go_next(now);
                }
                return Effect::none;
            },
            [&](const action::Back&) {
                if (screen_ != Screen::question) {
                    return Effect::none;
                }
                needs_answer_hint_ = false;
                if (auto previous = previous_enabled(page_)) {
                    page_ = *previous;
                } else {
                    screen_ = Screen::start_over; // Back from the first question asks first
                }
                return Effect::none;
            },
            [&](const action::Submit&) {
                if (screen_ != Screen::question) {
                    return Effect::none; // a second tap on Submit lands here: one response only
                }
                return try_submit(now);
            },
            [&](const action::StartOver&) {
                if (screen_ == Screen::question) {
                    screen_ = Screen::start_over;
                }
                return Effect::none;
            },
            [&](const action::ConfirmStartOver&) {
                if (screen_ == Screen::start_over) {
                    // The same patient starting again: their language and display stay.
                    clear_answers();
                    screen_ = Screen::welcome;
                }
                return Effect::none;
            },
            [&](const action::CancelStartOver&) {
                if (screen_ == Screen::start_over) {
                    screen_ = Screen::question;
                }
                return Effect::none;
            },
            [&](const action::Continue&) {
                if (screen_ == Screen::still_there) {
                    screen_ = screen_before_warning_;
                    last_activity_ = now;
                    seconds_left_ = 0;
                }
                return Effect::none;
            },
            [&](const action::TryAgain&) {
                if (screen_ == Screen::could_not_save) {
                    screen_ = Screen::saving;
                    return Effect::save_response;
                }
                return Effect::none;
            },
            [&](const action::Touch&) { return Effect::none; },
            [&](const action::ReadAloud&) { return Effect::none; },
            [&](const action::ShowLanguages&) {
                if (screen_ == Screen::welcome) {
                    screen_ = Screen::choose_language;
                }
                return Effect::none;
            },
            [&](const action::ChooseLanguage& choose) {
                if (is_welcome_screen() && !choose.tag.empty()) {
                    language_ = choose.tag;
                    screen_ = Screen::welcome;
                }
                return Effect::none;
            },
            [&](const action::CloseLanguages&) {
                if (screen_ == Screen::choose_language) {
                    screen_ = Screen::welcome;
                }
                return Effect::none;
            },
            [&](const action::ToggleLargeText&) {
                if (screen_ != Screen::saving) {
                    large_text_ = !large_text_;
                }
                return Effect::none;
            },
            [&](const action::ToggleHighContrast&) {
                if (screen_ != Screen::saving) {
                    high_contrast_ = !high_contrast_;
                }
                return Effect::none;
            },
        },
        action);
}

void Session::saved(MonotonicTime now) {
    if (screen_ != Screen::saving) {
        return;
    }
    clear_answers(); // the response is safe; nothing of it stays on this device's screens
    screen_ = Screen::thank_you;
    thank_you_ends_ = now + timings_.thank_you;
}

void Session::save_failed(std::string reason, MonotonicTime now) {
    if (screen_ != Screen::saving) {
        return;
    }
    save_problem_ = std::move(reason);
    screen_ = Screen::could_not_save;
    last_activity_ = now;
}

void Session::tick(MonotonicTime now) {
    switch (screen_) {
    case Screen::question:
    case Screen::start_over:
    case Screen::could_not_save:
        if (now >= last_activity_ + timings_.idle_timeout) {
            screen_before_warning_ = screen_;
            screen_ = Screen::still_there;
            warning_ends_ = last_activity_ + timings_.idle_timeout + timings_.idle_warning;
            tick(now); // the warning may already have run out when time jumped
        }
        break;
    case Screen::still_there: {
        if (now >= warning_ends_) {
            reset(); // the patient has gone: their answers go with them
            break;
        }
        auto left = std::chrono::ceil<std::chrono::seconds>(warning_ends_ - now);
        seconds_left_ = static_cast<int>(left.count());
        break;
    }
    case Screen::thank_you:
        if (now >= thank_you_ends_) {
            forget_patient_choices(); // their session has ended
            screen_ = Screen::welcome;
        }
        break;
    case Screen::welcome:
    case Screen::choose_language:
        // A patient who chose a language (or large text) and walked away: the next one starts
        // in the device's language. No warning is needed, nothing was answered.
        if (has_patient_choices() && now >= last_activity_ + timings_.idle_timeout) {
            forget_patient_choices();
            screen_ = Screen::welcome;
        } else if (screen_ == Screen::choose_language &&
                   now >= last_activity_ + timings_.idle_timeout) {
            screen_ = Screen::welcome;
        }
        break;
    case Screen::saving:
        break;
    }
}

std::optional<MonotonicTime> Session::next_timer(MonotonicTime now) const {
    switch (screen_) {
    case Screen::question:
    case Screen::start_over:
    case Screen::could_not_save:
        return last_activity_ + timings_.idle_timeout;
    case Screen::still_there: {
        if (now >= warning_ends_) {
            return now;
        }
        // Wake when the countdown's whole-second number changes, and at the end.
        auto remaining = warning_ends_ - now;
        auto into_second = remaining % std::chrono::milliseconds(1000);
        if (into_second == std::chrono::milliseconds::zero()) {
            into_second = std::chrono::milliseconds(1000);
        }
        return now + std::chrono::duration_cast<MonotonicTime::duration>(into_second);
    }
    case Screen::thank_you:
        return thank_you_ends_;
    case Screen::welcome:
    case Screen::choose_language:
        if (has_patient_choices() || screen_ == Screen::choose_language) {
            return last_activity_ + timings_.idle_timeout;
        }
        return std::nullopt;
    case Screen::saving:
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace kiosk::model
