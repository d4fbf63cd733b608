#!/usr/bin/env bash
# run-test.sh: runs the cases of one runtime test file against a sonde binary.
#
#   tests/runtime/run-test.sh FILE.test SONDE HELPERS_DIR
#
# The .test format is described in tests/runtime/README.md. For each case:
# start the TRIGGER paused (its pid becomes {{PID}}), start sonde, wait for
# "Attached" on its stderr, let the trigger go, wait for it, optionally
# SIGINT sonde, wait for sonde (never longer than TIMEOUT), then compare its
# output with the expectations and check that it left no BPF program loaded.
#
# Exit status: 0 when every case passed or was skipped, 1 when one failed,
# 77 when all were skipped (ctest's SKIP_RETURN_CODE).
# SONDE_TEST_CASE=REGEX runs only the cases whose NAME matches REGEX.

# Functions called through wait_until and traps look unreachable to shellcheck.
# shellcheck disable=SC2317
set -euo pipefail

readonly SKIP=77
readonly SCALAR_KEYS=" NAME PROG RUN ARGS TRIGGER EXPECT EXPECT_LINES EXIT_CODE TIMEOUT REQUIRES "
readonly LIST_KEYS=" EXPECT_REGEX EXPECT_STDERR_REGEX EXPECT_COUNT EXPECT_STDERR_COUNT "
readonly FLAG_KEYS=" SIGNAL_AFTER_TRIGGER "
# Keys whose value is one line (no heredoc).
readonly ONE_LINE_KEYS=" NAME ARGS EXPECT_LINES EXIT_CODE TIMEOUT "
# Regexes kept in variables: '<' cannot appear bare inside [[ ]].
readonly HEREDOC_START='^<<([A-Za-z_][A-Za-z0-9_]*)$'
readonly COUNT_SPEC='^([<>]=)?[0-9]+ .'
readonly DEFAULT_TIMEOUT=10
readonly PAUSE_TIMEOUT_MS=5000    # for a trigger to reach its paused state
readonly UNLOAD_TIMEOUT_MS=3000   # for the kernel to free programs after sonde exits
readonly SHOW_LINES=40            # lines of output shown for a failed case
# Program types sonde attaches; only these are checked for leftovers.
readonly TRACING_TYPES='"tracepoint","tracing","raw_tracepoint","perf_event","kprobe"'

usage() {
    echo "usage: $0 FILE.test SONDE HELPERS_DIR" >&2
    exit 1
}

