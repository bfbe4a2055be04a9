# The kiosk as a systemd service (included from tests/CMakeLists.txt): the sd_notify protocol
# against a real datagram socket, the real kiosk program started as systemd would start it, and
# the unit, journald and polkit files in deploy/.
kiosk_test_program(kiosk_service_tests
    SOURCES deploy/service_notify_test.cpp deploy/kiosk_service_test.cpp
    LIBS kiosk_platform kiosk_test_support)
# The end-to-end test runs the kiosk program: build it with the tests.
add_dependencies(kiosk_service_tests kiosk)

add_test(NAME deploy_unit_files
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/check-units.sh ${PROJECT_SOURCE_DIR}
        $<TARGET_FILE:kiosk> $<TARGET_FILE:kiosk-collector>)

# The WAL index in memory (deploy/systemd/kiosk-wal-index-in-memory) with the real kiosk and
# sqlite3, in a mount namespace of its own; skipped where none can be made.
add_test(NAME wal_index_in_memory
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/wal-index-in-memory.sh ${PROJECT_BINARY_DIR}
        ${PROJECT_SOURCE_DIR})
set_tests_properties(wal_index_in_memory PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
