/* libbpf's messages and why a load failed. libbpf reports everything,
 * including the verifier's log of a rejected program, through one print
 * callback; this file keeps that text and turns a failure into one diag
 * pointing at the script's line:col where the verifier stopped (from the
 * program's BTF line info, verifier_lines.c), else at the probe. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "runtime/runtime_internal.h"
#include "runtime/verifier_lines.h"

/* The verifier's reason is at the end of its log; this many lines give the
 * instructions that led there without burying it. */
enum { EXCERPT_LINES = 15, PLACED_EXCERPT_LINES = 6, LIBBPF_EXCERPT_LINES = 8 };

/* libbpf's print callback takes no context pointer, so its state is static.
 * runtime_run installs the callback for one run and removes it after; only
 * one run happens at a time in a process. */
static bool echo_messages; /* -v: everything libbpf says goes to stderr as it comes */
static bool capturing;     /* from open to the end of load: kept to explain a failure */
static struct strbuf captured;
static libbpf_print_fn_t previous_print;

static int on_libbpf_message(enum libbpf_print_level level, const char *format, va_list args)
{
    (void)level;
    if (!echo_messages && !capturing)
        return 0;
    va_list copy;
    va_copy(copy, args);
    int length = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    char *text = length > 0 ? malloc((size_t)length + 1) : NULL;
    if (!text)
        return 0;
    vsnprintf(text, (size_t)length + 1, format, args);
    if (capturing)
        strbuf_append(&captured, text, (size_t)length);
    if (echo_messages)
        fputs(text, stderr);
    free(text);
    return length;
}

void runtime_log_install(bool verbose)
{
    echo_messages = verbose;
    capturing = false;
    previous_print = libbpf_set_print(on_libbpf_message);
}

void runtime_log_uninstall(void)
{
    libbpf_set_print(previous_print);
    capturing = false;
    strbuf_free(&captured);
}

void runtime_log_capture_start(void)
{
    strbuf_reset(&captured);
    capturing = true;
}

void runtime_log_capture_stop(void)
{
    capturing = false;
}

/* libbpf names the program that failed: "libbpf: prog 'NAME': ... failed ...". */
static const struct plan_program *failed_program(const struct plan *plan, const char *text,
                                                 size_t *index)
{
    static const char marker[] = "prog '";
    for (const char *at = strstr(text, marker); at; at = strstr(at + 1, marker)) {
        const char *name = at + strlen(marker);
        const char *name_end = strchr(name, '\'');
        const char *line_end = strchr(name, '\n');
        if (!name_end || (line_end && name_end > line_end))
            continue;
        const char *failed = strstr(name_end, "failed");
        if (!failed || (line_end && failed > line_end))
            continue;
        for (size_t i = 0; i < plan->programs.count; i++) {
            const struct plan_program *program = vec_get(&plan->programs, i);
            size_t length = strlen(program->function_name);
            if (length == (size_t)(name_end - name) &&
                !memcmp(name, program->function_name, length)) {
                *index = i;
                return program;
            }
        }
    }
    return NULL;
}

/* The verifier's log for `function_name`, as libbpf frames it; NULL if none. */
static const char *program_log(const char *text, const char *function_name, size_t *length)
{
    struct strbuf begin = {0};
    strbuf_printf(&begin, "prog '%s': -- BEGIN PROG LOAD LOG --\n", function_name);
    const char *start = strstr(text, strbuf_text(&begin));
    if (start)
        start += begin.length;
    strbuf_free(&begin);
    if (!start)
        return NULL;
    const char *end = strstr(start, "-- END PROG LOAD LOG --");
    *length = end ? (size_t)(end - start) : strlen(start);
    return *length ? start : NULL;
}

/* Statistics and the BTF note every context-typed program gets say nothing
 * about why the program was refused. */
static bool meaningful_line(const char *line, size_t length)
{
    static const char *const noise[] = {"processed ", "verification time", "stack depth",
                                        "arg#0 reference type('UNKNOWN ')", NULL};
    while (length > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        length--;
    }
    if (length == 0)
        return false;
    /* "; @ file.c:0": a source annotation with no source. */
    if (line[0] == ';') {
        size_t i = 1;
        while (i < length && line[i] == ' ')
            i++;
        if (i == length || line[i] == '@')
            return false;
    }
    for (const char *const *prefix = noise; *prefix; prefix++)
        if (length >= strlen(*prefix) && !memcmp(line, *prefix, strlen(*prefix)))
            return false;
    return true;
}

/* Counts the meaningful lines of `text`; appends those after the first `skip` to `out`. */
static unsigned meaningful_lines(const char *text, size_t length, struct strbuf *out, unsigned skip)
{
    const char *end = text + length;
    unsigned rank = 0;
    for (const char *line = text; line < end;) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        size_t line_length = newline ? (size_t)(newline - line) : (size_t)(end - line);
        if (meaningful_line(line, line_length)) {
            if (out && rank >= skip)
                strbuf_printf(out, "    %.*s\n", (int)line_length, line);
            rank++;
        }
        line = newline ? newline + 1 : end;
    }
    return rank;
}

/* The last `limit` meaningful lines of `text`, indented, under a heading. */
static void append_excerpt(struct strbuf *out, const char *heading, const char *text, size_t length,
                           unsigned limit)
{
    unsigned total = meaningful_lines(text, length, NULL, 0);
    unsigned skip = total > limit ? total - limit : 0;
    strbuf_printf(out, "  %s", heading);
    if (skip)
        strbuf_printf(out, " (last %u of %u lines)", limit, total);
    strbuf_puts(out, ":\n");
    meaningful_lines(text, length, out, skip);
}

