/* resolved: the text of values user space finishes at print time. Stacks and
 * symbols go through the symbolizer the runtime installs; without one (unit
 * tests, -d dumps) they print as bare addresses. */
#include "output/resolved.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output/cgroup_path.h"
#include "output/names.h"

static const struct output_symbolizer *current_symbolizer;

void output_set_symbolizer(const struct output_symbolizer *symbolizer)
{
    current_symbolizer = symbolizer;
}

bool output_is_resolved(const struct type *type)
{
    switch (type->kind) {
    case TYPE_KSTACK:
    case TYPE_USTACK:
    case TYPE_KSYM:
    case TYPE_USYM:
    case TYPE_USERNAME:
    case TYPE_TIMESTAMP:
    case TYPE_BUFFER:
    case TYPE_INET:
    case TYPE_MACADDR:
    case TYPE_NUMBER_NAME:
    case TYPE_CGROUP_PATH:
        return true;
    default:
        return false;
    }
}

static uint64_t word(const void *bytes, unsigned index)
{
    uint64_t value;
    memcpy(&value, (const char *)bytes + index * 8, 8);
    return value;
}

static void append_symbol(bool user, uint32_t pid, uint64_t address, bool offset,
                          struct strbuf *out)
{
    const struct output_symbolizer *s = current_symbolizer;
    if (!s || !s->symbol(s->context, user, pid, address, offset, out))
        strbuf_printf(out, "0x%" PRIx64, address);
}

static void append_frame(const struct type *type, uint32_t pid, uint64_t ip, unsigned indent,
                         struct strbuf *out)
{
    bool user = type->kind == TYPE_USTACK;
    const char *mode = type->name ? type->name : "bpftrace";
    if (strcmp(mode, "perf") == 0) {
        /* perf's layout: a tab, the bare address, the symbol, the module. */
        strbuf_printf(out, "\t%" PRIx64 " ", ip);
        append_symbol(user, pid, ip, true, out);
        strbuf_puts(out, " (");
        const struct output_symbolizer *s = current_symbolizer;
        if (s && s->module)
            s->module(s->context, user, pid, ip, out);
        else
            strbuf_puts(out, "[unknown]");
        strbuf_puts(out, ")\n");
        return;
    }
    strbuf_printf(out, "%*s", (int)indent, "");
    if (strcmp(mode, "raw") == 0)
        strbuf_printf(out, "%" PRIx64, ip);
    else
        append_symbol(user, pid, ip, true, out);
    strbuf_putc(out, '\n');
}

enum { MAX_FRAMES = 127 };

static void append_stack(const struct type *type, const void *bytes, unsigned indent,
                         struct strbuf *out)
{
    int64_t id = (int64_t)word(bytes, 0);
    uint32_t pid = (uint32_t)word(bytes, 1);
    uint64_t ips[MAX_FRAMES];
    unsigned count = 0;
    const struct output_symbolizer *s = current_symbolizer;
    if (s && id >= 0)
        count = s->stack(s->context, type->kind == TYPE_USTACK, type->length, id, ips,
                         type->length < MAX_FRAMES ? type->length : MAX_FRAMES);
    strbuf_putc(out, '\n');
    for (unsigned i = 0; i < count; i++)
        append_frame(type, pid, ips[i], indent, out);
}

static void append_username(uint64_t uid, struct strbuf *out)
{
    struct passwd *entry = getpwuid((uid_t)uid);
    if (entry)
        strbuf_puts(out, entry->pw_name);
    else
        strbuf_printf(out, "%" PRIu64, uid);
}

/* The bytes of a buffer, at most its capacity (the probe clamps the length). */
void output_format_buffer(const struct type *type, const void *bytes,
                          enum output_buffer_style style, struct strbuf *out)
{
    uint64_t length = word(bytes, 0);
    if (length > type->length)
        length = type->length;
    const unsigned char *data = (const unsigned char *)bytes + 8;
    for (uint64_t i = 0; i < length; i++) {
        if (style == OUTPUT_BUFFER_SPACED)
            strbuf_printf(out, i ? " %02x" : "%02x", data[i]);
        else if (style == OUTPUT_BUFFER_ESCAPED && data[i] >= 32 && data[i] <= 126)
            strbuf_putc(out, (char)data[i]);
        else
            strbuf_printf(out, "\\x%02x", data[i]);
    }
}

