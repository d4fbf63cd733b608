# shellcheck shell=bash
# overhead.sh: benchmark 2, per-event overhead (sourced by run.sh).
#
# The workload does EVENTS one-byte reads of /dev/zero and times them itself.
# Untraced (twice a round), then traced by each tool; the cost a tool adds
# per event is its ns/read minus the mean untraced ns/read of the same round.
# Correctness is checked on every traced run: the map count equals EVENTS,
# the predicate never matches, and printed lines plus reported losses equal
# the events.

# Never a pid (above the kernel's PID_MAX_LIMIT), so the predicate never matches.
readonly OVERHEAD_NO_PID=4194305

overhead_write_scripts() {
    local ready='BEGIN { printf("ready\n"); }' probe='tracepoint:syscalls:sys_enter_read'
    printf '%s\n%s { }\n' "$ready" "$probe" >"$SCRIPTS/empty.bt"
    printf '%s\n%s { @[pid] = count(); }\n' "$ready" "$probe" >"$SCRIPTS/count.bt"
    printf '%s\n%s /pid == %s/ { @ = count(); }\n' "$ready" "$probe" "$OVERHEAD_NO_PID" \
        >"$SCRIPTS/pred.bt"
    printf '%s\n%s /pid == $1/ { printf("%%d %%d\\n", pid, args->count); }\n' "$ready" "$probe" \
        >"$SCRIPTS/printf.bt"
    # Twenty syscall probes loaded at once (one of them on read): what each
    # traced read pays when a script watches many syscalls.
    local s
    {
        echo "$ready"
        for s in "${STARTUP_SYSCALLS[@]}"; do
            echo "tracepoint:syscalls:sys_enter_$s { @[probe] = count(); }"
        done
    } >"$SCRIPTS/count20.bt"
}

# Runs one configuration; prints the workload's line and launch's line.
overhead_launch() { # TOOL CASE EVENTS OUT
    local tool=$1 case=$2 events=$3 out=$4
    case $tool in
    none) "$BIN/workload" "$events" ;;
    floor)
        local hook=raw_tp:sys_enter
        [[ $case == floor_tracepoint ]] && hook=tracepoint:syscalls/sys_enter_read
        "$BIN/launch" -t 120 -r Attached -i -w "$BIN/workload $events" -o "$out" -e "$out.err" \
            -- "$BIN/floor" "$hook"
        ;;
    strace)
        if [[ $case == strace_c ]]; then
            "$STRACE" -c -e trace=read -o "$out" "$BIN/workload" "$events"
        else
            "$STRACE" -e trace=read -o "$out" "$BIN/workload" "$events"
        fi
        ;;
    *)
        # printf goes to a file; the hold lets the reader catch up before SIGINT
        # (bpftrace 0.17 drops what it has not read when interrupted).
        local output=(-o "$out") hold=0 script=("$SCRIPTS/$case.bt")
        [[ $case == printf ]] && output=(-f "$out") hold=1000 script+=('{PID}')
        "$BIN/launch" -t 300 -r "$(ready_text "$tool")" -k "$hold" -i -w "$BIN/workload $events" \
            "${output[@]}" -e "$out.err" -- "$(tool_command "$tool")" "${script[@]}"
        ;;
    esac
}

overhead_events_for() { # CASE
    case $1 in
    printf) printf '%s' "$PRINTF_EVENTS" ;;
    strace_*) printf '%s' "$STRACE_EVENTS" ;;
    *) printf '%s' "$EVENTS" ;;
    esac
}

# Correctness of one traced run, recorded as metrics (1 = as expected).
overhead_check() { # TOOL CASE ROUND PID EVENTS OUT
    local tool=$1 case=$2 round=$3 pid=$4 events=$5 out=$6 lines lost count
    case $case in
    count)
        count=$(awk -v k="@[$pid]:" '$1 == k { print $2 }' "$out")
        record "$case" "$tool" "$round" count_ok "$([[ $count == "$events" ]] && echo 1 || echo 0)"
        [[ $count == "$events" ]] || log "warning: $tool counted ${count:-nothing} of $events reads"
        ;;
    count20)
        # System-wide: at least the workload's reads.
        count=$(awk '$1 == "@[tracepoint:syscalls:sys_enter_read]:" { print $2 }' "$out")
        record "$case" "$tool" "$round" count_ok "$(((${count:-0} >= events) ? 1 : 0))"
        ;;
    pred)
        # bpftrace 0.17 prints a keyless map that was never written as "@: 0".
        count=$(awk '/^@/ && $NF != 0' "$out" | wc -l)
        record "$case" "$tool" "$round" count_ok "$((count == 0 ? 1 : 0))"
        ;;
    printf | strace_o)
        if [[ $case == printf ]]; then
            lines=$(grep -c "^$pid [0-9]*\$" "$out" || true)
        else
            lines=$(grep -c '^read(' "$out" || true)
        fi
        lost=$(reported_lost "$out" "$out.err")
        record "$case" "$tool" "$round" lines "$lines"
        record "$case" "$tool" "$round" lost "$lost"
        record "$case" "$tool" "$round" silent_loss "$((events - lines - lost))"
        ;;
    esac
}