/* The text of line `line` of the script (1-based), NULL past its end. */
static const char *source_line(const char *source, int line, size_t *length)
{
    for (int n = 1; source && n < line; n++) {
        source = strchr(source, '\n');
        if (source)
            source++;
    }
    if (!source || !*source)
        return NULL;
    const char *end = strchr(source, '\n');
    *length = end ? (size_t)(end - source) : strlen(source);
    return source;
}

/* The line:col the verifier stopped at, from the program's line info; the
 * probe when the log does not say (no line info, a log cut short). */
static struct srcloc rejection_loc(const struct session *session,
                                   const struct plan_program *program,
                                   const struct verifier_stop *stop)
{
    size_t length = 0;
    const char *text =
        stop->line > 0 ? source_line(session->diag->source, stop->line, &length) : NULL;
    if (!text)
        return runtime_program_loc(program);
    int column = verifier_line_column(session->plan->elf, session->plan->elf_size,
                                      program->function_name, stop->line, stop->instruction);
    if (column <= 0 || (size_t)column > length) {
        column = 1;
        while ((size_t)column <= length && (text[column - 1] == ' ' || text[column - 1] == '\t'))
            column++;
    }
    /* The caret covers the word there: the line info has no length. */
    int width = 0;
    for (size_t i = (size_t)column - 1; i < length && !strchr(" \t;,()[]{}", text[i]); i++)
        width++;
    return (struct srcloc){.line = stop->line, .column = column, .length = width ? width : 1};
}

/* A shared program (all syscall blocks of a hook) names the block the line
 * is in: blocks follow each other, so the last one starting before it. */
static const char *probe_name_at(const struct plan_program *program, int line, struct strbuf *out)
{
    const struct probe_instance *found = NULL;
    for (size_t i = 0; line > 0 && i < program->instances.count; i++) {
        const struct probe_instance *instance = vec_get(&program->instances, i);
        if (instance->loc.line <= line && (!found || instance->loc.line > found->loc.line))
            found = instance;
    }
    if (program->instances.count < 2 || !found)
        return runtime_program_probe_name(program, out);
    strbuf_reset(out);
    strbuf_puts(out, found->name);
    return strbuf_text(out);
}

static void explain_rejection(struct session *session, const struct plan_program *program,
                              const char *log, size_t log_length)
{
    struct verifier_stop stop;
    verifier_log_stop(log, log_length, &stop);
    struct srcloc loc = rejection_loc(session, program, &stop);
    struct strbuf text = {0};
    const char *probe = probe_name_at(program, stop.line, &text);
    struct diag_entry *entry =
        stop.reason[0] ? diag_error(session->diag, loc,
                                    "the kernel's verifier rejected the program for %s here: %s",
                                    probe, stop.reason)
                       : diag_error(session->diag, loc,
                                    "the kernel's verifier rejected the program for %s", probe);
    /* Placed at the statement, a few instructions before it are enough. */
    bool placed = stop.reason[0] && stop.line > 0;
    strbuf_reset(&text);
    append_excerpt(&text, "end of the verifier log", log, log_length,
                   placed ? PLACED_EXCERPT_LINES : EXCERPT_LINES);
    diag_detail(entry, strbuf_text(&text));
    diag_hint(entry, session->options->verbose ? "the whole verifier log is above"
                                               : "run with -v to see the whole verifier log");
    strbuf_free(&text);
}

static bool is_fentry_or_fexit(const struct bpf_program *program)
{
    enum bpf_attach_type attach = bpf_program__expected_attach_type(program);
    return bpf_program__type(program) == BPF_PROG_TYPE_TRACING &&
           (attach == BPF_TRACE_FENTRY || attach == BPF_TRACE_FEXIT);
}

/* Nothing names a program: say what libbpf said last. */
static void explain_object_failure(struct session *session, int error)
{
    const char *text = strbuf_text(&captured);
    struct diag_entry *entry =
        diag_error(session->diag, (struct srcloc){0},
                   "libbpf could not load the compiled BPF object: %s", strerror(-error));
    if (captured.length) {
        struct strbuf detail = {0};
        append_excerpt(&detail, "libbpf said", text, captured.length, LIBBPF_EXCERPT_LINES);
        diag_detail(entry, strbuf_text(&detail));
        strbuf_free(&detail);
    }
    if (!session->options->verbose)
        diag_hint(entry, "run with -v to see all of libbpf's messages");
}

void session__explain_load_failure(struct session *session, int error)
{
    const char *text = strbuf_text(&captured);
    size_t index = 0;
    const struct plan_program *program = failed_program(session->plan, text, &index);
    struct bpf_program *loaded = program ? session->programs[index] : NULL;
    size_t log_length = 0;
    const char *log = program ? program_log(text, program->function_name, &log_length) : NULL;

    if (error == -EPERM && loaded && is_fentry_or_fexit(loaded)) {
        struct diag_entry *entry = diag_error(session->diag, runtime_program_loc(program),
                                              "this kernel refuses fentry/fexit programs");
        diag_hint(entry, "a tracepoint on the same path may serve instead");
    } else if (log) {
        explain_rejection(session, program, log, log_length);
    } else if (error == -EPERM && (!program || geteuid() != 0)) {
        struct diag_entry *entry =
            diag_error(session->diag, (struct srcloc){0},
                       "loading BPF programs needs root (CAP_BPF, CAP_PERFMON)");
        diag_hint(entry, "run sonde as root, e.g. with sudo");
    } else if (program) {
        struct strbuf name = {0};
        diag_error(session->diag, runtime_program_loc(program),
                   "the kernel refused the program for %s: %s",
                   runtime_program_probe_name(program, &name), strerror(-error));
        strbuf_free(&name);
    } else {
        explain_object_failure(session, error);
    }
}
