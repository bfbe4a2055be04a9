# Included from sync/CMakeLists.txt, so ${CMAKE_CURRENT_SOURCE_DIR} is sync/ and headers are
# included as "fhir/batch.hpp" and "delivery/retry_policy.hpp".

# FHIR on the wire: batch Bundle encoding, batch-response parsing, OperationOutcome. JSON only.
add_library(kiosk_fhir STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/fhir/batch.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/fhir/batch_response.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/fhir/identifier.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/fhir/limited_json.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/fhir/operation_outcome.cpp
)
target_include_directories(kiosk_fhir PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(kiosk_fhir PUBLIC nlohmann_json::nlohmann_json)

# The retry policy is declared here rather than in delivery/delivery.cmake (owned with the
# transport and worker) so it stays a pure library with no curl, SQLite or threads.
add_library(kiosk_retry_policy STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/delivery/retry_policy.cpp
)
target_include_directories(kiosk_retry_policy PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
