# Quick start (as root on Debian 12):
#   make run    install what is missing, build, and trace for 2 seconds
#   make test   the same build, then every test (unit and runtime)
#
# The build itself is CMake's (RelWithDebInfo unless configured otherwise);
# this file only strings the steps together. BUILD_DIR=... builds elsewhere.

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CLANG_FORMAT ?= clang-format
SONDE := $(BUILD_DIR)/sonde
CTEST := ctest --test-dir $(BUILD_DIR) --output-on-failure

# What `make run` shows: opens per process name, for two seconds.
DEMO := tracepoint:syscalls:sys_enter_openat { @[comm] = count(); } interval:s:2 { exit(); }

# cmake --build runs make again; keep its output to the compiler lines.
MAKEFLAGS += --no-print-directory

.PHONY: all deps build run test unit runtime clean format bench

all: build

deps:
	@scripts/install-deps.sh

# Configuring again is cheap and picks up new source files; only warnings show.
build: deps
	@cmake -S . -B $(BUILD_DIR) --log-level=WARNING >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# A few opens of our own, so there is something to count on an idle machine.
run: build
	@echo "Running: $(SONDE) -e '$(DEMO)'"
	@echo "(counts openat() calls per process name for 2 seconds, then prints the counts)"
	@(sleep 1 && cat /etc/hostname /etc/os-release >/dev/null) & $(SONDE) -e '$(DEMO)'

test: build
	$(CTEST)

unit: build
	$(CTEST) -L unit

runtime: build
	$(CTEST) -L runtime

# sonde against bpftrace and strace (bench/README.md): builds its own Release
# sonde in bench/build; about 8 minutes. BENCH_ARGS=--quick for a short try.
bench: deps
	bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf $(BUILD_DIR)

format:
	find src tests -name '*.[ch]' -print0 | xargs -0 $(CLANG_FORMAT) -i
