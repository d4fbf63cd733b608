/* Types of a BTF by name, and their C definitions.
 *
 * The definitions come from libbpf's btf_dump, which bpftrace uses too, so
 * the text is the same as bpftrace's: tabs, `long unsigned int`, padding
 * written as `long: 64;`. btf_dump writes every type a definition depends
 * on before it; only the asked-for definitions are cut out of its text. */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "base/strbuf.h"
#include "base/vec.h"
#include "types/btf_print.h"

static const char *const type_prefixes[] = {"struct ", "union ", "enum "};

bool btf_print_is_type_pattern(const char *pattern)
{
    for (size_t i = 0; pattern && i < sizeof(type_prefixes) / sizeof(type_prefixes[0]); i++)
        if (strncmp(pattern, type_prefixes[i], strlen(type_prefixes[i])) == 0)
            return true;
    return false;
}

/* "struct task_struct", or NULL for other kinds and anonymous types. */
static char *c_name(const struct btf *btf, const struct btf_type *type)
{
    const char *prefix = btf_is_struct(type)     ? "struct "
                         : btf_is_union(type)    ? "union "
                         : btf_is_any_enum(type) ? "enum "
                                                 : NULL;
    const char *name = btf__name_by_offset(btf, type->name_off);
    if (!prefix || !name || !*name)
        return NULL;
    struct strbuf text = {0};
    strbuf_printf(&text, "%s%s", prefix, name);
    return text.data;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The matching names (malloc'd), sorted, each once. */
static void find_types(const struct btf *btf, const char *pattern, struct vec *names)
{
    unsigned count = btf__type_cnt(btf);
    for (unsigned id = 1; id < count; id++) {
        char *name = c_name(btf, btf__type_by_id(btf, id));
        if (name && fnmatch(pattern, name, FNM_NOESCAPE) == 0)
            vec_push(names, name);
        else
            free(name);
    }
    if (names->count > 1)
        qsort(names->items, names->count, sizeof(void *), compare_names);
    size_t kept = 0;
    for (size_t i = 0; i < names->count; i++) {
        if (kept && strcmp(names->items[kept - 1], names->items[i]) == 0)
            free(names->items[i]);
        else
            names->items[kept++] = names->items[i];
    }
    names->count = kept;
}

static void dump_to_strbuf(void *context, const char *format, va_list args)
{
    char *text = NULL;
    int length = vasprintf(&text, format, args);
    if (length > 0)
        strbuf_append(context, text, (size_t)length);
    free(text);
}

/* Where each asked-for definition is in btf_dump's text: a line that
 * starts `NAME {`, to the line that starts with the `}` closing it (`};`,
 * or `} __attribute__((packed));`); members of nested types are indented.
 * An empty type is one line, `NAME {};`. One pass over the text, since
 * `-lv 'struct *'` asks for thousands. */
struct span {
    const char *start;
    int length;
};

static void find_definitions(const char *text, const struct vec *names, struct span *spans)
{
    for (const char *line = text; line && *line;) {
        const char *brace = strstr(line, " {");
        const char *newline = strchr(line, '\n');
        if (brace && (!newline || brace < newline)) {
            char *name = strndup(line, (size_t)(brace - line));
            char **found =
                bsearch(&name, names->items, names->count, sizeof(void *), compare_names);
            const char *close = brace[2] == '}' ? line : strstr(line, "\n}");
            struct span *span = found ? &spans[found - (char **)names->items] : NULL;
            if (span && !span->start && close) {
                const char *end = strchr(close + 1, '\n');
                span->start = line;
                span->length = (int)(end ? (size_t)(end - line) : strlen(line));
            }
            free(name);
        }
        line = newline ? newline + 1 : NULL;
    }
}

static int print_definitions(const struct btf *btf, const struct vec *names, FILE *out)
{
    struct strbuf text = {0};
    struct btf_dump *dump = btf_dump__new(btf, dump_to_strbuf, &text, NULL);
    if (!dump)
        return errno ? -errno : -ENOMEM;
    /* One dump for all: each type is written once, before the first
     * definition that needs it. */
    unsigned count = btf__type_cnt(btf);
    for (unsigned id = 1; id < count; id++) {
        char *name = c_name(btf, btf__type_by_id(btf, id));
        if (name && bsearch(&name, names->items, names->count, sizeof(void *), compare_names))
            btf_dump__dump_type(dump, id);
        free(name);
    }
    btf_dump__free(dump);
    struct span *spans = calloc(names->count ? names->count : 1, sizeof(*spans));
    find_definitions(strbuf_text(&text), names, spans);
    int printed = 0;
    for (size_t i = 0; i < names->count; i++) {
        if (spans[i].start) {
            fprintf(out, "%.*s\n\n", spans[i].length, spans[i].start);
            printed++;
        }
    }
    free(spans);
    strbuf_free(&text);
    return printed;
}

int btf_print_types(const struct btf *btf, const char *pattern, bool verbose, FILE *out)
{
    struct vec names = {0};
    find_types(btf, pattern, &names);
    int printed = 0;
    if (verbose) {
        printed = print_definitions(btf, &names, out);
    } else {
        for (size_t i = 0; i < names.count; i++)
            fprintf(out, "%s\n", (const char *)vec_get(&names, i));
        printed = (int)names.count;
    }
    for (size_t i = 0; i < names.count; i++)
        free(vec_get(&names, i));
    vec_free(&names);
    return printed;
}
