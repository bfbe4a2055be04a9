# The reference receiving endpoint, kiosk-collector (included from sync/CMakeLists.txt).
#
# cpp-httplib: Debian's libcpp-httplib-dev ships a split build, the declarations in
# /usr/include/httplib.h and the implementation in libcpp-httplib.so, compiled with OpenSSL, zlib
# and Brotli support. Our code must see the same CPPHTTPLIB_* macros as that library or the
# classes' layouts differ, so the macros are taken from cpp-httplib.pc rather than written here.
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
if(NOT TARGET kiosk_collector_httplib)
    pkg_check_modules(KIOSK_COLLECTOR_HTTPLIB REQUIRED cpp-httplib)
    find_path(KIOSK_COLLECTOR_HTTPLIB_INCLUDE_DIR httplib.h
        HINTS ${KIOSK_COLLECTOR_HTTPLIB_INCLUDE_DIRS} REQUIRED)
    find_library(KIOSK_COLLECTOR_HTTPLIB_LIBRARY cpp-httplib
        HINTS ${KIOSK_COLLECTOR_HTTPLIB_LIBRARY_DIRS} REQUIRED)
    add_library(kiosk_collector_httplib INTERFACE)
    # SYSTEM: httplib's own warnings are not ours to fix.
    target_include_directories(kiosk_collector_httplib SYSTEM INTERFACE
        ${KIOSK_COLLECTOR_HTTPLIB_INCLUDE_DIR})
    target_compile_options(kiosk_collector_httplib INTERFACE ${KIOSK_COLLECTOR_HTTPLIB_CFLAGS_OTHER})
    if(NOT "${KIOSK_COLLECTOR_HTTPLIB_CFLAGS_OTHER}" MATCHES "CPPHTTPLIB_OPENSSL_SUPPORT")
        message(FATAL_ERROR "cpp-httplib was built without OpenSSL support; kiosk-collector "
                            "serves HTTPS only")
    endif()
    target_link_libraries(kiosk_collector_httplib INTERFACE
        ${KIOSK_COLLECTOR_HTTPLIB_LIBRARY} OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
endif()

add_library(kiosk_collector STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/batch.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/cli.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/config.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/csv_export.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/fhir_json.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/registry.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/server.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/store.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/time_text.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/tokens.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/collector/validate.cpp
)
target_include_directories(kiosk_collector PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(kiosk_collector PRIVATE
    KIOSK_COLLECTOR_VERSION="${PROJECT_VERSION}")
target_link_libraries(kiosk_collector PUBLIC
    kiosk_outbox
    kiosk_fhir
    kiosk_collector_httplib
    nlohmann_json::nlohmann_json
    tomlplusplus::tomlplusplus
    SQLite::SQLite3
    OpenSSL::SSL
    OpenSSL::Crypto
)

add_executable(kiosk-collector ${CMAKE_CURRENT_SOURCE_DIR}/collector/main.cpp)
target_link_libraries(kiosk-collector PRIVATE kiosk_collector)
