# STA top-level Makefile: a thin wrapper around CMake.
#
#   make demo            build, then run scripts/demo.sh (the 2:8 ViT on Fashion-MNIST)
#   make tour            build, then run scripts/tour.sh (single GEMMs, vector operations, attention)
#   make test            build, then run every test (ctest)
#   make HW=configs/paper.json test
#                        the same for another hardware configuration, in its
#                        own build directory build-paper (so the default build
#                        in build/ is never reconfigured behind your back)
#   make STA_WITH_TORCH=OFF build
#                        build without LibTorch (no IDP training)
#   make HW=configs/paper.json VL_THREADS=2 BUILD=build-paper-mt build
#                        a two-threaded RTL model in its own directory
#
# Other targets: setup build bench lint synth idp-bench clean (see README.md).

HW ?=
JOBS ?= 2
# Seeds trained at the same time by idp-bench (one thread each).
IDP_JOBS ?= 2

ifeq ($(strip $(HW)),)
BUILD ?= build
HW_FLAG :=
else
BUILD ?= build-$(basename $(notdir $(HW)))
HW_FLAG := -DSTA_HW_CONFIG=$(abspath $(HW))
endif

CMAKE_FLAGS = $(strip -DCMAKE_BUILD_TYPE=Release $(HW_FLAG) $(TORCH_FLAG) $(THREADS_FLAG))
ifneq ($(strip $(STA_WITH_TORCH)),)
TORCH_FLAG := -DSTA_WITH_TORCH=$(STA_WITH_TORCH)
endif
# VL_THREADS=N: a multithreaded Verilated model (Verilator --threads N), for
# long runs; use it with its own BUILD directory.
ifneq ($(strip $(VL_THREADS)),)
THREADS_FLAG := -DSTA_VERILATOR_THREADS=$(VL_THREADS)
endif

SETUP_STAMP := $(BUILD)/.setup-done
FLAGS_STAMP := $(BUILD)/.cmake-flags

RTL_SOURCES := $(sort $(filter-out rtl/pkg/%,$(wildcard rtl/*/*.sv)))
RTL_WAIVER := $(wildcard rtl/lint/verilator.vlt)

.PHONY: all setup configure build test demo tour bench lint synth idp-bench clean

all: build

# Installs missing packages (scripts/setup.sh checks before it installs); the
# stamp keeps later runs from even checking, until setup.sh changes.
setup: $(SETUP_STAMP)
$(SETUP_STAMP): scripts/setup.sh
	@mkdir -p $(BUILD)
	bash scripts/setup.sh
	@touch $@

# Configures only when the build directory is new or the CMake flags changed.
configure: setup
	@if [ ! -f $(BUILD)/CMakeCache.txt ] || [ "$$(cat $(FLAGS_STAMP) 2>/dev/null)" != "$(CMAKE_FLAGS)" ]; then \
	  echo "cmake -S . -B $(BUILD) $(CMAKE_FLAGS)"; \
	  cmake -S . -B $(BUILD) $(CMAKE_FLAGS) && echo "$(CMAKE_FLAGS)" > $(FLAGS_STAMP); \
	fi

# Verilator's CMake integration lists the generated C++ files at configure
# time; an RTL change that changes how many files Verilator writes leaves
# that list stale and the build fails on old files. Then the lists are
# dropped (each model is re-verilated at configure) and the build runs again.
build: configure
	@cmake --build $(BUILD) -j $(JOBS) || { \
	  echo "build failed: re-verilating every model (its generated file list may be stale) and building again"; \
	  find $(BUILD) -name '*_copy.cmake' -path '*/V*' -delete; \
	  cmake -S . -B $(BUILD) $(CMAKE_FLAGS) && cmake --build $(BUILD) -j $(JOBS); }

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

demo: build
	BUILD=$(BUILD) bash scripts/demo.sh

tour: build
	BUILD=$(BUILD) bash scripts/tour.sh

# stdout carries only the JSON ({"NAME": bench, ...}); builds and progress go
# to stderr. Without HW: configs/default.json and configs/paper.json, each in
# its own build directory; out/bench/ gets the JSON files and a plot.
bench: setup
	@bash scripts/bench.sh $(if $(strip $(HW)),$(HW),)

# Verilator lint of the RTL with the package generated for this build's
# configuration; fails on any warning.
lint: configure
	verilator --lint-only -Wall --assert --top-module sta_top $(RTL_WAIVER) \
	  $(BUILD)/gen/sta_pkg.sv $(RTL_SOURCES)

synth: configure
	@if [ -f scripts/synth.sh ]; then BUILD=$(BUILD) bash scripts/synth.sh; \
	else echo "scripts/synth.sh is not there yet"; exit 1; fi

idp-bench: build
	BUILD=$(BUILD) IDP_JOBS=$(IDP_JOBS) bash scripts/idp_bench.sh

clean:
	rm -rf $(BUILD)
