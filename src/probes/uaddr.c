/* uaddr(): symbols of a uprobe's binary, resolved at compile time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"
#include "probes/elf_symbols.h"
#include "probes/uaddr.h"

/* The symbols of the last binary read, kept for the process: a wildcard
 * puts hundreds of instances of one binary into a block, and the type
 * checker and codegen each ask once per instance. */
static struct {
    char *path;
    struct arena arena;
    struct probe_elf elf;
} last_read;

static const struct probe_elf *read_symbols(const char *path, struct arena *arena,
                                            const char **error)
{
    if (last_read.path && strcmp(last_read.path, path) == 0)
        return &last_read.elf;
    if (last_read.path) {
        probes_elf_free(&last_read.elf);
        arena_free(&last_read.arena);
        free(last_read.path);
        last_read.path = NULL;
    }
    arena_init(&last_read.arena);
    const char *reason = NULL;
    if (probes_elf_read(&last_read.arena, path, &last_read.elf, &reason) != 0) {
        *error = arena_printf(arena, "cannot read the symbols of %s: %s", path, reason);
        probes_elf_free(&last_read.elf);
        arena_free(&last_read.arena);
        return NULL;
    }
    last_read.path = strdup(path);
    if (!last_read.path) {
        *error = "out of memory";
        probes_elf_free(&last_read.elf);
        arena_free(&last_read.arena);
        return NULL;
    }
    return &last_read.elf;
}

static const char *closest_symbol(const struct probe_elf *elf, const char *name)
{
    struct vec names = {0};
    const struct vec *kinds[] = {&elf->objects, &elf->functions};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < kinds[k]->count; i++)
            vec_push(&names, (void *)((const struct probe_elf_symbol *)vec_get(kinds[k], i))->name);
    const char *closest = suggest_closest(name, (const char *const *)names.items, names.count);
    vec_free(&names);
    return closest;
}

int probes_user_address(struct arena *arena, const struct probe_instance *instance,
                        const char *symbol, struct probe_user_address *out, const char **closest,
                        const char **error)
{
    memset(out, 0, sizeof(*out));
    *closest = NULL;
    *error = NULL;
    const struct probe_elf *elf = read_symbols(instance->path, arena, error);
    if (!elf)
        return -EINVAL;
    const struct probe_elf_symbol *found = probes_elf_find_object(elf, symbol);
    if (!found)
        found = probes_elf_find(elf, symbol);
    if (!found) {
        const char *suggestion = closest_symbol(elf, symbol);
        *closest = suggestion ? arena_strdup(arena, suggestion) : NULL;
        return -ENOENT;
    }
    out->symbol_address = found->address;
    out->symbol_size = found->size;
    out->relocated = elf->position_independent;
    if (out->relocated &&
        !probes_elf_address_of_offset(elf, instance->offset, &out->probe_address)) {
        *error = arena_printf(arena, "the probe's offset 0x%llx is not in a segment of %s",
                              (unsigned long long)instance->offset, instance->path);
        return -EINVAL;
    }
    return 0;
}
