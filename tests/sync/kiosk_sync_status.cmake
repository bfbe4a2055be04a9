# `kiosk-sync status`: the lines IT staff and scripts read, including the staff-mode facts.
add_test(NAME kiosk_sync_status
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sync/kiosk-sync-status.sh $<TARGET_FILE:kiosk-sync>
        ${PROJECT_SOURCE_DIR})
