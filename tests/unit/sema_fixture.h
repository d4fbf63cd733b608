/* The front half of the pipeline (parse, config, macros, probe expansion,
 * type check) for the type-checker tests, with checks that an input is
 * accepted or rejected at an exact place. Probes are BEGIN/END/interval, so
 * nothing touches the kernel. */
#ifndef SONDE_TESTS_UNIT_SEMA_FIXTURE_H
#define SONDE_TESTS_UNIT_SEMA_FIXTURE_H

#include "ast/config.h"
#include "ast/sema.h"
#include "base/strbuf.h"
#include "front/parse.h"
#include "probes/probe.h"
#include "test.h"

struct checked {
    struct arena arena;
    struct diag diag;
    struct sema_result result;
    struct ast_program *program;
    int status; /* 0 when every stage accepted the script */
};

static void check_with(struct checked *out, const char *source, const struct sema_options *options)
{
    arena_init(&out->arena);
    diag_init(&out->diag, "test.bt", source);
    out->result = (struct sema_result){0};
    out->status = -1;
    out->program = front_parse(source, &out->arena, &out->diag);
    if (!out->program || ast_config_check(out->program, &out->diag) != 0 ||
        ast_expand_macros(out->program, &out->arena, &out->diag) != 0)
        return;
    struct probe_env env = {.arena = &out->arena, .tracefs = "/nonexistent"};
    if (probes_expand_program(out->program, &env, &out->diag) != 0)
        return;
    out->status = sema_check_program(out->program, options, &out->arena, &out->result, &out->diag);
}

static void release(struct checked *checked)
{
    sema_result_free(&checked->result);
    diag_free(&checked->diag);
    arena_free(&checked->arena);
}

static const struct diag_entry *first_error(const struct checked *checked)
{
    for (size_t i = 0; i < checked->diag.entries.count; i++) {
        const struct diag_entry *entry = vec_get(&checked->diag.entries, i);
        if (entry->severity == DIAG_ERROR)
            return entry;
    }
    return NULL;
}

static void expect_accepted(const char *source, const struct sema_options *options)
{
    struct checked checked;
    check_with(&checked, source, options);
    CHECK(checked.status == 0);
    if (checked.status != 0) {
        fprintf(stderr, "  rejected: %s\n", source);
        diag_print(&checked.diag, stderr);
    }
    release(&checked);
}

/* The first error is at `line` (0: any line) and `column` and its message
 * contains `text`. */
static void expect_error(const char *source, const struct sema_options *options, int line,
                         int column, const char *text)
{
    struct checked checked;
    check_with(&checked, source, options);
    const struct diag_entry *error = first_error(&checked);
    CHECK(checked.status != 0 && error);
    if (error) {
        bool place = (line == 0 || error->loc.line == line) && error->loc.column == column;
        bool message = strstr(error->message, text) != NULL;
        CHECK(place);
        CHECK(message);
        if (!place || !message)
            fprintf(stderr, "  %s\n  got %d:%d: %s\n", source, error->loc.line, error->loc.column,
                    error->message);
    }
    release(&checked);
}

/* `type` described into `out` ("" for NULL), as messages show it. */
static inline const char *describe_type(const struct type *type, char *out, size_t size)
{
    out[0] = '\0';
    if (type) {
        struct strbuf text = {0};
        type_describe(type, &text);
        snprintf(out, size, "%s", strbuf_text(&text));
        strbuf_free(&text);
    }
    return out;
}

/* The type of the first printf argument of an accepted script, or NULL. */
static inline const struct type *first_printf_arg_type(const struct checked *checked)
{
    if (checked->status != 0 || checked->result.printfs.count == 0)
        return NULL;
    const struct sema_printf *site = vec_get(&checked->result.printfs, 0);
    return site->arg_types[0];
}

/* The type of the first printf argument after checking `source` with
 * `options`, described into `out` ("" when rejected). */
static inline const char *first_printf_arg_text(const char *source,
                                                const struct sema_options *options, char *out,
                                                size_t size)
{
    struct checked checked;
    check_with(&checked, source, options);
    describe_type(first_printf_arg_type(&checked), out, size);
    release(&checked);
    return out;
}

/* The checked map called `name` ("@x"), or NULL. */
static inline const struct sema_map *checked_map(const struct checked *checked, const char *name)
{
    for (size_t i = 0; i < checked->result.maps.count; i++) {
        const struct sema_map *map = vec_get(&checked->result.maps, i);
        if (strcmp(map->name, name) == 0)
            return map;
    }
    return NULL;
}

/* Define SEMA_FIXTURE_CHECKS before including this file for accepts() and
 * rejects() with bpftrace's default max_strlen, the options most tests need. */
#ifdef SEMA_FIXTURE_CHECKS
static const struct sema_options sema_defaults = {.max_strlen = 64};

static inline void accepts(const char *source)
{
    expect_accepted(source, &sema_defaults);
}

static inline void rejects(const char *source, int column, const char *text)
{
    expect_error(source, &sema_defaults, 0, column, text);
}
#endif

#endif
