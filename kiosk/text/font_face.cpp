#include "text/font_face.hpp"

#include <hb-ft.h>

namespace kiosk::text {

std::variant<FontFace, std::string> FontFace::load(const std::filesystem::path& file,
                                                   int pixel_size) {
    const std::string name = file.string();
    if (pixel_size <= 0) {
        return "font " + name + ": pixel size " + std::to_string(pixel_size) + " is not positive";
    }
    FontFace font;
    FT_Library library = nullptr;
    if (FT_Init_FreeType(&library) != 0) {
        return "font " + name + ": FreeType could not start";
    }
    font.library_.reset(library);

    FT_Face face = nullptr;
    if (const FT_Error error = FT_New_Face(library, name.c_str(), 0, &face); error != 0) {
        // FreeType's error for a missing file and for a file that is not a font differ; say
        // which, since the fix differs (install fonts-noto-core, or fix the settings).
        std::error_code ignored;
        if (!std::filesystem::exists(file, ignored)) {
            return "font file " + name + " does not exist (install fonts-noto-core)";
        }
        return "font file " + name + " cannot be read as a font (FreeType error " +
               std::to_string(error) + ")";
    }
    font.face_.reset(face);
    if (FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(pixel_size)) != 0) {
        return "font file " + name + " cannot be drawn at " + std::to_string(pixel_size) +
               " pixels";
    }
    // The HarfBuzz font takes its own reference to the face, so the face outlives neither.
    // Its scale comes from the face's pixel size: positions are 26.6 fixed-point pixels.
    hb_font_t* hb = hb_ft_font_create_referenced(face);
    if (hb == nullptr || hb == hb_font_get_empty()) {
        return "font file " + name + ": HarfBuzz could not use it";
    }
    font.font_.reset(hb);
    // Unhinted advances: the same widths at every size, matching the FreeType load flags used
    // when drawing (light hinting moves outlines vertically only, never the advances).
    hb_ft_font_set_load_flags(hb, FT_LOAD_DEFAULT | FT_LOAD_NO_HINTING);
    font.id_ = name;
    font.pixel_size_ = pixel_size;
    return font;
}

float FontFace::ascender() const {
    return static_cast<float>(face_->size->metrics.ascender) / 64.0f;
}

float FontFace::descender() const {
    return -static_cast<float>(face_->size->metrics.descender) / 64.0f;
}

} // namespace kiosk::text
