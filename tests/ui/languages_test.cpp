// Every shipped language, through the real screens: a kiosk offering all of them, a patient
// choosing theirs from the list ("Other languages", then its own name), the Friends and Family
// Test answered and submitted, and screenshots on the way (into
// <build>/screenshots/languages/, to be looked at: <tag>-welcome.png, <tag>-question.png,
// <tag>-thank-you.png and choose-language.png).
//
// Every line drawn on those screens is checked against the libraries' own reference tools, not
// against the kiosk's code:
// - no glyph is .notdef (a character the font lacks);
// - each run of glyphs (one font, one direction) has exactly the glyph ids and clusters that
//   HarfBuzz's `hb-shape` gives for that piece of the text in that font and face, direction,
//   script and language, so a broken shaper or a wrong font cannot pass;
// - the runs sit in FriBidi's own visual order and direction (fribidi_log2vis), so a lost
//   reordering (digits inside Arabic, say) cannot pass either.
// Arabic and Urdu screens must be mirrored (Next on the left, the first answer on the right),
// no two buttons may overlap, and the stored response must name the language.
//
// hb-shape runs once per font and set of options, with every piece to shape on a line of its
// text file (it shapes each line on its own): a language costs a handful of runs of it.

#include "app/headless_script.hpp"
#include "app/kiosk_app.hpp"
#include "kiosk_rig.hpp"
#include "model/questionnaire_loader.hpp"
#include "ui/strings.hpp"

#include <catch2/catch.hpp>
#include <fribidi.h>
#include <hb.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace kiosk;
namespace fs = std::filesystem;

