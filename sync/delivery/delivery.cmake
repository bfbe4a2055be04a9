# Delivery: libcurl transport, the delivery pass and its worker thread.
find_package(CURL REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
add_library(kiosk_delivery STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/delivery/transport.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/delivery/certificate.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/delivery/delivery.cpp
)
target_include_directories(kiosk_delivery PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(kiosk_delivery PUBLIC kiosk_outbox kiosk_fhir kiosk_retry_policy CURL::libcurl
    Threads::Threads PRIVATE OpenSSL::Crypto)
