# Debian packages, built by `make package` (cpack -G DEB in the build folder). Two packages from one
# build, for the architecture of the machine that builds them (amd64 on a PC, arm64 on a Pi):
#   kiosk            the app, kiosk-sync, the questionnaires, the unit, the journald and polkit
#                    drop-ins, the default settings (/etc/kiosk/kiosk.toml, a conffile)
#   kiosk-collector  the reference endpoint, its unit, its default settings, the questionnaires
# The install rules below exist for these packages; a kiosk is never set up with `make install`.
#
# Paths: programs and data go under CPACK_PACKAGING_INSTALL_PREFIX (/usr); settings, units and
# drop-ins are installed at the absolute paths Debian bookworm reads them from.

set(KIOSK_DEPLOY_DIR ${CMAKE_CURRENT_LIST_DIR})
set(KIOSK_PACKAGE_MAINTAINER "Ward feedback kiosk maintainers <kiosk@example.org>"
    CACHE STRING "The Maintainer field of the Debian packages")

# Directories the install creates are 0755 whatever the builder's umask (lintian checks).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# --- kiosk -------------------------------------------------------------------------------------

install(TARGETS kiosk kiosk-sync RUNTIME DESTINATION bin COMPONENT kiosk)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/questionnaires/
    DESTINATION share/kiosk/questionnaires COMPONENT kiosk FILES_MATCHING PATTERN "*.json")
