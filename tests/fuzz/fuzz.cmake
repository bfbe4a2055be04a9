# Fuzz targets (included from tests/CMakeLists.txt). Each target is one source file with
# LLVMFuzzerTestOneInput and a seed corpus in corpus/<name>/.
#
# - Normal builds (gcc, plain and KIOSK_SANITIZE): each target is linked with corpus_main.cpp
#   into fuzz_corpus_<name>, and ctest runs it over its corpus ("fuzz_corpus: <name>"), so every
#   seed and every past crash is replayed by `make test`.
# - KIOSK_FUZZ=ON (clang; `make fuzz`): each target is linked with libFuzzer into fuzz_<name>,
#   run by tests/fuzz/run-fuzz.sh.

set(KIOSK_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})

function(kiosk_fuzz_target name)
    cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
    set(source ${KIOSK_FUZZ_DIR}/${name}_fuzz.cpp)
    if(KIOSK_FUZZ)
        add_executable(fuzz_${name} ${source})
        target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
        set(program fuzz_${name})
    else()
        add_executable(fuzz_corpus_${name} ${source} ${KIOSK_FUZZ_DIR}/corpus_main.cpp)
        set(program fuzz_corpus_${name})
        add_test(NAME "fuzz_corpus: ${name}"
                 COMMAND ${program} ${KIOSK_FUZZ_DIR}/corpus/${name})
        set_tests_properties("fuzz_corpus: ${name}" PROPERTIES TIMEOUT 300)
    endif()
    target_link_libraries(${program} PRIVATE ${ARG_LIBS})
    target_compile_definitions(${program} PRIVATE KIOSK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()

kiosk_fuzz_target(questionnaire LIBS kiosk_model)
kiosk_fuzz_target(settings LIBS kiosk_settings)
kiosk_fuzz_target(batch_response LIBS kiosk_fhir)
kiosk_fuzz_target(collector LIBS kiosk_collector)
