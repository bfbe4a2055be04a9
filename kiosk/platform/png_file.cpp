#include "platform/png_file.hpp"

#include <cstdio>
#include <memory>
#include <vector>

#include <csetjmp>

#include <png.h>

namespace kiosk::platform {

namespace {

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

// Writes the rows with libpng. libpng reports errors by longjmp back to setjmp, so this
// function holds no C++ objects of its own: everything with a destructor lives in the caller.
bool write_rows(png_structp png, png_infop info, std::FILE* out, const unsigned char* pixels,
                int width, int height) {
    if (setjmp(png_jmpbuf(png))) {
        return false;
    }
    png_init_io(png, out);
    png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int row = 0; row < height; ++row) {
        png_write_row(png, pixels + static_cast<std::size_t>(row) * width * 3);
    }
    png_write_end(png, nullptr);
    return true;
}

} // namespace

std::optional<std::string> save_screenshot(SDL_Renderer* renderer,
                                           const std::filesystem::path& file) {
    int width = 0, height = 0;
    if (SDL_GetRendererOutputSize(renderer, &width, &height) != 0) {
        return std::string("cannot read the screen size: ") + SDL_GetError();
    }
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3);
    if (SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_RGB24, pixels.data(), width * 3) !=
        0) {
        return std::string("cannot read the screen: ") + SDL_GetError();
    }
    std::error_code ignored;
    if (file.has_parent_path()) {
        std::filesystem::create_directories(file.parent_path(), ignored);
    }
    std::unique_ptr<std::FILE, FileCloser> out(std::fopen(file.c_str(), "wb"));
    if (!out) {
        return "cannot write " + file.string();
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (png == nullptr || info == nullptr) {
        png_destroy_write_struct(&png, &info);
        return "cannot start writing " + file.string();
    }
    bool written = write_rows(png, info, out.get(), pixels.data(), width, height);
    png_destroy_write_struct(&png, &info);
    if (!written || std::fflush(out.get()) != 0) {
        return "cannot write " + file.string() + " (disk full?)";
    }
    return std::nullopt;
}

} // namespace kiosk::platform