namespace {

const fs::path assets_dir = fs::path(KIOSK_SOURCE_DIR) / "assets";
const fs::path screenshots_dir = fs::path(KIOSK_BINARY_DIR) / "screenshots" / "languages";
constexpr const char* questionnaire_id = "friends-and-family-test";
constexpr float screen_width = 1280; // the settings' [display] width
// Fewer lines than this compared on a language's screens means the check went blind.
constexpr std::size_t minimum_lines_per_language = 30;

// English (built in) and every words file shipped, the device's own language first.
std::vector<std::string> shipped_languages() {
    std::set<std::string> files;
    for (const auto& entry : fs::directory_iterator(assets_dir / "strings")) {
        if (entry.path().extension() == ".json") {
            files.insert(entry.path().stem().string());
        }
    }
    std::vector<std::string> tags{"en"};
    for (const auto& tag : files) {
        if (tag != "en") {
            tags.push_back(tag);
        }
    }
    return tags;
}

bool right_to_left(const std::string& tag) {
    return tag == "ar" || tag == "ur";
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

// ---------------------------------------------------------------- hb-shape, in batches

using Glyphs = std::vector<std::pair<unsigned, unsigned>>; // (glyph id, cluster byte offset)

std::string to_string(const Glyphs& glyphs) {
    std::string out = "[";
    for (const auto& [id, cluster] : glyphs) {
        out += (out.size() > 1 ? "|" : "") + std::to_string(id) + "=" + std::to_string(cluster);
    }
    return out + "]";
}

// hb-shape from KIOSK_HB_SHAPE or the PATH (as tests/text does); empty when not installed.
std::string find_hb_shape() {
    if (const char* configured = std::getenv("KIOSK_HB_SHAPE"); configured && *configured) {
        std::error_code ignored;
        return fs::is_regular_file(configured, ignored) ? configured : "";
    }
    const char* path = std::getenv("PATH");
    std::stringstream directories(path ? path : "/usr/bin:/bin");
    std::string directory;
    while (std::getline(directories, directory, ':')) {
        const auto candidate = fs::path(directory.empty() ? "." : directory) / "hb-shape";
        std::error_code ignored;
        if (fs::is_regular_file(candidate, ignored)) {
            return candidate.string();
        }
    }
    return {};
}

struct ShapeOptions {
    std::string font;
    int face_index = 0;
    bool rtl = false;
    std::string script;   // ISO 15924
    std::string language; // BCP 47; empty for hb-shape's default
    bool bot = false;
    bool eot = false;
    auto operator<=>(const ShapeOptions&) const = default;
};

// Collects pieces of text to shape, then shapes all those with the same options in one run of
// hb-shape (it shapes each line of its text file on its own).
class ReferenceShaper {
public:
    using Handle = std::pair<std::size_t, std::size_t>; // batch, line

    Handle ask(const ShapeOptions& options, const std::string& text) {
        auto [found, added] = batch_of_.try_emplace(options, batches_.size());
        if (added) {
            batches_.push_back({options, {}, {}, {}});
        }
        Batch& batch = batches_[found->second];
        auto [line, new_line] = batch.line_of.try_emplace(text, batch.texts.size());
        if (new_line) {
            batch.texts.push_back(text);
        }
        return {found->second, line->second};
    }

    // Runs hb-shape for every batch; fails the test when it is missing or says something else.
    void run() {
        const std::string hb_shape = find_hb_shape();
        if (hb_shape.empty()) {
            FAIL("hb-shape not found on the PATH (or KIOSK_HB_SHAPE): install libharfbuzz-bin "
                 "(deploy/install-deps.sh lists it). Shaping cannot be checked without it.");
        }
        testing::ScopedTempDir dir("kiosk-languages");
        for (Batch& batch : batches_) {
            if (!batch.glyphs.empty()) {
                continue;
            }
            runs_ += 1;
            const auto text_file = dir.path() / "text.txt";
            const auto error_file = dir.path() / "errors.txt";
            {
                std::ofstream out(text_file, std::ios::binary);
                for (const auto& text : batch.texts) {
                    REQUIRE(text.find('\n') == std::string::npos);
                    out << text << '\n';
                }
            }
            const ShapeOptions& o = batch.options;
            // Paths and options only, all quote-free; the texts go through the file.
            REQUIRE(o.font.find('\'') == std::string::npos);
            std::string command =
                "'" + hb_shape + "' --font-funcs=ft --no-positions --no-glyph-names" +
                " --utf8-clusters --face-index=" + std::to_string(o.face_index) +
                (o.bot ? " --bot" : "") + (o.eot ? " --eot" : "") +
                " --direction=" + (o.rtl ? "rtl" : "ltr") + " --script=" + o.script +
                (o.language.empty() ? "" : " --language=" + o.language) + " --text-file='" +
                text_file.string() + "' --font-file='" + o.font + "' 2>'" + error_file.string() +
                "'";
            std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
            REQUIRE(pipe);
            std::string output;
            char chunk[4096];
            while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe.get())) {
                output.append(chunk, n);
            }
            pipe.reset();
            std::ifstream errors_in(error_file);
            const std::string errors((std::istreambuf_iterator<char>(errors_in)),
                                     std::istreambuf_iterator<char>());
            INFO("hb-shape " << o.font << "#" << o.face_index << " said: " << errors << output);
            std::stringstream lines(output);
            std::string line;
            while (std::getline(lines, line)) {
                REQUIRE(line.size() >= 2);
                REQUIRE(line.front() == '[');
                REQUIRE(line.back() == ']');
                Glyphs glyphs;
                std::stringstream items(line.substr(1, line.size() - 2));
                std::string item;
                while (std::getline(items, item, '|')) {
                    const auto equals = item.find('=');
                    REQUIRE(equals != std::string::npos);
                    glyphs.emplace_back(std::stoul(item.substr(0, equals)),
                                        std::stoul(item.substr(equals + 1)));
                }
                batch.glyphs.push_back(std::move(glyphs));
            }
            REQUIRE(batch.glyphs.size() == batch.texts.size());
        }
    }

    const Glyphs& glyphs(Handle handle) const {
        return batches_.at(handle.first).glyphs.at(handle.second);
    }
    std::size_t runs() const { return runs_; }

private:
    struct Batch {
        ShapeOptions options;
        std::vector<std::string> texts;
        std::map<std::string, std::size_t> line_of;
        std::vector<Glyphs> glyphs;
    };
    std::map<ShapeOptions, std::size_t> batch_of_;
    std::vector<Batch> batches_;
    std::size_t runs_ = 0;
};

// ---------------------------------------------------------------- what a line should be

struct CodePoints {
    std::vector<char32_t> chars;
    std::vector<std::size_t> offsets; // byte offset of each, then the text's size
};

CodePoints decode(const std::string& text) {
    CodePoints out;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        if (i + length > text.size()) {
            FAIL("the text ends inside a character");
        }
        char32_t c = length == 1   ? lead
                     : length == 2 ? lead & 0x1F
                     : length == 3 ? lead & 0x0F
                                   : lead & 0x07;
        for (std::size_t k = 1; k < length; ++k) {
            c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        }
        out.chars.push_back(c);
        out.offsets.push_back(i);
        i += length;
    }
    out.offsets.push_back(text.size());
    return out;
}

