#pragma once
// HTTPS to the central endpoint, over libcurl.
//
// Verification of the server is always on: there is no setting, flag or test hook that turns it
// off. https only, no redirects, TLS 1.2 or newer, optional public-key pins and client
// certificate, a bearer token, bounded waits and a bounded reply. One transport keeps one curl
// handle so connections are reused between batches.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::delivery {

struct TransportSettings {
    std::string endpoint;                        // https://host/fhir: the batch is POSTed here
    std::filesystem::path ca_file;               // empty: the system's CA store
    std::vector<std::string> pinned_public_keys; // "sha256//…"; any one must match
    std::filesystem::path client_certificate;    // PEM, optional
    std::filesystem::path client_key;            // PEM, optional
    std::string bearer_token;                    // empty: no Authorization header
    std::optional<std::string> proxy;            // nullopt: from the environment; "": none
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds total_timeout{60};
    std::int64_t low_speed_bytes_per_second = 100;
    std::chrono::seconds low_speed_time{20};
    std::int64_t reply_max_bytes = 4 * 1024 * 1024;
    std::string user_agent = "ward-feedback-kiosk";
};

// Reads a bearer token file. Refuses a file that others could read (group or world access),
// because the token lets anyone post responses as this device.
std::variant<std::string, std::string> read_token_file(const std::filesystem::path& file);
//           token        problem

struct HttpReply {
    int status = 0;
    std::string body;
    std::optional<std::string> retry_after; // the Retry-After header, as sent
};

struct TransportFailure {
    enum class Kind {
        cannot_connect, // refused, unreachable, name not found, proxy refused
        tls,            // the server's certificate or pin did not verify, or ours was refused
        timed_out,      // connect, low-speed or total timeout
        reply_too_large,
        stopped, // the kiosk is shutting down
        other,
    };
    Kind kind = Kind::other;
    std::string what; // curl's words, with the endpoint
};

using PostResult = std::variant<HttpReply, TransportFailure>;

// IT's "Check connection": can this device reach the endpoint, with its own TLS settings?
struct ConnectionCheck {
    PostResult result; // the reply to GET <endpoint>/metadata, or why there was none
    std::chrono::milliseconds took{0};
    std::optional<std::string> server_certificate_expires; // as curl reports it
};

// When the first certificate in a PEM file stops being valid ("2027-03-01 12:00 UTC"), or a
// problem in plain words. For the IT screen's certificate expiry.
std::variant<std::string, std::string> certificate_expiry(const std::filesystem::path& pem_file);
//           expiry       problem

class CurlTransport {
public:
    // Checks the settings (https endpoint, readable files) and prepares the curl handle.
    static std::variant<CurlTransport, std::string> create(const TransportSettings& settings);

    CurlTransport(CurlTransport&&) noexcept;
    CurlTransport& operator=(CurlTransport&&) noexcept;
    ~CurlTransport();

    // POSTs a FHIR batch Bundle. Returns within about a second of `stop` becoming true.
    PostResult post_bundle(std::string_view body, const std::atomic<bool>& stop);

    // GETs <endpoint>/metadata on a fresh connection, with every check post_bundle makes.
    ConnectionCheck check_connection(const std::atomic<bool>& stop);

private:
    struct Handles;
    explicit CurlTransport(std::unique_ptr<Handles> handles);
    PostResult perform(const std::string& url, std::optional<std::string_view> body,
                       const std::atomic<bool>& stop, bool fresh_with_certificates);
    std::unique_ptr<Handles> handles_;
};

// Process-wide libcurl set-up: made once in main, before any thread starts.
class CurlLibrary {
public:
    CurlLibrary();
    ~CurlLibrary();
    CurlLibrary(const CurlLibrary&) = delete;
    CurlLibrary& operator=(const CurlLibrary&) = delete;
};

} // namespace kiosk::delivery
