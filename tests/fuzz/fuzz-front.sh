#!/bin/bash
# fuzz-front.sh: feed sonde's front end and type checker mutated programs.
#
# Usage: tests/fuzz/fuzz-front.sh SONDE [CASES] [SEED] [JOBS]
#
# Takes every program text in tests/runtime/*.test (PROG values and -e
# programs), examples/*.bt and /usr/sbin/*.bt, and runs SONDE on mutated
# copies: truncated at token boundaries and byte offsets, single characters
# deleted/duplicated/swapped, tokens of the language inserted or replaced,
# runs of tokens deleted, repeated thousands of times or spliced in from
# another program.
# Each run is `SONDE --emit-elf /dev/null [-d ast] prog.bt` with a limit of
# 10 s: nothing is loaded into the kernel. A run fails when it
# exits with anything but 0 or 1, dies on a signal, times out, prints a
# sanitizer report, or prints an error line without file:line:col. Build
# SONDE with -fsanitize=address,undefined to catch memory errors, e.g.
#   cmake -S . -B /tmp/build-asan -DCMAKE_C_FLAGS='-fsanitize=address,undefined
#     -fno-omit-frame-pointer' -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined
# Leak checks are off (ASAN_OPTIONS=detect_leaks=0): the syntax tree lives
# in an arena for the whole run and its lists are freed with the process.
# Set UBSAN_OPTIONS=suppressions=FILE to silence a known report while
# looking for others. The seed is fixed (default 1) and CASES (default 3000)
# bounds the run: it is repeatable and takes 2-3 minutes on 2 CPUs with the
# sanitizer build. Failing inputs are kept in $FUZZ_OUT (default
# /tmp/sonde-fuzz), each with sonde's stderr beside it. Not part of
# `make test`.
set -euo pipefail
if [ $# -lt 1 ]; then
    sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
    exit 2
fi
SONDE=$(realpath "$1")
CASES=${2:-3000}
SEED=${3:-1}
JOBS=${4:-$(nproc)}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_OUT:-/tmp/sonde-fuzz}
mkdir -p "$OUT"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
export SONDE_CACHE_DIR=${SONDE_CACHE_DIR:-$OUT/cache}
exec python3 - "$SONDE" "$CASES" "$SEED" "$JOBS" "$REPO" "$OUT" <<'PY'
import concurrent.futures, glob, os, random, re, subprocess, sys, tempfile

sonde, cases, seed, jobs, repo, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5], sys.argv[6]

def test_programs(path):
    """PROG values (one line or heredoc) and -e '...' programs of a .test file."""
    progs, lines, i = [], open(path, errors="replace").read().split("\n"), 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(PROG|RUN) <<(\S+)$", line)
        if m:
            j = lines.index(m.group(2), i + 1) if m.group(2) in lines[i + 1:] else len(lines)
            body = "\n".join(lines[i + 1:j]) + "\n"
            if m.group(1) == "PROG":
                progs.append(body)
            else:
                progs += re.findall(r"-e '([^']*)'", body)
            i = j + 1
            continue
        if line.startswith("PROG "):
            progs.append(line[5:] + "\n")
        elif line.startswith("RUN "):
            progs += re.findall(r"-e '([^']*)'", line)
        i += 1
    # Placeholders of the runner: any plausible value parses the same.
    return [re.sub(r"\{\{PID\}\}", "1", re.sub(r"\{\{HELPERS\}\}", "/bin", p)) for p in progs]

corpus = []
for t in sorted(glob.glob(os.path.join(repo, "tests/runtime/*.test"))):
    corpus += test_programs(t)
for bt in sorted(glob.glob(os.path.join(repo, "examples/*.bt")) + glob.glob("/usr/sbin/*.bt")):
    corpus.append(open(bt, errors="replace").read())
corpus = sorted(set(p for p in corpus if p.strip()))

TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|\$\w+|@\w*|[A-Za-z_]\w*|0x[0-9a-fA-F]+|\d+'
                   r'|->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|[-+*/%&|^]=|\s+|.', re.S)
INSERTS = ["{", "}", "(", ")", "[", "]", ";", ",", ":", "?", "=", "==", "+", "-", "*", "/", "%",
           "&", "|", "^", "!", "~", "<<", ">>", "<", ">", "->", ".", "++", "--", "&&", "||",
           "$1", "$#", "@", "@x", "@x[1]", "$x", "0", "-1", "0xffffffffffffffff",
           "18446744073709551616", "99999999999999999999999", "\"\"", "\"%d%s%\"", "\"\\",
           "'", "\"", "#", "/*", "*/", "//", "\\", "\0", "\xff", "if", "else", "unroll", "while",
           "for", "return", "break", "continue", "let", "macro", "fn", "import", "config",
           "BEGIN", "END", "begin", "end", "interval:s:1", "tracepoint:syscalls:sys_enter_read",
           "uprobe:/bin/sh:main", "kprobe:f", "args", "args->", "retval", "pid", "comm", "str(",
           "printf(", "print(", "count()", "hist(", "lhist(", "sizeof(", "offsetof(", "(int8)",
           "(struct task_struct *)", "struct", "kstack", "ustack(", "nsecs", "curtask", "buf(",
           "exit()", "delete(", "clear(", "has_key(", "tuple", "(1,2)", ".0", ".1", "@x[1,2]",
           "#include <linux/sched.h>", "#define X 1\n", "\n", " ", "[1:2]", "$", "0b101", "1e3"]

