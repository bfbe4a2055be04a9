#pragma once

// The collector's TOML configuration. Every key is described in docs/collector.md and in
// collector.example.toml. Relative paths are taken from the folder of the configuration file,
// so a configuration and its certificates can move together.

#include "collector/error.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::collector {

inline constexpr std::size_t kDefaultMaxRequestBytes = 1024 * 1024;

struct Config {
    std::filesystem::path file; // where the configuration was read from, for messages

    // [server]
    std::string listen_address = "127.0.0.1";
    int port = 8443; // 0 asks the system for a free port (tests)
    // FHIR base path: "/fhir", or "" to serve at the root. Never ends with '/'.
    std::string base_path = "/fhir";
    std::size_t max_request_bytes = kDefaultMaxRequestBytes;

    // [tls]
    std::filesystem::path certificate; // PEM, the server certificate then any intermediates
    std::filesystem::path private_key; // PEM
    // PEM bundle of the CA(s) that sign kiosk client certificates. When set, every connection
    // must present a certificate signed by one of them, or TLS refuses it.
    std::optional<std::filesystem::path> client_ca;

    // [storage]
    std::filesystem::path database;

    // [questionnaires]
    std::vector<std::filesystem::path> questionnaires;
};

// Reads and checks a configuration file. On failure the message lists every problem, one a line,
// each naming the file and the key ("collector.toml: 'server.port' (line 3, column 8) must ...").
Result<Config> load_config(const std::filesystem::path& file);

// The same from text; `file` names it in messages and anchors relative paths.
Result<Config> parse_config(std::string_view toml_text, const std::filesystem::path& file);

// Checks a FHIR base path and returns its normal form ("/fhir/" -> "/fhir", "/" -> "").
Result<std::string> normalize_base_path(std::string_view path);

} // namespace kiosk::collector
