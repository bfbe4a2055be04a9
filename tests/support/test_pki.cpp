#include "support/test_pki.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace kiosk::testing {

namespace {

// unique_ptr deleters for the OpenSSL handles used here.
template <auto Free> struct Deleter {
    template <typename T> void operator()(T* handle) const { Free(handle); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
// OPENSSL_free is a macro, so it cannot be a template argument.
struct OpensslFree {
    void operator()(unsigned char* bytes) const { OPENSSL_free(bytes); }
};
using OpensslBytes = std::unique_ptr<unsigned char, OpensslFree>;

constexpr long one_hour = 60L * 60;
constexpr long one_day = 24 * one_hour;

// Drains OpenSSL's error queue into one line, so a failure says why and the queue stays clean.
std::string openssl_errors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += text.empty() ? "" : "; ";
        text += buffer;
    }
    return text.empty() ? "no OpenSSL error recorded" : text;
}

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("test PKI: " + what + ": " + openssl_errors());
}

PkeyPtr make_key() {
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) {
        fail("EC P-256 key generation");
    }
    return key;
}

enum class Role { ca, server, client };

struct CertSpec {
    std::string common_name;
    Role role = Role::server;
    std::string subject_alt_name; // e.g. "IP:127.0.0.1,DNS:localhost"; empty for none
    long valid_from = -one_hour;  // seconds from now; an hour back absorbs clock skew
    long valid_until = 30 * one_day;
};

void add_extension(X509* cert, X509V3_CTX* context, int nid, const std::string& value) {
    ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, context, nid, value.c_str()));
    if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
        fail(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
    }
}

// Builds and signs one certificate. `issuer` null means self-signed with `subject_key`.
X509Ptr make_cert(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer, EVP_PKEY* issuer_key) {
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
        fail("X509_new");
    }
    // A random 63-bit positive serial: distinct certificates from one CA never share a serial.
    BignumPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
        fail("serial number");
    }
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.valid_from) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.valid_until)) {
        fail("validity");
    }
    if (X509_set_pubkey(cert.get(), subject_key) != 1) {
        fail("X509_set_pubkey");
    }
    X509_NAME* name = X509_get_subject_name(cert.get());
    auto add_name = [&](const char* field, const std::string& value) {
        if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                       -1, 0) != 1) {
            fail(std::string("subject ") + field);
        }
    };
    add_name("O", "Ward feedback kiosk tests");
    add_name("CN", spec.common_name);
    if (X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name) != 1) {
        fail("X509_set_issuer_name");
    }

    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
    X509V3_set_ctx_nodb(&context);
    if (spec.role == Role::ca) {
        add_extension(cert.get(), &context, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), &context, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), &context, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), &context, NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), &context, NID_ext_key_usage,
                      spec.role == Role::server ? "serverAuth" : "clientAuth");
    }
    add_extension(cert.get(), &context, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), &context, NID_authority_key_identifier, "keyid:always");
    if (!spec.subject_alt_name.empty()) {
        add_extension(cert.get(), &context, NID_subject_alt_name, spec.subject_alt_name);
    }

    if (X509_sign(cert.get(), issuer ? issuer_key : subject_key, EVP_sha256()) <= 0) {
        fail("signing " + spec.common_name);
    }
    return cert;
}

// Opens `path` for writing with `mode` applied before any byte is written, so a private key is
// never readable by others, not even for a moment.
BioPtr open_for_writing(const std::filesystem::path& path, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        throw std::runtime_error("test PKI: cannot write " + path.string() + ": " +
                                 std::strerror(errno));
    }
    if (::fchmod(fd, mode) != 0) {
        ::close(fd);
        throw std::runtime_error("test PKI: chmod " + path.string() + ": " + std::strerror(errno));
    }
    BioPtr bio(BIO_new_fd(fd, BIO_CLOSE));
    if (!bio) {
        ::close(fd);
        fail("BIO for " + path.string());
    }
    return bio;
}

void write_cert(X509* cert, const std::filesystem::path& path) {
    BioPtr bio = open_for_writing(path, 0644);
    if (PEM_write_bio_X509(bio.get(), cert) != 1 || BIO_flush(bio.get()) != 1) {
        fail("writing " + path.string());
    }
}

