#include "delivery/transport.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace kiosk::delivery {

namespace {

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

} // namespace

std::variant<std::string, std::string> certificate_expiry(const std::filesystem::path& pem_file) {
    using Result = std::variant<std::string, std::string>;
    std::unique_ptr<BIO, BioDeleter> file(BIO_new_file(pem_file.c_str(), "r"));
    if (!file) {
        return Result(std::in_place_index<1>, pem_file.string() + ": cannot be read");
    }
    std::unique_ptr<X509, X509Deleter> certificate(
        PEM_read_bio_X509(file.get(), nullptr, nullptr, nullptr));
    if (!certificate) {
        return Result(std::in_place_index<1>,
                      pem_file.string() + ": no PEM certificate at its start");
    }
    std::tm expires{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate.get()), &expires) != 1) {
        return Result(std::in_place_index<1>,
                      pem_file.string() + ": the certificate's expiry date cannot be read");
    }
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &expires);
    return Result(std::in_place_index<0>, text);
}

} // namespace kiosk::delivery
