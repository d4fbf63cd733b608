#!/bin/bash
# fuzz-backends.sh: the direct backend against LLVM on random arithmetic.
#
# Usage: tests/fuzz/fuzz-backends.sh SONDE [CASES] [SEED]
#
# Writes CASES (default 200) BEGIN programs of random integer expressions
# over every integer width, signed and unsigned: casts, + - * / % & | ^
# << >>, comparisons and ?:, on literals and on variables set from casts;
# each prints a dozen values and exits. Each runs twice, compiled by the
# direct backend (the default) and with SONDE_BACKEND=llvm; a case fails
# when the outputs differ, or when the direct backend did not compile it
# (so the comparison would be LLVM against itself). Needs root: the
# programs are loaded and run. Failing programs are kept in $FUZZ_OUT
# (default /tmp/sonde-fuzz-backends) with both outputs. The seed is fixed
# (default 1): runs are repeatable. Takes about a minute per 200 cases on
# 2 CPUs. Not part of `make test`.
set -euo pipefail
if [ $# -lt 1 ]; then
    sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
    exit 2
fi
sonde=$1
cases=${2:-200}
seed=${3:-1}
out=${FUZZ_OUT:-/tmp/sonde-fuzz-backends}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One program per case from awk's generator, seeded per case.
generate() {
    awk -v seed="$1" '
    function pick(n) { return int(rand() * n) }
    function leaf(   r) {
        r = rand()
        if (r < 0.4) return literals[pick(nliterals)]
        if (r < 0.7) return "$v" pick(4)
        return "(" types[pick(8)] ")" leaf()
    }
    function expr(depth,   r, op, rhs) {
        if (depth > 3 || rand() < 0.3) return leaf()
        r = rand()
        if (r < 0.6) {
            op = ops[pick(10)]
            rhs = expr(depth + 1)
            if (op == "/" || op == "%") rhs = "(" rhs " | 1)"
            if (op == "<<" || op == ">>") rhs = pick(10)
            return "(" expr(depth + 1) " " op " " rhs ")"
        }
        if (r < 0.8)
            return "(" expr(depth + 1) " " compares[pick(6)] " " expr(depth + 1) " ? " \
                   expr(depth + 1) " : " expr(depth + 1) ")"
        return "(" types[pick(8)] ")(" expr(depth + 1) ")"
    }
    BEGIN {
        srand(seed)
        split("int8 int16 int32 int64 uint8 uint16 uint32 uint64", types, " ")
        for (i = 1; i <= 8; i++) types[i - 1] = types[i]
        split("+ - * / % & | ^ << >>", ops, " ")
        for (i = 1; i <= 10; i++) ops[i - 1] = ops[i]
        split("< <= > >= == !=", compares, " ")
        for (i = 1; i <= 6; i++) compares[i - 1] = compares[i]
        nliterals = split("0 1 2 3 7 -1 -5 100 127 128 255 256 -128 32767 -32768 65535 " \
                          "2147483647 -2147483648 4294967295", literals, " ")
        for (i = 1; i <= nliterals; i++) literals[i - 1] = literals[i]
        split("-3 200 -70000 5 4000000000 -1 123456789", starts, " ")
        print "BEGIN {"
        for (i = 0; i < 4; i++)
            print "  $v" i " = (" types[pick(8)] ")" starts[pick(7) + 1] ";"
        for (i = 0; i < 12; i++)
            print "  printf(\"%d\\n\", " expr(0) ");"
        print "  exit();"
        print "}"
    }'
}

failed=0
for ((n = 0; n < cases; n++)); do
    program="$work/case$n.bt"
    generate "$((seed * 100003 + n))" >"$program"
    llvm=
    direct=$(SONDE_CACHE=0 timeout 20 "$sonde" "$program" 2>&1 || true)
    verbose=$(SONDE_CACHE=0 timeout 20 "$sonde" -v --dry-run "$program" 2>&1 || true)
    if [[ $verbose != *"(direct)"* ]]; then
        echo "case $n: not compiled by the direct backend"
    elif llvm=$(SONDE_BACKEND=llvm SONDE_CACHE=0 timeout 20 "$sonde" "$program" 2>&1) &&
        [[ $direct == "$llvm" ]]; then
        continue
    else
        echo "case $n: the outputs differ"
    fi
    failed=$((failed + 1))
    cp "$program" "$out/case$n.bt"
    printf '%s\n' "$direct" >"$out/case$n.direct"
    printf '%s\n' "$llvm" >"$out/case$n.llvm"
done
if [[ $failed == 0 ]]; then
    echo "$cases cases, none failed"
else
    echo "$cases cases, $failed failed (kept in $out)"
fi
[[ $failed == 0 ]]
