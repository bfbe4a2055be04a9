#include "app/headless_script.hpp"

#include <charconv>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>
#include <type_traits>

namespace kiosk::app {

namespace {

// Splits a line into words; "quoted text" is one word (\" and \\ escape inside quotes).
bool split_words(const std::string& line, std::vector<std::string>& words,
                 std::vector<bool>& quoted, std::string& problem) {
    std::size_t i = 0;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
            ++i;
            continue;
        }
        if (line[i] == '"') {
            std::string word;
            ++i;
            bool closed = false;
            while (i < line.size()) {
                char c = line[i++];
                if (c == '\\' && i < line.size()) {
                    word += line[i++];
                } else if (c == '"') {
                    closed = true;
                    break;
                } else {
                    word += c;
                }
            }
            if (!closed) {
                problem = "a quoted text is not closed with \"";
                return false;
            }
            words.push_back(word);
            quoted.push_back(true);
            continue;
        }
        std::size_t end = line.find_first_of(" \t\r", i);
        if (end == std::string::npos) {
            end = line.size();
        }
        words.push_back(line.substr(i, end - i));
        quoted.push_back(false);
        i = end;
    }
    return true;
}

// The whole word as a number: "12abc", "nan" and "inf" are not numbers here.
template <typename Number> std::optional<Number> parse_number(const std::string& word) {
    Number number{};
    auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), number);
    if (error != std::errc() || end != word.data() + word.size()) {
        return std::nullopt;
    }
    if constexpr (std::is_floating_point_v<Number>) {
        if (!std::isfinite(number)) {
            return std::nullopt;
        }
    }
    return number;
}

// The longest wait: far beyond any timer in the kiosk, and far from overflowing the clock.
constexpr double longest_wait_ms = 366.0 * 24 * 3600 * 1000;

std::optional<std::chrono::milliseconds> parse_duration(const std::string& word) {
    double amount = 0;
    auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), amount);
    if (error != std::errc() || !std::isfinite(amount) || amount < 0) {
        return std::nullopt;
    }
    std::string unit(end, word.data() + word.size());
    double ms = 0;
    if (unit == "ms") {
        ms = amount;
    } else if (unit == "s") {
        ms = amount * 1000;
    } else if (unit == "m") {
        ms = amount * 60000;
    } else {
        return std::nullopt;
    }
    if (ms > longest_wait_ms) { // also keeps the conversion below defined
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(ms));
}

} // namespace

