# shellcheck shell=bash
# lib.sh: what the benchmark sections share (sourced by run.sh).
#
# Every measurement is one row of $SAMPLES, a tab-separated file:
#   case  tool  round  metric  value
# Sections record rows as they run; the tables are computed from the rows at
# the end, so a statistic is always over every round, never one run.

log() {
    printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}

record() { # CASE TOOL ROUND METRIC VALUE
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$SAMPLES"
}

# The value of KEY in a line of key=value words ("" if absent).
field() { # LINE KEY
    local word
    for word in $1; do
        [[ $word == "$2="* ]] && {
            printf '%s' "${word#*=}"
            return
        }
    done
}

# Records several key=value fields of a launch/workload line, under their own names.
record_fields() { # CASE TOOL ROUND LINE KEY...
    local case=$1 tool=$2 round=$3 line=$4 key value
    shift 4
    for key in "$@"; do
        value=$(field "$line" "$key")
        [[ -n $value && $value != -1* ]] && record "$case" "$tool" "$round" "$key" "$value"
    done
    return 0
}

# Records whether the tool missed launch's first SIGINT (launch then sent
# another); returns 1 if it did, so that its SIGINT timings are left out.
note_interrupts() { # CASE TOOL ROUND LINE
    local sent
    sent=$(field "$4" interrupts)
    [[ -n $sent && $sent != 0 ]] || return 0
    record "$1" "$2" "$3" missed_sigint "$((sent > 1 ? 1 : 0))"
    ((sent <= 1))
}

# "; TOOL missed the first SIGINT in K of N runs" when it ever did.
missed_sigint_note() { # CASE TOOL
    awk -F'\t' -v c="$1" -v t="$2" '$1 == c && $2 == t && $4 == "missed_sigint" { n++; k += $5 }
        END { if (k > 0) printf "%s missed the first SIGINT in %d of %d runs (sent again after 2 s; those runs are left out of the SIGINT rows)", t, k, n }' \
        "$SAMPLES"
}

# The rounds run the tools in turn, and the order rotates every round, so a
# slow patch of the machine is not always blamed on the same tool.
rotate() { # ROUND ITEM... -> the items, rotated left by ROUND
    local round=$1
    shift
    local items=("$@") count=$# i
    for ((i = 0; i < count; i++)); do
        printf '%s\n' "${items[$(((i + round) % count))]}"
    done
}

# Median, min and max of one metric over all rounds: "median min max count".
stat_of() { # CASE TOOL METRIC
    awk -F'\t' -v c="$1" -v t="$2" -v m="$3" '$1 == c && $2 == t && $4 == m { print $5 }' \
        "$SAMPLES" | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "nan nan nan 0"; exit }
            med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.6g %.6g %.6g %d\n", med, v[1], v[NR], NR
        }'
}

# Per round, metric of tool A over metric of tool B; then "median min max count".
ratio_of() { # CASE METRIC TOOL_A TOOL_B
    awk -F'\t' -v c="$1" -v m="$2" -v a="$3" -v b="$4" '
        $1 == c && $4 == m && $2 == a { va[$3] = $5 }
        $1 == c && $4 == m && $2 == b { vb[$3] = $5 }
        END { for (r in va) if ((r in vb) && vb[r] != 0) print va[r] / vb[r] }' "$SAMPLES" |
        sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "nan nan nan 0"; exit }
            med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.6g %.6g %.6g %d\n", med, v[1], v[NR], NR
        }'
}

# "median (min–max)" with DECIMALS decimals after dividing by SCALE.
format_stat() { # "median min max count" DECIMALS [SCALE]
    local decimals=$2 scale=${3:-1}
    awk -v d="$decimals" -v s="$scale" '{
        if ($4 == 0) { print "–"; exit }
        if ($4 == 1) { printf "%.*f (1 run)\n", d, $1 / s; exit }
        printf "%.*f (%.*f–%.*f)\n", d, $1 / s, d, $2 / s, d, $3 / s
    }' <<<"$1"
}

cell() { # CASE TOOL METRIC DECIMALS [SCALE]
    format_stat "$(stat_of "$1" "$2" "$3")" "$4" "${5:-1}"
}

ratio_cell() { # CASE METRIC TOOL_A TOOL_B [DECIMALS]
    local stat
    stat=$(ratio_of "$1" "$2" "$3" "$4")
    format_stat "$stat" "${5:-2}" | sed 's/^\([^ –]*\)/\1×/'
}

median_of() { # CASE TOOL METRIC
    stat_of "$1" "$2" "$3" | cut -d' ' -f1
}

median_ratio() { # CASE METRIC TOOL_A TOOL_B
    ratio_of "$1" "$2" "$3" "$4" | cut -d' ' -f1
}

# "met" or "MISSED": VALUE compared with LIMIT ("le" or "ge").
verdict() { # VALUE le|ge LIMIT
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "nan" || v == "") { print "not measured"; exit }
        ok = op == "le" ? v + 0 <= l + 0 : v + 0 >= l + 0
        print ok ? "met" : "**MISSED**"
    }'
}

# A row of the targets table: NAME, MEASURED text, GOAL text, VERDICT.
target_row() {
    printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >>"$TARGETS"
}

# Markdown goes to $REPORT as the sections produce it.
say() {
    printf '%s\n' "$*" >>"$REPORT"
}

# Interrupts for irq_work, summed over CPUs: how a BPF program wakes a reader
# (a ring buffer's forced wake-up or a perf buffer's per-event wake-up).
irq_work_interrupts() {
    awk '$1 == "IWI:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { print n + 0 }' \
        /proc/interrupts
}

# Events a tool says it lost ("Lost N events", stdout or stderr), summed.
reported_lost() { # FILE...
    local file files=()
    for file in "$@"; do
        [[ -f $file ]] && files+=("$file")
    done
    ((${#files[@]} > 0)) || {
        echo 0
        return
    }
    awk '/^Lost [0-9]+ events/ { n += $2 } END { print n + 0 }' "${files[@]}"
}

# The tools under comparison, by name. The variants (made by run.sh's
# make_variants) are for the diagnosis: sonde-nocache compiles with LLVM on
# every run (SONDE_CACHE=0; plain `sonde` runs with a warm object cache, as
# a script run a second time does), sonde-tp attaches syscall probes one
# tracepoint at a time instead of on the shared raw tracepoint, sonde-bigring
# makes the ring 8192 pages per CPU (so that it never fills to the point
# where the BPF side wakes the reader), and the floor loads a 2-instruction
# program on sonde's hook.
tool_command() { # TOOL -> the command to run it
    case $1 in
    sonde) printf '%s' "$SONDE" ;;
    bpftrace) printf '%s' "$BPFTRACE" ;;
    sonde-nocache | sonde-llvm | sonde-tp | sonde-bigring | floor-raw_tp) printf '%s' "$BIN/$1" ;;
    *) die "unknown tool $1" ;;
    esac
}

# What says "attached" for each tool. sonde prints "Attached N probes" once
# its probes are attached. bpftrace 0.17 prints "Attaching N probes..."
# *before* attaching, so the scripts carry `BEGIN { printf("ready\n"); }`:
# bpftrace fires BEGIN after attaching every probe (sonde fires it before,
# which is why its own line is used).
ready_text() { # TOOL
    case $1 in
    bpftrace) printf 'ready' ;;
    *) printf 'Attached' ;;
    esac
}
