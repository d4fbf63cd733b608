#!/usr/bin/env bash
# install-deps.sh: gets a Debian 12 machine ready to build and test sonde.
#
# Installs the packages that are missing (apt-get update only if one is),
# checks that every library static LLVM links against can be found, and
# mounts tracefs, where sonde and libbpf read tracepoints from. Prints
# nothing when there is nothing to do. `make build/run/test` run it first.
set -euo pipefail

readonly LLVM_CONFIG=/usr/lib/llvm-19/bin/llvm-config
readonly TRACEFS=/sys/kernel/tracing

packages=(
    # compiler toolchain and build
    gcc g++ make cmake pkg-config flex bison
    # what sonde links: LLVM 19 (statically), libbpf, libelf, zlib
    llvm-19-dev libbpf-dev libelf-dev zlib1g-dev
    # what static LLVM pulls in (`llvm-config --link-static --system-libs`
    # asks for -lz3 -lz -lzstd -lxml2; zlib is above)
    libz3-dev libzstd-dev libxml2-dev
    # the runtime tests: bpftool lists loaded programs, jq reads its JSON
    bpftool jq
    # Debian's bpftrace 0.17: its tools in /usr/sbin/*.bt are a conformance
    # corpus (tests/runtime/tools.test), and bpftrace is the peer that
    # benchmarks and output comparisons run against
    bpftrace
)

die() {
    echo "install-deps: $*" >&2
    exit 1
}

is_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]
}

install_missing_packages() {
    local package missing=()
    for package in "${packages[@]}"; do
        is_installed "$package" || missing+=("$package")
    done
    ((${#missing[@]} > 0)) || return 0

    command -v apt-get >/dev/null || die "no apt-get; install these by hand: ${missing[*]}"
    ((EUID == 0)) || die "missing packages (run as root to install them): ${missing[*]}"
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    local log
    log=$(mktemp)
    # Quiet unless it fails; then show what apt said.
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
        >"$log" 2>&1 </dev/null; then
        cat "$log" >&2
        rm -f "$log"
        die "apt-get failed"
    fi
    rm -f "$log"
}

# The link line CMake builds from llvm-config must resolve: check each -lNAME
# (and absolute library path) it names, so a missing -dev package shows up
# here with its name rather than as a linker error.
check_llvm_system_libs() {
    [[ -x $LLVM_CONFIG ]] || die "$LLVM_CONFIG not found (llvm-19-dev)"
    local item missing=()
    for item in $("$LLVM_CONFIG" --link-static --system-libs); do
        case $item in
        -l*)
            # gcc prints the bare name back when it finds no such library.
            local library="lib${item#-l}.so"
            [[ $(gcc -print-file-name="$library") == /* ]] ||
                [[ $(gcc -print-file-name="lib${item#-l}.a") == /* ]] ||
                missing+=("$item")
            ;;
        /*) [[ -e $item ]] || missing+=("$item") ;;
        esac
    done
    ((${#missing[@]} == 0)) ||
        die "static LLVM needs ${missing[*]}: install the matching -dev packages"
}

mount_tracefs() {
    mountpoint -q "$TRACEFS" && return 0
    if ((EUID != 0)); then
        echo "install-deps: warning: $TRACEFS is not mounted (needs root)" >&2
        return 0
    fi
    mount -t tracefs tracefs "$TRACEFS" || die "cannot mount tracefs on $TRACEFS"
}

install_missing_packages
check_llvm_system_libs
mount_tracefs