// The script of each character as a run of text takes it: punctuation, spaces and digits
// (Common) and marks (Inherited) go with the text before them, or at the start with the text
// after them.
std::vector<hb_script_t> resolved_scripts(const CodePoints& text) {
    hb_unicode_funcs_t* unicode = hb_unicode_funcs_get_default();
    auto real = [](hb_script_t s) {
        return s != HB_SCRIPT_COMMON && s != HB_SCRIPT_INHERITED && s != HB_SCRIPT_UNKNOWN;
    };
    std::vector<hb_script_t> scripts(text.chars.size(), HB_SCRIPT_COMMON);
    hb_script_t last = HB_SCRIPT_COMMON;
    for (std::size_t i = 0; i < text.chars.size(); ++i) {
        const hb_script_t script = hb_unicode_script(unicode, text.chars[i]);
        if (real(script)) {
            last = script;
        }
        scripts[i] = last;
    }
    auto first = std::find_if(scripts.begin(), scripts.end(), real);
    if (first != scripts.end()) {
        std::fill(scripts.begin(), first, *first);
    }
    return scripts;
}

std::string iso15924(hb_script_t script) {
    char tag[5] = {};
    hb_tag_to_string(hb_script_to_iso15924_tag(script), tag);
    return tag;
}

// A line drawn on a screen, its glyphs in runs, waiting for hb-shape's answers.
struct LineCheck {
    std::string where; // language, screen, text, fonts: what a failure names
    std::string ours;
    struct Piece {
        ReferenceShaper::Handle handle;
        std::size_t offset; // of the piece in the line, added to hb-shape's clusters
    };
    std::vector<Piece> pieces; // in visual order
    std::vector<std::string> run_notes;
};

struct Tally {
    std::size_t lines = 0;       // lines compared with hb-shape
    std::size_t runs = 0;        // runs of glyphs (one font, one direction) compared
    std::size_t mixed_lines = 0; // lines with glyphs from more than one font, or both directions
    std::size_t script_font_lines = 0; // lines with glyphs from their chain's first font
    std::size_t glyphs = 0;
};

// What the frame checks of a script run do not see: two buttons on top of each other (a tall
// script pushing one down onto the next), or a line of text running off the screen's sides.
void check_layout(const ui::FrameRecord& frame, const std::string& label) {
    INFO(label);
    for (std::size_t i = 0; i < frame.targets.size(); ++i) {
        for (std::size_t j = i + 1; j < frame.targets.size(); ++j) {
            const ui::TapTarget& a = frame.targets[i];
            const ui::TapTarget& b = frame.targets[j];
            const float across = std::min(a.max.x, b.max.x) - std::max(a.min.x, b.min.x);
            const float down = std::min(a.max.y, b.max.y) - std::max(a.min.y, b.min.y);
            INFO("'" << a.label << "' (" << a.min.x << ", " << a.min.y << " to " << a.max.x << ", "
                     << a.max.y << ") and '" << b.label << "' (" << b.min.x << ", " << b.min.y
                     << " to " << b.max.x << ", " << b.max.y << ")");
            CHECK_FALSE((across > 0.5f && down > 0.5f));
        }
    }
    for (const ui::DrawnLine& line : frame.lines) {
        INFO("'" << line.text << "' from x " << line.top_left.x << ", " << line.shaped.width
                 << " wide");
        CHECK(line.top_left.x >= -0.5f);
        CHECK(line.top_left.x + line.shaped.width <= screen_width + 0.5f);
    }
}

