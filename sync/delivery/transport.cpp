#include "delivery/transport.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kiosk::delivery {

namespace {

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::string trim(std::string text) {
    auto first = text.find_first_not_of(" \t\r\n");
    auto last = text.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

} // namespace

struct CurlTransport::Handles {
    std::unique_ptr<CURL, CurlDeleter> curl;
    std::unique_ptr<curl_slist, HeaderListDeleter> headers;
    TransportSettings settings;
    std::string pins;
    // Per request:
    std::string reply;
    bool reply_too_large = false;
    std::optional<std::string> retry_after;
    const std::atomic<bool>* stop = nullptr;
    char error[CURL_ERROR_SIZE] = {};
};

CurlLibrary::CurlLibrary() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}
CurlLibrary::~CurlLibrary() {
    curl_global_cleanup();
}

std::variant<std::string, std::string> read_token_file(const std::filesystem::path& file) {
    auto failed = [](std::string message) {
        return std::variant<std::string, std::string>(std::in_place_index<1>, std::move(message));
    };
    // Open once and check the file that was opened (not the name, which could be swapped for
    // another file between a check and the read), and never follow a symbolic link: the token
    // must be the kiosk's own file, not a link someone placed to a file of theirs.
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        const int error = errno;
        if (error == ELOOP) {
            return failed("the token file " + file.string() +
                          " is a symbolic link; it must be a plain file owned by the kiosk user");
        }
        return failed("cannot read the token file " + file.string() + ": " +
                      (error == ENOENT ? std::string("no such file") : std::strerror(error)));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        return failed("the token file " + file.string() + " is not a plain file");
    }
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return failed("the token file " + file.string() +
                      " can be read by other users; it must be readable by the kiosk user only "
                      "(chmod 600 " +
                      file.string() + ")");
    }
    // A token is one line of some dozens of characters; anything much longer is not a token.
    constexpr std::size_t kLongestFile = 4096;
    if (info.st_size > static_cast<off_t>(kLongestFile)) {
        return failed("the token file " + file.string() + " is " + std::to_string(info.st_size) +
                      " bytes; a token file holds one line");
    }
    std::string text(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return failed("cannot read the token file " + file.string() +
                          (n < 0 ? std::string(": ") + std::strerror(errno) : ""));
        }
        got += static_cast<std::size_t>(n);
    }
    std::string token = trim(std::move(text));
    if (token.empty() || token.find_first_of(" \t\r\n") != std::string::npos) {
        return failed("the token file " + file.string() + " must hold one token on one line");
    }
    return std::variant<std::string, std::string>(std::in_place_index<0>, token);
}

CurlTransport::CurlTransport(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}
CurlTransport::CurlTransport(CurlTransport&&) noexcept = default;
CurlTransport& CurlTransport::operator=(CurlTransport&&) noexcept = default;
CurlTransport::~CurlTransport() = default;

std::variant<CurlTransport, std::string> CurlTransport::create(const TransportSettings& settings) {
    if (settings.endpoint.rfind("https://", 0) != 0) {
        return "the endpoint " + settings.endpoint + " is not an https:// address";
    }
    for (const auto& file : {settings.ca_file, settings.client_certificate, settings.client_key}) {
        std::error_code ignored;
        if (!file.empty() && !std::filesystem::is_regular_file(file, ignored)) {
            return "cannot read " + file.string();
        }
    }
    auto handles = std::make_unique<Handles>();
    handles->settings = settings;
    handles->curl.reset(curl_easy_init());
    if (!handles->curl) {
        return std::string("curl could not start");
    }
    for (const auto& pin : settings.pinned_public_keys) {
        handles->pins += (handles->pins.empty() ? "" : ";") + pin;
    }
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/fhir+json");
    headers = curl_slist_append(headers, "Accept: application/fhir+json");
    headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip
    if (!settings.bearer_token.empty()) {
        headers =
            curl_slist_append(headers, ("Authorization: Bearer " + settings.bearer_token).c_str());
    }
    handles->headers.reset(headers);
    return CurlTransport(std::move(handles));
}

PostResult CurlTransport::post_bundle(std::string_view body, const std::atomic<bool>& stop) {
    return perform(handles_->settings.endpoint, body, stop, false);
}

