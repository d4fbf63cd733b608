/* The function library's argument checks, with the exact place of each
 * error, and the text of values user space finishes (resolved.c). Probes are
 * BEGIN/END so no kernel access is needed. */
#include "ast/sema_functions.h"
#include "output/resolved.h"
#include "sema_fixture.h"

#include <signal.h>

static void check_source(struct checked *out, const char *source, bool unsafe)
{
    struct sema_options options = {.max_strlen = 64, .unsafe = unsafe};
    check_with(out, source, &options);
}

static void accepts_with(const char *source, bool unsafe)
{
    struct sema_options options = {.max_strlen = 64, .unsafe = unsafe};
    expect_accepted(source, &options);
}

static void accepts(const char *source)
{
    accepts_with(source, false);
}

static void rejects(const char *source, int column, const char *text)
{
    struct sema_options options = {.max_strlen = 64};
    expect_error(source, &options, 0, column, text);
}

static void test_builtins(void)
{
    accepts("BEGIN { printf(\"%d %d %d %s\\n\", rand, cgroup, numaid, username); }");
    accepts("BEGIN { @[kstack] = count(); @u[ustack] = count(); }");
    accepts("BEGIN { @[username] = count(); }");
}

static void test_stacks(void)
{
    accepts("BEGIN { @[kstack(3)] = count(); @p[ustack(perf)] = count(); @r[kstack(raw, 5)] = "
            "count(); }");
    accepts("BEGIN { printf(\"%s\\n\", kstack(perf, 10)); }");
    rejects("BEGIN { @[kstack(fast)] = count(); }", 18, "unknown stack mode 'fast'");
    rejects("BEGIN { @[kstack(0)] = count(); }", 18,
            "frame limit must be an integer literal from 1 to 127");
    rejects("BEGIN { @[ustack(perf, 200)] = count(); }", 24, "from 1 to 127");
    rejects("BEGIN { @[kstack(3, 4)] = count(); }", 21, "a mode and then a frame limit");
}

static void test_time(void)
{
    accepts(
        "BEGIN { printf(\"%s\\n\", strftime(\"%H:%M:%S.%f\", nsecs)); time(); time(\"%Y\\n\"); }");
    rejects("BEGIN { printf(\"%s\\n\", strftime(comm, nsecs)); }", 33,
            "format must be a string literal");
    rejects("BEGIN { printf(\"%s\\n\", strftime(\"%H\", comm)); }", 39,
            "integer time in nanoseconds");
    rejects("BEGIN { time(comm); }", 14, "time()'s format must be a string literal");
    rejects("BEGIN { time(\"a\", \"b\"); }", 9, "time() takes at most 1 argument");
}

static void test_symbols(void)
{
    accepts("BEGIN { printf(\"%s %s\\n\", ksym(0), usym(0)); @[ksym(1)] = count(); }");
    rejects("BEGIN { printf(\"%s\\n\", ksym(comm)); }", 29, "ksym() takes an integer address");
    rejects("BEGIN { printf(\"%d\\n\", kaddr(pid)); }", 30, "symbol name must be a string literal");
    rejects("BEGIN { printf(\"%d\\n\", kaddr(\"no_such_symbol_xyz\")); }", 30,
            "no kernel symbol 'no_such_symbol_xyz'");
}

static void test_unsafe(void)
{
    rejects("BEGIN { system(\"ls\"); }", 9, "system() changes the system: run sonde with --unsafe");
    rejects("BEGIN { signal(\"KILL\"); }", 9,
            "signal() sends signals to processes: run sonde with --unsafe");
    accepts_with("BEGIN { system(\"echo %d\", pid); signal(\"SIGUSR1\"); signal(9); }", true);
    accepts("BEGIN { cat(\"/proc/%d/status\", pid); }");
    rejects("BEGIN { cat(\"%d\"); }", 9, "1 conversion but 0 arguments");

    struct checked checked;
    check_source(&checked, "BEGIN { signal(\"SIGNOPE\"); }", true);
    const struct diag_entry *error = first_error(&checked);
    CHECK(error && error->loc.column == 16 && strstr(error->message, "unknown signal 'SIGNOPE'"));
    release(&checked);
    check_source(&checked, "BEGIN { signal(99); }", true);
    error = first_error(&checked);
    CHECK(error && error->loc.column == 16 && strstr(error->message, "not a signal number"));
    release(&checked);
}

