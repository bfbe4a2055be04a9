# End-to-end delivery: the real client, the real collector, HTTPS on 127.0.0.1, faults between.
# kiosk_faulty_vfs (unit/faults.cmake): a worker whose outbox cannot be opened for a while.
kiosk_test_program(delivery_tests
    SOURCES sync/delivery_test.cpp sync/sync_rig.cpp
    LIBS kiosk_delivery kiosk_collector kiosk_test_support kiosk_faulty_vfs)
target_include_directories(delivery_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

# kill -9 of kiosk-sync at random moments, 200 times, while 2,000 responses drain.
add_test(NAME kill_delivery_200_times
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sync/kill-delivery.sh ${PROJECT_BINARY_DIR}
        ${PROJECT_SOURCE_DIR} 200 2000)
set_tests_properties(kill_delivery_200_times PROPERTIES TIMEOUT 600)
