#!/usr/bin/env bash
# run.sh: sonde side by side with bpftrace and strace, in one run.
#
#   bench/run.sh [--quick] [--rounds N] [--only SECTIONS] [--sonde PATH]
#                [--update-readme] [--work DIR]
#
# Builds sonde (Release) and the small C programs the benchmarks use,
# installs bpftrace, strace and gcc when they are missing, runs the four
# benchmarks (startup, overhead, streaming, compile) with interleaved rounds,
# and prints a Markdown report. --update-readme also puts the report into
# bench/README.md, between the "results" markers. Needs root. About 8 minutes
# (--quick: about 4, with fewer rounds and events: for trying the suite out).
# sonde is built in bench/build (BENCH_BUILD_DIR=... elsewhere; --sonde PATH
# uses a given binary); samples and the report go to bench/results/DATE/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")

ROUNDS=5                 # interleaved rounds of each comparison
WHOLE_TABLE_ROUNDS=3     # sys_enter_* scripts: bpftrace needs ~30 s a run
STREAM_ROUNDS=3
COMPILE_ROUNDS=3
EVENTS=600000            # reads per overhead run
PRINTF_EVENTS=200000     # bpftrace pays ~10 us per printf event
STRACE_EVENTS=30000      # strace stops the workload twice per syscall
STREAM_SECONDS=2
SECTIONS="startup overhead streaming compile"
NICE=-20                 # the priority the suite runs at (0 to leave it alone)
SONDE=""
UPDATE_README=0
WORK=""

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

parse_args() {
    while (($# > 0)); do
        case $1 in
        --quick)
            ROUNDS=3 WHOLE_TABLE_ROUNDS=2 STREAM_ROUNDS=2 COMPILE_ROUNDS=2
            EVENTS=300000 PRINTF_EVENTS=100000 STRACE_EVENTS=20000 STREAM_SECONDS=1
            ;;
        --rounds) ROUNDS=$2 && shift ;;
        --only) SECTIONS=$2 && shift ;;
        --sonde) SONDE=$2 && shift ;;
        --update-readme) UPDATE_README=1 ;;
        --work) WORK=$2 && shift ;;
        -h | --help) usage 0 ;;
        *) usage 2 ;;
        esac
        shift
    done
}

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

install_missing() {
    local wanted=(bpftrace strace gcc libc6-dev libbpf-dev) missing=() package
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii' ||
            missing+=("$package")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
        >/dev/null
}

build_sonde() {
    if [[ -n $SONDE ]]; then
        [[ -x $SONDE ]] || die "--sonde $SONDE is not an executable"
        return
    fi
    local build=${BENCH_BUILD_DIR:-$BENCH_DIR/build}
    log "building sonde (Release) in $build"
    "$REPO_DIR/scripts/install-deps.sh"
    cmake -S "$REPO_DIR" -B "$build" -DCMAKE_BUILD_TYPE=Release --log-level=WARNING >/dev/null
    cmake --build "$build" -j"$(nproc)" --target sonde >"$WORK/build.log" 2>&1 ||
        die "build failed, see $WORK/build.log"
    SONDE=$build/sonde
}

build_tools() {
    log "compiling the benchmark programs into $BIN"
    gcc -O2 -Wall -o "$BIN/launch" "$BENCH_DIR/tools/launch.c"
    # Static: no dynamic loader, whose read()s would count as events.
    gcc -O2 -Wall -static -o "$BIN/workload" "$BENCH_DIR/tools/workload.c"
    gcc -O2 -Wall -o "$BIN/floor" "$BENCH_DIR/tools/floor.c" -lbpf
    make_variants
}

