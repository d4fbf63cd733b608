# shellcheck shell=bash
# startup.sh: benchmark 1, start-up (sourced by run.sh).
#
# Wall time and peak RSS of short scripts; time from start to "attached" and
# from SIGINT to the last byte of output; and whole-syscall-table scripts.

# Twenty syscalls that exist as tracepoints here; each gets its own probe.
readonly STARTUP_SYSCALLS=(read write openat close newfstat mmap munmap brk ioctl pread64
    pwrite64 readv writev access pipe select sched_yield mremap msync mincore)

# Twenty ordinary (non-syscall) tracepoints: each is a real attachment for
# both tools, with the kernel's per-tracepoint detach cost.
readonly STARTUP_TRACEPOINTS=(sched:sched_switch sched:sched_wakeup sched:sched_waking
    sched:sched_process_fork sched:sched_process_exec sched:sched_process_exit
    sched:sched_process_free sched:sched_migrate_task timer:hrtimer_start timer:hrtimer_cancel
    timer:hrtimer_expire_entry timer:hrtimer_expire_exit timer:timer_start timer:timer_cancel
    timer:timer_expire_entry timer:timer_expire_exit irq:softirq_entry irq:softirq_exit
    irq:softirq_raise signal:signal_generate)

startup_write_scripts() {
    local dir=$SCRIPTS s probes20="" tracepoints20=""
    for s in "${STARTUP_SYSCALLS[@]}"; do
        probes20+="tracepoint:syscalls:sys_enter_$s { @[probe] = count(); }"$'\n'
    done
    for s in "${STARTUP_TRACEPOINTS[@]}"; do
        tracepoints20+="tracepoint:$s { @[probe] = count(); }"$'\n'
    done
    local ready='BEGIN { printf("ready\n"); }'
    echo 'BEGIN { exit(); }' >"$dir/begin.bt"
    printf '%s\n' 'tracepoint:syscalls:sys_enter_read { @[pid] = count(); }' \
        'BEGIN { exit(); }' >"$dir/map1.bt"
    printf '%sBEGIN { exit(); }\n' "$probes20" >"$dir/probes20.bt"
    printf '%s\n%s\n' "$ready" 'tracepoint:syscalls:sys_enter_read { @[pid] = count(); }' \
        >"$dir/attach1.bt"
    printf '%s\n%s' "$ready" "$probes20" >"$dir/attach20.bt"
    printf '%s\n%s' "$ready" "$tracepoints20" >"$dir/attach20tp.bt"
    printf '%s\n%s\n' 'tracepoint:syscalls:sys_enter_* { @ = count(); }' \
        'BEGIN { exit(); }' >"$dir/all_begin.bt"
    printf '%s\n%s\n' 'tracepoint:syscalls:sys_enter_* { @ = count(); }' \
        'interval:ms:100 { exit(); }' >"$dir/all_interval.bt"
}

# One run of a script that ends by itself: wall time and peak RSS.
startup_run_once() { # CASE TOOL ROUND
    local case=$1 tool=$2 round=$3 line
    line=$("$BIN/launch" -t 120 -o "$RUNS/$case.$tool.out" -e "$RUNS/$case.$tool.err" -- \
        "$(tool_command "$tool")" "$SCRIPTS/$case.bt")
    startup_check_status "$case" "$tool" "$line" || return 0
    record_fields "$case" "$tool" "$round" "$line" wall_ms maxrss_kb
}

# One run of a script that traces until SIGINT, sent SETTLE ms after "attached".
startup_run_attached() { # CASE TOOL ROUND
    local case=$1 tool=$2 round=$3 line
    line=$("$BIN/launch" -t 120 -r "$(ready_text "$tool")" -s 300 -i \
        -o "$RUNS/$case.$tool.out" -e "$RUNS/$case.$tool.err" -- \
        "$(tool_command "$tool")" "$SCRIPTS/$case.bt")
    startup_check_status "$case" "$tool" "$line" || return 0
    record_fields "$case" "$tool" "$round" "$line" ready_ms maxrss_kb
    note_interrupts "$case" "$tool" "$round" "$line" &&
        record_fields "$case" "$tool" "$round" "$line" int_last_out_ms int_exit_ms wall_ms
    [[ $tool == floor-* ]] || grep -q '^@' "$RUNS/$case.$tool.out" ||
        log "warning: $tool printed no map for $case (see $RUNS/$case.$tool.out)"
}

startup_check_status() { # CASE TOOL LINE
    local status
    status=$(field "$3" status)
    [[ $status == 0 && $(field "$3" timed_out) == 0 ]] && return 0
    log "warning: $2 failed on $1 (status $status); stderr: $(head -c 300 "$RUNS/$1.$2.err")"
    record "$1" "$2" 0 failures 1
    return 1
}

