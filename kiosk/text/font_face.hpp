#pragma once
// One face of a font file loaded at one pixel size, for shaping (HarfBuzz) and drawing
// (FreeType). Most files hold one face; a collection (.ttc, such as Noto Sans CJK) holds
// several, one per region or style, chosen by index.
//
// Each FontFace owns its own FreeType library instance: FreeType objects are not safe to share
// between threads, and a private library means two faces never share hidden state. A face is
// used from one thread at a time (the UI thread); it is movable, not copyable.

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>

#include <filesystem>
#include <memory>
#include <string>
#include <variant>

namespace kiosk::text {

class FontFace {
public:
    // The face, or a problem that names the file (missing, not a font, no face at
    // `face_index`, no such pixel size).
    static std::variant<FontFace, std::string> load(const std::filesystem::path& file,
                                                    int pixel_size, int face_index = 0);

    // Names the face for caches: the file and the face index ("file#2"), since the faces of a
    // collection share the file but not their glyphs. Two FontFaces with the same id at the
    // same size shape alike.
    const std::string& id() const { return id_; }
    int pixel_size() const { return pixel_size_; }
    int face_index() const { return face_index_; }
    // Line metrics in pixels, from the font's own ascender and descender (descender >= 0).
    float ascender() const;
    float descender() const;

    FT_Face ft_face() const { return face_.get(); }
    hb_font_t* hb_font() const { return font_.get(); }

private:
    struct LibraryDeleter {
        void operator()(FT_Library library) const { FT_Done_FreeType(library); }
    };
    struct FaceDeleter {
        void operator()(FT_Face face) const { FT_Done_Face(face); }
    };
    struct FontDeleter {
        void operator()(hb_font_t* font) const { hb_font_destroy(font); }
    };

    FontFace() = default;

    // Declared in this order so they are destroyed in reverse: the HarfBuzz font (which holds a
    // reference to the face) first, then the face, then the library that made it.
    std::unique_ptr<FT_LibraryRec_, LibraryDeleter> library_;
    std::unique_ptr<FT_FaceRec_, FaceDeleter> face_;
    std::unique_ptr<hb_font_t, FontDeleter> font_;
    std::string id_;
    int pixel_size_ = 0;
    int face_index_ = 0;
};

} // namespace kiosk::text
