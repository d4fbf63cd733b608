/* -l with a program: what it would attach, after its wildcards are
 * expanded, named as `sonde -l` names each probe (bpftrace: "list all the
 * probes attached in the program"). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "probes/list_program.h"
#include "probes/probes_internal.h"

bool probes_list_arg_is_script(const char *path)
{
    struct stat info;
    return path && stat(path, &info) == 0 && !S_ISDIR(info.st_mode);
}

/* The attach point's place in the script, then the name: the order of
 * bpftrace's listing (attach points in turn, each one's matches sorted),
 * whichever variant expansion put an instance in. */
static int compare_instances(const void *a, const void *b)
{
    const struct probe_instance *x = *(const struct probe_instance *const *)a;
    const struct probe_instance *y = *(const struct probe_instance *const *)b;
    if (x->loc.line != y->loc.line)
        return x->loc.line < y->loc.line ? -1 : 1;
    if (x->loc.column != y->loc.column)
        return x->loc.column < y->loc.column ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* `sonde -l` lists software and hardware events as "software:EVENT:",
 * without the count an attach point may add; every other probe by the
 * name the `probe` builtin gives it. */
static void print_name(const struct probe_instance *instance, FILE *out)
{
    const char *name = instance->name;
    const struct probe_kind *kind = instance->kind;
    if (kind->list && kind->context == CONTEXT_PERF_EVENT) {
        const char *first = strchr(name, ':');
        const char *second = first ? strchr(first + 1, ':') : NULL;
        int length = (int)(second ? (size_t)(second - name) : strlen(name));
        fprintf(out, "%.*s:\n", length, name);
        return;
    }
    fprintf(out, "%s\n", name);
}

static void print_instance(const struct probe_instance *instance, bool verbose, FILE *out)
{
    print_name(instance, out);
    if (!verbose)
        return;
    probes_print_arguments(out, instance->format);
    if (instance->retval_c_type)
        fprintf(out, "    %s retval\n", instance->retval_c_type);
}

static int list_block(const struct ast_probe *probe, bool verbose, FILE *out)
{
    struct vec instances = {0};
    for (size_t v = 0; v < probe->variants.count; v++) {
        const struct ast_variant *variant = vec_get(&probe->variants, v);
        for (size_t i = 0; i < variant->instances.count; i++)
            vec_push(&instances, vec_get(&variant->instances, i));
    }
    if (instances.count > 1)
        qsort(instances.items, instances.count, sizeof(void *), compare_instances);
    for (size_t i = 0; i < instances.count; i++)
        print_instance(vec_get(&instances, i), verbose, out);
    int count = (int)instances.count;
    vec_free(&instances);
    return count;
}

int probes_list_program(const struct ast_program *program, bool verbose, FILE *out)
{
    int count = 0;
    for (size_t i = 0; i < program->probes.count; i++)
        count += list_block(vec_get(&program->probes, i), verbose, out);
    return count;
}
