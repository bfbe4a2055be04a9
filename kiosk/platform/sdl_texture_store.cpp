#include "platform/sdl_texture_store.hpp"

#include <cstdint>
#include <vector>

namespace kiosk::platform {

SdlTextureStore::~SdlTextureStore() {
    for (SDL_Texture* texture : textures_) {
        SDL_DestroyTexture(texture);
    }
}

ImTextureID SdlTextureStore::upload(const text::TextBitmap& bitmap) {
    if (bitmap.width <= 0 || bitmap.height <= 0 ||
        bitmap.alpha.size() !=
            static_cast<std::size_t>(bitmap.width) * static_cast<std::size_t>(bitmap.height)) {
        return nullptr;
    }
    SDL_Texture* texture = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888,
                                             SDL_TEXTUREACCESS_STATIC, bitmap.width, bitmap.height);
    if (texture == nullptr) {
        return nullptr;
    }
    // SDL's packed formats name the bits of a 32-bit value from the top: ABGR8888 has alpha in
    // the top byte, whatever the machine's byte order.
    std::vector<std::uint32_t> pixels(bitmap.alpha.size());
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = (static_cast<std::uint32_t>(bitmap.alpha[i]) << 24) | 0x00FFFFFFu;
    }
    if (SDL_UpdateTexture(texture, nullptr, pixels.data(),
                          bitmap.width * static_cast<int>(sizeof(std::uint32_t))) != 0) {
        SDL_DestroyTexture(texture);
        return nullptr;
    }
    SDL_SetTextureBlendMode(texture, SDL_BLENDMODE_BLEND);
    // Text is drawn at whole pixels, one texel to one pixel: nearest keeps it sharp.
    SDL_SetTextureScaleMode(texture, SDL_ScaleModeNearest);
    textures_.insert(texture);
    return static_cast<ImTextureID>(texture);
}

void SdlTextureStore::release(ImTextureID texture) {
    auto* sdl = static_cast<SDL_Texture*>(texture);
    if (textures_.erase(sdl) == 1) {
        SDL_DestroyTexture(sdl);
    }
}

} // namespace kiosk::platform