startup_rounds() { # ROUNDS RUNNER "TOOL..." CASE...
    local rounds=$1 runner=$2 tools=$3 round case tool
    shift 3
    for ((round = 1; round <= rounds; round++)); do
        for case in "$@"; do
            # shellcheck disable=SC2086 # the tools are words
            for tool in $(rotate "$round" $tools); do
                "$runner" "$case" "$tool" "$round"
            done
        done
    done
}

startup_table_row() { # LABEL CASE METRIC DECIMALS [SCALE]
    say "| $1 | $(cell "$2" sonde "$3" "$4" "${5:-1}") | $(cell "$2" bpftrace "$3" "$4" "${5:-1}") |" \
        "$(ratio_cell "$2" "$3" sonde bpftrace) |"
}

startup_report() {
    say "### 1. Start-up"
    say ""
    say "Medians over $ROUNDS interleaved rounds (min–max); the ratio is sonde/bpftrace per round."
    say "\"Attached\" is sonde's \`Attached N probes\` line, and for bpftrace the \`ready\` that"
    say "its BEGIN prints (bpftrace 0.17 fires BEGIN after attaching). SIGINT is sent 300 ms after"
    say "attached; \"last output\" is the last byte on stdout. sonde compiles these scripts with"
    say "its direct backend (no LLVM passes or code generator, no object cache); each script ran"
    say "once before the rounds, as for a script run again, and \"cache off\" rows run it with"
    say "\`SONDE_CACHE=0\`, a first run. The diagnosis table has LLVM compiling on every run too."
    say ""
    say "| | sonde | bpftrace | ratio |"
    say "|---|---|---|---|"
    startup_table_row '`BEGIN { exit(); }`: wall ms' begin wall_ms 1
    startup_table_row '`BEGIN { exit(); }`: peak RSS MB' begin maxrss_kb 1 1024
    startup_table_row 'one-probe map script + `BEGIN { exit(); }`: wall ms' map1 wall_ms 1
    startup_table_row 'one-probe map script + `BEGIN { exit(); }`: peak RSS MB' map1 maxrss_kb 1 1024
    startup_table_row '20 syscall probes + `BEGIN { exit(); }`: wall ms' probes20 wall_ms 1
    startup_table_row '20 syscall probes + `BEGIN { exit(); }`: peak RSS MB' probes20 maxrss_kb 1 1024
    startup_table_row 'one probe: start → attached, ms' attach1 ready_ms 1
    startup_table_row 'one probe: peak RSS MB' attach1 maxrss_kb 1 1024
    startup_table_row 'one probe: SIGINT → last output, ms' attach1 int_last_out_ms 1
    startup_table_row '20 syscall probes: start → attached, ms' attach20 ready_ms 1
    say "| 20 syscall probes, cache off: start → attached, ms | $(cell attach20 sonde-nocache ready_ms 1) |" \
        "$(cell attach20 bpftrace ready_ms 1) | $(ratio_cell attach20 ready_ms sonde-nocache bpftrace) |"
    startup_table_row '20 syscall probes: SIGINT → last output, ms' attach20 int_last_out_ms 1
    startup_table_row '20 syscall probes: SIGINT → exit, ms' attach20 int_exit_ms 1
    startup_table_row '20 syscall probes: peak RSS MB' attach20 maxrss_kb 1 1024
    startup_table_row '20 other tracepoints: start → attached, ms' attach20tp ready_ms 1
    startup_table_row '20 other tracepoints: SIGINT → last output, ms' attach20tp int_last_out_ms 1
    startup_table_row '20 other tracepoints: SIGINT → exit, ms' attach20tp int_exit_ms 1
    startup_table_row '`sys_enter_* { @ = count(); } BEGIN { exit(); }`: wall s' all_begin wall_ms 2 1000
    startup_table_row '`sys_enter_* { @ = count(); } interval:ms:100 { exit(); }`: wall s' \
        all_interval wall_ms 2 1000
    say ""
    say "The whole-table rows ran $WHOLE_TABLE_ROUNDS rounds (bpftrace needs 15–30 s a run)."
    local case note
    for case in attach1 attach20 attach20tp; do
        note=$(missed_sigint_note "$case" bpftrace)
        [[ -z $note ]] || say "In $case, $note."
    done
    say ""
    startup_diagnosis_table
    startup_targets
}

# Where sonde's start-up goes: the same one-probe script through variants
# that each remove one cost, and the bare cost of loading a program on the hook.
startup_diagnosis_table() {
    say "Diagnosis, one-probe script (same rounds, interleaved with the rows above):"
    say ""
    say "| variant | start → attached, ms | peak RSS, MB |"
    say "|---|---|---|"
    local tool label
    for tool in sonde sonde-nocache sonde-llvm sonde-tp floor-raw_tp bpftrace; do
        case $tool in
        sonde) label='sonde as built, the script ran before (direct backend)' ;;
        sonde-nocache) label='sonde, `SONDE_CACHE=0`: a first run (direct backend)' ;;
        sonde-llvm) label='sonde, `SONDE_BACKEND=llvm SONDE_CACHE=0` (compiled by LLVM on every run)' ;;
        sonde-tp) label='sonde, `SONDE_SYSCALLS_VIA_RAW=0` (one `tracepoint:syscalls:*` attachment per probe)' ;;
        floor-raw_tp) label='floor: a 2-instruction program on `raw_tp/sys_enter`, sonde'"'"'s hook (libbpf only)' ;;
        bpftrace) label="bpftrace 0.17" ;;
        esac
        say "| $label | $(cell attach1 "$tool" ready_ms 1) | $(cell attach1 "$tool" maxrss_kb 1 1024) |"
    done
    say ""
}

