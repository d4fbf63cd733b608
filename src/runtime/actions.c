/* Actions a probe asks user space to carry out: time() prints the wall
 * clock, system() runs a command through /bin/sh (--unsafe), cat() prints a
 * file, errorf() reports with the call's place, join() prints strings on one
 * line. Each one happens when its record is read, in order with printf; the
 * output decides how each shows (JSON: a message type of its own). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codegen/plan.h"
#include "output/output.h"
#include "output/resolved.h"
#include "runtime/runtime_internal.h"

/* system() and cat() records are printf records: render their text. */
static bool render_format(struct session *session, uint32_t id, const char *payload, size_t size,
                          struct strbuf *out)
{
    const struct plan *plan = session->plan;
    if (id >= plan->printfs.count)
        return false;
    const struct plan_printf *printf_plan = vec_get(&plan->printfs, id);
    if (size < printf_plan->record_size)
        return false;
    for (unsigned i = 0; i < printf_plan->arg_count; i++)
        session->values[i] = payload + printf_plan->arg_offsets[i];
    printf_format_render(printf_plan->format, (const struct type *const *)printf_plan->arg_types,
                         (const void *const *)session->values,
                         &session->output->names, out);
    return true;
}

static void show(struct session *session, enum output_action action, const struct strbuf *text)
{
    output_action(session->output, action, strbuf_text(text), text->length);
}

static void time_action(struct session *session, const char *payload, size_t size)
{
    struct strbuf format = {0}, text = {0};
    strbuf_append(&format, payload, strnlen(payload, size));
    output_format_now(strbuf_text(&format), &text);
    /* bpftrace shows nothing when strftime() makes nothing. */
    if (text.length)
        show(session, OUTPUT_ACTION_TIME, &text);
    strbuf_free(&format);
    strbuf_free(&text);
}

/* The command's output joins ours, in order: it goes through the output. */
static void system_action(struct session *session, const char *command)
{
    session->output->ops->flush(session->output);
    FILE *pipe = popen(command, "r");
    if (!pipe) {
        fprintf(session->output->err, "ERROR: system(\"%s\") failed: %s\n", command,
                strerror(errno));
        return;
    }
    struct strbuf text = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), pipe)) > 0)
        strbuf_append(&text, chunk, got);
    pclose(pipe);
    show(session, OUTPUT_ACTION_SYSTEM, &text);
    strbuf_free(&text);
}

/* As in bpftrace, a file that cannot be read still shows (empty): JSON
 * consumers get one "cat" message per call. */
static void cat_action(struct session *session, const char *path)
{
    struct strbuf text = {0};
    FILE *file = fopen(path, "r");
    if (file) {
        /* At most max_cat_bytes of the file, as bpftrace. */
        char chunk[4096];
        size_t left = session->options->max_cat_bytes ? session->options->max_cat_bytes
                                                       : RUNTIME_DEFAULT_MAX_CAT_BYTES;
        size_t got;
        while (left > 0 && (got = fread(chunk, 1, left < sizeof(chunk) ? left : sizeof(chunk),
                                        file)) > 0) {
            strbuf_append(&text, chunk, got);
            left -= got;
        }
        fclose(file);
    } else {
        fprintf(session->output->err, "ERROR: failed to open file '%s': %s\n", path,
                strerror(errno));
    }
    show(session, OUTPUT_ACTION_CAT, &text);
    strbuf_free(&text);
}

static void errorf_action(struct session *session, uint32_t id, const char *text)
{
    const struct plan_printf *printf_plan = vec_get(&session->plan->printfs, id);
    struct srcloc loc = printf_plan->loc;
    struct output_script_message message = {
        .severity = OUTPUT_SEVERITY_ERROR,
        .text = text,
        .filename = session->diag->filename ? session->diag->filename : "stdin",
        .line = loc.line,
        .column = loc.column,
        .end_column = loc.column + loc.length,
    };
    output_script_message(session->output, &message);
}

/* The strings a probe read, printed on one line with the separator (the
 * text output ends the line). */
static void join_action(struct session *session, uint32_t slot_size, const char *payload,
                        size_t size)
{
    uint32_t count, separator_bytes;
    if (size < 8)
        return;
    memcpy(&count, payload, 4);
    memcpy(&separator_bytes, payload + 4, 4);
    size_t strings = 8 + (size_t)separator_bytes;
    if (strings > size || (size - strings) / (slot_size ? slot_size : 1) < count)
        return;
    const char *separator = payload + 8;
    struct strbuf text = {0};
    for (uint32_t i = 0; i < count; i++) {
        const char *string = payload + strings + (size_t)i * slot_size;
        if (i)
            strbuf_append(&text, separator, strnlen(separator, separator_bytes));
        strbuf_append(&text, string, strnlen(string, slot_size));
    }
    show(session, OUTPUT_ACTION_JOIN, &text);
    strbuf_free(&text);
}

bool session__handle_action_event(struct session *session, uint32_t kind, uint32_t id,
                                  const char *payload, size_t size)
{
    if (kind == EVENT_TIME) {
        time_action(session, payload, size);
        return true;
    }
    if (kind == EVENT_JOIN) {
        join_action(session, id, payload, size);
        return true;
    }
    if (kind != EVENT_SYSTEM && kind != EVENT_CAT && kind != EVENT_ERRORF)
        return false;
    struct strbuf text = {0};
    if (render_format(session, id, payload, size, &text)) {
        if (kind == EVENT_SYSTEM)
            system_action(session, strbuf_text(&text));
        else if (kind == EVENT_ERRORF)
            errorf_action(session, id, strbuf_text(&text));
        else
            cat_action(session, strbuf_text(&text));
    }
    strbuf_free(&text);
    return true;
}
