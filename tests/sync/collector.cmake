# The reference collector's tests: a real HTTPS server on 127.0.0.1 with certificates made at
# test time (included from tests/CMakeLists.txt).
kiosk_test_program(collector_tests
    SOURCES sync/collector_test.cpp sync/collector_test_certs.cpp
    LIBS kiosk_collector kiosk_test_support)