ScriptParse parse_script(const std::string& text, const std::string& source_name) {
    ScriptParse parse;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        auto problem = [&](const std::string& what) {
            parse.problems.push_back({source_name, "line " + std::to_string(number), what});
        };
        std::vector<std::string> words;
        std::vector<bool> quoted;
        std::string split_problem;
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') {
            continue;
        }
        if (!split_words(line, words, quoted, split_problem)) {
            problem(split_problem);
            continue;
        }
        ScriptStep step;
        step.line = number;
        const std::string& verb = words[0];
        auto want = [&](std::size_t count, const char* usage) {
            if (words.size() != count) {
                problem(std::string("expected: ") + usage);
                return false;
            }
            return true;
        };
        if (verb == "tap") {
            if (words.size() == 2 && quoted[1]) {
                step.kind = ScriptStep::Kind::tap_label;
                step.text = words[1];
            } else if (words.size() == 3) {
                step.kind = ScriptStep::Kind::tap_point;
                auto x = parse_number<float>(words[1]);
                auto y = parse_number<float>(words[2]);
                if (!x || !y || *x < 0 || *y < 0) {
                    problem("tap X Y needs two pixel positions (numbers from 0), like tap 640 400");
                    continue;
                }
                step.x = *x;
                step.y = *y;
            } else {
                problem("expected: tap \"Label\"  or  tap X Y");
                continue;
            }
        } else if (verb == "type") {
            if (!want(2, "type \"text\"") || !quoted[1]) {
                if (words.size() == 2) {
                    problem("expected: type \"text\"");
                }
                continue;
            }
            step.kind = ScriptStep::Kind::type_text;
            step.text = words[1];
        } else if (verb == "wait") {
            if (!want(2, "wait 30s  (units: ms, s, m)")) {
                continue;
            }
            auto duration = parse_duration(words[1]);
            if (!duration) {
                problem("'" + words[1] +
                        "' is not a duration like 500ms, 30s or 2m (at most 366 days)");
                continue;
            }
            step.kind = ScriptStep::Kind::wait;
            step.duration = *duration;
        } else if (verb == "hold") {
            if (!want(4, "hold X Y DURATION  (like hold 10 10 3s)")) {
                continue;
            }
            auto x = parse_number<float>(words[1]);
            auto y = parse_number<float>(words[2]);
            auto duration = parse_duration(words[3]);
            if (!x || !y || *x < 0 || *y < 0 || !duration) {
                problem("hold X Y DURATION needs two pixel positions and a duration, like "
                        "hold 10 10 3s");
                continue;
            }
            step.kind = ScriptStep::Kind::hold;
            step.x = *x;
            step.y = *y;
            step.duration = *duration;
        } else if (verb == "drag") {
            if (!want(5, "drag X1 Y1 X2 Y2  (like drag 100 100 600 400)")) {
                continue;
            }
            auto x1 = parse_number<float>(words[1]);
            auto y1 = parse_number<float>(words[2]);
            auto x2 = parse_number<float>(words[3]);
            auto y2 = parse_number<float>(words[4]);
            if (!x1 || !y1 || !x2 || !y2 || *x1 < 0 || *y1 < 0 || *x2 < 0 || *y2 < 0) {
                problem("drag X1 Y1 X2 Y2 needs four pixel positions (numbers from 0)");
                continue;
            }
            step.kind = ScriptStep::Kind::drag;
            step.x = *x1;
            step.y = *y1;
            step.x2 = *x2;
            step.y2 = *y2;
        } else if (verb == "clock") {
            if (!want(2, "clock \"YYYY-MM-DD HH:MM\"")) {
                continue;
            }
            std::tm local{};
            const char* end = strptime(words[1].c_str(), "%Y-%m-%d %H:%M", &local);
            if (end == nullptr || *end != '\0') {
                problem("'" + words[1] + "' is not a local time like \"2026-11-30 17:59\"");
                continue;
            }
            local.tm_isdst = -1;
            std::time_t when = mktime(&local);
            if (when == static_cast<std::time_t>(-1)) {
                problem("'" + words[1] + "' is not a time this device can represent");
                continue;
            }
            step.kind = ScriptStep::Kind::set_clock;
            step.text = words[1];
            step.wall = std::chrono::system_clock::from_time_t(when);
        } else if (verb == "screenshot") {
            if (!want(2, "screenshot NAME")) {
                continue;
            }
            if (words[1].find('/') != std::string::npos || words[1].empty() || words[1][0] == '.') {
                problem("a screenshot name is a plain file name without '/'");
                continue;
            }
            step.kind = ScriptStep::Kind::screenshot;
            step.text = words[1];
        } else if (verb == "expect") {
            const std::size_t problems_before = parse.problems.size();
            if (words.size() >= 2 && words[1] == "screen" && want(3, "expect screen NAME")) {
                step.kind = ScriptStep::Kind::expect_screen;
                step.text = words[2];
            } else if (words.size() >= 2 && words[1] == "text" && want(3, "expect text \"...\"")) {
                step.kind = ScriptStep::Kind::expect_text;
                step.text = words[2];
            } else if (words.size() >= 3 && words[1] == "no" && words[2] == "text" &&
                       want(4, "expect no text \"...\"")) {
                step.kind = ScriptStep::Kind::expect_no_text;
                step.text = words[3];
            } else if (words.size() >= 2 && words[1] == "spoken" &&
                       want(3, "expect spoken \"...\"")) {
                step.kind = ScriptStep::Kind::expect_spoken;
                step.text = words[2];
            } else if (words.size() >= 2 && words[1] == "stored" && want(3, "expect stored N")) {
                step.kind = ScriptStep::Kind::expect_stored;
                auto count = parse_number<long long>(words[2]);
                if (!count || *count < 0) {
                    problem("expect stored N needs a whole number from 0");
                    continue;
                }
                step.count = *count;
            } else {
                // Unless a `want` above has said what is wrong (`expect screen` without a name),
                // say it here: `expect no`, `expect no txt` and the like must never be dropped
                // silently, or the check they were meant to make passes unseen.
                if (parse.problems.size() == problems_before) {
                    problem("expected: expect screen NAME | expect text \"...\" | expect no text "
                            "\"...\" | expect stored N | expect spoken \"...\"");
                }
                continue;
            }
        } else {
            problem("unknown step '" + verb +
                    "' (steps: tap, hold, drag, type, wait, clock, screenshot, expect)");
            continue;
        }
        parse.steps.push_back(step);
    }
    return parse;
}

ScriptParse load_script_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ScriptParse parse;
        parse.problems.push_back({path, "", "cannot open the script file"});
        return parse;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_script(text.str(), path);
}

} // namespace kiosk::app
