#include "text/font_face.hpp"

#include <hb-ft.h>

namespace kiosk::text {

namespace {

// How many faces the file holds, or 0 when FreeType cannot read it as a font at all. Face index
// -1 asks FreeType only to count, without loading a face.
FT_Long faces_in(FT_Library library, const std::string& file) {
    FT_Face probe = nullptr;
    if (FT_New_Face(library, file.c_str(), -1, &probe) != 0) {
        return 0;
    }
    const FT_Long count = probe->num_faces;
    FT_Done_Face(probe);
    return count;
}

} // namespace

std::variant<FontFace, std::string> FontFace::load(const std::filesystem::path& file,
                                                   int pixel_size, int face_index) {
    const std::string name = file.string();
    if (pixel_size <= 0) {
        return "font " + name + ": pixel size " + std::to_string(pixel_size) + " is not positive";
    }
    // FreeType reads the upper 16 bits of a face index as a variable font's named instance and
    // a negative one as "count the faces"; neither is a face a caller can mean here.
    if (face_index < 0 || face_index > 0xFFFF) {
        return "font file " + name + ": face index " + std::to_string(face_index) +
               " is out of range";
    }
    FontFace font;
    FT_Library library = nullptr;
    if (FT_Init_FreeType(&library) != 0) {
        return "font " + name + ": FreeType could not start";
    }
    font.library_.reset(library);

    FT_Face face = nullptr;
    if (const FT_Error error = FT_New_Face(library, name.c_str(), face_index, &face); error != 0) {
        // FreeType's error for a missing file, for a file that is not a font and for a face
        // the file does not have differ; say which, since the fix differs (install
        // fonts-noto-core, fix the settings, or pick another face of the collection).
        std::error_code ignored;
        if (!std::filesystem::exists(file, ignored)) {
            return "font file " + name + " does not exist (install fonts-noto-core)";
        }
        if (const FT_Long count = faces_in(library, name); count > 0 && face_index >= count) {
            return "font file " + name + " has no face index " + std::to_string(face_index) +
                   " (it holds " + std::to_string(count) + (count == 1 ? " face" : " faces") +
                   ", from index 0)";
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
    font.id_ = name + "#" + std::to_string(face_index);
    font.pixel_size_ = pixel_size;
    font.face_index_ = face_index;
    return font;
}

float FontFace::ascender() const {
    return static_cast<float>(face_->size->metrics.ascender) / 64.0f;
}

float FontFace::descender() const {
    return -static_cast<float>(face_->size->metrics.descender) / 64.0f;
}

} // namespace kiosk::text