# Wrappers for the diagnosis variants (see tool_command in lib.sh); exec
# keeps the pid, so launch measures the tool itself.
make_variants() {
    printf '#!/bin/sh\nSONDE_CACHE=0 exec %q "$@"\n' "$SONDE" >"$BIN/sonde-nocache"
    printf '#!/bin/sh\nSONDE_BACKEND=llvm SONDE_CACHE=0 exec %q "$@"\n' "$SONDE" >"$BIN/sonde-llvm"
    printf '#!/bin/sh\nSONDE_SYSCALLS_VIA_RAW=0 exec %q "$@"\n' "$SONDE" >"$BIN/sonde-tp"
    printf '#!/bin/sh\nBPFTRACE_PERF_RB_PAGES=8192 exec %q "$@"\n' "$SONDE" >"$BIN/sonde-bigring"
    printf '#!/bin/sh\nexec %q raw_tp:sys_enter\n' "$BIN/floor" >"$BIN/floor-raw_tp"
    chmod +x "$BIN/sonde-nocache" "$BIN/sonde-llvm" "$BIN/sonde-tp" "$BIN/sonde-bigring" "$BIN/floor-raw_tp"
}

machine_summary() {
    local cpu
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    say "## Latest results"
    say ""
    say "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    say "- Machine: $(nproc) CPUs ($cpu), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM,"
    say "  kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
    say "- sonde: $("$SONDE" --version 2>&1 | head -1), git $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$(
        git -C "$REPO_DIR" diff --quiet HEAD -- src 2>/dev/null || echo ' (with uncommitted changes in src/)'), Release build"
    say "- Compared with: $("$BPFTRACE" --version 2>&1 | head -1) (Debian package" \
        "$(dpkg-query -W -f='${Version}' bpftrace 2>/dev/null || echo '?')), $("$STRACE" -V | head -1)"
    say "- Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
    say ""
}

# The report: machine, targets first (the verdicts), then each section.
assemble_report() {
    local final="$WORK/results.md"
    : >"$final"
    REPORT=$final
    machine_summary
    say "### Targets"
    say ""
    say "| Target | Measured: median (min–max) | Goal | Verdict |"
    say "|---|---|---|---|"
    cat "$TARGETS" >>"$final"
    say ""
    cat "$SECTION_REPORT" >>"$final"
}

update_readme() {
    local readme="$BENCH_DIR/README.md" begin='<!-- results:begin -->' end='<!-- results:end -->'
    grep -q "$begin" "$readme" || die "$readme has no '$begin' marker"
    awk -v begin="$begin" -v end="$end" -v file="$WORK/results.md" '
        $0 == begin { print; while ((getline line < file) > 0) print line; skip = 1; next }
        $0 == end { skip = 0 }
        !skip { print }' "$readme" >"$readme.new"
    mv "$readme.new" "$readme"
    log "updated $readme"
}

main() {
    trap 'log "failed: line $LINENO of ${BASH_SOURCE[0]}: $BASH_COMMAND"' ERR
    parse_args "$@"
    ((EUID == 0)) || die "run as root: the benchmarks load BPF programs"
    # Everything started from here on (tools, workload) outweighs the rest of
    # the machine's load, which would otherwise show up as noise.
    renice -n "$NICE" -p $$ >/dev/null
    [[ -n $WORK ]] || WORK=$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)
    mkdir -p "$WORK"
    BIN=$WORK/bin SCRIPTS=$WORK/scripts RUNS=$WORK/runs
    mkdir -p "$BIN" "$SCRIPTS" "$RUNS"
    # sonde's object cache lives with the run, not in the user's ~/.cache.
    export SONDE_CACHE_DIR=$WORK/sonde-cache
    SAMPLES=$WORK/samples.tsv TARGETS=$WORK/targets.md SECTION_REPORT=$WORK/sections.md
    : >"$SAMPLES"
    : >"$TARGETS"
    : >"$SECTION_REPORT"
    install_missing
    BPFTRACE=$(command -v bpftrace) STRACE=$(command -v strace)
    build_sonde
    build_tools
    log "work directory: $WORK; sonde: $SONDE; $("$BPFTRACE" --version)"
    local section
    for section in startup overhead streaming compile; do
        # shellcheck source=/dev/null
        source "$BENCH_DIR/$section.sh"
    done
    for section in $SECTIONS; do
        REPORT=$SECTION_REPORT
        "bench_$section"
    done
    assemble_report
    cat "$WORK/results.md"
    ((UPDATE_README)) && update_readme
    log "done; samples in $SAMPLES"
}

main "$@"