// Checks one screen's lines for .notdef, and queues each run for hb-shape.
void inspect(const ui::FrameRecord& frame, const std::string& label, ReferenceShaper& shaper,
             std::vector<LineCheck>& checks, Tally& tally) {
    for (const ui::DrawnLine& line : frame.lines) {
        std::ostringstream where;
        where << label << ": '" << line.text << "' (" << line.language << ", " << line.pixel_size
              << " px, fonts";
        for (const auto& font : line.fonts) {
            where << " " << font.file.filename().string() << "#" << font.face_index;
        }
        where << ")";
        INFO(where.str());
        const auto& glyphs = line.shaped.glyphs;
        if (line.text.empty()) {
            CHECK(glyphs.empty());
            continue;
        }
        REQUIRE_FALSE(glyphs.empty());
        REQUIRE_FALSE(line.fonts.empty());
        const CodePoints text = decode(line.text);
        auto char_at = [&](std::size_t byte) {
            auto it = std::lower_bound(text.offsets.begin(), text.offsets.end(), byte);
            if (it == text.offsets.end() || *it != byte) {
                FAIL("byte " << byte << " does not start a character"); // clusters do
            }
            return static_cast<std::size_t>(it - text.offsets.begin());
        };
        // (1) No character the font lacks: .notdef is glyph 0 in every font.
        std::string notdef;
        for (const auto& glyph : glyphs) {
            if (glyph.font >= line.fonts.size() || glyph.cluster >= line.text.size()) {
                FAIL("a glyph of font " << int(glyph.font) << " at byte " << glyph.cluster
                                        << " is outside the chain or the text");
            }
            if (glyph.glyph_id == 0) {
                const std::size_t at = char_at(glyph.cluster);
                char code[16];
                std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(text.chars[at]));
                notdef +=
                    " " + std::string(code) + " '" +
                    line.text.substr(text.offsets[at], text.offsets[at + 1] - text.offsets[at]) +
                    "' at byte " + std::to_string(glyph.cluster) + " in " +
                    line.fonts[glyph.font].file.filename().string() + ";";
            }
        }
        CHECK(notdef == ""); // else it names each .notdef's character and font
        // (2) Runs: consecutive glyphs of one font and one direction.
        const std::vector<hb_script_t> scripts = resolved_scripts(text);
        // FriBidi's own visual order of the line's characters, and its embedding levels.
        const auto count = static_cast<FriBidiStrIndex>(text.chars.size());
        std::vector<FriBidiChar> logical(text.chars.begin(), text.chars.end());
        std::vector<FriBidiChar> visual(logical.size());
        std::vector<FriBidiStrIndex> to_visual(logical.size());
        std::vector<FriBidiLevel> levels(logical.size());
        FriBidiParType base = FRIBIDI_PAR_ON;
        REQUIRE(fribidi_log2vis(logical.data(), count, &base, visual.data(), to_visual.data(),
                                nullptr, levels.data()) != 0);
        CHECK((line.shaped.direction == text::TextDirection::right_to_left) ==
              FRIBIDI_IS_RTL(base));
        FriBidiStrIndex next_visual = 0; // where the next run must start, left to right
        LineCheck check;
        check.where = where.str();
        check.ours = "[";
        std::set<std::pair<int, bool>> kinds;
        for (std::size_t start = 0; start < glyphs.size();) {
            std::size_t end = start + 1;
            while (end < glyphs.size() && glyphs[end].font == glyphs[start].font &&
                   glyphs[end].right_to_left == glyphs[start].right_to_left) {
                ++end;
            }
            const bool rtl = glyphs[start].right_to_left;
            const text::FontFile& font = line.fonts[glyphs[start].font];
            kinds.insert({glyphs[start].font, rtl});
            // The run's bytes: from its first cluster to the next cluster of the line after
            // its last (or the end); no other run's glyph may fall in between.
            std::size_t low = line.text.size();
            std::size_t high_cluster = 0;
            for (std::size_t i = start; i < end; ++i) {
                low = std::min<std::size_t>(low, glyphs[i].cluster);
                high_cluster = std::max<std::size_t>(high_cluster, glyphs[i].cluster);
                check.ours += (check.ours.size() > 1 ? "|" : "") +
                              std::to_string(glyphs[i].glyph_id) + "=" +
                              std::to_string(glyphs[i].cluster);
            }
            std::size_t high = line.text.size();
            for (std::size_t i = 0; i < glyphs.size(); ++i) {
                if (glyphs[i].cluster > high_cluster) {
                    high = std::min<std::size_t>(high, glyphs[i].cluster);
                }
            }
            std::size_t misplaced = 0;
            for (std::size_t i = 0; i < glyphs.size(); ++i) {
                misplaced += (i >= start && i < end) !=
                             (glyphs[i].cluster >= low && glyphs[i].cluster < high);
            }
            INFO("the run of glyphs " << start << " to " << end << " shows bytes " << low << " to "
                                      << high << " of the line, and only it");
            CHECK(misplaced == 0);
            std::size_t first = char_at(low);
            const std::size_t last = char_at(high);
            // The runs tile the line in FriBidi's visual order, each in its characters'
            // direction: a lost reordering (digits in Arabic, say) cannot pass.
            FriBidiStrIndex visual_low = count;
            FriBidiStrIndex visual_high = 0;
            std::size_t wrong_direction = 0;
            for (std::size_t i = first; i < last; ++i) {
                visual_low = std::min(visual_low, to_visual[i]);
                visual_high = std::max(visual_high, to_visual[i]);
                wrong_direction += (levels[i] % 2 == 1) != rtl;
            }
            INFO("the run of glyphs " << start << " to " << end << " shows characters " << first
                                      << " to " << last << ", at " << visual_low << " to "
                                      << visual_high << " in FriBidi's visual order");
            CHECK(visual_low == next_visual);
            CHECK(static_cast<std::size_t>(visual_high - visual_low + 1) == last - first);
            CHECK(wrong_direction == 0);
            next_visual = visual_high + 1;
            // One piece for each script in the run, shaped in the run's direction.
            std::vector<LineCheck::Piece> pieces;
            while (first < last) {
                std::size_t next = first + 1;
                while (next < last && scripts[next] == scripts[first]) {
                    ++next;
                }
                const std::size_t from = text.offsets[first];
                const std::size_t to = text.offsets[next];
                ShapeOptions options{font.file.string(),       font.face_index, rtl,
                                     iso15924(scripts[first]), line.language,   from == 0,
                                     to == line.text.size()};
                pieces.push_back({shaper.ask(options, line.text.substr(from, to - from)), from});
                check.run_notes.push_back(line.text.substr(from, to - from) + " in " +
                                          font.file.filename().string() + " " +
                                          (rtl ? "rtl " : "ltr ") + options.script);
                first = next;
            }
            if (rtl) {
                std::reverse(pieces.begin(), pieces.end());
            }
            check.pieces.insert(check.pieces.end(), pieces.begin(), pieces.end());
            tally.runs += 1;
            start = end;
        }
        check.ours += "]";
        CHECK(next_visual == count); // every character shown
        tally.lines += 1;
        tally.glyphs += glyphs.size();
        tally.mixed_lines += kinds.size() > 1 ? 1 : 0;
        tally.script_font_lines +=
            std::any_of(glyphs.begin(), glyphs.end(), [](const auto& g) { return g.font == 0; })
                ? 1
                : 0;
        checks.push_back(std::move(check));
    }
}

