# shellcheck shell=bash
# compile.sh: benchmark 4, compile scaling (sourced by run.sh).
#
# `sonde --dry-run` (parse, type check, code generation, and the kernel's verifier; no
# attachment) on scripts of 10, 100 and 1000 probes, and of one probe with
# 10, 100 and 1000 statements. The time must grow linearly. bpftrace 0.17
# has no --dry-run; `--emit-elf FILE` (compile, no load) is shown for scale.

readonly COMPILE_SIZES=(10 100 1000)

compile_write_scripts() {
    local n i
    for n in "${COMPILE_SIZES[@]}"; do
        for ((i = 1; i <= n; i++)); do
            printf 'tracepoint:syscalls:sys_enter_read { @s[%d] = pid + %d; }\n' "$i" "$i"
        done >"$SCRIPTS/probes_$n.bt"
        {
            echo 'tracepoint:syscalls:sys_enter_read {'
            for ((i = 1; i <= n; i++)); do
                printf '    @s[%d] = pid + %d;\n' "$i" "$i"
            done
            echo '}'
        } >"$SCRIPTS/stmts_$n.bt"
    done
}

compile_run() { # CASE TOOL ROUND
    local case=$1 tool=$2 round=$3 line out="$RUNS/compile.$1.$2"
    if [[ $tool == sonde ]]; then
        # SONDE_CACHE=0: this measures code generation, not the object cache.
        line=$(SONDE_CACHE=0 "$BIN/launch" -t 120 -o "$out.out" -e "$out.err" -- "$SONDE" \
            --dry-run "$SCRIPTS/$case.bt")
    else
        line=$(BPFTRACE_MAX_PROBES=4096 BPFTRACE_MAX_BPF_PROGS=4096 "$BIN/launch" -t 120 \
            -o "$out.out" -e "$out.err" -- "$BPFTRACE" --emit-elf "$RUNS/compile.elf" \
            "$SCRIPTS/$case.bt")
    fi
    if [[ $(field "$line" status) != 0 ]]; then
        log "warning: $tool failed on $case: $(grep -v RLIMIT_MEMLOCK "$out.err" | head -c 200)"
        record "$case" "$tool" "$round" failures 1
        grep -v RLIMIT_MEMLOCK "$out.err" | head -1 >"$RUNS/compile.$case.$tool.error"
        return 0
    fi
    record_fields "$case" "$tool" "$round" "$line" wall_ms maxrss_kb
    [[ $tool == sonde ]] && compile_stages "$case" "$round"
    return 0
}

# `sonde -v --dry-run`: its own time for the compile stage ("compiled ... N ms":
# the IR and the direct backend, or LLVM for what that one declines),
# without the fixed start-up and the kernel's verifier.
compile_stages() { # CASE ROUND
    local out="$RUNS/compile.$1.stages" ms
    SONDE_CACHE=0 "$SONDE" -v --dry-run "$SCRIPTS/$1.bt" >/dev/null 2>"$out" || true
    ms=$(awk '/^sonde: compiled/ { printf "%s", $(NF - 1) }' "$out")
    [[ -n $ms ]] && record "$1" sonde "$2" llvm_ms "$ms"
    return 0
}

compile_cell() { # CASE TOOL
    local n
    n=$(stat_of "$1" "$2" failures | cut -d' ' -f4)
    if ((n > 0)); then
        printf 'failed: %s' "$(head -c 80 "$RUNS/compile.$1.$2.error" 2>/dev/null | tr '|' '/')"
        return
    fi
    cell "$1" "$2" wall_ms 0
}

# Cost of one more probe/statement between two sizes, from medians.
compile_slope() { # KIND TOOL SMALL LARGE [METRIC]
    local a b
    a=$(median_of "$1_$3" "$2" "${5:-wall_ms}")
    b=$(median_of "$1_$4" "$2" "${5:-wall_ms}")
    awk -v a="$a" -v b="$b" -v s="$3" -v l="$4" 'BEGIN {
        if (a == "nan" || b == "nan") { print "nan"; exit }
        printf "%.3f", (b - a) / (l - s) }'
}

