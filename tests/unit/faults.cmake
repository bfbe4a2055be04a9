# I/O faults: a SQLite VFS that fails chosen writes, syncs and opens (or fills the disk), the
# outbox run through it operation by operation, and a full disk met through the real screens.

add_library(kiosk_faulty_vfs STATIC support/faulty_vfs.cpp)
# Named from tests/, like the other helpers: `#include "support/faulty_vfs.hpp"`.
target_include_directories(kiosk_faulty_vfs PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(kiosk_faulty_vfs PUBLIC SQLite::SQLite3)

kiosk_test_program(outbox_fault_tests
    SOURCES unit/outbox_faults_test.cpp unit/outbox_page_size_test.cpp
    LIBS kiosk_outbox kiosk_faulty_vfs)

kiosk_test_program(disk_full_tests
    SOURCES ui/disk_full_test.cpp
    LIBS kiosk_app kiosk_faulty_vfs)