// Shapes everything queued and compares, line by line.
void compare(ReferenceShaper& shaper, const std::vector<LineCheck>& checks) {
    shaper.run();
    for (const LineCheck& check : checks) {
        Glyphs expected;
        for (const auto& piece : check.pieces) {
            for (const auto& [id, cluster] : shaper.glyphs(piece.handle)) {
                expected.emplace_back(id, static_cast<unsigned>(cluster + piece.offset));
            }
        }
        INFO(check.where);
        std::string runs;
        for (const auto& note : check.run_notes) {
            runs += "\n  run: " + note;
        }
        INFO("runs (logical order within a run):" << runs);
        CHECK(check.ours == to_string(expected));
    }
}

// ---------------------------------------------------------------- the kiosk

struct Kiosk {
    test::TempDir dir;
    test::CapturedLog log;
    std::unique_ptr<app::KioskApp> app;

    explicit Kiosk(const std::vector<std::string>& languages) {
        auto settings = dir.path() / "kiosk.toml";
        std::ofstream out(settings);
        out << "[device]\nid = \"ward-7-kiosk\"\nsite = \"Main Hospital\"\n"
            << "service = \"Outpatients\"\n"
            << "[questionnaires]\nfiles = [\"" << test::questionnaire_path(questionnaire_id)
            << "\"]\nactive = \"" << questionnaire_id << "\"\n"
            << "[storage]\ndata_dir = \"data\"\n"
            << "[session]\nidle_timeout_seconds = 60\nidle_warning_seconds = 20\n"
            << "thank_you_seconds = 5\nlanguages = [";
        for (std::size_t i = 0; i < languages.size(); ++i) {
            out << (i ? ", " : "") << quoted(languages[i]);
        }
        out << "]\n"
            << "[display]\nfullscreen = false\nwidth = 1280\nheight = 800\ndpi = 150\n"
            << "[delivery]\nendpoint = \"https://127.0.0.1:9/fhir\"\n";
        out.close();
        app::AppOptions options;
        options.settings_file = settings;
        options.headless = true;
        options.default_assets_dir = assets_dir.string();
        app = app::KioskApp::start(options, log.log());
        REQUIRE(app != nullptr);
    }