def close_brackets(toks):
    """Closes what a truncation left open, so that the rest reaches the type checker."""
    stack = []
    for t in toks:
        if t in "({[":
            stack.append({"(": ")", "{": "}", "[": "]"}[t])
        elif t in ")}]" and stack and stack[-1] == t:
            stack.pop()
    return "".join(toks) + "".join(reversed(stack))

def mutate(rng, text, corpus):
    toks = TOKEN.findall(text)
    if not toks:    # an earlier mutation left nothing
        return rng.choice(INSERTS)
    kind = rng.randrange(12)
    if kind == 0:   # truncate at a token boundary
        return "".join(toks[:rng.randrange(len(toks) + 1)])
    if kind == 1:   # truncate at a byte offset
        return text[:rng.randrange(len(text) + 1)]
    if kind == 2:   # truncate, then close the open brackets
        return close_brackets(toks[:rng.randrange(len(toks) + 1)])
    pos = rng.randrange(len(text) + 1)
    if kind == 3:   # delete a character
        return text[:pos] + text[pos + 1:]
    if kind == 4:   # duplicate a character
        return text[:pos] + text[pos:pos + 1] + text[pos:]
    if kind == 5:   # swap two neighbours
        return text[:pos] + text[pos + 1:pos + 2] + text[pos:pos + 1] + text[pos + 2:]
    i = rng.randrange(len(toks) + 1)
    if kind == 6:   # insert a token of the language
        return "".join(toks[:i] + [rng.choice(INSERTS)] + toks[i:])
    if kind == 7:   # replace a token, by the language's or the program's own
        pool = INSERTS if rng.random() < 0.5 else toks
        return "".join(toks[:i] + [rng.choice(pool)] + toks[i + 1:])
    if kind == 8:   # delete a run of tokens
        return "".join(toks[:i] + toks[i + rng.randrange(1, 6):])
    if kind == 9:   # splice in a run of tokens from another program
        other = TOKEN.findall(rng.choice(corpus))
        j = rng.randrange(len(other) + 1)
        return "".join(toks[:i] + other[j:j + rng.randrange(1, 12)] + toks[i:])
    if kind == 10:  # repeat a run of tokens, up to thousands of times
        run = toks[i:i + rng.randrange(1, 4)]
        return "".join(toks[:i] + run * rng.choice((2, 10, 100, 3000)) + toks[i:])
    j = rng.randrange(len(toks) + 1)   # move a token elsewhere
    if i >= len(toks):
        return text
    t = toks.pop(i)
    toks.insert(min(j, len(toks)), t)
    return "".join(toks)

LOC = re.compile(r"^[^\s:]+:\d+:\d+: (error|warning|note)")
BAD = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer|"
                 r"Assertion .* failed|Segmentation fault|double free|stack smashing")

def check(index, text, mode):
    with tempfile.TemporaryDirectory() as d:
        prog = os.path.join(d, "prog.bt")
        with open(prog, "w", errors="surrogateescape") as f:
            f.write(text)
        args = ["--emit-elf", "/dev/null"] + (["-d", "ast"] if mode else [])
        p = subprocess.Popen([sonde] + args + [prog], cwd=d, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        try:
            _, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            _, err = p.communicate()
            p.returncode = "timeout"
    err = err.decode(errors="replace")
    problems = []
    if p.returncode == "timeout":
        problems.append("timeout")
    elif p.returncode < 0:
        problems.append("signal %d" % -p.returncode)
    elif p.returncode not in (0, 1):
        problems.append("exit status %d" % p.returncode)
    if BAD.search(err):
        problems.append("sanitizer or crash report")
    for line in err.splitlines():
        if re.search(r"\berror\b", line, re.I) and not LOC.match(line) and \
                not line.startswith(" ") and "hint:" not in line:
            problems.append("error without file:line:col: " + line[:120])
            break
    if p.returncode == 1 and not any(LOC.match(l) for l in err.splitlines()):
        problems.append("exit 1 without a located error")
    if problems:
        name = os.path.join(out, "case-%05d.bt" % index)
        with open(name, "w", errors="surrogateescape") as f:
            f.write(text)
        with open(name + ".stderr", "w") as f:
            f.write(" ".join(args) + "\n" + "; ".join(problems) + "\n" + err)
        return index, problems, name, p.returncode
    return index, None, None, p.returncode

rng = random.Random(seed)
work = []
for n in range(cases):
    text = rng.choice(corpus)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        text = mutate(rng, text, corpus)
    work.append((n, text, n % 2))
print("%d programs in the corpus, %d cases, seed %d" % (len(corpus), cases, seed), flush=True)
failed, accepted = 0, 0
with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    for index, problems, name, status in pool.map(lambda w: check(*w), work):
        accepted += status == 0
        if problems:
            failed += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)), flush=True)
print("%d of %d cases failed; %d compiled, the rest were rejected" % (failed, cases, accepted))
sys.exit(1 if failed else 0)
PY
