# Test programs added alongside tests/CMakeLists.txt (included from there).

# --- Settings, headless scripts and `kiosk --check` --------------------------------------------
kiosk_test_program(settings_tests SOURCES unit/settings_test.cpp LIBS kiosk_settings)
kiosk_test_program(staff_model_tests
    SOURCES unit/opening_hours_test.cpp unit/pin_hash_test.cpp unit/staff_test.cpp
    LIBS kiosk_model)
kiosk_test_program(headless_script_tests SOURCES unit/headless_script_test.cpp LIBS kiosk_app)
add_test(NAME check_command_line
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scripts/check-cli.sh $<TARGET_FILE:kiosk>
            ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/settings)
# --- end of settings, headless scripts and `kiosk --check` -------------------------------------

# --- Staff mode --------------------------------------------------------------------------------
kiosk_test_program(staff_mode_tests SOURCES ui/staff_mode_test.cpp LIBS kiosk_app)

# --- Provisioning from the boot partition ------------------------------------------------------
kiosk_test_program(provision_tests
    SOURCES provision/provision_test.cpp provision/provision_kiosk_test.cpp LIBS kiosk_app)
# Slow, needs root and a local Debian mirror: runs only with KIOSK_ROOTFS_TEST=1, else skipped.
add_test(NAME rootfs_image
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/provision/rootfs-image.sh ${PROJECT_SOURCE_DIR}
            ${PROJECT_BINARY_DIR})
set_tests_properties(rootfs_image PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 3600)
kiosk_test_program(text_shaping_tests
    SOURCES text/text_shaping_test.cpp text/font_fallback_test.cpp text/text_test_support.cpp
    LIBS kiosk_text)
# Every shipped language through the real screens, each line checked against hb-shape.
kiosk_test_program(language_screens_tests SOURCES ui/languages_test.cpp LIBS kiosk_app)
kiosk_test_program(patient_choices_tests SOURCES ui/patient_choices_test.cpp LIBS kiosk_app)

# kill -9 of the kiosk at random moments while scripted patients submit (tests/crash). The
# sanitizer build starts several times slower, so it kills fewer times; `make bench` runs 500.
if(KIOSK_SANITIZE)
    set(KIOSK_KIOSK_KILLS 25)
else()
    set(KIOSK_KIOSK_KILLS 80)
endif()
add_test(NAME kill_kiosk
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/crash/kill-kiosk.sh ${PROJECT_BINARY_DIR}
        ${PROJECT_SOURCE_DIR} ${KIOSK_KIOSK_KILLS})
set_tests_properties(kill_kiosk PROPERTIES TIMEOUT 900 ENVIRONMENT "SDL_VIDEODRIVER=dummy")
# The wall clock jumps back and forward under the real delivery client (libfaketime).
add_test(NAME clock_jumps
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/crash/clock-jumps.sh ${PROJECT_BINARY_DIR}
        ${PROJECT_SOURCE_DIR})
set_tests_properties(clock_jumps PROPERTIES TIMEOUT 300)