/* {u64 family, u8 address[16]}: AF_INET uses the first 4 bytes. */
static void append_inet(const void *bytes, struct strbuf *out)
{
    int family = (int)word(bytes, 0);
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(family, (const char *)bytes + 8, text, sizeof(text)))
        strbuf_puts(out, text);
    else
        strbuf_puts(out, "<unknown address family>");
}

static void append_macaddr(const void *bytes, struct strbuf *out)
{
    const unsigned char *mac = bytes;
    strbuf_printf(out, "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3], mac[4],
                  mac[5]);
}

/* strerror(), syscall_name(), signal_name(): the type names the table. */
static void append_number_name(const char *function, int64_t number, struct strbuf *out)
{
    if (strcmp(function, "strerror") == 0)
        output_errno_text(number, out);
    else if (strcmp(function, "syscall_name") == 0)
        output_syscall_text(number, out);
    else
        output_signal_text(number, out);
}

void output_format_resolved(const struct type *type, const void *bytes, unsigned indent,
                            struct strbuf *out)
{
    switch (type->kind) {
    case TYPE_KSTACK:
    case TYPE_USTACK:
        append_stack(type, bytes, indent, out);
        break;
    case TYPE_KSYM:
        append_symbol(false, 0, word(bytes, 0), false, out);
        break;
    case TYPE_USYM:
        append_symbol(true, (uint32_t)word(bytes, 1), word(bytes, 0), false, out);
        break;
    case TYPE_USERNAME:
        append_username(word(bytes, 0), out);
        break;
    case TYPE_TIMESTAMP:
        output_format_time(type->name, word(bytes, 0), out);
        break;
    case TYPE_BUFFER:
        output_format_buffer(type, bytes, OUTPUT_BUFFER_ESCAPED, out);
        break;
    case TYPE_INET:
        append_inet(bytes, out);
        break;
    case TYPE_MACADDR:
        append_macaddr(bytes, out);
        break;
    case TYPE_NUMBER_NAME:
        append_number_name(type->name, (int64_t)word(bytes, 0), out);
        break;
    case TYPE_CGROUP_PATH:
        output_cgroup_path(word(bytes, 0), type->name, out);
        break;
    default:
        break;
    }
}

/* `%f` is bpftrace's: the microseconds of the time, six digits. strftime
 * does not know it, so it is replaced first (keeping `%%f` literal). */
static void expand_microseconds(const char *format, long microseconds, struct strbuf *out)
{
    for (const char *p = format; *p; p++) {
        if (p[0] == '%' && p[1] == 'f') {
            strbuf_printf(out, "%06ld", microseconds);
            p++;
        } else if (p[0] == '%' && p[1]) {
            strbuf_putc(out, p[0]);
            strbuf_putc(out, p[1]);
            p++;
        } else {
            strbuf_putc(out, *p);
        }
    }
}

static void append_strftime(const char *format, struct timespec when, struct strbuf *out)
{
    struct strbuf expanded = {0};
    expand_microseconds(format ? format : "", when.tv_nsec / 1000, &expanded);
    struct tm local;
    time_t seconds = when.tv_sec;
    localtime_r(&seconds, &local);
    char text[1024];
    size_t length = strftime(text, sizeof(text), strbuf_text(&expanded), &local);
    strbuf_append(out, text, length);
    strbuf_free(&expanded);
}

static int64_t timespec_ns(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* bpftrace's strftime takes nanoseconds since boot: add when boot was. */
void output_format_time(const char *format, uint64_t boot_ns, struct strbuf *out)
{
    struct timespec realtime, boottime;
    clock_gettime(CLOCK_REALTIME, &realtime);
    clock_gettime(CLOCK_BOOTTIME, &boottime);
    int64_t wall = timespec_ns(realtime) - timespec_ns(boottime) + (int64_t)boot_ns;
    struct timespec when = {.tv_sec = wall / 1000000000, .tv_nsec = wall % 1000000000};
    if (when.tv_nsec < 0) {
        when.tv_nsec += 1000000000;
        when.tv_sec--;
    }
    append_strftime(format, when, out);
}

void output_format_now(const char *format, struct strbuf *out)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    append_strftime(format, now, out);
}