(($# == 3)) || usage
test_file=$1
sonde=$(realpath -m -- "$2")
helpers=$(realpath -m -- "$3")
test_dir=$(realpath -- "$(dirname -- "$test_file")")
test_label=$(basename -- "$test_file")

# ---------------------------------------------------------------------------
# Parsing: spec["<case>.<KEY>"] holds each value as lines, each ending in \n.

declare -A spec=()
declare -a case_lines=()   # line of each case's NAME, for messages
case_count=0

parse_error() {
    echo "$test_file:$1: $2" >&2
    exit 1
}

# store LINE CASE KEY VALUE: keeps one value, checking where keys may repeat.
store() {
    local line=$1 index=$2 key=$3 value=$4
    if [[ $LIST_KEYS == *" $key "* ]]; then
        spec[$index.$key]+=$value
    elif [[ -v spec[$index.$key] ]]; then
        parse_error "$line" "$key given twice in one case"
    else
        spec[$index.$key]=$value
    fi
}

parse_file() {
    local line number=0 key value delimiter="" heredoc="" heredoc_key="" heredoc_line=0
    local index=-1
    while IFS= read -r line || [[ -n $line ]]; do
        number=$((number + 1))
        if [[ -n $delimiter ]]; then
            if [[ $line == "$delimiter" ]]; then
                store "$heredoc_line" "$index" "$heredoc_key" "$heredoc"
                delimiter=""
            else
                heredoc+=$line$'\n'
            fi
            continue
        fi
        [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
        if [[ ! $line =~ ^([A-Z_]+)(\ (.*))?$ ]]; then
            parse_error "$number" "expected 'KEY value' or 'KEY <<DELIMITER', got: $line"
        fi
        key=${BASH_REMATCH[1]}
        value=${BASH_REMATCH[3]}
        if [[ "$SCALAR_KEYS$LIST_KEYS$FLAG_KEYS" != *" $key "* ]]; then
            parse_error "$number" "unknown key $key"
        fi
        if [[ $key == NAME ]]; then
            index=$((index + 1))
            case_count=$((index + 1))
            case_lines[index]=$number
        elif ((index < 0)); then
            parse_error "$number" "$key before the first NAME"
        fi
        if [[ $FLAG_KEYS == *" $key "* ]]; then
            [[ -z $value ]] || parse_error "$number" "$key takes no value"
            store "$number" "$index" "$key" "yes"
        elif [[ $value =~ $HEREDOC_START ]]; then
            [[ $ONE_LINE_KEYS != *" $key "* ]] || parse_error "$number" "$key takes one line"
            delimiter=${BASH_REMATCH[1]}
            heredoc="" heredoc_key=$key heredoc_line=$number
        else
            [[ -n $value ]] || parse_error "$number" "$key needs a value"
            store "$number" "$index" "$key" "$value"$'\n'
        fi
    done <"$test_file"
    [[ -z $delimiter ]] || parse_error "$heredoc_line" "no line '$delimiter' ends this $heredoc_key"
    ((case_count > 0)) || parse_error 1 "no test case (each case starts with NAME)"
}

# Checks what can be checked before running anything.
validate_cases() {
    local index value key
    for ((index = 0; index < case_count; index++)); do
        local where=${case_lines[index]}
        if [[ -v spec[$index.RUN] && -v spec[$index.ARGS] ]]; then
            parse_error "$where" "ARGS cannot go with RUN (RUN is the whole command)"
        fi
        if [[ ! -v spec[$index.RUN] && ! -v spec[$index.PROG] ]]; then
            parse_error "$where" "needs PROG or RUN"
        fi
        for key in EXIT_CODE TIMEOUT EXPECT_LINES; do
            value=$(get "$index" "$key")
            [[ -z $value || $value =~ ^[0-9]+$ ]] || parse_error "$where" "$key must be a number"
        done
        while IFS= read -r value; do
            [[ -z $value || $value =~ $COUNT_SPEC ]] ||
                parse_error "$where" "EXPECT_COUNT wants 'N REGEX' (N, >=N or <=N): $value"
        done <<<"$(get "$index" EXPECT_COUNT)$(get "$index" EXPECT_STDERR_COUNT)"
        if [[ ! -v spec[$index.TRIGGER] ]] && has_placeholder "$index" PID; then
            parse_error "$where" "{{PID}} needs a TRIGGER"
        fi
    done
}

# get CASE KEY: the value without its final newline ("" when absent).
get() {
    local value=${spec[$1.$2]-}
    printf '%s' "${value%$'\n'}"
}

has_placeholder() {
    local index=$1 name=$2 key
    for key in PROG RUN ARGS EXPECT EXPECT_REGEX EXPECT_STDERR_REGEX EXPECT_COUNT EXPECT_STDERR_COUNT; do
        [[ ${spec[$index.$key]-} == *"{{$name}}"* ]] && return 0
    done
    return 1
}

# ---------------------------------------------------------------------------
# Placeholders. Shell commands get shell-quoted values, text gets them as is.

declare -A placeholders=()

substitute_text() {
    local text=$1 name
    for name in "${!placeholders[@]}"; do
        text=${text//"{{$name}}"/"${placeholders[$name]}"}
    done
    printf '%s' "$text"
}

substitute_shell() {
    local text=$1 name quoted
    for name in "${!placeholders[@]}"; do
        printf -v quoted '%q' "${placeholders[$name]}"
        text=${text//"{{$name}}"/"$quoted"}
    done
    printf '%s' "$text"
}

# ---------------------------------------------------------------------------
# Processes. Sonde and the trigger each run in their own process group, so
# a signal reaches whatever their shell command started, and cleanup is sure.

# Process groups of the current case, killed on exit. Earlier cases' groups
# are reaped already; their ids may belong to someone else by now.
declare -a groups=()
work_dir=""

cleanup() {
    local group
    for group in "${groups[@]}"; do
        kill -KILL -- "-$group" 2>/dev/null || true
    done
    [[ -z $work_dir ]] || rm -rf -- "$work_dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

now_ms() {
    local micros=${EPOCHREALTIME//[!0-9]/}
    echo $((10#$micros / 1000))
}

alive() {
    kill -0 "$1" 2>/dev/null
}

# wait_until DEADLINE_MS COMMAND...: polls COMMAND until it succeeds; false at the deadline.
wait_until() {
    local deadline=$1
    shift
    until "$@"; do
        (($(now_ms) < deadline)) || return 1
        sleep 0.02
    done
}

exited() {
    ! alive "$1"
}

# The pid file a paused helper writes is complete once it ends in a newline.
paused_or_gone() {
    [[ -s $1 && $(tail -c 1 -- "$1") == "" ]] || ! alive "$2"
}

attached_or_gone() {
    grep -qs 'Attached' -- "$1" || ! alive "$2"
}

# Ids of loaded tracing programs, sorted for comm(1).
all_program_ids() {
    bpftool -j prog list 2>/dev/null | jq -r ".[] | select(.type | IN($TRACING_TYPES)) | .id" |
        LC_ALL=C sort
}

# Same, only sonde's programs (named probeN_M or sonde_*) that no live
# process holds: once sonde is gone, one of these that was not there before
# the case is a leak. Other tools' programs are not counted, even while the
# kernel is still tearing them down after their process exited.
unowned_program_ids() {
    bpftool -j prog list 2>/dev/null |
        jq -r ".[] | select(.type | IN($TRACING_TYPES)) | select((.pids // []) == [])
                   | select((.name // \"\") | test(\"^(probe[0-9]+_[0-9]+|sonde_)\")) | .id" |
        LC_ALL=C sort
}

programs_before=()   # all_program_ids when the case started
leaked=""            # what no_new_unowned_programs found

no_new_unowned_programs() {
    leaked=$(LC_ALL=C comm -13 <(printf '%s\n' "${programs_before[@]}") <(unowned_program_ids))
    [[ -z $leaked ]]
}

# ---------------------------------------------------------------------------
# Checking results. Each check appends to `problems` (one line per problem).

problems=""

problem() {
    local line prefix="  - "
    while IFS= read -r line; do
        problems+="$prefix$line"$'\n'
        prefix="      "
    done <<<"$1"
}

# expect_in_order FILE LABEL REGEXES: each regex matches a line, in order.
expect_in_order() {
    local file=$1 label=$2 regexes=$3 regex position=0
    local -a lines
    mapfile -t lines <"$file"
    while IFS= read -r regex; do
        [[ -n $regex ]] || continue
        while ((position < ${#lines[@]})) && [[ ! ${lines[position]} =~ $regex ]]; do
            position=$((position + 1))
        done
        if ((position == ${#lines[@]})); then
            problem "no $label line matches /$regex/ (after the lines matched before it)"
            return
        fi
        position=$((position + 1))
    done <<<"$regexes"
}

# expect_counts FILE LABEL SPECS: each spec "N REGEX", ">=N REGEX" or "<=N REGEX".
expect_counts() {
    local file=$1 label=$2 specs=$3 spec_line wanted regex line found
    local -a lines
    mapfile -t lines <"$file"
    while IFS= read -r spec_line; do
        [[ -n $spec_line ]] || continue
        wanted=${spec_line%% *}
        regex=${spec_line#* }
        found=0
        for line in "${lines[@]}"; do
            [[ $line =~ $regex ]] && found=$((found + 1))
        done
        case $wanted in
        \>=*) ((found >= ${wanted#>=})) && continue ;;
        \<=*) ((found <= ${wanted#<=})) && continue ;;
        *) ((found == wanted)) && continue ;;
        esac
        problem "expected $wanted $label lines matching /$regex/, found $found"
    done <<<"$specs"
}

show_file() {
    local title=$1 file=$2 total
    total=$(wc -l <"$file")
    if [[ ! -s $file ]]; then
        echo "  --- $title: empty"
        return
    fi
    echo "  --- $title ($total lines$( ((total > SHOW_LINES)) && echo ", first $SHOW_LINES"))"
    head -n "$SHOW_LINES" -- "$file" | sed 's/^/  | /'
}

# ---------------------------------------------------------------------------
# Running one case. Prints PASS/FAIL/SKIP; returns 0, 1 or $SKIP.

run_case() {
    local index=$1
    local name timeout dir command_line requires
    name=$(get "$index" NAME)
    timeout=$(get "$index" TIMEOUT)
    timeout=${timeout:-$DEFAULT_TIMEOUT}
    dir=$work_dir/case$index
    mkdir -p -- "$dir"
    problems=""
    groups=()
    placeholders=(
        [SONDE]=$sonde [SONDE_DIR]=$(dirname -- "$sonde") [HELPERS]=$helpers
        [TEST_DIR]=$test_dir [TMP]=$dir [PROG_FILE]=$dir/prog.bt
    )

    requires=$(get "$index" REQUIRES)
    if [[ -n $requires ]] && ! bash -c "$(substitute_shell "$requires")" >/dev/null 2>&1 </dev/null; then
        echo "SKIP: $name (REQUIRES failed: $requires)"
        return $SKIP
    fi

    mapfile -t programs_before < <(all_program_ids)
    local started_ms deadline
    started_ms=$(now_ms)
    deadline=$((started_ms + timeout * 1000))

    # 1. The trigger, paused: its helper writes its pid and waits for SIGUSR1.
    local trigger="" trigger_group="" helper_pid=""
    if [[ -v spec[$index.TRIGGER] ]]; then
        trigger=$(substitute_shell "$(get "$index" TRIGGER)")
        SONDE_TEST_PIDFILE=$dir/trigger.pid setsid bash -c "$trigger" \
            >"$dir/trigger.out" 2>"$dir/trigger.err" </dev/null &
        trigger_group=$!
        groups+=("$trigger_group")
        if ! wait_until $(($(now_ms) + PAUSE_TIMEOUT_MS)) paused_or_gone "$dir/trigger.pid" "$trigger_group"; then
            problem "TRIGGER did not pause within $((PAUSE_TIMEOUT_MS / 1000)) s: $trigger"
        elif [[ ! -s $dir/trigger.pid ]]; then
            problem "TRIGGER ended before sonde started (it must run a helper, which waits for the go; wrap other commands as {{HELPERS}}/idle COMMAND): $trigger"
        else
            helper_pid=$(<"$dir/trigger.pid")
            placeholders[PID]=$helper_pid
        fi
    fi

    if [[ -n $problems ]]; then
        kill -KILL -- "-$trigger_group" 2>/dev/null || true
        wait "$trigger_group" 2>/dev/null || true
        report_failure "$name" "(sonde not started)" "$dir"
        return 1
    fi

    # 2. Sonde, with PROG in a file (also {{PROG_FILE}} for RUN commands).
    substitute_text "${spec[$index.PROG]-}" >"$dir/prog.bt"
    chmod +x -- "$dir/prog.bt"
    if [[ -v spec[$index.RUN] ]]; then
        command_line=$(substitute_shell "$(get "$index" RUN)")
    else
        local args
        args=$(substitute_shell "$(get "$index" ARGS)")
        command_line=$(printf '%q' "$sonde")
        [[ -z $args ]] || command_line+=" $args"
        command_line+=" $(printf '%q' "$dir/prog.bt")"
    fi
    # A non-interactive shell starts background jobs with SIGINT ignored;
    # give sonde the default a terminal's Ctrl-C would find.
    setsid env --default-signal=INT bash -c "$command_line" \
        >"$dir/stdout" 2>"$dir/stderr" </dev/null &
    local sonde_group=$!
    groups+=("$sonde_group")

    # 3. Attached: release the trigger, wait for it, then SIGINT if asked.
    local attached=no timed_out=no
    if [[ -n $trigger || -v spec[$index.SIGNAL_AFTER_TRIGGER] ]]; then
        wait_until "$deadline" attached_or_gone "$dir/stderr" "$sonde_group" || timed_out=yes
        grep -qs 'Attached' -- "$dir/stderr" && attached=yes
    fi
    if [[ -n $trigger ]]; then
        if [[ $attached == yes ]]; then
            kill -USR1 "$helper_pid" 2>/dev/null || true
            if ! wait_until "$deadline" exited "$trigger_group"; then
                problem "TRIGGER still running after the $timeout s TIMEOUT: $trigger"
                timed_out=yes
            fi
        fi
        kill -KILL -- "-$trigger_group" 2>/dev/null || true
        local trigger_status=0
        wait "$trigger_group" 2>/dev/null || trigger_status=$?
        if [[ $attached == yes && $timed_out == no && $trigger_status != 0 ]]; then
            problem "TRIGGER exited with status $trigger_status: $trigger"
        fi
        [[ $attached == yes ]] || problem "sonde did not print \"Attached\", so the TRIGGER never ran"
    fi
    if [[ -v spec[$index.SIGNAL_AFTER_TRIGGER] && $attached == yes ]]; then
        kill -INT -- "-$sonde_group" 2>/dev/null || true
    fi

    # 4. Sonde's end, within the TIMEOUT.
    if ! wait_until "$deadline" exited "$sonde_group"; then
        timed_out=yes
    fi
    if [[ $timed_out == yes ]]; then
        problem "timed out after $timeout s (sonde killed)"
    fi
    kill -KILL -- "-$sonde_group" 2>/dev/null || true
    local status=0
    wait "$sonde_group" 2>/dev/null || status=$?
    local elapsed_ms=$(($(now_ms) - started_ms))

    # 5. Nothing left loaded (the kernel frees programs shortly after exit).
    if ! wait_until $(($(now_ms) + UNLOAD_TIMEOUT_MS)) no_new_unowned_programs; then
        problem "programs left loaded after sonde exited: ids ${leaked//$'\n'/ } (bpftool prog show id ID)"
    fi

    # 6. The expectations.
    local expected_status
    expected_status=$(get "$index" EXIT_CODE)
    expected_status=${expected_status:-0}
    [[ $timed_out == yes || $status == "$expected_status" ]] ||
        problem "exit status $status, expected $expected_status"
    if [[ -v spec[$index.EXPECT] ]]; then
        substitute_text "${spec[$index.EXPECT]}" >"$dir/expected"
        if ! cmp -s -- "$dir/expected" "$dir/stdout"; then
            problem "stdout differs from EXPECT:"$'\n'"$(diff -u --label expected --label stdout \
                -- "$dir/expected" "$dir/stdout" | head -n "$SHOW_LINES")"
        fi
    fi
    local lines wanted_lines
    wanted_lines=$(get "$index" EXPECT_LINES)
    if [[ -n $wanted_lines ]]; then
        mapfile -t lines <"$dir/stdout"
        ((${#lines[@]} == wanted_lines)) ||
            problem "expected $wanted_lines stdout lines, got ${#lines[@]}"
    fi
    expect_in_order "$dir/stdout" stdout "$(substitute_text "${spec[$index.EXPECT_REGEX]-}")"
    expect_in_order "$dir/stderr" stderr "$(substitute_text "${spec[$index.EXPECT_STDERR_REGEX]-}")"
    expect_counts "$dir/stdout" stdout "$(substitute_text "${spec[$index.EXPECT_COUNT]-}")"
    expect_counts "$dir/stderr" stderr "$(substitute_text "${spec[$index.EXPECT_STDERR_COUNT]-}")"

    if [[ -n $problems ]]; then
        report_failure "$name" "$command_line" "$dir"
        return 1
    fi
    printf 'PASS: %s (%d.%02d s)\n' "$name" $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 10))
    return 0
}

report_failure() {
    local name=$1 command=$2 dir=$3
    echo "FAIL: $name"
    echo "  command: $command"
    [[ -z ${placeholders[PID]-} ]] || echo "  {{PID}}: ${placeholders[PID]}"
    printf '%s' "$problems"
    [[ ! -e $dir/stdout ]] || show_file stdout "$dir/stdout"
    [[ ! -e $dir/stderr ]] || show_file stderr "$dir/stderr"
    [[ ! -s $dir/trigger.err ]] || show_file "trigger stderr" "$dir/trigger.err"
}

# ---------------------------------------------------------------------------

main() {
    parse_file
    validate_cases
    if ((EUID != 0)); then
        echo "SKIP: $test_label: runtime tests load BPF programs and need root"
        exit $SKIP
    fi
    local tool
    for tool in bpftool jq setsid; do
        if ! command -v "$tool" >/dev/null; then
            echo "FAIL: $test_label: $tool not found (run scripts/install-deps.sh)"
            exit 1
        fi
    done
    if [[ ! -x $sonde ]]; then
        echo "FAIL: $test_label: no sonde binary at $sonde (build it first)"
        exit 1
    fi
    work_dir=$(mktemp -d "${TMPDIR:-/tmp}/sonde-test.XXXXXX")
    # sonde's object cache: shared by the cases of this file, never the user's.
    export SONDE_CACHE_DIR=$work_dir/object-cache

    local index passed=0 failed=0 skipped=0 result
    for ((index = 0; index < case_count; index++)); do
        if [[ -n ${SONDE_TEST_CASE-} && ! $(get "$index" NAME) =~ $SONDE_TEST_CASE ]]; then
            continue
        fi
        result=0
        run_case "$index" || result=$?
        case $result in
        0) passed=$((passed + 1)) ;;
        "$SKIP") skipped=$((skipped + 1)) ;;
        *) failed=$((failed + 1)) ;;
        esac
    done
    echo "$test_label: $passed passed, $failed failed, $skipped skipped"
    ((failed == 0)) || exit 1
    ((passed > 0 || skipped == 0)) || exit $SKIP
    exit 0
}

main
