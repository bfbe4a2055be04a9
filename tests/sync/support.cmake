# Test infrastructure for the sync tests: certificates made at test time, a fault proxy and an
# HTTP CONNECT proxy, all on 127.0.0.1. Parts included before this file may already link
# kiosk_test_support: CMake resolves target names at generate time, so that is fine.

find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)

add_library(kiosk_test_support STATIC
    support/loopback.cpp
    support/test_pki.cpp
    support/fault_proxy.cpp
    support/http_proxy.cpp
)
# Sources are named from tests/, so `#include "support/test_pki.hpp"`.
target_include_directories(kiosk_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(kiosk_test_support PUBLIC OpenSSL::SSL OpenSSL::Crypto Threads::Threads)

kiosk_test_program(test_support_tests
    SOURCES support/test_support_test.cpp
    LIBS kiosk_test_support)
