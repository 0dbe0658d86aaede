# tfport: the two commands of the README, and a few helpers.
#   make demo   installs dependencies, builds, and runs the end-to-end demo
#   make test   installs dependencies, builds, and runs every test, once in a
#               normal build and once under AddressSanitizer + UBSan
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build test check test-sanitize demo bench clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Regular build, every test.
check: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same tests under ASan + UBSan (benchmarks are not built there).
test-sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTFPORT_SANITIZE=ON \
	  -DTFPORT_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

test: check test-sanitize

demo: build
	@./scripts/demo.sh $(BUILD)

bench: build
	@./scripts/install-deps.sh --bench
	@./$(BUILD)/bundle_bench
	@./$(BUILD)/session_bench
	@./$(BUILD)/saver_bench
	@./$(BUILD)/freeze_bench
	@./$(BUILD)/saved_model_bench
	@./$(BUILD)/function_bench
	@./$(BUILD)/kernels_bench
	@./$(BUILD)/models_bench

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