compile_report() {
    say "### 4. Compile scaling"
    say ""
    say "Wall ms of \`sonde --dry-run\` (compile + kernel verification, nothing attached) and of"
    say "\`bpftrace --emit-elf\` (compile only; bpftrace 0.17 has no --dry-run), $COMPILE_ROUNDS rounds."
    say "Probes: N blocks \`tracepoint:syscalls:sys_enter_read { @s[K] = pid + K; }\`; statements:"
    say "one such block with N statements \`@s[K] = pid + K;\`. \"compile ms\" is sonde's own"
    say "\"compiled\" stage (the IR, then the direct backend: no LLVM passes), from a"
    say "\`-v --dry-run\` run in each round."
    say ""
    say "| script | sonde --dry-run ms | sonde compile ms | bpftrace --emit-elf ms |"
    say "|---|---|---|---|"
    local kind n
    for kind in probes stmts; do
        for n in "${COMPILE_SIZES[@]}"; do
            say "| $n $kind | $(compile_cell "${kind}_$n" sonde) | $(cell "${kind}_$n" sonde llvm_ms 0) |" \
                "$(compile_cell "${kind}_$n" bpftrace) |"
        done
    done
    say ""
    say "Growth: ms per extra probe/statement between sizes, from the medians (linear when"
    say "both columns of a pair are about equal; small scripts are noisy, their fixed cost dominates)."
    say ""
    say "| | sonde wall 10→100 | 100→1000 | sonde compile 10→100 | 100→1000 | bpftrace 10→100 | 100→1000 |"
    say "|---|---|---|---|---|---|---|"
    for kind in probes stmts; do
        say "| $kind | $(compile_slope "$kind" sonde 10 100) | $(compile_slope "$kind" sonde 100 1000) |" \
            "$(compile_slope "$kind" sonde 10 100 llvm_ms) | $(compile_slope "$kind" sonde 100 1000 llvm_ms) |" \
            "$(compile_slope "$kind" bpftrace 10 100) | $(compile_slope "$kind" bpftrace 100 1000) |"
    done
    say ""
    local value
    value=$(median_of stmts_1000 sonde wall_ms)
    [[ $(stat_of stmts_1000 sonde failures | cut -d' ' -f4) == 0 ]] || value=nan
    target_row "1000-statement script compiles (sonde --dry-run, ms)" \
        "$(compile_cell stmts_1000 sonde)" "< 1000 ms" "$(verdict "$value" le 1000)"
    target_row "1000-probe script compiles and verifies (sonde --dry-run, ms)" \
        "$(compile_cell probes_1000 sonde)" "(for information)" "–"
    local kind small large
    for kind in stmts probes; do
        small=$(compile_slope "$kind" sonde 10 100 llvm_ms)
        large=$(compile_slope "$kind" sonde 100 1000 llvm_ms)
        target_row "compile time grows linearly ($kind: ms per item 10→100 vs 100→1000)" \
            "$small vs $large" "about equal (≤ 1.5×)" \
            "$(awk -v a="$small" -v b="$large" 'BEGIN {
                if (a == "nan" || b == "nan") print "not measured";
                else print (b <= 1.5 * a + 0.05 ? "met" : "**MISSED**") }')"
    done
}

# Diagnosis: LLVM's BPF back end on sonde's own optimised IR of the largest
# script, with the default pre-RA scheduler and with -pre-RA-sched=source.
readonly COMPILE_LLC=/usr/lib/llvm-19/bin/llc

compile_scheduler_diagnosis() {
    [[ -x $COMPILE_LLC ]] || return 0
    local n scheduler round ir line
    for n in 100 1000; do
        ir="$RUNS/compile.stmts_$n.ll"
        "$SONDE" -d codegen --dry-run "$SCRIPTS/stmts_$n.bt" >"$ir" 2>/dev/null || continue
        for ((round = 1; round <= COMPILE_ROUNDS; round++)); do
            for scheduler in default source; do
                line=$("$BIN/launch" -t 120 -- "$COMPILE_LLC" -march=bpfel -mcpu=v3 -O2 \
                    -pre-RA-sched="$scheduler" -filetype=obj "$ir" -o "$RUNS/compile.llc.o")
                record_fields "llc_$n" "$scheduler" "$round" "$line" wall_ms
            done
        done
    done
}

compile_scheduler_report() {
    [[ -x $COMPILE_LLC ]] || return 0
    say 'Diagnosis: `llc -O2` alone on sonde'"'"'s optimised IR (`-d codegen`), ms:'
    say ""
    say '| script | default scheduler | `-pre-RA-sched=source` |'
    say "|---|---|---|"
    local n
    for n in 100 1000; do
        say "| $n statements | $(cell "llc_$n" default wall_ms 0) | $(cell "llc_$n" source wall_ms 0) |"
    done
    say ""
}

bench_compile() {
    compile_write_scripts
    local round kind n tool
    for ((round = 1; round <= COMPILE_ROUNDS; round++)); do
        log "compile: round $round of $COMPILE_ROUNDS"
        for kind in probes stmts; do
            for n in "${COMPILE_SIZES[@]}"; do
                for tool in $(rotate "$round" sonde bpftrace); do
                    compile_run "${kind}_$n" "$tool" "$round"
                done
            done
        done
    done
    compile_scheduler_diagnosis
    compile_report
    compile_scheduler_report
}
