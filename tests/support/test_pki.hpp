#pragma once

// Certificates made at test time for the sync tests, so no test depends on a file that can expire
// or leak, and every TLS failure the kiosk must refuse has a certificate to provoke it.
//
// All keys are EC P-256 (a whole set takes a few milliseconds). Files are PEM: certificates as
// "CERTIFICATE", keys as unencrypted PKCS#8 "PRIVATE KEY" with mode 0600. Failures throw
// std::runtime_error naming the file or step and OpenSSL's error text.

#include "support/temp_dir.hpp"

#include <filesystem>
#include <string>

namespace kiosk::testing {

struct CertAndKey {
    std::filesystem::path cert;
    std::filesystem::path key;
};

struct TestPki {
    std::filesystem::path dir;

    // The CA the kiosk trusts: give ca.cert to the client as its CA bundle.
    CertAndKey ca;
    // Valid now, subjectAltName IP:127.0.0.1 and DNS:localhost, serverAuth, signed by `ca`.
    CertAndKey server;
    // Same names and issuer as `server`, but notAfter is a day in the past.
    CertAndKey expired_server;
    // Signed by `ca` and valid now, but for DNS:wrong.invalid only (no IP, no localhost).
    CertAndKey wrong_host_server;
    // A second, unrelated CA that nobody is told to trust.
    CertAndKey unknown_ca;
    // For 127.0.0.1 and localhost, valid now, but signed by `unknown_ca`.
    CertAndKey unknown_ca_server;
    // The CA the collector trusts for device (client) certificates.
    CertAndKey client_ca;
    // A device certificate (clientAuth, CN=kiosk-test-device) signed by `client_ca`.
    CertAndKey client;
    // A device certificate signed by `unknown_ca`, which the collector must not accept.
    CertAndKey untrusted_client;

    // curl's pin of server.cert's key: "sha256//" + base64(SHA-256(DER SubjectPublicKeyInfo)).
    std::string server_pin;
    // The pin of unknown_ca_server's key: a well-formed pin that does not match `server`.
    std::string other_pin;
};

// Makes every file of a TestPki in `dir` (created if missing; existing files are overwritten).
TestPki make_test_pki(const std::filesystem::path& dir);

// curl's CURLOPT_PINNEDPUBLICKEY form of a PEM certificate's public key:
// "sha256//<base64 of the SHA-256 of the DER SubjectPublicKeyInfo>".
std::string public_key_pin(const std::filesystem::path& cert_pem);

} // namespace kiosk::testing
