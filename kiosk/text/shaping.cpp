#include "text/shaping.hpp"

#include "text/utf8.hpp"

#include <fribidi.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace kiosk::text {

namespace {

struct BufferDeleter {
    void operator()(hb_buffer_t* buffer) const { hb_buffer_destroy(buffer); }
};
using Buffer = std::unique_ptr<hb_buffer_t, BufferDeleter>;

// A stretch of text with one embedding level and one script: HarfBuzz shapes one direction and
// one script at a time.
struct Run {
    std::size_t start = 0; // code point index
    std::size_t end = 0;
    FriBidiLevel level = 0;
    hb_script_t script = HB_SCRIPT_COMMON;
};

bool is_real_script(hb_script_t script) {
    return script != HB_SCRIPT_COMMON && script != HB_SCRIPT_INHERITED &&
           script != HB_SCRIPT_UNKNOWN;
}

// Script of every code point, with punctuation, spaces and digits (Common) and combining marks
// (Inherited) taking the script of the text before them, or after them at the start. This is
// the usual simplification of UAX #24; it keeps "word, word?" in one run.
std::vector<hb_script_t> resolve_scripts(const std::vector<char32_t>& text) {
    hb_unicode_funcs_t* unicode = hb_unicode_funcs_get_default();
    std::vector<hb_script_t> scripts(text.size(), HB_SCRIPT_COMMON);
    hb_script_t last = HB_SCRIPT_COMMON;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const hb_script_t script = hb_unicode_script(unicode, text[i]);
        if (is_real_script(script)) {
            last = script;
        }
        scripts[i] = last;
    }
    // Leading Common text takes the first real script after it.
    const auto first_real = std::find_if(scripts.begin(), scripts.end(),
                                         [](hb_script_t s) { return is_real_script(s); });
    if (first_real != scripts.end()) {
        std::fill(scripts.begin(), first_real, *first_real);
    }
    return scripts;
}

FriBidiParType fribidi_direction(TextDirection direction) {
    switch (direction) {
    case TextDirection::left_to_right:
        return FRIBIDI_PAR_LTR;
    case TextDirection::right_to_left:
        return FRIBIDI_PAR_RTL;
    case TextDirection::auto_detect:
        break;
    }
    // Neutral: FriBidi takes the first strong character's direction, left to right if none.
    return FRIBIDI_PAR_ON;
}

// Embedding levels (UAX #9 rules P2 to I2, then L1 for the line) of the whole text as one line.
std::vector<FriBidiLevel> embedding_levels(const std::vector<char32_t>& text,
                                           FriBidiParType& direction) {
    const auto length = static_cast<FriBidiStrIndex>(text.size());
    const auto* chars = reinterpret_cast<const FriBidiChar*>(text.data());
    static_assert(sizeof(FriBidiChar) == sizeof(char32_t));
    std::vector<FriBidiCharType> types(text.size());
    std::vector<FriBidiBracketType> brackets(text.size());
    std::vector<FriBidiLevel> levels(text.size());
    fribidi_get_bidi_types(chars, length, types.data());
    fribidi_get_bracket_types(chars, length, types.data(), brackets.data());
    // Rule L1 (trailing spaces back to the paragraph level) comes from the second call. No
    // visual map is asked for: the runs are reordered below, as HarfBuzz shapes them in logical
    // order. Both calls fail only when out of memory; then draw it all in the base direction.
    if (fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), length, &direction,
                                            levels.data()) == 0 ||
        fribidi_reorder_line(FRIBIDI_FLAGS_DEFAULT & ~FRIBIDI_FLAG_REORDER_NSM, types.data(),
                             length, 0, direction, levels.data(), nullptr, nullptr) == 0) {
        std::fill(levels.begin(), levels.end(), FRIBIDI_IS_RTL(direction) ? 1 : 0);
    }
    return levels;
}