    // Runs the script, which must pass with every frame check, and gives the frame it ended on,
    // which must be `ends_on`. A frame check failing (a layout problem) does not stop the test:
    // the words on the screen are still checked.
    ui::FrameRecord run(const std::string& script, const std::string& ends_on) {
        fs::create_directories(screenshots_dir);
        const auto outcome = test::run_script(*app, script, screenshots_dir);
        INFO(log.text());
        CHECK(outcome.passed);
        REQUIRE(app->last_frame().screen == ends_on);
        return app->last_frame();
    }
};

ui::Strings words_in(const std::string& tag) {
    ui::Strings strings;
    REQUIRE_FALSE(strings.load(assets_dir, tag));
    return strings;
}

const ui::TapTarget& only_target(const ui::FrameRecord& frame, const std::string& label) {
    const auto found = frame.targets_labelled(label);
    INFO("targets labelled '" << label << "' on " << frame.screen);
    REQUIRE(found.size() == 1);
    return *found.front();
}

} // namespace

TEST_CASE("the list of languages names each language in its own script, shaped as hb-shape "
          "shapes it") {
    const auto languages = shipped_languages();
    Kiosk kiosk(languages);
    const ui::Strings english;
    const auto frame =
        kiosk.run("expect screen welcome\ntap " + quoted(english.get("welcome.languages")) +
                      "\nexpect screen choose-language\nscreenshot choose-language\n",
                  "choose-language");
    for (const auto& tag : languages) {
        INFO(tag);
        const auto& target = only_target(frame, words_in(tag).get("language.name"));
        CHECK(target.height() > 0);
    }
    // Each name is drawn in its own language's fonts.
    std::set<std::string> drawn_languages;
    for (const auto& line : frame.lines) {
        drawn_languages.insert(line.language);
    }
    CHECK(drawn_languages == std::set<std::string>(languages.begin(), languages.end()));

    ReferenceShaper shaper;
    std::vector<LineCheck> checks;
    Tally tally;
    inspect(frame, "choose-language", shaper, checks, tally);
    check_layout(frame, "choose-language");
    compare(shaper, checks);
    CHECK(tally.lines >= languages.size() + 2); // the names, the title and Back at least
    WARN("choose-language: " << tally.lines << " lines, " << tally.runs << " runs, "
                             << tally.mixed_lines << " mixed, " << shaper.runs()
                             << " hb-shape runs");
}

