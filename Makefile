# The two commands from the README:
#   make run    installs what is missing, builds, and starts the kiosk on the demo settings
#   make test   installs what is missing, builds (plain and sanitizer builds), runs every test
# and the others:
#   make bench        speed and size figures
#   make screenshots  every screen of every shipped questionnaire, into docs/screenshots/
#   make format       clang-format over the sources
#   make package      the Debian packages kiosk and kiosk-collector, into build/packages/
#   make fuzz         each libFuzzer target for FUZZ_SECONDS (default 60) with clang, ASan and
#                     UBSan, in build-fuzz/; crash inputs go to build-fuzz/crashes/

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)

.PHONY: all deps build build-asan run test test-plain test-asan bench screenshots format package fuzz \
        clean

all: build

deps:
	@./deploy/install-deps.sh

# Configuring again is quick when nothing changed, and repairs a build folder left half made.
build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKIOSK_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	./deploy/dev/run-demo.sh $(BUILD)

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

test: test-plain test-asan

bench: build
	./bench/run-bench.sh $(BUILD)

screenshots: build
	./tests/scripts/make-screenshots.sh $(BUILD) docs/screenshots

package: build
	cd $(BUILD) && cpack -G DEB

# Only the fuzz programs are built (the libraries they need come with them); clang, because
# libFuzzer is clang's. See tests/fuzz/README.md.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DKIOSK_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_questionnaire fuzz_settings \
		fuzz_batch_response fuzz_collector
	./tests/fuzz/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