std::vector<Run> itemise(const std::vector<FriBidiLevel>& levels,
                         const std::vector<hb_script_t>& scripts) {
    std::vector<Run> runs;
    for (std::size_t i = 0; i < levels.size(); ++i) {
        if (runs.empty() || runs.back().level != levels[i] || runs.back().script != scripts[i]) {
            runs.push_back({i, i + 1, levels[i], scripts[i]});
        } else {
            runs.back().end = i + 1;
        }
    }
    return runs;
}

// Rule L2: from the highest level down to the lowest odd level, reverse every sequence of
// runs at that level or higher. The runs come out in visual order, left to right.
void reorder_runs(std::vector<Run>& runs) {
    if (runs.empty()) {
        return;
    }
    int highest = 0;
    int lowest_odd = FRIBIDI_BIDI_MAX_EXPLICIT_LEVEL + 2; // above any real level
    for (const Run& run : runs) {
        highest = std::max<int>(highest, run.level);
        if (run.level % 2 == 1) {
            lowest_odd = std::min<int>(lowest_odd, run.level);
        }
    }
    for (int level = highest; level >= lowest_odd && level > 0; --level) {
        auto it = runs.begin();
        while (it != runs.end()) {
            if (it->level < level) {
                ++it;
                continue;
            }
            auto end = std::find_if(it, runs.end(), [&](const Run& r) { return r.level < level; });
            std::reverse(it, end);
            it = end;
        }
    }
}

// Whether a run's font must have a glyph for `c` to count as covering it. Spaces, line and
// paragraph separators, controls, format characters (ZWJ, ZWNJ, bidi marks) and variation
// selectors do not count: they have no ink of their own, and HarfBuzz draws a space the font
// lacks as a blank of the right width and hides the invisible ones. So a script font that
// happens to lack, say, U+2060 does not lose the run to the Latin font.
bool needs_glyph(hb_unicode_funcs_t* unicode, char32_t c) {
    if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF)) {
        return false;
    }
    switch (hb_unicode_general_category(unicode, c)) {
    case HB_UNICODE_GENERAL_CATEGORY_CONTROL:
    case HB_UNICODE_GENERAL_CATEGORY_FORMAT:
    case HB_UNICODE_GENERAL_CATEGORY_SPACE_SEPARATOR:
    case HB_UNICODE_GENERAL_CATEGORY_LINE_SEPARATOR:
    case HB_UNICODE_GENERAL_CATEGORY_PARAGRAPH_SEPARATOR:
        return false;
    default:
        return true;
    }
}

// The chain's font for one run: the first that has every character the run needs, else the
// one lacking the fewest (the earlier on a tie, as the caller ranked them). Only the first 256
// fonts are looked at, as a glyph keeps its font's index in a byte.
std::uint8_t choose_font(const FontChain& fonts, const std::vector<char32_t>& text,
                         const Run& run) {
    hb_unicode_funcs_t* unicode = hb_unicode_funcs_get_default();
    const std::size_t usable =
        std::min<std::size_t>(fonts.size(), std::numeric_limits<std::uint8_t>::max() + 1);
    std::size_t best = 0;
    std::size_t fewest_missing = std::numeric_limits<std::size_t>::max();
    for (std::size_t i = 0; i < usable; ++i) {
        FT_Face face = fonts[i]->ft_face();
        std::size_t missing = 0;
        for (std::size_t at = run.start; at < run.end && missing < fewest_missing; ++at) {
            const char32_t c = text[at];
            missing += needs_glyph(unicode, c) && FT_Get_Char_Index(face, c) == 0;
        }
        if (missing < fewest_missing) {
            best = i;
            fewest_missing = missing;
            if (missing == 0) {
                break;
            }
        }
    }
    return static_cast<std::uint8_t>(best);
}

} // namespace

