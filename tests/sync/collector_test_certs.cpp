// The collector tests' certificates, from the shared test PKI (tests/support/test_pki.hpp).

#include "collector_test_certs.hpp"

#include "support/test_pki.hpp"

namespace kiosk::collector::testing {

TestPki make_test_pki(const std::filesystem::path& dir) {
    const auto shared = kiosk::testing::make_test_pki(dir);
    TestPki pki;
    pki.ca_cert = shared.ca.cert;
    pki.server_cert = shared.server.cert;
    pki.server_key = shared.server.key;
    pki.client_ca_cert = shared.client_ca.cert;
    pki.client_cert = shared.client.cert;
    pki.client_key = shared.client.key;
    pki.rogue_client_cert = shared.untrusted_client.cert;
    pki.rogue_client_key = shared.untrusted_client.key;
    return pki;
}

} // namespace kiosk::collector::testing