startup_targets() {
    local ratio
    ratio=$(median_ratio attach1 ready_ms sonde bpftrace)
    target_row "start → attached, one probe, cache warm (ratio)" "$(ratio_cell attach1 ready_ms sonde bpftrace)" \
        "≤ 0.15×" "$(verdict "$ratio" le 0.15)"
    ratio=$(median_ratio attach20 ready_ms sonde bpftrace)
    target_row "start → attached, 20 probes, cache warm (ratio)" "$(ratio_cell attach20 ready_ms sonde bpftrace)" \
        "≤ 0.15×" "$(verdict "$ratio" le 0.15)"
    ratio=$(median_ratio attach1 ready_ms sonde-nocache bpftrace)
    target_row "start → attached, one probe, cache off (ratio)" \
        "$(ratio_cell attach1 ready_ms sonde-nocache bpftrace)" "≤ 0.15×" "$(verdict "$ratio" le 0.15)"
    ratio=$(median_ratio attach20 ready_ms sonde-nocache bpftrace)
    target_row "start → attached, 20 probes, cache off (ratio)" \
        "$(ratio_cell attach20 ready_ms sonde-nocache bpftrace)" "≤ 0.15×" "$(verdict "$ratio" le 0.15)"
    ratio=$(median_ratio attach1 maxrss_kb sonde bpftrace)
    target_row "peak RSS, one probe attached (ratio)" "$(ratio_cell attach1 maxrss_kb sonde bpftrace)" \
        "≤ 0.4×" "$(verdict "$ratio" le 0.4)"
    ratio=$(median_ratio all_begin wall_ms sonde bpftrace)
    target_row '`sys_enter_* … BEGIN { exit(); }` wall (ratio)' \
        "$(ratio_cell all_begin wall_ms sonde bpftrace 3)" "≤ 0.02×" "$(verdict "$ratio" le 0.02)"
    ratio=$(median_ratio all_interval wall_ms sonde bpftrace)
    target_row '`sys_enter_* … interval:ms:100 { exit(); }` wall (ratio)' \
        "$(ratio_cell all_interval wall_ms sonde bpftrace 3)" "≤ 0.02× (same goal)" \
        "$(verdict "$ratio" le 0.02)"
    local value
    value=$(median_of attach20 sonde int_last_out_ms)
    target_row "SIGINT → final output, 20 syscall probes (sonde ms)" \
        "$(cell attach20 sonde int_last_out_ms 1)" "≤ 50 ms" "$(verdict "$value" le 50)"
    value=$(median_of attach20tp sonde int_last_out_ms)
    target_row "SIGINT → final output, 20 other tracepoints (sonde ms)" \
        "$(cell attach20tp sonde int_last_out_ms 1)" "≤ 50 ms" "$(verdict "$value" le 50)"
}

# plain `sonde` is measured as a script run a second time: a script LLVM
# compiles has its object in the cache by then (the direct backend, which
# takes all of these scripts, needs none: sonde-nocache should match it).
startup_warm_cache() {
    local script
    for script in "$SCRIPTS"/*.bt; do
        "$SONDE" --dry-run "$script" >/dev/null 2>&1 ||
            log "warning: sonde --dry-run $script failed"
    done
}

bench_startup() {
    log "start-up: writing scripts"
    startup_write_scripts
    startup_warm_cache
    log "start-up: short scripts, $ROUNDS rounds"
    startup_rounds "$ROUNDS" startup_run_once "sonde bpftrace" begin map1 probes20
    log "start-up: attach and SIGINT, $ROUNDS rounds"
    startup_rounds "$ROUNDS" startup_run_attached "sonde bpftrace sonde-nocache" attach20
    startup_rounds "$ROUNDS" startup_run_attached "sonde bpftrace" attach20tp
    startup_rounds "$ROUNDS" startup_run_attached \
        "sonde bpftrace sonde-nocache sonde-llvm sonde-tp floor-raw_tp" attach1
    log "start-up: the whole syscall table, $WHOLE_TABLE_ROUNDS rounds (bpftrace: 15-30 s a run)"
    startup_rounds "$WHOLE_TABLE_ROUNDS" startup_run_once "sonde bpftrace" all_begin all_interval
    startup_report
}
