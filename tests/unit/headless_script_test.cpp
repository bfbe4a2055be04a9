// Headless scripts: every step parses with its values, and every mistake is refused with the
// script's name and "line N", so a script that does not say what its author meant never runs.

#include "app/headless_script.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace kiosk::app;
using kiosk::model::Problem;
using kiosk::model::Problems;
using Kind = ScriptStep::Kind;
using std::chrono::milliseconds;

namespace {

const std::string kName = "tests/ui/sample.script";

std::string all_problems(const Problems& problems) {
    std::string out;
    for (const Problem& problem : problems) {
        out += problem.to_string() + "\n";
    }
    return out;
}

// The steps of a script that must parse without a problem.
std::vector<ScriptStep> steps_of(const std::string& text) {
    const ScriptParse parse = parse_script(text, kName);
    INFO(all_problems(parse.problems));
    REQUIRE(parse.problems.empty());
    return parse.steps;
}

ScriptStep only_step(const std::string& text) {
    const std::vector<ScriptStep> steps = steps_of(text);
    REQUIRE(steps.size() == 1);
    return steps.front();
}

// The one problem of a script with one mistake; the line with the mistake gives no step.
Problem only_problem(const std::string& text) {
    const ScriptParse parse = parse_script(text, kName);
    INFO(all_problems(parse.problems));
    REQUIRE(parse.problems.size() == 1);
    CHECK(parse.problems.front().file == kName);
    return parse.problems.front();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

// --- Every kind of step ---------------------------------------------------------------------

TEST_CASE("tap \"Label\" taps the button showing that text", "[script]") {
    const ScriptStep step = only_step("tap \"Start the survey\"\n");
    CHECK(step.kind == Kind::tap_label);
    CHECK(step.text == "Start the survey");
    CHECK(step.line == 1);
}

TEST_CASE("tap X Y taps a pixel", "[script]") {
    const ScriptStep step = only_step("tap 640 400.5");
    CHECK(step.kind == Kind::tap_point);
    CHECK(step.x == 640.0f);
    CHECK(step.y == 400.5f);
    CHECK(step.text.empty());
}

TEST_CASE("type \"text\" keeps spaces and escaped quotes and backslashes", "[script]") {
    const ScriptStep step = only_step(R"(type "She said \"thank you\" \\ twice")");
    CHECK(step.kind == Kind::type_text);
    CHECK(step.text == R"(She said "thank you" \ twice)");
}

TEST_CASE("wait takes milliseconds, seconds and minutes", "[script]") {
    const std::vector<ScriptStep> steps = steps_of("wait 500ms\nwait 30s\nwait 2m\nwait 1.5s\n"
                                                   "wait 0ms\n");
    REQUIRE(steps.size() == 5);
    for (const ScriptStep& step : steps) {
        CHECK(step.kind == Kind::wait);
    }
    CHECK(steps[0].duration == milliseconds(500));
    CHECK(steps[1].duration == milliseconds(30'000));
    CHECK(steps[2].duration == milliseconds(120'000));
    CHECK(steps[3].duration == milliseconds(1'500));
    CHECK(steps[4].duration == milliseconds(0));
    CHECK(steps[2].line == 3);
}

TEST_CASE("screenshot NAME names the picture", "[script]") {
    SECTION("a plain name") {
        const ScriptStep step = only_step("screenshot welcome-screen_1");
        CHECK(step.kind == Kind::screenshot);
        CHECK(step.text == "welcome-screen_1");
    }
    SECTION("a quoted name with a space") {
        const ScriptStep step = only_step("screenshot \"thank you\"");
        CHECK(step.kind == Kind::screenshot);
        CHECK(step.text == "thank you");
    }
}

TEST_CASE("expect steps parse with their values", "[script]") {
    const std::vector<ScriptStep> steps = steps_of(R"(expect screen thank-you
expect text "How likely are you"
expect no text "Error"
expect stored 3
expect stored 0
)");
    REQUIRE(steps.size() == 5);
    CHECK(steps[0].kind == Kind::expect_screen);
    CHECK(steps[0].text == "thank-you");
    CHECK(steps[1].kind == Kind::expect_text);
    CHECK(steps[1].text == "How likely are you");
    CHECK(steps[2].kind == Kind::expect_no_text);
    CHECK(steps[2].text == "Error");
    CHECK(steps[3].kind == Kind::expect_stored);
    CHECK(steps[3].count == 3);
    CHECK(steps[4].kind == Kind::expect_stored);
    CHECK(steps[4].count == 0);
}

TEST_CASE("comments and blank lines are skipped but still counted", "[script]") {
    const std::string script = "# A patient answers and leaves.\n"
                               "\n"
                               "   \t\n"
                               "  # an indented comment\n"
                               "tap \"Start\"\r\n"
                               "\n"
                               "wait 2m\n"
                               "expect screen welcome";
    const std::vector<ScriptStep> steps = steps_of(script);
    REQUIRE(steps.size() == 3);
    CHECK(steps[0].kind == Kind::tap_label);
    CHECK(steps[0].text == "Start"); // the \r of a Windows line end is not part of the step
    CHECK(steps[0].line == 5);
    CHECK(steps[1].kind == Kind::wait);
    CHECK(steps[1].line == 7);
    CHECK(steps[2].kind == Kind::expect_screen);
    CHECK(steps[2].text == "welcome");
    CHECK(steps[2].line == 8);
}

TEST_CASE("an empty script has no steps and no problems", "[script]") {
    CHECK(steps_of("").empty());
    CHECK(steps_of("# nothing yet\n\n").empty());
}

TEST_CASE("hold, drag and clock parse with their values", "[script]") {
    const std::vector<ScriptStep> steps =
        steps_of("hold 20 30 3s\ndrag 1 2 300 400.5\nclock \"2026-11-30 17:59\"\n");
    REQUIRE(steps.size() == 3);
    CHECK(steps[0].kind == Kind::hold);
    CHECK(steps[0].x == 20.0f);
    CHECK(steps[0].y == 30.0f);
    CHECK(steps[0].duration == milliseconds(3000));
    CHECK(steps[1].kind == Kind::drag);
    CHECK(steps[1].x == 1.0f);
    CHECK(steps[1].y == 2.0f);
    CHECK(steps[1].x2 == 300.0f);
    CHECK(steps[1].y2 == 400.5f);
    CHECK(steps[2].kind == Kind::set_clock);
    std::time_t when = std::chrono::system_clock::to_time_t(steps[2].wall);
    std::tm local{};
    localtime_r(&when, &local);
    CHECK(local.tm_year == 126);
    CHECK(local.tm_mon == 10);
    CHECK(local.tm_mday == 30);
    CHECK(local.tm_hour == 17);
    CHECK(local.tm_min == 59);
}

TEST_CASE("hold, drag and clock with missing or wrong values are refused", "[script][problems]") {
    CHECK(contains(only_problem("hold 20 20\n").what, "hold X Y DURATION"));
    CHECK(contains(only_problem("hold 20 20 soon\n").what, "hold X Y DURATION"));
    CHECK(contains(only_problem("hold -1 20 3s\n").what, "hold X Y DURATION"));
    CHECK(contains(only_problem("drag 1 2 3\n").what, "drag X1 Y1 X2 Y2"));
    CHECK(contains(only_problem("drag 1 2 3 x\n").what, "four pixel positions"));
    CHECK(contains(only_problem("clock \"tomorrow\"\n").what, "not a local time"));
    CHECK(contains(only_problem("clock \"2026-11-30 17:59 extra\"\n").what, "not a local time"));
}

// --- Mistakes -------------------------------------------------------------------------------

TEST_CASE("an unknown step is refused with the steps there are", "[script][problems]") {
    const Problem problem = only_problem("tap \"Start\"\n\nclick \"Next\"\n");
    CHECK(problem.place == "line 3");
    CHECK(problem.what ==
          "unknown step 'click' (steps: tap, hold, drag, type, wait, clock, screenshot, expect)");
}

TEST_CASE("an unclosed quote is refused", "[script][problems]") {
    SECTION("in a tap") {
        const Problem problem = only_problem("# first\ntap \"Start the survey\n");
        CHECK(problem.place == "line 2");
        CHECK(problem.what == "a quoted text is not closed with \"");
    }
    SECTION("ending in an escaped quote") {
        const Problem problem = only_problem(R"(type "abc\")");
        CHECK(problem.place == "line 1");
        CHECK(contains(problem.what, "not closed"));
    }
}

TEST_CASE("a bad duration is refused", "[script][problems]") {
    for (const std::string duration :
         {"30", "30sec", "-5s", "s", "1h", "nans", "infs", "1e300s", "600000m", "5 s"}) {
        DYNAMIC_SECTION("wait " << duration) {
            const Problem problem = only_problem("\nwait " + duration + "\n");
            CHECK(problem.place == "line 2");
            CHECK((contains(problem.what, "is not a duration like 500ms, 30s or 2m") ||
                   contains(problem.what, "expected: wait 30s")));
        }
    }
    SECTION("the message names the word") {
        const Problem problem = only_problem("wait 10 s");
        CHECK(problem.what == "expected: wait 30s  (units: ms, s, m)");
        const Problem unit = only_problem("wait 10h");
        CHECK(unit.what == "'10h' is not a duration like 500ms, 30s or 2m (at most 366 days)");
    }
    SECTION("the longest wait allowed") {
        CHECK(only_step("wait 527040m").duration == milliseconds(527'040LL * 60'000));
    }
}

TEST_CASE("a screenshot name must be a plain file name", "[script][problems]") {
    for (const std::string name :
         {"shots/welcome", "../welcome", "/tmp/welcome", ".hidden", "\"\""}) {
        DYNAMIC_SECTION("screenshot " << name) {
            const Problem problem = only_problem("tap 1 1\nscreenshot " + name + "\n");
            CHECK(problem.place == "line 2");
            CHECK(problem.what == "a screenshot name is a plain file name without '/'");
        }
    }
    SECTION("no name") {
        const Problem problem = only_problem("screenshot");
        CHECK(problem.place == "line 1");
        CHECK(problem.what == "expected: screenshot NAME");
    }
}

TEST_CASE("an expect with a missing argument is refused", "[script][problems]") {
    struct Case {
        std::string line;
        std::string what;
    };
    const std::string kAllExpects =
        "expected: expect screen NAME | expect text \"...\" | expect no "
        "text \"...\" | expect stored N | expect spoken \"...\"";
    const std::vector<Case> cases = {
        {"expect screen", "expected: expect screen NAME"},
        {"expect text", "expected: expect text \"...\""},
        {"expect no text", "expected: expect no text \"...\""},
        {"expect stored", "expected: expect stored N"},
        {"expect spoken", "expected: expect spoken \"...\""},
        {"expect", kAllExpects},
        // Each of these once gave no step and no problem: the check was silently dropped.
        {"expect no", kAllExpects},
        {"expect no txt \"Error\"", kAllExpects},
        {"expect nothing", kAllExpects},
    };
    for (const Case& row : cases) {
        DYNAMIC_SECTION(row.line) {
            const Problem problem = only_problem("tap \"Start\"\n# then\n" + row.line + "\n");
            CHECK(problem.place == "line 3");
            CHECK(problem.what == row.what);
        }
    }
}

TEST_CASE("numbers must be whole and sensible", "[script][problems]") {
    SECTION("tap X Y") {
        for (const std::string line :
             {"tap 100 2OO", "tap 10px 20", "tap -1 5", "tap nan 5", "tap 5 inf", "tap one two"}) {
            DYNAMIC_SECTION(line) {
                const Problem problem = only_problem(line);
                CHECK(problem.place == "line 1");
                CHECK(contains(problem.what, "tap X Y needs two pixel positions"));
            }
        }
    }
    SECTION("expect stored N") {
        for (const std::string line :
             {"expect stored 3x", "expect stored -1", "expect stored many", "expect stored 1.5"}) {
            DYNAMIC_SECTION(line) {
                const Problem problem = only_problem(line);
                CHECK(problem.place == "line 1");
                CHECK(problem.what == "expect stored N needs a whole number from 0");
            }
        }
    }
    SECTION("tap and type with the wrong words") {
        CHECK(only_problem("tap Start").what == "expected: tap \"Label\"  or  tap X Y");
        CHECK(only_problem("type hello").what == "expected: type \"text\"");
        CHECK(only_problem("type \"a\" \"b\"").what == "expected: type \"text\"");
    }
}

TEST_CASE("every mistake in a script is reported, each with its own line", "[script][problems]") {
    const ScriptParse parse = parse_script("tap \"Start\"\n"
                                           "jump\n"
                                           "wait 5\n"
                                           "tap \"Yes\"\n"
                                           "screenshot a/b\n",
                                           kName);
    INFO(all_problems(parse.problems));
    REQUIRE(parse.problems.size() == 3);
    CHECK(parse.problems[0].place == "line 2");
    CHECK(parse.problems[1].place == "line 3");
    CHECK(parse.problems[2].place == "line 5");
    CHECK(parse.problems[2].to_string() ==
          kName + " at line 5: a screenshot name is a plain file name without '/'");
    REQUIRE(parse.steps.size() == 2); // the good lines still parse
    CHECK(parse.steps[1].text == "Yes");
    CHECK(parse.steps[1].line == 4);
}

TEST_CASE("load_script_file reads a file and names it in problems", "[script]") {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() /
        ("kiosk-headless-script-test-" + std::to_string(getpid()) + ".script");
    {
        std::ofstream out(file, std::ios::binary);
        out << "tap \"Start\"\nbogus\n";
    }
    const ScriptParse parse = load_script_file(file.string());
    std::filesystem::remove(file);
    REQUIRE(parse.steps.size() == 1);
    REQUIRE(parse.problems.size() == 1);
    CHECK(parse.problems[0].file == file.string());
    CHECK(parse.problems[0].place == "line 2");

    const ScriptParse missing = load_script_file("/nonexistent-kiosk-folder/a.script");
    REQUIRE(missing.problems.size() == 1);
    CHECK(missing.problems[0].file == "/nonexistent-kiosk-folder/a.script");
    CHECK(missing.problems[0].what == "cannot open the script file");
}