# The kiosk's own words per language (assets/strings/<language>.json) and icons, file by file so
# that no empty folder is shipped. English is built in, so there may be no file at all yet; the
# README, which says how to add one, keeps the folder the settings' paths.assets names.
file(GLOB_RECURSE KIOSK_ASSET_FILES RELATIVE ${PROJECT_SOURCE_DIR}/assets CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/assets/*.json ${PROJECT_SOURCE_DIR}/assets/*.png
    ${PROJECT_SOURCE_DIR}/assets/*.svg)
foreach(asset README.md ${KIOSK_ASSET_FILES})
    get_filename_component(folder ${asset} DIRECTORY)
    install(FILES ${PROJECT_SOURCE_DIR}/assets/${asset}
        DESTINATION share/kiosk/assets/${folder} COMPONENT kiosk)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/config/kiosk.example.toml
    DESTINATION share/kiosk COMPONENT kiosk)
install(FILES ${KIOSK_DEPLOY_DIR}/etc/kiosk.toml DESTINATION /etc/kiosk COMPONENT kiosk)

# --- kiosk-collector ---------------------------------------------------------------------------

install(TARGETS kiosk-collector RUNTIME DESTINATION bin COMPONENT collector)
# Its own copy: a collector runs on a server that does not have the kiosk package.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/questionnaires/
    DESTINATION share/kiosk-collector/questionnaires COMPONENT collector
    FILES_MATCHING PATTERN "*.json")
install(FILES ${PROJECT_SOURCE_DIR}/sync/collector/collector.example.toml
    DESTINATION share/kiosk-collector COMPONENT collector)
install(FILES ${KIOSK_DEPLOY_DIR}/etc/collector.toml
    DESTINATION /etc/kiosk-collector COMPONENT collector)

# --- systemd units, journald and polkit drop-ins -----------------------------------------------

install(FILES ${KIOSK_DEPLOY_DIR}/systemd/kiosk.service
    DESTINATION /lib/systemd/system COMPONENT kiosk)
# Run by kiosk.service before the kiosk starts: keeps the database's WAL index in memory.
install(PROGRAMS ${KIOSK_DEPLOY_DIR}/systemd/kiosk-wal-index-in-memory
    DESTINATION lib/kiosk COMPONENT kiosk)
install(FILES ${KIOSK_DEPLOY_DIR}/systemd/journald-kiosk.conf
    DESTINATION /usr/lib/systemd/journald.conf.d RENAME kiosk.conf COMPONENT kiosk)
install(FILES ${KIOSK_DEPLOY_DIR}/polkit/50-kiosk.rules
    DESTINATION /usr/share/polkit-1/rules.d COMPONENT kiosk)
install(FILES ${KIOSK_DEPLOY_DIR}/systemd/kiosk-collector.service
    DESTINATION /lib/systemd/system COMPONENT collector)

# --- /usr/share/doc and control files, per package ---------------------------------------------

# The version of the newest changelog entry must be the project's: a new version gets an entry.
# A warning here (the build goes on); the package test fails on it.
file(STRINGS ${KIOSK_DEPLOY_DIR}/debian/changelog KIOSK_CHANGELOG_TOP LIMIT_COUNT 1)
if(NOT KIOSK_CHANGELOG_TOP MATCHES "^kiosk \\(${PROJECT_VERSION}\\) ")
    message(WARNING "deploy/debian/changelog starts with '${KIOSK_CHANGELOG_TOP}', but the "
                    "project version is ${PROJECT_VERSION}: add an entry for it at the top")
endif()

set(KIOSK_PACKAGE_STAGING ${CMAKE_CURRENT_BINARY_DIR}/deploy/debian)
# The version has no Debian revision (a native package), so Debian policy names the changelog
# changelog.gz. gzip -n: no file name or time stamp inside, so the package is reproducible.
file(MAKE_DIRECTORY ${KIOSK_PACKAGE_STAGING})
execute_process(COMMAND gzip -9nc ${KIOSK_DEPLOY_DIR}/debian/changelog
    OUTPUT_FILE ${KIOSK_PACKAGE_STAGING}/changelog.gz COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${KIOSK_DEPLOY_DIR}/debian/changelog)

foreach(package kiosk kiosk-collector)
    if(package STREQUAL "kiosk")
        set(component kiosk)
    else()
        set(component collector)
    endif()
    install(FILES ${KIOSK_DEPLOY_DIR}/debian/copyright ${KIOSK_PACKAGE_STAGING}/changelog.gz
        DESTINATION share/doc/${package} COMPONENT ${component})
    if(EXISTS ${KIOSK_DEPLOY_DIR}/debian/${package}.lintian-overrides)
        install(FILES ${KIOSK_DEPLOY_DIR}/debian/${package}.lintian-overrides
            DESTINATION share/lintian/overrides RENAME ${package} COMPONENT ${component})
    endif()
    # dpkg takes control files by their plain names (postinst, conffiles, ...), so each package's
    # debhelper-style files (deploy/debian/kiosk.postinst) are copied to a folder of their own.
    set(control_files)
    foreach(control postinst prerm postrm conffiles)
        configure_file(${KIOSK_DEPLOY_DIR}/debian/${package}.${control}
            ${KIOSK_PACKAGE_STAGING}/${package}/${control} COPYONLY)
        list(APPEND control_files ${KIOSK_PACKAGE_STAGING}/${package}/${control})
    endforeach()
    string(TOUPPER ${component} upper)
    set(CPACK_DEBIAN_${upper}_PACKAGE_CONTROL_EXTRA ${control_files})
endforeach()

# --- CPack -------------------------------------------------------------------------------------

# cpack installs what is already built and builds nothing itself: `make package` builds first,
# and the package test must not start compiling in the middle of a test run.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

execute_process(COMMAND dpkg --print-architecture
    OUTPUT_VARIABLE KIOSK_DEB_ARCHITECTURE OUTPUT_STRIP_TRAILING_WHITESPACE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Ward feedback kiosk")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL kiosk collector)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${KIOSK_DEB_ARCHITECTURE})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${KIOSK_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SOURCE kiosk)
# Scripts 0755 and other control files 0644, as dpkg and lintian expect.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Library dependencies are computed by dpkg-shlibdeps from the programs; what no program links
# but the package still needs is added by hand below, each with its reason.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
    # The fonts the default settings name (display.font and display.bold_font) and the script
    # fonts of the shipped languages; Simplified Chinese is in the CJK collection.
    "fonts-noto-core"
    "fonts-noto-cjk"
    # postinst creates the kiosk system user with adduser.
    "adduser"
    # kiosk.service (Type=notify, watchdog) and the journald drop-in.
    "systemd"
    # polkitd reads the rule in /usr/share/polkit-1/rules.d (bookworm's name; policykit-1 is only
    # a transitional package there).
    "polkitd"
    # kiosk-wal-index-in-memory binds a file with mount (not Essential, unlike util-linux).
    "mount"
)
list(JOIN CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS ", " CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_KIOSK_DESCRIPTION "touchscreen patient feedback kiosk for hospital waiting areas
One question per screen, big buttons, no login and no names. The kiosk shows
HL7 FHIR R4 Questionnaires fullscreen and keeps every completed questionnaire
in a local SQLite database until it has been delivered to the trust's FHIR
endpoint as QuestionnaireResponse resources over HTTPS.
.
This package holds the kiosk app, the kiosk-sync tool, the shipped
questionnaires, the systemd unit that starts the kiosk at boot as the kiosk
system user, and default settings in /etc/kiosk/kiosk.toml.")

set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME kiosk-collector)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS
    # postinst creates the kiosk-collector system user with adduser.
    "adduser"
    # kiosk-collector.service.
    "systemd"
)
list(JOIN CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS ", " CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_COLLECTOR_DESCRIPTION "reference FHIR endpoint for the patient feedback kiosk
Receives the batches of QuestionnaireResponse resources that patient feedback
kiosks deliver over HTTPS, stores each response exactly once in SQLite, and
exports the answers as CSV. For a pilot, or for a trust without a FHIR server
of its own.
.
This package holds the kiosk-collector program, its systemd unit and default
settings in /etc/kiosk-collector/collector.toml.")

include(CPack)
cpack_add_component(kiosk DISPLAY_NAME "kiosk")
cpack_add_component(collector DISPLAY_NAME "kiosk-collector")
