/* arena: bump allocation for everything that lives as long as one compilation
 * (AST nodes, types, strings). Freed all at once, so passes never track ownership. */
#ifndef SONDE_BASE_ARENA_H
#define SONDE_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
};

void arena_init(struct arena *arena);
void arena_free(struct arena *arena);
/* Zeroed memory; aborts on out-of-memory (nothing sensible can continue). */
void *arena_alloc(struct arena *arena, size_t size);
char *arena_strdup(struct arena *arena, const char *text);
char *arena_strndup(struct arena *arena, const char *text, size_t length);
char *arena_vprintf(struct arena *arena, const char *format, va_list args);
char *arena_printf(struct arena *arena, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

#define ARENA_NEW(arena, type) ((type *)arena_alloc((arena), sizeof(type)))

#endif
