#pragma once
// Device settings: one TOML file per kiosk (config/kiosk.example.toml documents every key).
// Relative paths in it are taken from the folder the file is in, so a settings folder can be
// copied as a whole. Unknown keys are refused: a misspelt key silently ignored is a setting
// IT staff believe is in force when it is not.

#include "model/opening_hours.hpp"
#include "model/problem.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::settings {

struct DeviceSettings {
    std::string id;      // the device's name in the trust's inventory, sent with each response
    std::string site;    // hospital or building
    std::string service; // the clinic or department the kiosk serves (the default clinic)
    // The clinics a volunteer may switch the kiosk between in staff mode, in the file's order;
    // always holds `service`. Just {service} when the file does not list them.
    std::vector<std::string> clinics;
};

struct SessionSettings {
    std::chrono::seconds idle_timeout{90};
    std::chrono::seconds idle_warning{30};
    std::chrono::seconds thank_you{10};
    std::string language = "en";
    // The languages this device offers patients, in the settings' order; always holds
    // `language` (the default). Just {language} when the file does not list them.
    std::vector<std::string> languages;
    // Every timeout above is this many times longer (1 to 10), for a clinic whose patients need
    // more time (WCAG 2.2.1 asks that time limits can be extended tenfold).
    int more_time = 1;
    // The speaker button on every patient screen (espeak-ng, where it has a voice for the
    // language). A clinic where sound would disturb others turns it off.
    bool read_aloud = true;

    // The three timeouts as the session runs them, `more_time` applied.
    std::chrono::seconds idle_timeout_in_use() const { return idle_timeout * more_time; }
    std::chrono::seconds idle_warning_in_use() const { return idle_warning * more_time; }
    std::chrono::seconds thank_you_in_use() const { return thank_you * more_time; }
};

enum class Renderer {
    software,    // CPU drawing into the window's framebuffer: no GPU, no OpenGL libraries loaded
    accelerated, // the GPU through SDL (GLES on a Raspberry Pi)
};

struct DisplaySettings {
    bool fullscreen = true;
    int width = 1280; // window size when not fullscreen, and the headless screen size
    int height = 800;
    double dpi = 150;       // pixels per inch of the panel: every size on screen is derived from it
    bool kiosk_mode = true; // ignore Escape, Alt+F4 and window close; hide the pointer
    Renderer renderer = Renderer::software;
    std::filesystem::path font = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
    std::filesystem::path bold_font = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf";
};

struct DeliverySettings {
    std::string endpoint;                        // https://…/fhir (the FHIR base)
    std::filesystem::path ca_file;               // trusted CA bundle (empty: the system's)
    std::vector<std::string> pinned_public_keys; // "sha256//…", current and backup
    std::filesystem::path client_certificate;    // optional, PEM
    std::filesystem::path client_key;            // optional, PEM
    std::filesystem::path token_file;            // optional bearer token, readable only by kiosk
    std::optional<std::string> proxy;            // absent: from the environment; "": none
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds total_timeout{60};
    std::int64_t low_speed_bytes_per_second = 100;
    std::chrono::seconds low_speed_time{20};
    std::chrono::seconds retry_base{5};
    std::chrono::seconds retry_cap{3600};
    int batch_max_entries = 50;
    std::int64_t batch_max_bytes = 256 * 1024;
    std::int64_t reply_max_bytes = 4 * 1024 * 1024;
    int retention_days = 30; // acknowledged responses are purged this long after delivery
};

// Where on the screen the hidden press that opens staff mode is held.
enum class Corner { top_left, top_right, bottom_left, bottom_right };

// Staff mode: volunteers and IT staff hold a press in one corner of the screen, then type a PIN.
struct StaffSettings {
    std::string volunteer_pin_hash; // Argon2id (model/pin_hash.hpp); empty: no volunteer PIN
    std::string it_pin_hash;        // empty: no IT PIN
    Corner corner = Corner::top_left;
    std::chrono::seconds hold{3};         // how long the press is held (2 to 10 s)
    std::chrono::seconds leave_after{60}; // staff mode closes after this long without a touch
    // Who to call, shown to volunteers when something is wrong: "IT service desk, extension 4444".
    std::string help;
    // Programs run (without a shell) by the Restart-device and Switch-off buttons: argv, argv[0]
    // an absolute path. Empty: no such button.
    std::vector<std::string> reboot_command;
    std::vector<std::string> power_off_command;

    bool enabled() const { return !volunteer_pin_hash.empty() || !it_pin_hash.empty(); }
};

struct Settings {
    std::filesystem::path file; // the settings file itself
    DeviceSettings device;
    std::vector<std::filesystem::path> questionnaires; // absolute paths, in the file's order
    std::string active_questionnaire; // file stem of the one in use (default: first)
    std::filesystem::path data_dir;   // where the outbox lives
    std::filesystem::path assets_dir; // UI strings; empty: the built-in default
    SessionSettings session;
    DisplaySettings display;
    DeliverySettings delivery;
    StaffSettings staff;               // staff mode is off unless a PIN is set
    model::OpeningHours opening_hours; // always open unless the file gives [opening_hours]
};

struct SettingsLoad {
    std::optional<Settings> settings; // set only when problems is empty
    model::Problems problems;
};

SettingsLoad load_settings_file(const std::filesystem::path& path);

// For tests and fuzzing: `base_dir` resolves relative paths, `source_name` names the text.
SettingsLoad parse_settings(const std::string& toml_text, const std::string& source_name,
                            const std::filesystem::path& base_dir);

} // namespace kiosk::settings