ConnectionCheck CurlTransport::check_connection(const std::atomic<bool>& stop) {
    ConnectionCheck check;
    std::string url = handles_->settings.endpoint;
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    auto started = std::chrono::steady_clock::now();
    check.result = perform(url + "/metadata", std::nullopt, stop, true);
    check.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    struct curl_certinfo* chain = nullptr;
    if (curl_easy_getinfo(handles_->curl.get(), CURLINFO_CERTINFO, &chain) == CURLE_OK &&
        chain != nullptr && chain->num_of_certs > 0) {
        static constexpr std::string_view field = "Expire date:";
        for (curl_slist* item = chain->certinfo[0]; item != nullptr; item = item->next) {
            std::string_view line = item->data;
            if (line.substr(0, field.size()) == field) {
                check.server_certificate_expires = trim(std::string(line.substr(field.size())));
            }
        }
    }
    return check;
}

PostResult CurlTransport::perform(const std::string& url, std::optional<std::string_view> body,
                                  const std::atomic<bool>& stop, bool fresh_with_certificates) {
    Handles& h = *handles_;
    CURL* curl = h.curl.get();
    const TransportSettings& s = h.settings;
    h.reply.clear();
    h.reply_too_large = false;
    h.retry_after.reset();
    h.stop = &stop;
    h.error[0] = '\0';

    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!s.ca_file.empty()) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, s.ca_file.c_str());
    }
    if (!h.pins.empty()) {
        curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, h.pins.c_str());
    }
    if (!s.client_certificate.empty()) {
        curl_easy_setopt(curl, CURLOPT_SSLCERT, s.client_certificate.c_str());
        curl_easy_setopt(curl, CURLOPT_SSLKEY, s.client_key.c_str());
    }
    if (s.proxy) {
        curl_easy_setopt(curl, CURLOPT_PROXY, s.proxy->c_str()); // "" means no proxy at all
    }
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // threads: never longjmp out of a resolver
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(s.connect_timeout.count() * 1000));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(s.total_timeout.count() * 1000));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT,
                     static_cast<long>(s.low_speed_bytes_per_second));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(s.low_speed_time.count()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, s.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h.headers.get());
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    if (fresh_with_certificates) {
        // A reachability check must really reach the server (not reuse a connection) and
        // report its certificate.
        curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
    }
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, h.error);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &h);
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* user) {
            auto* handles = static_cast<Handles*>(user);
            size_t bytes = size * count;
            if (static_cast<std::int64_t>(handles->reply.size() + bytes) >
                handles->settings.reply_max_bytes) {
                handles->reply_too_large = true;
                return size_t{0}; // curl aborts the transfer
            }
            handles->reply.append(data, bytes);
            return bytes;
        });
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(
        curl, CURLOPT_HEADERFUNCTION, +[](char* data, size_t size, size_t count, void* user) {
            auto* handles = static_cast<Handles*>(user);
            std::string line(data, size * count);
            static constexpr std::string_view name = "retry-after:";
            if (line.size() > name.size()) {
                std::string start = line.substr(0, name.size());
                std::transform(start.begin(), start.end(), start.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                if (start == name) {
                    handles->retry_after = trim(line.substr(name.size()));
                }
            }
            return size * count;
        });
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &h);
    // curl calls this at least once a second, so a shutdown aborts an upload within about 1 s.
    curl_easy_setopt(
        curl, CURLOPT_XFERINFOFUNCTION,
        +[](void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
            return static_cast<Handles*>(user)->stop->load() ? 1 : 0;
        });

    CURLcode code = curl_easy_perform(curl);
    h.stop = nullptr;
    std::string what = url + ": " + (h.error[0] != '\0' ? h.error : curl_easy_strerror(code));
    switch (code) {
    case CURLE_OK: {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        return HttpReply{static_cast<int>(status), std::move(h.reply), h.retry_after};
    }
    case CURLE_ABORTED_BY_CALLBACK:
        return TransportFailure{TransportFailure::Kind::stopped, "stopped: " + what};
    case CURLE_WRITE_ERROR:
        if (h.reply_too_large) {
            return TransportFailure{TransportFailure::Kind::reply_too_large,
                                    s.endpoint + ": the reply is larger than " +
                                        std::to_string(s.reply_max_bytes) + " bytes"};
        }
        return TransportFailure{TransportFailure::Kind::other, what};
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        return TransportFailure{TransportFailure::Kind::cannot_connect, what};
    case CURLE_OPERATION_TIMEDOUT:
        return TransportFailure{TransportFailure::Kind::timed_out, what};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return TransportFailure{TransportFailure::Kind::tls, what};
    default:
        return TransportFailure{TransportFailure::Kind::other, what};
    }
}

} // namespace kiosk::delivery