overhead_run() { # CONFIG ROUND (CONFIG is TOOL:CASE)
    local tool=${1%%:*} case=${1#*:} round=$2 events out result work
    events=$(overhead_events_for "$case")
    out="$RUNS/overhead.$case.$tool"
    local wakeups_before
    wakeups_before=$(irq_work_interrupts)
    result=$(overhead_launch "$tool" "$case" "$events" "$out")
    [[ $case == printf ]] && record "$case" "$tool" "$round" wakeups_per_event \
        "$(awk -v a="$wakeups_before" -v b="$(irq_work_interrupts)" -v n="$events" \
            'BEGIN { printf "%.4f", (b - a) / n }')"
    work=$(grep '^workload:' <<<"$result" || true)
    if [[ -z $work ]]; then
        log "warning: $tool:$case produced no workload result"
        record "$case" "$tool" "$round" failures 1
        return 0
    fi
    record_fields "$case" "$tool" "$round" "$work" ns_per_op cpu_ns_per_op min_ns_per_op
    note_interrupts "$case" "$tool" "$round" "$(grep '^launch:' <<<"$result" || true)" || true
    [[ $tool == none || $tool == strace ]] ||
        overhead_check "$tool" "$case" "$round" "$(field "$work" pid)" "$events" "$out"
    [[ $case == strace_o ]] && overhead_check "$tool" "$case" "$round" "" "$events" "$out"
    return 0
}

# Added cost per event: a run's ns/read minus the mean untraced ns/read of
# its round, for each of the three timings the workload reports.
overhead_record_added() {
    awk -F'\t' -v OFS='\t' '
        BEGIN { added["ns_per_op"] = "added_ns"; added["cpu_ns_per_op"] = "added_cpu_ns"
                added["min_ns_per_op"] = "added_min_ns" }
        !($4 in added) { next }
        $1 == "untraced" { sum[$3, $4] += $5; n[$3, $4]++; next }
        { rows[++count] = $0 }
        END {
            for (i = 1; i <= count; i++) {
                split(rows[i], f, OFS)
                if (n[f[3], f[4]]) print f[1], f[2], f[3], added[f[4]], f[5] - sum[f[3], f[4]] / n[f[3], f[4]]
            }
        }' "$SAMPLES" >"$RUNS/added.tsv"
    cat "$RUNS/added.tsv" >>"$SAMPLES"
}

overhead_row() { # LABEL CASE TOOL
    local correct="" c lines lost silent
    c=$(stat_of "$2" "$3" count_ok)
    [[ $(cut -d' ' -f4 <<<"$c") != 0 ]] &&
        correct=$(awk '{ print ($2 == 1 ? "all " $4 " runs right" : "**WRONG in some runs**") }' <<<"$c")
    lines=$(stat_of "$2" "$3" lines)
    if [[ $(cut -d' ' -f4 <<<"$lines") != 0 ]]; then
        lost=$(stat_of "$2" "$3" lost | cut -d' ' -f3)
        silent=$(stat_of "$2" "$3" silent_loss | cut -d' ' -f3)
        correct="lines $(format_stat "$lines" 0), reported lost ≤ $lost, silent loss ≤ $silent"
        [[ $2 == printf ]] &&
            correct+="; irq_work wake-ups per event $(cell "$2" "$3" wakeups_per_event 2)"
    fi
    say "| $1 | $(cell "$2" "$3" added_ns 0) | $(cell "$2" "$3" added_cpu_ns 0) |" \
        "$(cell "$2" "$3" added_min_ns 0) | $correct |"
}

overhead_report() {
    say "### 2. Per-event overhead"
    say ""
    say "Workload: one-byte reads of /dev/zero, $EVENTS per run ($PRINTF_EVENTS for printf,"
    say "$STRACE_EVENTS for strace), $ROUNDS interleaved rounds. Untraced: $(cell untraced none ns_per_op 0)"
    say "ns per read (wall), $(cell untraced none cpu_ns_per_op 0) ns (CPU), two runs a round. \"Added\""
    say "is per read, against the mean untraced run of the same round, in three timings: wall"
    say "time (what the traced program lives through); the workload's own CPU time (steadier on"
    say "a busy machine; it includes the BPF programs, which run in the workload's syscalls, but"
    say "not strace's or the tracers' user-space work); and the wall time of the fastest twentieth"
    say "of the run (the least disturbed stretch)."
    say ""
    say "| | added ns/event (wall) | (CPU) | (fastest slice) | correctness |"
    say "|---|---|---|---|---|"
    overhead_row 'floor: empty program, raw tracepoint `sys_enter` (sonde'"'"'s hook, hand-built)' floor_raw_tp floor
    overhead_row 'floor: empty program, tracepoint `sys_enter_read` (bpftrace'"'"'s hook, hand-built)' \
        floor_tracepoint floor
    overhead_row 'sonde `sys_enter_read { }`' empty sonde
    overhead_row 'bpftrace `sys_enter_read { }`' empty bpftrace
    overhead_row 'sonde `@[pid] = count()` (system-wide)' count sonde
    overhead_row 'bpftrace `@[pid] = count()` (system-wide)' count bpftrace
    overhead_row 'sonde, 20 syscall probes `@[probe] = count()`, one on read' count20 sonde
    overhead_row 'bpftrace, 20 syscall probes `@[probe] = count()`, one on read' count20 bpftrace
    overhead_row 'sonde, predicate never true' pred sonde
    overhead_row 'bpftrace, predicate never true' pred bpftrace
    overhead_row 'sonde `printf("%d %d\n", pid, args->count)` to a file' printf sonde
    overhead_row 'sonde, same, ring of 8192 pages per CPU (diagnosis: no forced wake-ups)' \
        printf sonde-bigring
    overhead_row 'bpftrace `printf("%d %d\n", pid, args->count)` to a file' printf bpftrace
    overhead_row '`strace -c -e trace=read`' strace_c strace
    overhead_row '`strace -e trace=read -o FILE`' strace_o strace
    say ""
    say "| ratio sonde/bpftrace (per round) | wall | CPU | fastest slice |"
    say "|---|---|---|---|"
    local case
    for case in empty count count20 pred printf; do
        say "| $case | $(ratio_cell "$case" added_ns sonde bpftrace) |" \
            "$(ratio_cell "$case" added_cpu_ns sonde bpftrace) |" \
            "$(ratio_cell "$case" added_min_ns sonde bpftrace) |"
    done
    say ""
    overhead_targets
}

overhead_targets() {
    local ratio
    ratio=$(median_ratio count added_ns sonde bpftrace)
    target_row '`count()` added cost per event (ratio, wall)' \
        "$(ratio_cell count added_ns sonde bpftrace)" "≤ 0.35×" "$(verdict "$ratio" le 0.35)"
    ratio=$(median_ratio count added_cpu_ns sonde bpftrace)
    target_row '`count()` added cost per event (ratio, CPU)' \
        "$(ratio_cell count added_cpu_ns sonde bpftrace)" "≤ 0.35×" "$(verdict "$ratio" le 0.35)"
    ratio=$(median_ratio printf added_ns sonde bpftrace)
    target_row '`printf` added cost per event (ratio, wall)' \
        "$(ratio_cell printf added_ns sonde bpftrace 3)" "≤ 0.05×" "$(verdict "$ratio" le 0.05)"
    ratio=$(median_ratio printf added_cpu_ns sonde bpftrace)
    target_row '`printf` added cost per event (ratio, CPU)' \
        "$(ratio_cell printf added_cpu_ns sonde bpftrace 3)" "≤ 0.05×" "$(verdict "$ratio" le 0.05)"
    ratio=$(median_ratio count20 added_cpu_ns sonde bpftrace)
    target_row '20 syscall probes loaded: added cost per read (ratio, CPU)' \
        "$(ratio_cell count20 added_cpu_ns sonde bpftrace)" "(no goal; ≤ 1× is parity)" \
        "$(verdict "$ratio" le 1)"
    local silent
    silent=$(stat_of printf sonde silent_loss | cut -d' ' -f3)
    target_row '`printf`: silent loss (sonde, worst run)' "$silent events" "0" \
        "$(verdict "$silent" le 0)"
}

bench_overhead() {
    overhead_write_scripts
    # Two untraced runs, half a rotation apart, bracket the traced ones.
    local configs=(none:untraced floor:floor_raw_tp floor:floor_tracepoint sonde:empty
        bpftrace:empty sonde:count bpftrace:count sonde:count20 none:untraced bpftrace:count20
        sonde:pred bpftrace:pred sonde:printf bpftrace:printf sonde-bigring:printf strace:strace_c
        strace:strace_o)
    local round config
    for ((round = 1; round <= ROUNDS; round++)); do
        log "overhead: round $round of $ROUNDS"
        for config in $(rotate "$round" "${configs[@]}"); do
            overhead_run "$config" "$round"
        done
    done
    overhead_record_added
    overhead_report
}
