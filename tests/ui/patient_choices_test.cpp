// A patient's own choices on the real screens: their language (from the welcome screen or the
// list of languages), larger text, high contrast and read-aloud; each one tap away on every
// screen, kept while they answer and gone for the next patient.

#include "app/kiosk_app.hpp"
#include "kiosk_rig.hpp"
#include "model/pin_hash.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

using namespace kiosk;

namespace {

struct Kiosk {
    test::TempDir dir;
    test::CapturedLog log;
    std::unique_ptr<app::KioskApp> app;

    // `session` is added to the [session] section: languages, read_aloud.
    explicit Kiosk(const std::string& session, const std::string& more_sections = "") {
        auto settings = dir.path() / "kiosk.toml";
        std::ofstream out(settings);
        out << "[device]\nid = \"ward-7-kiosk\"\nsite = \"Main Hospital\"\n"
            << "service = \"Oncology outpatients\"\n"
            << "[questionnaires]\nfiles = [\""
            << test::questionnaire_path("friends-and-family-test")
            << "\"]\nactive = \"friends-and-family-test\"\n"
            << "[storage]\ndata_dir = \"data\"\n"
            << "[session]\nidle_timeout_seconds = 60\nidle_warning_seconds = 20\n"
            << "thank_you_seconds = 5\n"
            << session << "\n"
            << "[display]\nfullscreen = false\nwidth = 1280\nheight = 800\ndpi = 150\n"
            << "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\n"
            << more_sections;
        out.close();
        app::AppOptions options;
        options.settings_file = settings;
        options.headless = true;
        options.default_assets_dir = std::string(KIOSK_SOURCE_DIR) + "/assets";
        app = app::KioskApp::start(options, log.log());
        REQUIRE(app != nullptr);
    }

    void run(const std::string& script) {
        auto outcome = test::run_script(*app, script, dir.path() / "screens");
        REQUIRE(outcome.passed);
    }
    const ui::FrameRecord& frame() const { return app->last_frame(); }
    const ui::TapTarget& target(const std::string& label) const {
        auto found = frame().targets_labelled(label);
        REQUIRE(found.size() == 1);
        return *found.front();
    }
    bool has_target(const std::string& label) const {
        return !frame().targets_labelled(label).empty();
    }
};

const std::string kAllLanguages =
    "languages = [\"en\", \"cy\", \"pl\", \"pt\", \"es\", \"ar\", \"ur\", \"bn\", \"gu\", "
    "\"pa-Guru\", \"ta\", \"so\", \"ro\", \"tr\", \"zh-Hans\"]\n";

} // namespace

TEST_CASE("with a few languages, each is a button on the welcome screen in its own name") {
    Kiosk kiosk("languages = [\"en\", \"cy\"]\n");
    kiosk.run("expect screen welcome\n");
    CHECK(kiosk.has_target("English"));
    CHECK(kiosk.has_target("Cymraeg"));
    CHECK_FALSE(kiosk.has_target("Other languages"));
    kiosk.run(R"(
tap "Cymraeg"
expect screen welcome
expect text "Dywedwch wrthym am eich ymweliad"
tap "Dechrau"
expect screen question
)");
    CHECK(kiosk.app->session()->language() == "cy");
}

TEST_CASE("with one language there is no language choice") {
    Kiosk kiosk("");
    kiosk.run("expect screen welcome\n");
    CHECK_FALSE(kiosk.has_target("English"));
    CHECK_FALSE(kiosk.has_target("Other languages"));
}

