#pragma once

// Certificates for the collector tests, made at test time with OpenSSL's C API: a CA, a server
// certificate for 127.0.0.1 and localhost, a client CA with a kiosk certificate, and a kiosk
// certificate from an unrelated CA that the collector must refuse.

#include <filesystem>

namespace kiosk::collector::testing {

struct TestPki {
    std::filesystem::path ca_cert;     // signs the server certificate; the client trusts it
    std::filesystem::path server_cert; // CN localhost, SAN DNS:localhost, IP:127.0.0.1
    std::filesystem::path server_key;
    std::filesystem::path client_ca_cert; // signs kiosk client certificates
    std::filesystem::path client_cert;
    std::filesystem::path client_key;
    std::filesystem::path rogue_client_cert; // a kiosk certificate from a CA nobody trusts
    std::filesystem::path rogue_client_key;
};

// Writes every file into `dir` (which must exist). Throws std::runtime_error on failure.
TestPki make_test_pki(const std::filesystem::path& dir);

} // namespace kiosk::collector::testing