TEST_CASE("every shipped language: chosen from the list, the Friends and Family Test is shaped "
          "as hb-shape shapes it, laid out in the language's direction and stored in it") {
    const auto languages = shipped_languages();
    // The languages the issue names; more may be added, none may go missing.
    for (const char* wanted : {"en", "cy", "pl", "pt", "es", "ar", "ur", "bn", "gu", "pa-Guru",
                               "ta", "so", "ro", "tr", "zh-Hans"}) {
        REQUIRE(std::count(languages.begin(), languages.end(), wanted) == 1);
    }
    const std::string tag = GENERATE_COPY(from_range(languages));
    INFO("language " << tag);
    const ui::Strings english;
    const ui::Strings words = words_in(tag);
    auto loaded = model::load_questionnaire_file(test::questionnaire_path(questionnaire_id));
    REQUIRE(loaded.questionnaire);
    const model::Item& rating = loaded.questionnaire->items.at(0);
    REQUIRE(rating.type == model::ItemType::choice);
    REQUIRE(rating.options.size() >= 2);
    // The questionnaire has this language's words (else the screens would show English).
    if (tag != "en") {
        CHECK(rating.text.translations.count(tag) == 1);
    }

    Kiosk kiosk(languages);
    ReferenceShaper shaper;
    std::vector<LineCheck> checks;
    Tally tally;
    std::map<std::string, std::size_t> lines_per_screen;
    auto look_at = [&](const ui::FrameRecord& frame, const std::string& screen) {
        const std::size_t before = tally.lines;
        inspect(frame, tag + " " + screen, shaper, checks, tally);
        check_layout(frame, tag + " " + screen);
        lines_per_screen[screen] = tally.lines - before;
    };

    // Welcome, in the language chosen from the list through the real screens.
    const auto welcome =
        kiosk.run("expect screen welcome\ntap " + quoted(english.get("welcome.languages")) +
                      "\nexpect screen choose-language\ntap " + quoted(words.get("language.name")) +
                      "\nexpect screen welcome\nscreenshot " + tag + "-welcome\n",
                  "welcome");
    REQUIRE(kiosk.app->session()->language() == tag);
    CHECK(welcome.shows_text(words.get("welcome.title")));
    look_at(welcome, "welcome");

    // The first question.
    const auto question =
        kiosk.run("tap " + quoted(words.get("welcome.start")) +
                      "\nexpect screen question\nscreenshot " + tag + "-question\n",
                  "question");
    CHECK(question.shows_text(rating.text.in(tag)));
    look_at(question, "question");

    // (3) The layout follows the language: Next on the right and the first answer on the left,
    // or mirrored for Arabic and Urdu.
    {
        const float middle = screen_width / 2;
        const auto& next = only_target(question, words.get("question.next"));
        const auto& back = only_target(question, words.get("question.back"));
        const auto& first = only_target(question, rating.options.front().label.in(tag));
        const auto& last = only_target(question, rating.options.back().label.in(tag));
        INFO("next at " << next.centre().x << ", back at " << back.centre().x
                        << ", first answer at " << first.centre().x << ", last answer at "
                        << last.centre().x);
        if (right_to_left(tag)) {
            CHECK(next.centre().x < back.centre().x);
            CHECK(first.centre().x > middle);
            CHECK(first.centre().x > last.centre().x);
        } else {
            CHECK(next.centre().x > back.centre().x);
            CHECK(first.centre().x < middle);
            CHECK(first.centre().x < last.centre().x);
        }
    }

    // The first answer moves on to the two typed questions; Submit on the second: thank you.
    const auto why = kiosk.run("tap " + quoted(rating.options.front().label.in(tag)) +
                                   "\nexpect screen question\n",
                               "question");
    look_at(why, "why");
    const auto better = kiosk.run(
        "tap " + quoted(words.get("question.next")) + "\nexpect screen question\n", "question");
    look_at(better, "better");
    const auto thanks = kiosk.run("tap " + quoted(words.get("question.submit")) +
                                      "\nexpect screen thank-you\nexpect stored 1\nscreenshot " +
                                      tag + "-thank-you\n",
                                  "thank-you");
    CHECK(thanks.shows_text(words.get("thank_you.title")));
    look_at(thanks, "thank-you");

    compare(shaper, checks);

    // (4) The response says which language the patient answered in.
    auto listed = kiosk.app->outbox()->list(std::nullopt, 10);
    REQUIRE_FALSE(listed.error.has_value());
    REQUIRE(listed.responses.size() == 1);
    const auto response = nlohmann::json::parse(listed.responses.front().payload);
    CHECK(response["language"] == tag);
    CHECK(response["item"][0]["linkId"] == rating.link_id);
    CHECK(response["item"][0]["answer"][0]["valueCoding"]["code"] ==
          rating.options.front().coding.code);

    std::ostringstream counts;
    for (const auto& [screen, count] : lines_per_screen) {
        counts << " " << screen << " " << count;
    }
    WARN(tag << ": " << tally.lines << " lines (" << counts.str() << "), " << tally.runs
             << " runs, " << tally.mixed_lines << " lines of mixed fonts or directions, "
             << tally.script_font_lines << " in the script's font, " << tally.glyphs << " glyphs, "
             << shaper.runs() << " hb-shape runs");
    CHECK(tally.lines >= minimum_lines_per_language);
    CHECK(lines_per_screen["welcome"] >= 6);
    CHECK(lines_per_screen["question"] >= 10);
    CHECK(lines_per_screen["why"] >= 5);
    CHECK(lines_per_screen["better"] >= 5);
    CHECK(lines_per_screen["thank-you"] >= 2);
    // Most lines are the language's own words, in its own script's font (the first of its
    // chain): not all drawn in a fallback.
    CHECK(tally.script_font_lines * 4 >= tally.lines * 3);
}