TEST_CASE("many languages open a list, each in its own name and script; the response records it") {
    Kiosk kiosk(kAllLanguages);
    kiosk.run(R"(
tap "Other languages"
expect screen choose-language
expect text "Choose your language"
)");
    for (const char* name :
         {"English", "Cymraeg", "Polski", "Português", "Español", "العربية", "اردو", "বাংলা",
          "ગુજરાતી", "ਪੰਜਾਬੀ", "தமிழ்", "Soomaali", "Română", "Türkçe", "简体中文"}) {
        INFO(name);
        CHECK(kiosk.has_target(name));
    }
    // Each name is drawn with its own language's fonts, whatever the screen's language.
    bool bengali_drawn = false;
    for (const auto& line : kiosk.frame().lines) {
        if (line.text == "বাংলা") {
            bengali_drawn = true;
            CHECK(line.language == "bn");
            REQUIRE_FALSE(line.fonts.empty());
            CHECK(line.fonts.front().file.filename().string().find("Bengali") != std::string::npos);
        }
    }
    CHECK(bengali_drawn);
    kiosk.run(R"(
tap "Polski"
expect screen welcome
tap "Rozpocznij"
tap "Dobrze"
tap "Dalej"
tap "Wyślij"
expect screen thank-you
expect stored 1
)");
    auto listed = kiosk.app->outbox()->list(std::nullopt, 10);
    REQUIRE(listed.responses.size() == 1);
    CHECK(nlohmann::json::parse(listed.responses[0].payload)["language"] == "pl");
}

TEST_CASE(
    "Arabic mirrors the layout: Next on the left, Back on the right, options from the right") {
    Kiosk kiosk(kAllLanguages);
    kiosk.run("tap \"Other languages\"\ntap \"العربية\"\ntap \"البدء\"\nexpect screen question\n");
    const float middle = 640;
    CHECK(kiosk.target("التالي").centre().x < middle);           // Next
    CHECK(kiosk.target("رجوع").centre().x > middle);             // Back
    CHECK(kiosk.target("جيدة جدًا").centre().x > middle);         // the first option, "Very good"
    CHECK(kiosk.target("القراءة بصوت عالٍ").centre().x < middle); // the tools, top left
    for (const auto& line : kiosk.frame().lines) {
        if (line.language == "ar" && line.text == "التالي") {
            CHECK(line.shaped.direction == text::TextDirection::right_to_left);
        }
    }
    SECTION("and English does not") {
        Kiosk english(kAllLanguages);
        english.run("tap \"Start\"\n");
        CHECK(english.target("Next").centre().x > middle);
        CHECK(english.target("Back").centre().x < middle);
        CHECK(english.target("Very good").centre().x < middle);
    }
}

TEST_CASE("larger text and high contrast are one tap from every screen and last the session") {
    Kiosk kiosk(kAllLanguages);
    kiosk.run("expect screen welcome\n");
    const auto title_height = [&] {
        for (const auto& line : kiosk.frame().lines) {
            if (line.text == "Tell us about your visit") {
                return line.pixel_size;
            }
        }
        FAIL("the welcome title is not drawn");
        return 0;
    };
    const int usual = title_height();
    kiosk.run("tap \"Larger text\"\ntap \"High contrast\"\n");
    CHECK(title_height() > usual * 13 / 10);
    CHECK(kiosk.app->session()->large_text());
    CHECK(kiosk.app->session()->high_contrast());
    // The same tools on the other screens, and the choices carried through.
    kiosk.run("tap \"Start\"\nexpect screen question\n");
    CHECK(kiosk.has_target("Larger text"));
    CHECK(kiosk.has_target("High contrast"));
    CHECK(kiosk.has_target("Read aloud"));
    kiosk.run("tap \"Start again\"\nexpect screen start-over\n");
    CHECK(kiosk.has_target("High contrast"));
    kiosk.run("tap \"Yes, start again\"\nexpect screen welcome\n");
    CHECK(kiosk.app->session()->large_text()); // the same patient
    kiosk.run("tap \"Start\"\ntap \"Good\"\ntap \"Next\"\ntap \"Submit\"\nexpect screen "
              "thank-you\n");
    CHECK(kiosk.has_target("Larger text"));
    kiosk.run("wait 6s\nexpect screen welcome\n");
    CHECK_FALSE(kiosk.app->session()->large_text()); // the next patient starts afresh
    CHECK_FALSE(kiosk.app->session()->high_contrast());
    CHECK(title_height() == usual);
}

