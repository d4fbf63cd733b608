/* -l: the probes that exist here, by full name, filtered by patterns such
 * as 'tracepoint:sched:*', 't:syscalls:*open*' or '*sleep*'. With -v each
 * probe's arguments follow it, indented, as `args` would type them.
 * Patterns 'struct X', 'union X' and 'enum X' list the kernel's types
 * instead, and with -v their definitions, as bpftrace does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probes_internal.h"
#include "types/btf.h"
#include "types/btf_print.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void probes_sort_names(struct vec *names, size_t first)
{
    if (names->count > first)
        qsort(names->items + first, names->count - first, sizeof(void *), compare_names);
}

/* "char[16]" with name "comm" reads "char comm[16]", as C declares it. */
void probes_print_arguments(FILE *out, const struct tracepoint_format *format)
{
    for (unsigned i = 0; format && i < format->field_count; i++) {
        const struct tracepoint_field *field = &format->fields[i];
        const char *bracket = field->is_data_loc ? NULL : strchr(field->c_type, '[');
        if (bracket)
            fprintf(out, "    %.*s %s%s\n", (int)(bracket - field->c_type), field->c_type,
                    field->name, bracket);
        else
            fprintf(out, "    %s %s\n", field->c_type, field->name);
    }
}

/* One pattern: its provider, when it names a kind, becomes that kind's
 * name ('t:sched:*' → 'tracepoint:sched:*') and only that kind lists. */
static int list_pattern(const struct probe_env *env, const char *pattern, bool verbose, FILE *out)
{
    if (btf_print_is_type_pattern(pattern)) {
        struct btf_types *types = btf_types_kernel();
        return types ? btf_print_types(btf_types_btf(types), pattern, verbose, out) : -ENODATA;
    }
    const char *colon = pattern ? strchr(pattern, ':') : NULL;
    const struct probe_kind *named = NULL;
    if (colon) {
        char *provider = arena_strndup(env->arena, pattern, (size_t)(colon - pattern));
        named = probes_has_wildcard(provider) ? NULL : probe_kind_find(provider);
        if (named)
            pattern = arena_printf(env->arena, "%s%s", named->name, colon);
    }
    int count = 0;
    for (size_t i = 0; probe_kinds[i]; i++) {
        const struct probe_kind *kind = probe_kinds[i];
        if (!kind->list || (named && kind != named))
            continue;
        /* Unless asked for by name: no return probes (their names repeat
         * the entry probes') and no kinds this kernel cannot attach. */
        if (!named && (kind->return_probe || (kind->available && !kind->available(env))))
            continue;
        int listed = kind->list(env, pattern, verbose, out);
        if (listed > 0)
            count += listed;
    }
    return count;
}

int probes_list(const struct probe_env *env, const char *patterns, bool verbose, FILE *out)
{
    if (!patterns || !*patterns)
        return list_pattern(env, NULL, verbose, out);
    int count = 0;
    for (const char *start = patterns; *start;) {
        size_t length = strcspn(start, ",");
        char *pattern = arena_strndup(env->arena, start, length);
        /* Patterns may be written with spaces after the commas. */
        while (*pattern == ' ')
            pattern++;
        int listed = *pattern ? list_pattern(env, pattern, verbose, out) : 0;
        if (listed < 0)
            return listed;
        count += listed;
        start += length + (start[length] == ',');
    }
    return count;
}
