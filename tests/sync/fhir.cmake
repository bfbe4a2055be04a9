# FHIR batch encoding and reply parsing, and the retry policy: pure functions, no network.
kiosk_test_program(fhir_tests
    SOURCES sync/fhir_batch_test.cpp sync/retry_policy_test.cpp
    LIBS kiosk_fhir kiosk_retry_policy)