void write_key(EVP_PKEY* key, const std::filesystem::path& path) {
    BioPtr bio = open_for_writing(path, 0600);
    if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        BIO_flush(bio.get()) != 1) {
        fail("writing " + path.string());
    }
}

std::string pin_of(X509* cert) {
    unsigned char* der = nullptr;
    int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    OpensslBytes owned(der);
    if (length <= 0) {
        fail("encoding the SubjectPublicKeyInfo");
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length, EVP_sha256(),
                   nullptr) != 1) {
        fail("SHA-256 of the SubjectPublicKeyInfo");
    }
    std::string encoded(4 * ((digest_length + 2) / 3) + 1, '\0'); // + 1: EVP_EncodeBlock's NUL
    int encoded_length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), digest,
                                         static_cast<int>(digest_length));
    encoded.resize(static_cast<std::size_t>(encoded_length));
    return "sha256//" + encoded;
}

// An issuer kept in memory while the certificates it signs are made.
struct Issuer {
    PkeyPtr key;
    X509Ptr cert;
};

Issuer make_ca(const std::string& common_name, const CertAndKey& files) {
    Issuer ca{make_key(), nullptr};
    ca.cert = make_cert({common_name, Role::ca, "", -one_hour, 365 * one_day}, ca.key.get(),
                        nullptr, nullptr);
    write_cert(ca.cert.get(), files.cert);
    write_key(ca.key.get(), files.key);
    return ca;
}

X509Ptr make_leaf(const CertSpec& spec, const Issuer& issuer, const CertAndKey& files) {
    PkeyPtr key = make_key();
    X509Ptr cert = make_cert(spec, key.get(), issuer.cert.get(), issuer.key.get());
    write_cert(cert.get(), files.cert);
    write_key(key.get(), files.key);
    return cert;
}

} // namespace

TestPki make_test_pki(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    auto files = [&](const std::string& stem) {
        return CertAndKey{dir / (stem + ".pem"), dir / (stem + ".key")};
    };
    const std::string loopback_names = "IP:127.0.0.1,DNS:localhost";

    TestPki pki;
    pki.dir = dir;
    pki.ca = files("ca");
    pki.server = files("server");
    pki.expired_server = files("expired-server");
    pki.wrong_host_server = files("wrong-host-server");
    pki.unknown_ca = files("unknown-ca");
    pki.unknown_ca_server = files("unknown-ca-server");
    pki.client_ca = files("client-ca");
    pki.client = files("client");
    pki.untrusted_client = files("untrusted-client");

    Issuer ca = make_ca("Kiosk test CA", pki.ca);
    Issuer unknown_ca = make_ca("Kiosk test unknown CA", pki.unknown_ca);
    Issuer client_ca = make_ca("Kiosk test device CA", pki.client_ca);

    X509Ptr server = make_leaf({"127.0.0.1", Role::server, loopback_names}, ca, pki.server);
    pki.server_pin = pin_of(server.get());
    make_leaf({"127.0.0.1", Role::server, loopback_names, -30 * one_day, -one_day}, ca,
              pki.expired_server);
    make_leaf({"wrong.invalid", Role::server, "DNS:wrong.invalid"}, ca, pki.wrong_host_server);
    X509Ptr other =
        make_leaf({"127.0.0.1", Role::server, loopback_names}, unknown_ca, pki.unknown_ca_server);
    pki.other_pin = pin_of(other.get());
    make_leaf({"kiosk-test-device", Role::client, ""}, client_ca, pki.client);
    make_leaf({"kiosk-test-device", Role::client, ""}, unknown_ca, pki.untrusted_client);
    return pki;
}

std::string public_key_pin(const std::filesystem::path& cert_pem) {
    BioPtr bio(BIO_new_file(cert_pem.c_str(), "r"));
    if (!bio) {
        fail("opening " + cert_pem.string());
    }
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        fail("reading a certificate from " + cert_pem.string());
    }
    return pin_of(cert.get());
}

} // namespace kiosk::testing
