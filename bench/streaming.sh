# shellcheck shell=bash
# streaming.sh: benchmark 3, events per second delivered to a file without
# loss (sourced by run.sh).
#
# The workload makes reads at a paced rate for STREAM_SECONDS, and the
# script prints a line for each one into a file. The rate doubles until a
# tool loses events or cannot keep up (the workload, slowed by the tracing,
# reaches less than 90% of the rate asked), then one unpaced run follows.
# "Delivered" counts the lines in the file; nothing may be lost silently.

readonly STREAM_RATES=(25000 50000 100000 200000 400000 800000 1600000)

# One run; records achieved rate and losses; returns 1 when the tool is at its limit.
streaming_run() { # TOOL ROUND RATE (0 = unpaced)
    local tool=$1 round=$2 rate=$3 events case out result work pid lines lost elapsed achieved
    events=$((rate > 0 ? rate * STREAM_SECONDS : EVENTS))
    case="stream_$rate"
    out="$RUNS/stream.$tool.$rate"
    result=$("$BIN/launch" -t 300 -r "$(ready_text "$tool")" -k 1000 -i \
        -w "$BIN/workload $events $rate" -f "$out" -e "$out.err" -- \
        "$(tool_command "$tool")" "$SCRIPTS/printf.bt" '{PID}')
    work=$(grep '^workload:' <<<"$result" || true)
    [[ -n $work ]] || {
        log "warning: $tool at $rate/s produced no workload result"
        return 1
    }
    note_interrupts "$case" "$tool" "$round" "$(grep '^launch:' <<<"$result" || true)" || true
    pid=$(field "$work" pid)
    elapsed=$(field "$work" elapsed_ns)
    lines=$(grep -c "^$pid [0-9]*\$" "$out" || true)
    lost=$(reported_lost "$out" "$out.err")
    achieved=$(awk -v n="$events" -v e="$elapsed" 'BEGIN { printf "%.0f", n / (e / 1e9) }')
    record "$case" "$tool" "$round" achieved "$achieved"
    record "$case" "$tool" "$round" lost "$lost"
    record "$case" "$tool" "$round" silent_loss "$((events - lines - lost))"
    if ((lines == events)); then
        record stream "$tool" "$round" lossless_rate "$achieved"
    fi
    ((lines == events)) && awk -v a="$achieved" -v r="$rate" 'BEGIN { exit !(r == 0 || a >= 0.9 * r) }'
}

streaming_ramp() { # TOOL ROUND
    local rate
    for rate in "${STREAM_RATES[@]}"; do
        streaming_run "$1" "$2" "$rate" || return 0
    done
    streaming_run "$1" "$2" 0 || true
}

# The best lossless rate of each round (rows are kept per run; keep the max per round).
streaming_record_best() {
    awk -F'\t' -v OFS='\t' '$1 == "stream" && $4 == "lossless_rate" {
            k = $2 OFS $3
            if (!(k in best) || $5 + 0 > best[k] + 0) best[k] = $5
        }
        END { for (k in best) print "stream_best", k, "lossless_rate", best[k] }' "$SAMPLES" \
        >"$RUNS/stream_best.tsv"
    cat "$RUNS/stream_best.tsv" >>"$SAMPLES"
}

streaming_report() {
    say "### 3. Streaming: printf lines to a file"
    say ""
    say "Script: \`tracepoint:syscalls:sys_enter_read /pid == \$1/ { printf(\"%d %d\\n\", pid, args->count); }\`,"
    say "stdout redirected to a file. Paced rates, ${STREAM_SECONDS} s per run, doubling while the"
    say "tool keeps every line and keeps up (and one unpaced run of $EVENTS reads if it kept up"
    say "at every rate). $STREAM_ROUNDS rounds."
    say ""
    say "| | sonde | bpftrace |"
    say "|---|---|---|"
    say "| best rate with every line delivered, events/s | $(cell stream_best sonde lossless_rate 0) |" \
        "$(cell stream_best bpftrace lossless_rate 0) |"
    local rate sonde_cell bpftrace_cell
    for rate in "${STREAM_RATES[@]}" 0; do
        local label="asked $rate/s: achieved events/s; lost (reported); silent loss"
        ((rate == 0)) && label="unpaced: achieved events/s; lost (reported); silent loss"
        sonde_cell=$(streaming_cell "stream_$rate" sonde)
        bpftrace_cell=$(streaming_cell "stream_$rate" bpftrace)
        [[ -n $sonde_cell$bpftrace_cell ]] || continue
        say "| $label | $sonde_cell | $bpftrace_cell |"
    done
    say ""
    say "Blank cells: the ramp had stopped before that rate (a loss, or the tool could not keep"
    say "up: the workload, slowed by the tracing, reached less than 90% of the rate asked)."
    say ""
    local ratio
    ratio=$(median_ratio stream_best lossless_rate sonde bpftrace)
    target_row "streaming: best lossless rate (ratio sonde/bpftrace)" \
        "$(ratio_cell stream_best lossless_rate sonde bpftrace)" "higher is better" "(no goal)"
}

streaming_cell() { # CASE TOOL
    local n
    n=$(stat_of "$1" "$2" achieved | cut -d' ' -f4)
    ((n > 0)) || return 0
    printf '%s; %s; %s' "$(cell "$1" "$2" achieved 0)" "$(cell "$1" "$2" lost 0)" \
        "$(cell "$1" "$2" silent_loss 0)"
}

bench_streaming() {
    [[ -f $SCRIPTS/printf.bt ]] || overhead_write_scripts
    local round tool
    for ((round = 1; round <= STREAM_ROUNDS; round++)); do
        for tool in $(rotate "$round" sonde bpftrace); do
            log "streaming: round $round of $STREAM_ROUNDS, $tool"
            streaming_ramp "$tool" "$round"
        done
    done
    streaming_record_best
    streaming_report
}