TextDirection paragraph_direction(std::string_view utf8) {
    const DecodedText text = decode_utf8(utf8);
    std::vector<FriBidiCharType> types(text.code_points.size());
    fribidi_get_bidi_types(reinterpret_cast<const FriBidiChar*>(text.code_points.data()),
                           static_cast<FriBidiStrIndex>(types.size()), types.data());
    const FriBidiParType direction =
        fribidi_get_par_direction(types.data(), static_cast<FriBidiStrIndex>(types.size()));
    return FRIBIDI_IS_RTL(direction) ? TextDirection::right_to_left : TextDirection::left_to_right;
}

ShapedLine shape_line(const FontChain& fonts, std::string_view utf8, TextDirection base,
                      std::string_view language) {
    ShapedLine line;
    const DecodedText text = decode_utf8(utf8);
    FriBidiParType direction = fribidi_direction(base);
    if (text.code_points.empty()) {
        line.direction = base == TextDirection::right_to_left ? base : TextDirection::left_to_right;
        return line;
    }
    const std::vector<FriBidiLevel> levels = embedding_levels(text.code_points, direction);
    line.direction =
        FRIBIDI_IS_RTL(direction) ? TextDirection::right_to_left : TextDirection::left_to_right;
    if (fonts.empty()) {
        return line;
    }
    std::vector<Run> runs = itemise(levels, resolve_scripts(text.code_points));
    reorder_runs(runs);

    const hb_language_t hb_language =
        language.empty()
            ? HB_LANGUAGE_INVALID
            : hb_language_from_string(language.data(), static_cast<int>(language.size()));
    Buffer buffer(hb_buffer_create());
    const auto* all = reinterpret_cast<const uint32_t*>(text.code_points.data());
    const auto total = static_cast<int>(text.code_points.size());
    for (const Run& run : runs) {
        hb_buffer_clear_contents(buffer.get());
        // The whole line goes in as context so that letters at a run's edge join (or not) as
        // their neighbours require; only the run itself is shaped.
        hb_buffer_add_utf32(buffer.get(), all, total, static_cast<unsigned>(run.start),
                            static_cast<int>(run.end - run.start));
        const bool rtl = run.level % 2 == 1;
        hb_buffer_set_direction(buffer.get(), rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
        hb_buffer_set_script(buffer.get(), run.script);
        if (hb_language != HB_LANGUAGE_INVALID) {
            hb_buffer_set_language(buffer.get(), hb_language);
        }
        // Fills in only what is still unset (the language, from the process locale).
        hb_buffer_guess_segment_properties(buffer.get());
        unsigned flags = HB_BUFFER_FLAG_DEFAULT;
        if (run.start == 0) {
            flags |= HB_BUFFER_FLAG_BOT;
        }
        if (run.end == text.code_points.size()) {
            flags |= HB_BUFFER_FLAG_EOT;
        }
        hb_buffer_set_flags(buffer.get(), static_cast<hb_buffer_flags_t>(flags));
        const std::uint8_t font = choose_font(fonts, text.code_points, run);
        hb_shape(fonts[font]->hb_font(), buffer.get(), nullptr, 0);

        unsigned count = 0;
        const hb_glyph_info_t* infos = hb_buffer_get_glyph_infos(buffer.get(), &count);
        const hb_glyph_position_t* positions = hb_buffer_get_glyph_positions(buffer.get(), &count);
        // HarfBuzz already gives a right-to-left run's glyphs in visual order.
        for (unsigned i = 0; i < count; ++i) {
            ShapedGlyph glyph;
            glyph.glyph_id = infos[i].codepoint;
            glyph.cluster = text.byte_offsets[infos[i].cluster];
            glyph.x_advance = static_cast<float>(positions[i].x_advance) / 64.0f;
            glyph.y_advance = static_cast<float>(positions[i].y_advance) / 64.0f;
            glyph.x_offset = static_cast<float>(positions[i].x_offset) / 64.0f;
            glyph.y_offset = static_cast<float>(positions[i].y_offset) / 64.0f;
            glyph.right_to_left = rtl;
            glyph.font = font;
            line.width += glyph.x_advance;
            line.glyphs.push_back(glyph);
        }
    }
    return line;
}

ShapedLine shape_line(const FontFace& font, std::string_view utf8, TextDirection base,
                      std::string_view language) {
    return shape_line(FontChain{&font}, utf8, base, language);
}

float line_height(const FontChain& fonts) {
    return fonts.empty() ? 0.0f : fonts.front()->ascender() + fonts.front()->descender();
}

namespace {

bool breaks_around(char32_t c) {
    // Ideographs and kana: a line may break between any two of them (no spaces in CJK text).
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

// Pieces of one paragraph that a line may not split: words between spaces, and single CJK
// characters (with any punctuation that follows them, so "。" never starts a line).
struct Piece {
    std::size_t begin = 0; // bytes, in the paragraph
    std::size_t end = 0;
};

std::vector<Piece> pieces_of(std::string_view paragraph) {
    const DecodedText text = decode_utf8(paragraph);
    std::vector<Piece> pieces;
    bool in_piece = false;
    for (std::size_t i = 0; i < text.code_points.size(); ++i) {
        const char32_t c = text.code_points[i];
        const std::size_t at = text.byte_offsets[i];
        const std::size_t next = text.byte_offsets[i + 1];
        if (c == U' ' || c == U'\u3000') {
            in_piece = false;
            continue;
        }
        const bool cjk_break =
            in_piece && breaks_around(c) && i > 0 && breaks_around(text.code_points[i - 1]);
        if (!in_piece || cjk_break) {
            pieces.push_back({at, next});
            in_piece = true;
        } else {
            pieces.back().end = next;
        }
    }
    return pieces;
}

} // namespace

std::vector<std::string_view> break_lines(const FontChain& fonts, std::string_view text,
                                          float width, TextDirection base,
                                          std::string_view language) {
    std::vector<std::string_view> lines;
    // Every line of a paragraph takes the paragraph's direction, not its own first word's.
    const TextDirection direction =
        base == TextDirection::auto_detect ? paragraph_direction(text) : base;
    std::size_t start = 0;
    while (true) {
        const std::size_t newline = text.find('\n', start);
        const std::string_view paragraph = text.substr(
            start, newline == std::string_view::npos ? std::string_view::npos : newline - start);
        const std::vector<Piece> pieces = pieces_of(paragraph);
        if (pieces.empty()) {
            lines.push_back(paragraph.substr(0, 0));
        }
        std::size_t first = 0;
        while (first < pieces.size()) {
            // The longest run of pieces from `first` whose shaped line fits. Shaping the whole
            // candidate (not summing words) counts kerning and joining across the break
            // exactly. A line only grows wider as pieces are added, so a binary search finds
            // the break with a few shapings rather than one per word (which made a long
            // paragraph cost the square of its length).
            auto fits = [&](std::size_t last) {
                const std::string_view candidate =
                    paragraph.substr(pieces[first].begin, pieces[last].end - pieces[first].begin);
                return shape_line(fonts, candidate, direction, language).width <= width;
            };
            std::size_t last = first; // always at least one piece, even one too wide to fit
            std::size_t too_far = pieces.size();
            // Galloping first: most lines hold a few words, so try 2, 4, 8 ... pieces.
            for (std::size_t step = 1; last + step < too_far; step *= 2) {
                if (!fits(last + step)) {
                    too_far = last + step;
                    break;
                }
                last += step;
            }
            while (last + 1 < too_far) {
                const std::size_t middle = last + (too_far - last) / 2;
                if (fits(middle)) {
                    last = middle;
                } else {
                    too_far = middle;
                }
            }
            lines.push_back(
                paragraph.substr(pieces[first].begin, pieces[last].end - pieces[first].begin));
            first = last + 1;
        }
        if (newline == std::string_view::npos) {
            break;
        }
        start = newline + 1;
    }
    return lines;
}

std::vector<std::string_view> break_lines(const FontFace& font, std::string_view text, float width,
                                          TextDirection base) {
    return break_lines(FontChain{&font}, text, width, base);
}

} // namespace kiosk::text
