#include "collector_test_certs.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk::collector::testing {

namespace {

struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

[[noreturn]] void fail(const std::string& what) {
    char reason[256] = "";
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    throw std::runtime_error("test PKI: " + what + ": " + reason);
}

Key make_key() {
    Key key(EVP_EC_gen("P-256"));
    if (!key) {
        fail("EC key generation");
    }
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (extension == nullptr || X509_add_ext(cert, extension, -1) != 1) {
        X509_EXTENSION_free(extension);
        fail(std::string("extension ") + value);
    }
    X509_EXTENSION_free(extension);
}

enum class Role { ca, server, client };

// Signed by `issuer` with `issuer_key`, or self-signed when issuer is null.
Cert make_cert(const char* common_name, EVP_PKEY* key, Role role, X509* issuer,
               EVP_PKEY* issuer_key) {
    static long serial = 1;
    Cert cert(X509_new());
    if (!cert) {
        fail("X509_new");
    }
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    switch (role) {
    case Role::ca:
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
        break;
    case Role::server:
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        break;
    case Role::client:
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), signer, NID_ext_key_usage, "clientAuth");
        break;
    }
    if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
        fail(std::string("signing ") + common_name);
    }
    return cert;
}

void write_cert(const std::filesystem::path& file, X509* cert) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "w"));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        fail("writing " + file.string());
    }
}

void write_key(const std::filesystem::path& file, EVP_PKEY* key) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "w"));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        fail("writing " + file.string());
    }
}

} // namespace

TestPki make_test_pki(const std::filesystem::path& dir) {
    TestPki pki;
    pki.ca_cert = dir / "ca.pem";
    pki.server_cert = dir / "server.pem";
    pki.server_key = dir / "server.key";
    pki.client_ca_cert = dir / "client-ca.pem";
    pki.client_cert = dir / "kiosk.pem";
    pki.client_key = dir / "kiosk.key";
    pki.rogue_client_cert = dir / "rogue-kiosk.pem";
    pki.rogue_client_key = dir / "rogue-kiosk.key";

    Key ca_key = make_key();
    Cert ca = make_cert("Collector test CA", ca_key.get(), Role::ca, nullptr, nullptr);
    Key server_key = make_key();
    Cert server = make_cert("localhost", server_key.get(), Role::server, ca.get(), ca_key.get());
    write_cert(pki.ca_cert, ca.get());
    write_cert(pki.server_cert, server.get());
    write_key(pki.server_key, server_key.get());

    Key client_ca_key = make_key();
    Cert client_ca =
        make_cert("Kiosk client test CA", client_ca_key.get(), Role::ca, nullptr, nullptr);
    Key client_key = make_key();
    Cert client =
        make_cert("ward-3", client_key.get(), Role::client, client_ca.get(), client_ca_key.get());
    write_cert(pki.client_ca_cert, client_ca.get());
    write_cert(pki.client_cert, client.get());
    write_key(pki.client_key, client_key.get());

    Key rogue_ca_key = make_key();
    Cert rogue_ca = make_cert("Rogue CA", rogue_ca_key.get(), Role::ca, nullptr, nullptr);
    Key rogue_key = make_key();
    Cert rogue =
        make_cert("ward-3", rogue_key.get(), Role::client, rogue_ca.get(), rogue_ca_key.get());
    write_cert(pki.rogue_client_cert, rogue.get());
    write_key(pki.rogue_client_key, rogue_key.get());
    return pki;
}

} // namespace kiosk::collector::testing