static void test_strings(void)
{
    accepts("BEGIN { if (strncmp(comm, \"sonde\", 3) == 0) { exit(); } }");
    accepts("BEGIN { if (strcontains(comm, \"on\")) { exit(); } }");
    rejects("BEGIN { strncmp(comm, pid, 3); }", 23, "strncmp() compares strings, got uint32");
    rejects("BEGIN { strncmp(comm, \"x\", pid); }", 28, "length must be an integer literal");
    rejects("BEGIN { strcontains(1, \"x\"); }", 21, "strcontains() compares strings");
}

static void test_signal_names(void)
{
    CHECK(sema_signal_number("SIGUSR1") == SIGUSR1);
    CHECK(sema_signal_number("KILL") == SIGKILL);
    CHECK(sema_signal_number("15") == 15);
    CHECK(sema_signal_number("SIGBOGUS") == 0);
}

static void test_resolved_text(void)
{
    struct strbuf text = {0};
    /* bpftrace's %f is six digits of microseconds; format only the sub-second part. */
    output_format_time("%f", 123456789, &text);
    CHECK(text.length == 6);
    strbuf_reset(&text);

    struct type username = {.kind = TYPE_USERNAME, .size = 8, .align = 8};
    uint64_t uid = 0;
    output_format_resolved(&username, &uid, 4, &text);
    CHECK_STR(strbuf_text(&text), "root");
    strbuf_reset(&text);

    /* Without the runtime's symbolizer, a stack is just its line break. */
    struct type kstack = {
        .kind = TYPE_KSTACK, .size = 16, .align = 8, .length = 127, .name = "bpftrace"};
    uint64_t stack[2] = {5, 0};
    output_format_resolved(&kstack, stack, 4, &text);
    CHECK_STR(strbuf_text(&text), "\n");
    strbuf_reset(&text);

    struct type ksym = {.kind = TYPE_KSYM, .size = 8, .align = 8};
    uint64_t address = 0xffff1234;
    output_format_resolved(&ksym, &address, 4, &text);
    CHECK_STR(strbuf_text(&text), "0xffff1234");
    strbuf_free(&text);
}

static void test_buffers(void)
{
    accepts("BEGIN { printf(\"%r %rx %rh\\n\", buf(\"ab\", 2), buf(0, 4), buf(comm)); }");
    rejects("BEGIN { printf(\"%r\\n\", buf(0)); }", 24, "buf() of a pointer needs a length");
    rejects("BEGIN { printf(\"%r\\n\", buf(0, 100)); }", 31,
            "buf() length 100 exceeds the maximum of 64");
    rejects("BEGIN { printf(\"%r\\n\", buf(0, comm)); }", 31, "buf()'s length must be an integer");
    rejects("BEGIN { printf(\"%r\\n\", buf((1, 2), 2)); }", 28,
            "buf() reads bytes from an address");
    rejects("BEGIN { printf(\"%r\\n\", pid); }", 24,
            "%r expects a buffer (from buf()), got uint32");
    rejects("BEGIN { printf(\"%rh\\n\", comm); }", 25, "%rh expects a buffer");
}

static void test_addresses(void)
{
    accepts(
        "BEGIN { printf(\"%s %s %s\\n\", ntop(0x0100007f), ntop(2, 1), ntop(pton(\"::1\"))); }");
    accepts("BEGIN { @[ntop(pton(\"10.0.0.1\"))] = count(); @m = macaddr(0); }");
    accepts("BEGIN { $a = pton(\"1.2.3.4\"); $b = pton(\"fe80::1\"); }");
    rejects("BEGIN { printf(\"%s\\n\", ntop(comm)); }", 29,
            "ntop() takes an integer, char[4] or char[16]");
    rejects("BEGIN { printf(\"%s\\n\", ntop(comm, 1)); }", 29, "address family must be an integer");
    rejects("BEGIN { $a = pton(\"1.2.3\"); }", 19,
            "pton(): '1.2.3' is not an IPv4 or IPv6 address");
    rejects("BEGIN { $a = pton(comm); }", 19, "pton()'s address must be a string literal");
    rejects("BEGIN { printf(\"%s\\n\", macaddr(pton(\"1.2.3.4\"))); }", 32,
            "must be 6 bytes, got uint8[4]");
    rejects("BEGIN { printf(\"%s\\n\", macaddr(comm)); }", 32,
            "macaddr() takes an address or a 6-byte array");

    unsigned char bytes[16];
    CHECK(sema_parse_address("1.2.3.4", bytes) == 4 && bytes[0] == 1 && bytes[3] == 4);
    CHECK(sema_parse_address("::1", bytes) == 16 && bytes[15] == 1 && bytes[0] == 0);
    CHECK(sema_parse_address("1.2.3", bytes) == 0);
    CHECK(sema_parse_address("fe80::1::2", bytes) == 0);
}

