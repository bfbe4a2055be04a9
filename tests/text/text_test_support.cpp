#include "text/text_test_support.hpp"

#include "support/temp_dir.hpp"

// Glyph lists are (id, cluster) pairs: print them when a comparison fails.
#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <variant>

namespace kiosk::testing {

namespace {

// hb-shape from KIOSK_HB_SHAPE or the PATH; empty when it is not installed.
std::string find_hb_shape() {
    if (const char* configured = std::getenv("KIOSK_HB_SHAPE"); configured && *configured) {
        std::error_code ignored;
        return std::filesystem::is_regular_file(configured, ignored) ? configured : "";
    }
    const char* path = std::getenv("PATH");
    std::stringstream directories(path ? path : "/usr/bin:/bin");
    std::string directory;
    while (std::getline(directories, directory, ':')) {
        const auto candidate =
            std::filesystem::path(directory.empty() ? "." : directory) / "hb-shape";
        std::error_code ignored;
        if (std::filesystem::is_regular_file(candidate, ignored)) {
            return candidate.string();
        }
    }
    return {};
}

struct PipeCloser {
    void operator()(FILE* pipe) const { pclose(pipe); }
};

} // namespace

text::FontFace load_font(const std::filesystem::path& file, int size, int face_index) {
    auto loaded =
        text::FontFace::load(file.is_absolute() ? file : noto_dir / file, size, face_index);
    if (auto* problem = std::get_if<std::string>(&loaded)) {
        FAIL(*problem);
    }
    return std::move(std::get<text::FontFace>(loaded));
}

// Same flags as shape_line: FreeType font functions (so advances and glyphs come from the same
// face), the pixel size as the scale, byte clusters.
std::vector<std::pair<unsigned, unsigned>> reference_glyphs(const std::filesystem::path& font,
                                                            const std::string& text,
                                                            const HbShapeOptions& options) {
    const std::string hb_shape = find_hb_shape();
    if (hb_shape.empty()) {
        FAIL("hb-shape not found on the PATH (or KIOSK_HB_SHAPE): install libharfbuzz-bin "
             "(deploy/install-deps.sh lists it). Shaping cannot be checked without it.");
    }
    ScopedTempDir dir("kiosk-text");
    const auto text_file = dir.path() / "text.txt";
    std::ofstream(text_file, std::ios::binary) << text;
    // Paths and options only, all ours and quote-free; the text itself goes through the file.
    std::string command = "'" + hb_shape +
                          "' --font-funcs=ft --font-size=" + std::to_string(pixel_size) +
                          " --no-positions --no-glyph-names --utf8-clusters" +
                          " --face-index=" + std::to_string(options.face_index);
    if (options.bot) {
        command += " --bot";
    }
    if (options.eot) {
        command += " --eot";
    }
    if (!options.direction.empty()) {
        command += " --direction=" + options.direction;
    }
    if (!options.script.empty()) {
        command += " --script=" + options.script;
    }
    if (!options.language.empty()) {
        command += " --language=" + options.language;
    }
    command += " --text-file='" + text_file.string() + "' --font-file='" + font.string() + "' 2>&1";
    std::unique_ptr<FILE, PipeCloser> pipe(popen(command.c_str(), "r"));
    REQUIRE(pipe);
    std::string output;
    char chunk[4096];
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe.get())) {
        output.append(chunk, n);
    }
    INFO("hb-shape said: " << output);
    REQUIRE(output.size() > 2);
    REQUIRE(output.front() == '[');
    std::vector<std::pair<unsigned, unsigned>> glyphs;
    std::stringstream items(output.substr(1, output.find(']') - 1));
    std::string item;
    while (std::getline(items, item, '|')) {
        const auto equals = item.find('=');
        REQUIRE(equals != std::string::npos);
        glyphs.emplace_back(std::stoul(item.substr(0, equals)),
                            std::stoul(item.substr(equals + 1)));
    }
    return glyphs;
}

std::vector<std::pair<unsigned, unsigned>> our_glyphs(const text::ShapedLine& line) {
    std::vector<std::pair<unsigned, unsigned>> glyphs;
    for (const auto& glyph : line.glyphs) {
        glyphs.emplace_back(glyph.glyph_id, glyph.cluster);
    }
    return glyphs;
}

} // namespace kiosk::testing