TEST_CASE("the next patient never starts in the last one's language") {
    Kiosk kiosk(kAllLanguages);
    SECTION("after the idle reset") {
        kiosk.run("tap \"Other languages\"\ntap \"Türkçe\"\ntap \"Başla\"\nwait 90s\n"
                  "expect screen welcome\nexpect text \"Tell us about your visit\"\n");
    }
    SECTION("when they chose it and walked away") {
        kiosk.run("tap \"Other languages\"\ntap \"Türkçe\"\nexpect screen welcome\nwait 59s\n"
                  "expect no text \"Tell us about your visit\"\nwait 2s\n"
                  "expect text \"Tell us about your visit\"\n");
    }
    CHECK(kiosk.app->session()->language() == "en");
}

TEST_CASE("read aloud reads the question and its answers in the patient's language") {
    Kiosk kiosk(kAllLanguages);
    kiosk.run(R"(
tap "Start"
tap "Read aloud"
expect spoken "Overall, how was your experience of our service?"
expect spoken "Neither good nor poor"
tap "Back"
tap "Yes, start again"
tap "Other languages"
tap "Cymraeg"
tap "Darllen yn uchel"
expect spoken "Dywedwch wrthym am eich ymweliad"
)");
    SECTION("no voice for Somali: no speaker button") {
        kiosk.run("tap \"Ieithoedd eraill\"\ntap \"Soomaali\"\nexpect screen welcome\n");
        CHECK_FALSE(kiosk.has_target("Kor u akhri"));
        CHECK(kiosk.has_target("Qoraal ka weyn")); // the other tools stay
    }
}

TEST_CASE("a second tap on the speaker stops the reading; the reading ends by itself") {
    Kiosk kiosk("");
    kiosk.run("tap \"Start\"\ntap \"Read aloud\"\nexpect spoken \"Overall\"\n");
    CHECK(kiosk.app->reading_aloud());
    kiosk.run("tap \"Read aloud\"\n");
    CHECK_FALSE(kiosk.app->reading_aloud());
    // A third tap starts again from the beginning, and the speech ends after its own length.
    kiosk.run("tap \"Read aloud\"\nexpect spoken \"Overall\"\n");
    CHECK(kiosk.app->reading_aloud());
    kiosk.run("wait 30s\n");
    CHECK_FALSE(kiosk.app->reading_aloud());
    // Moving on stops speech about the screen the patient has left.
    kiosk.run("tap \"Read aloud\"\nexpect spoken \"Overall\"\ntap \"Good\"\ntap \"Next\"\n");
    CHECK_FALSE(kiosk.app->reading_aloud());
}

TEST_CASE("read_aloud = false: no speaker button anywhere") {
    Kiosk kiosk("read_aloud = false\n");
    kiosk.run("expect screen welcome\n");
    CHECK_FALSE(kiosk.has_target("Read aloud"));
    CHECK(kiosk.has_target("Larger text"));
    kiosk.run("tap \"Start\"\n");
    CHECK_FALSE(kiosk.has_target("Read aloud"));
}

TEST_CASE("the tools keep clear of the staff corner, whichever side they are on") {
    auto pin = model::hash_pin("482916");
    REQUIRE(pin);
    // The hidden press that opens staff mode: a 15 mm (89 px) square in the corner.
    for (const char* corner : {"top-left", "top-right"}) {
        DYNAMIC_SECTION(corner) {
            Kiosk kiosk(kAllLanguages,
                        "[staff]\nvolunteer_pin = \"" + *pin + "\"\ncorner = \"" + corner + "\"\n");
            const bool left = std::string(corner) == "top-left";
            const ui::Box square{{left ? 0.0f : 1280.0f - 89.0f, 0}, {left ? 89.0f : 1280.0f, 89}};
            for (const char* script :
                 {"tap \"Start\"\n", "tap \"Back\"\ntap \"Yes, start again\"\n"
                                     "tap \"Other languages\"\ntap \"العربية\"\n"
                                     "tap \"البدء\"\n"}) {
                kiosk.run(script);
                for (const auto& target : kiosk.frame().targets) {
                    INFO(target.label);
                    const bool overlaps =
                        target.min.x < square.max.x && target.max.x > square.min.x &&
                        target.min.y < square.max.y && target.max.y > square.min.y;
                    CHECK_FALSE(overlaps);
                }
            }
        }
    }
}
