#pragma once
// Screenshots as PNG files.

#include <SDL.h>

#include <filesystem>
#include <optional>
#include <string>

namespace kiosk::platform {

// Reads what the renderer has drawn (before it is presented) and writes it as an RGB PNG.
// Returns a problem naming the file, or nothing on success.
std::optional<std::string> save_screenshot(SDL_Renderer* renderer,
                                           const std::filesystem::path& file);

} // namespace kiosk::platform
