# The Debian packages (deploy/packaging.cmake, deploy/debian/). Not in a sanitizer build: packages
# are never made from one.
if(NOT KIOSK_SANITIZE)
    # Runs cpack into a temporary folder from the programs already built, then dpkg-deb and lintian.
    add_test(NAME package_contents
        COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/package/package-test.sh ${PROJECT_BINARY_DIR}
            ${PROJECT_SOURCE_DIR})
    set_tests_properties(package_contents PROPERTIES TIMEOUT 180)
    # The maintainer scripts, run in a throwaway root with stubs for every command that would
    # change this machine.
    add_test(NAME package_maintainer_scripts
        COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/package/maintainer-scripts-test.sh
            ${PROJECT_SOURCE_DIR})
endif()