static void test_more_functions(void)
{
    accepts("BEGIN { errorf(\"bad %d %s\", 1, comm); printf(\"%d\\n\", strlen(comm)); }");
    rejects("BEGIN { join(comm); }", 14, "join() takes an integer address");
    rejects("BEGIN { join(0, comm); }", 17, "separator must be a string literal");
    rejects("BEGIN { errorf(\"%d\"); }", 9, "1 conversion but 0 arguments");
    rejects("BEGIN { $n = strlen(1); }", 21, "strlen() compares strings, got");
    rejects("BEGIN { $i = cgroupid(comm); }", 23, "cgroup path must be a string literal");
    rejects("BEGIN { $i = cgroupid(\"/nonexistent/cgroup\"); }", 23,
            "cannot get the id of '/nonexistent/cgroup'");
    rejects("BEGIN { $p = path(0); }", 14, "path() needs an fentry, fexit or lsm probe, not BEGIN");
    rejects("BEGIN { $p = uaddr(\"x\"); }", 14, "uaddr() needs a uprobe or uretprobe");
}

static void test_buffer_text(void)
{
    struct strbuf text = {0};
    struct type buffer = {.kind = TYPE_BUFFER, .size = 16, .align = 8, .length = 8};
    unsigned char bytes[16] = {5, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 1, 'c', '\n', 'z', 'z', 'z'};
    output_format_buffer(&buffer, bytes, OUTPUT_BUFFER_ESCAPED, &text);
    CHECK_STR(strbuf_text(&text), "ab\\x01c\\x0a");
    strbuf_reset(&text);
    output_format_buffer(&buffer, bytes, OUTPUT_BUFFER_HEX, &text);
    CHECK_STR(strbuf_text(&text), "\\x61\\x62\\x01\\x63\\x0a");
    strbuf_reset(&text);
    output_format_buffer(&buffer, bytes, OUTPUT_BUFFER_SPACED, &text);
    CHECK_STR(strbuf_text(&text), "61 62 01 63 0a");
    strbuf_reset(&text);
    /* A length beyond the capacity is cut to it. */
    bytes[0] = 200;
    output_format_buffer(&buffer, bytes, OUTPUT_BUFFER_SPACED, &text);
    CHECK_STR(strbuf_text(&text), "61 62 01 63 0a 7a 7a 7a");
    strbuf_reset(&text);

    struct type inet = {.kind = TYPE_INET, .size = 24, .align = 8};
    unsigned char address[24] = {2, 0, 0, 0, 0, 0, 0, 0, 192, 168, 1, 7};
    output_format_resolved(&inet, address, 4, &text);
    CHECK_STR(strbuf_text(&text), "192.168.1.7");
    strbuf_reset(&text);
    unsigned char address6[24] = {10, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x80};
    address6[23] = 1;
    output_format_resolved(&inet, address6, 4, &text);
    CHECK_STR(strbuf_text(&text), "fe80::1");
    strbuf_reset(&text);

    struct type mac = {.kind = TYPE_MACADDR, .size = 8, .align = 8};
    unsigned char mac_bytes[8] = {0x18, 0xc0, 0x4d, 0x08, 0x2e, 0xbb};
    output_format_resolved(&mac, mac_bytes, 4, &text);
    CHECK_STR(strbuf_text(&text), "18:C0:4D:08:2E:BB");
    strbuf_free(&text);
}

int main(void)
{
    test_builtins();
    test_stacks();
    test_time();
    test_symbols();
    test_unsafe();
    test_strings();
    test_signal_names();
    test_resolved_text();
    test_buffers();
    test_addresses();
    test_more_functions();
    test_buffer_text();
    return TEST_DONE();
}
